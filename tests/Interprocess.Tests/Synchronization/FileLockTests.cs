using System.Diagnostics;
using Interprocess.Synchronization;
using Interprocess.Tests.Infrastructure;

namespace Interprocess.Tests.Synchronization;

public sealed class FileLockTests : IDisposable
{
    /// <summary>PATH w|r: takes a classic process-owned POSIX record lock (fcntl F_SETLKW, as Boost's file_lock does), prints LOCKED, waits for a line.</summary>
    private const string PosixLockC = """
        #include <fcntl.h>
        #include <stdio.h>
        #include <string.h>
        #include <unistd.h>

        int main(int argc, char **argv)
        {
            if (argc != 3) return 64;
            int fd = open(argv[1], O_RDWR);
            if (fd < 0) { perror("open"); return 2; }
            struct flock fl;
            memset(&fl, 0, sizeof fl);
            fl.l_type = argv[2][0] == 'w' ? F_WRLCK : F_RDLCK;
            fl.l_whence = SEEK_SET;
            if (fcntl(fd, F_SETLKW, &fl) != 0) { perror("fcntl"); return 3; }
            printf("LOCKED\n");
            fflush(stdout);
            char line[16];
            if (fgets(line, sizeof line, stdin) == NULL) return 4;
            return 0;
        }
        """;

    private readonly string _path;

    public FileLockTests()
    {
        _path = Path.Combine(Path.GetTempPath(), UniqueName.New("filelock") + ".lock");
        File.WriteAllText(_path, "contents are not touched");
    }

    public void Dispose() => File.Delete(_path);

    [Fact]
    public void AMissingFile_ThrowsNotFound_NamingThePath()
    {
        string missing = _path + ".missing";
        var e = Assert.Throws<InterprocessException>(() => new FileLock(missing));
        Assert.Equal(InterprocessErrorCode.NotFound, e.ErrorCode);
        Assert.Equal(missing, e.ObjectName);
        Assert.Contains(missing, e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(missing));
        Assert.ThrowsAny<ArgumentException>(() => new FileLock(""));
    }

    [Fact]
    public void TwoFileLocksInOneThread_ExcludeEachOther()
    {
        using var a = new FileLock(_path);
        using var b = new FileLock(_path);
        a.Lock();
        Assert.False(b.TryLock());
        Assert.False(b.TryLockSharable());
        a.Unlock();
        Assert.True(b.TryLock());
        Assert.False(a.TryLockSharable());
        b.Unlock();
    }

    [Fact]
    public void SharableLocks_Coexist_AndKeepTheExclusiveOneOut()
    {
        using var a = new FileLock(_path);
        using var b = new FileLock(_path);
        using var c = new FileLock(_path);
        a.LockSharable();
        Assert.True(b.TryLockSharable());
        Assert.False(c.TryLock());
        a.UnlockSharable();
        Assert.False(c.TryLock());
        b.UnlockSharable();
        Assert.True(c.TryLock());
        c.Unlock();
        Assert.Equal("contents are not touched", File.ReadAllText(_path));
    }

    [Fact]
    public void ABlockedThread_GetsTheLock_WhenTheHolderThreadReleasesIt()
    {
        using var holder = new FileLock(_path);
        holder.Lock();
        bool acquired = false;
        var waiter = new Thread(() =>
        {
            using var mine = new FileLock(_path);
            mine.LockSharable(); // blocks in the kernel
            acquired = true;
            mine.UnlockSharable();
        });
        waiter.Start();
        Assert.False(waiter.Join(TimeSpan.FromMilliseconds(100)));
        Assert.False(acquired);
        holder.Unlock();
        Assert.True(waiter.Join(TimeSpan.FromSeconds(20)));
        Assert.True(acquired);
    }

    [Fact]
    public void TimedLock_TimesOutNotEarly_AndSucceedsWhenReleasedDuringTheWait()
    {
        using var holder = new FileLock(_path);
        using var other = new FileLock(_path);
        holder.Lock();
        var sw = Stopwatch.StartNew();
        Assert.False(other.TryLock(TimeSpan.FromMilliseconds(100)));
        Assert.True(sw.ElapsedMilliseconds >= 99, $"a timed lock returned after {sw.ElapsedMilliseconds} ms");
        Assert.False(other.TryLockSharable(TimeSpan.FromMilliseconds(30)));

        var release = new Thread(() =>
        {
            Thread.Sleep(100);
            holder.Unlock();
        });
        release.Start();
        Assert.True(other.TryLockSharable(TimeSpan.FromSeconds(20)));
        release.Join();
        other.UnlockSharable();
        Assert.Throws<ArgumentOutOfRangeException>(() => other.TryLock(TimeSpan.FromMilliseconds(-3)));
    }

    [Fact]
    public void TimedLock_IsCanceledByTheToken_AndHoldsNothing()
    {
        using var holder = new FileLock(_path);
        using var other = new FileLock(_path);
        holder.Lock();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        Assert.ThrowsAny<OperationCanceledException>(() => other.TryLock(Timeout.InfiniteTimeSpan, cts.Token));
        holder.Unlock();
        Assert.Throws<SynchronizationLockException>(() => other.Unlock());
        Assert.True(other.TryLock());
        other.Unlock();
    }

    [Fact]
    public void OneFileLockObject_IsOneOwner_AndMisuseIsRefused()
    {
        using var fileLock = new FileLock(_path);
        Assert.Throws<SynchronizationLockException>(() => fileLock.Unlock());
        Assert.Throws<SynchronizationLockException>(() => fileLock.UnlockSharable());
        fileLock.Lock();
        Assert.Throws<LockRecursionException>(() => fileLock.Lock());
        Assert.Throws<LockRecursionException>(() => fileLock.TryLockSharable());
        Assert.Throws<SynchronizationLockException>(() => fileLock.UnlockSharable());

        // Another thread using the same object is the same owner: it cannot lock again, but it may unlock.
        Exception? relock = null, unlock = null;
        var t = new Thread(() =>
        {
            relock = Record.Exception(() => fileLock.TryLock());
            unlock = Record.Exception(() => fileLock.Unlock());
        });
        t.Start();
        t.Join();
        Assert.IsType<LockRecursionException>(relock);
        Assert.Null(unlock);
        using var other = new FileLock(_path);
        Assert.True(other.TryLock());
        other.Unlock();
    }

    [Fact]
    public void Dispose_ReleasesTheLock()
    {
        var fileLock = new FileLock(_path);
        fileLock.Lock();
        using var other = new FileLock(_path);
        Assert.False(other.TryLock());
        fileLock.Dispose();
        Assert.True(other.TryLock());
        other.Unlock();
        Assert.Throws<ObjectDisposedException>(() => fileLock.Lock());
        Assert.Throws<ObjectDisposedException>(() => fileLock.TryLockSharable());
    }

    [Fact]
    public void BetweenProcesses_ExclusiveExcludesEverything()
    {
        using var child = Driver.Start("filelock-hold", _path, "exclusive");
        child.Expect("LOCKED");
        using var mine = new FileLock(_path);
        Assert.False(mine.TryLock());
        Assert.False(mine.TryLockSharable());
        child.Send("release");
        child.Expect("UNLOCKED");
        Assert.True(mine.TryLock(TimeSpan.FromSeconds(20)));

        // Now the child process cannot get it.
        var (code, lines) = Driver.Run("filelock-try", _path, "sharable");
        Assert.Equal(0, code);
        Assert.Equal(["BUSY"], lines);
        mine.Unlock();
        (code, lines) = Driver.Run("filelock-try", _path, "exclusive");
        Assert.Equal(["ACQUIRED"], lines);
    }

    [Fact]
    public void BetweenProcesses_SharableAdmitsSharable_AndAWaitingProcessGetsTheLockOnRelease()
    {
        using var child = Driver.Start("filelock-hold", _path, "sharable");
        child.Expect("LOCKED");
        using var mine = new FileLock(_path);
        Assert.True(mine.TryLockSharable());
        using (var probe = new FileLock(_path))
        {
            Assert.False(probe.TryLock());
        }

        mine.UnlockSharable();

        using var waiter = Driver.Start("filelock-wait", _path, "exclusive");
        waiter.Expect("WAITING");
        Thread.Sleep(100);
        child.Send("release");
        child.Expect("UNLOCKED");
        waiter.Expect("ACQUIRED");
        Assert.Equal(0, waiter.WaitForExit());
    }

    [Fact]
    public void AHolderProcessKilled_ReleasesTheLock()
    {
        using var mine = new FileLock(_path);
        using (var child = Driver.Start("filelock-hold", _path, "exclusive"))
        {
            child.Expect("LOCKED");
            Assert.False(mine.TryLockSharable());
            child.Kill();
        }

        Assert.True(mine.TryLock(TimeSpan.FromSeconds(20)));
        mine.Unlock();
    }

    [Fact]
    public void AClassicPosixRecordLock_AsBoostTakesIt_ExcludesFileLock()
    {
        string exe = NativeProgram.Build(PosixLockC);
        using var mine = new FileLock(_path);
        using (var c = NativeProgram.Start(exe, _path, "w"))
        {
            c.Expect("LOCKED");
            Assert.False(mine.TryLockSharable());
            c.Send("done");
            Assert.Equal(0, c.WaitForExit());
        }

        Assert.True(mine.TryLock(TimeSpan.FromSeconds(20)));
        mine.Unlock();
        using (var c = NativeProgram.Start(exe, _path, "r"))
        {
            c.Expect("LOCKED");
            Assert.True(mine.TryLockSharable());
            using (var probe = new FileLock(_path))
            {
                Assert.False(probe.TryLock());
            }

            mine.UnlockSharable();
            c.Kill();
        }
    }
}
