using System.Diagnostics;
using System.Globalization;
using System.Text;
using Interprocess.Synchronization;
using Interprocess.Tests.Infrastructure;

namespace Interprocess.Tests.Synchronization;

public sealed class NamedSemaphoreTests : IDisposable
{
    /// <summary>
    /// PING PONG ROUNDS: opens PING (made by the test), creates PONG itself, prints READY; then ROUNDS times
    /// waits on PING (10 s at most) and posts PONG; prints "DONE" and PING's count.
    /// </summary>
    private const string PingPongC = """
        #include <errno.h>
        #include <fcntl.h>
        #include <semaphore.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <time.h>

        int main(int argc, char **argv)
        {
            char ping[300], pong[300];
            if (argc != 4) return 64;
            snprintf(ping, sizeof ping, "/%s", argv[1]);
            snprintf(pong, sizeof pong, "/%s", argv[2]);
            sem_t *a = sem_open(ping, 0);
            if (a == SEM_FAILED) { perror("sem_open ping"); return 2; }
            sem_t *b = sem_open(pong, O_CREAT | O_EXCL, 0600, 0);
            if (b == SEM_FAILED) { perror("sem_open pong"); return 3; }
            printf("READY\n");
            fflush(stdout);
            int rounds = atoi(argv[3]);
            for (int i = 0; i < rounds; i++) {
                struct timespec ts;
                clock_gettime(CLOCK_REALTIME, &ts);
                ts.tv_sec += 10;
                while (sem_timedwait(a, &ts) != 0) {
                    if (errno == EINTR) continue;
                    printf("TIMEOUT\n");
                    return 4;
                }
                if (sem_post(b) != 0) { perror("sem_post"); return 5; }
            }
            int value = -1;
            sem_getvalue(a, &value);
            printf("DONE %d\n", value);
            fflush(stdout);
            sem_close(a);
            sem_close(b);
            return 0;
        }
        """;

    /// <summary>The same protocol with Boost.Interprocess's named_semaphore.</summary>
    private const string PingPongBoost = """
        #include <boost/interprocess/sync/named_semaphore.hpp>
        #include <cstdio>
        #include <cstdlib>

        using namespace boost::interprocess;

        int main(int argc, char **argv)
        {
            if (argc != 4) return 64;
            named_semaphore ping(open_only, argv[1]);
            named_semaphore pong(create_only, argv[2], 0);
            std::printf("READY\n");
            std::fflush(stdout);
            int rounds = std::atoi(argv[3]);
            for (int i = 0; i < rounds; i++) {
                ping.wait();
                pong.post();
            }
            std::printf("DONE\n");
            std::fflush(stdout);
            return 0;
        }
        """;

    private readonly List<string> _names = [];

    private string NewName()
    {
        string name = UniqueName.New("nsem");
        _names.Add(name);
        return name;
    }

    private static string SemPath(string name) => "/dev/shm/sem." + name;

    public void Dispose()
    {
        foreach (var n in _names)
        {
            NamedSemaphore.Remove(n);
        }
    }

    [Fact]
    public void CreateNew_IsAPosixNamedSemaphore_WithTheCountGiven()
    {
        string name = NewName();
        using var a = NamedSemaphore.CreateNew(name, 2);
        Assert.True(a.Created);
        Assert.Equal(name, a.Name);
        Assert.True(File.Exists(SemPath(name)));
        Assert.Equal(32, new FileInfo(SemPath(name)).Length);
        using var b = NamedSemaphore.OpenExisting(name);
        Assert.False(b.Created);
        Assert.Equal(2, b.Count);
        Assert.True(b.TryWait());
        Assert.True(a.TryWait(TimeSpan.Zero));
        Assert.False(b.TryWait());
        a.Post();
        Assert.Equal(1, b.Count);
        b.Wait();
        Assert.Equal(0, a.Count);
    }

    [Fact]
    public void CreationRules_ExistsNotFoundAndRemove()
    {
        string name = NewName();
        var notFound = Assert.Throws<InterprocessException>(() => NamedSemaphore.OpenExisting(name));
        Assert.Equal(InterprocessErrorCode.NotFound, notFound.ErrorCode);
        Assert.Contains("sem_open", notFound.Message, StringComparison.Ordinal);
        Assert.Equal(name, notFound.ObjectName);
        Assert.False(NamedSemaphore.Remove(name));

        using (NamedSemaphore.CreateNew(name, 0))
        {
            var exists = Assert.Throws<InterprocessException>(() => NamedSemaphore.CreateNew(name, 0));
            Assert.Equal(InterprocessErrorCode.AlreadyExists, exists.ErrorCode);
            using var opened = NamedSemaphore.OpenOrCreate(name, 5);
            Assert.False(opened.Created);
            Assert.Equal(0, opened.Count);
        }

        Assert.True(NamedSemaphore.Remove(name));
        Assert.False(File.Exists(SemPath(name)));
        using var created = NamedSemaphore.OpenOrCreate(name, 5);
        Assert.True(created.Created);
        Assert.Equal(5, created.Count);
    }

    [Fact]
    public void Permissions_AreAppliedExactly_WhateverTheUmask()
    {
        string a = NewName(), b = NewName(), c = NewName();
        using (NamedSemaphore.CreateNew(a, 0))
        using (NamedSemaphore.CreateNew(b, 0, Permissions.FromOctal("666")))
        using (NamedSemaphore.OpenOrCreate(c, 0, Permissions.FromOctal("640")))
        {
            Assert.Equal(Permissions.OwnerOnly.Mode, File.GetUnixFileMode(SemPath(a)));
            Assert.Equal(Permissions.FromOctal("666").Mode, File.GetUnixFileMode(SemPath(b)));
            Assert.Equal(Permissions.FromOctal("640").Mode, File.GetUnixFileMode(SemPath(c)));
        }

        using (NamedSemaphore.OpenOrCreate(b, 0, Permissions.OwnerOnly))
        {
            Assert.Equal(Permissions.FromOctal("666").Mode, File.GetUnixFileMode(SemPath(b)));
        }
    }

    [Fact]
    public void BadNamesAndCounts_AreRefused()
    {
        foreach (string bad in new[] { "", "a/b", "/x", ".", "..", "a\0b" })
        {
            Assert.ThrowsAny<ArgumentException>(() => NamedSemaphore.CreateNew(bad, 0));
            Assert.ThrowsAny<ArgumentException>(() => NamedSemaphore.OpenExisting(bad));
            Assert.ThrowsAny<ArgumentException>(() => NamedSemaphore.Remove(bad));
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => NamedSemaphore.CreateNew(NewName(), -1));

        // NAME_MAX less the 4 bytes of "sem.".
        string longest = "ipt-" + new string('s', 247);
        _names.Add(longest);
        Assert.Equal(251, Encoding.UTF8.GetByteCount(longest));
        using (NamedSemaphore.CreateNew(longest, 0))
        {
        }

        Assert.Throws<ArgumentException>(() => NamedSemaphore.CreateNew(longest + "s", 0));
    }

    [Fact]
    public void Post_AtTheMaximumCount_ThrowsSize()
    {
        string name = NewName();
        using var sem = NamedSemaphore.CreateNew(name, int.MaxValue);
        var e = Assert.Throws<InterprocessException>(() => sem.Post());
        Assert.Equal(InterprocessErrorCode.Size, e.ErrorCode);
        Assert.Equal(int.MaxValue, sem.Count);
    }

    [Fact]
    public void AForeignFile_ThrowsCorrupted_InsteadOfCrashing()
    {
        string name = NewName();
        File.WriteAllBytes(SemPath(name), [1, 2, 3]);
        var e = Assert.Throws<InterprocessException>(() => NamedSemaphore.OpenExisting(name));
        Assert.Equal(InterprocessErrorCode.Corrupted, e.ErrorCode);
        Assert.Contains("3 bytes", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<InterprocessException>(() => NamedSemaphore.OpenOrCreate(name, 0));
        Assert.Equal(InterprocessErrorCode.Corrupted, e.ErrorCode);
    }

    [Fact]
    public void TryWait_TimesOut_NotEarly_AndCancellationStopsAWait()
    {
        string name = NewName();
        using var sem = NamedSemaphore.CreateNew(name, 0);
        var sw = Stopwatch.StartNew();
        Assert.False(sem.TryWait(TimeSpan.FromMilliseconds(120)));
        Assert.True(sw.ElapsedMilliseconds >= 119, $"a timed wait returned after {sw.ElapsedMilliseconds} ms");
        sw.Restart();
        using var cts = new CancellationTokenSource();
        Assert.False(sem.TryWait(TimeSpan.FromMilliseconds(120), cts.Token)); // sliced, still honest
        Assert.True(sw.ElapsedMilliseconds >= 119);

        cts.CancelAfter(TimeSpan.FromMilliseconds(100));
        Assert.ThrowsAny<OperationCanceledException>(() => sem.Wait(cts.Token));
        Assert.ThrowsAny<OperationCanceledException>(() => sem.TryWait(Timeout.InfiniteTimeSpan, cts.Token));
        Assert.Equal(0, sem.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => sem.TryWait(TimeSpan.FromMilliseconds(-2)));
    }

    [Fact]
    public void AWaitingThread_IsWokenByAPostFromAnotherProcess()
    {
        string name = NewName();
        using var sem = NamedSemaphore.CreateNew(name, 0);
        bool took = false;
        var waiter = new Thread(() => took = sem.TryWait(TimeSpan.FromSeconds(20)));
        waiter.Start();
        Thread.Sleep(50);
        var (code, lines) = Driver.Run("named-sem-post", name, "1");
        Assert.Equal(0, code);
        Assert.Equal(["DONE"], lines);
        Assert.True(waiter.Join(TimeSpan.FromSeconds(20)));
        Assert.True(took);
    }

    [Fact]
    public void PingPong_BetweenTwoDotNetProcesses()
    {
        const int rounds = 200;
        string ping = NewName(), pong = NewName();
        using var a = NamedSemaphore.CreateNew(ping, 0);
        using var b = NamedSemaphore.CreateNew(pong, 0);
        using var child = Driver.Start("named-sem-pingpong", ping, pong, rounds.ToString(CultureInfo.InvariantCulture));
        child.Expect("READY");
        for (int i = 0; i < rounds; i++)
        {
            a.Post();
            Assert.True(b.TryWait(TimeSpan.FromSeconds(10)), $"no answer in round {i}");
        }

        child.Expect("DONE");
        Assert.Equal(0, a.Count);
        Assert.Equal(0, b.Count);
    }

    [Fact]
    public void OpenOrCreate_RacingProcesses_ExactlyOneCreates()
    {
        string name = NewName();
        var racers = Enumerable.Range(0, 6).Select(_ => Driver.Start("named-race", "semaphore", name)).ToList();
        try
        {
            racers.ForEach(r => r.Expect("READY"));
            racers.ForEach(r => r.Send("go"));
            var outcomes = racers.Select(r => r.ReadLine()).ToList();
            racers.ForEach(r => r.Expect("OK"));
            racers.ForEach(r => Assert.Equal(0, r.WaitForExit()));
            Assert.Equal(1, outcomes.Count(o => o == "CREATED"));
            // Every racer posted once on the one semaphore.
            using var sem = NamedSemaphore.OpenExisting(name);
            Assert.Equal(6, sem.Count);
        }
        finally
        {
            racers.ForEach(r => r.Dispose());
        }
    }

    [Fact]
    public void AWaiterKilledWhileWaiting_LeavesTheCountAlone()
    {
        string name = NewName();
        using var sem = NamedSemaphore.CreateNew(name, 0);
        using (var blocked = Driver.Start("named-sem-block", name))
        {
            blocked.Expect("WAITING");
            Thread.Sleep(100);
            blocked.Kill();
        }

        sem.Post();
        Assert.Equal(1, sem.Count);
        Assert.True(sem.TryWait(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void Dispose_ThenUse_ThrowsObjectDisposed()
    {
        string name = NewName();
        var sem = NamedSemaphore.CreateNew(name, 1);
        sem.Dispose();
        sem.Dispose();
        Assert.Throws<ObjectDisposedException>(() => sem.Post());
        Assert.Throws<ObjectDisposedException>(() => sem.TryWait());
        Assert.Throws<ObjectDisposedException>(() => _ = sem.Count);
        using var again = NamedSemaphore.OpenExisting(name);
        Assert.Equal(1, again.Count);
    }

    [Fact]
    public void ACProgramUsingSemOpen_AndNamedSemaphore_ExchangePostsBothWays()
    {
        const int rounds = 100;
        string exe = NativeProgram.Build(PingPongC);
        string ping = NewName(), pong = NewName();
        using var a = NamedSemaphore.CreateNew(ping, 0);
        using var c = NativeProgram.Start(exe, ping, pong, rounds.ToString(CultureInfo.InvariantCulture));
        c.Expect("READY");
        using var b = NamedSemaphore.OpenExisting(pong); // created by the C program
        Assert.False(b.Created);
        for (int i = 0; i < rounds; i++)
        {
            a.Post();
            Assert.True(b.TryWait(TimeSpan.FromSeconds(10)), $"the C program did not answer in round {i}");
        }

        c.Expect("DONE 0");
        Assert.Equal(0, c.WaitForExit());
        Assert.Equal(0, b.Count);
    }

    [Fact]
    public void BoostNamedSemaphore_AndNamedSemaphore_ExchangePostsBothWays()
    {
        const int rounds = 50;
        string exe = NativeProgram.Build(PingPongBoost, "g++", "-std=c++17");
        string ping = NewName(), pong = NewName();
        using var a = NamedSemaphore.CreateNew(ping, 0);
        using var cpp = NativeProgram.Start(exe, ping, pong, rounds.ToString(CultureInfo.InvariantCulture));
        cpp.Expect("READY");
        using var b = NamedSemaphore.OpenExisting(pong);
        for (int i = 0; i < rounds; i++)
        {
            a.Post();
            Assert.True(b.TryWait(TimeSpan.FromSeconds(10)), $"the Boost program did not answer in round {i}");
        }

        cpp.Expect("DONE");
        Assert.Equal(0, cpp.WaitForExit());
    }
}
