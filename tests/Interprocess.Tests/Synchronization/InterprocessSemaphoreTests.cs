using System.Diagnostics;
using System.Globalization;
using Interprocess.Memory;
using Interprocess.Synchronization;
using Interprocess.Tests.Infrastructure;

namespace Interprocess.Tests.Synchronization;

/// <summary>Layout (shared with the driver's semaphore commands): semaphore A at 0, B at 16, a long at 64.</summary>
public sealed class InterprocessSemaphoreTests : IDisposable
{
    private readonly string _name = UniqueName.New("sem");
    private readonly SharedMemoryObject _shm;
    private readonly MappedRegion _region;

    public InterprocessSemaphoreTests()
    {
        _shm = SharedMemoryObject.CreateNew(_name, 4096);
        _region = new MappedRegion(_shm);
    }

    private ref InterprocessSemaphore A => ref _region.GetRef<InterprocessSemaphore>(0);

    private ref InterprocessSemaphore B => ref _region.GetRef<InterprocessSemaphore>(16);

    public void Dispose()
    {
        _region.Dispose();
        _shm.Dispose();
        SharedMemoryObject.Remove(_name);
    }

    private static string S(int n) => n.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public void ZeroedMemory_IsRefused_AsUninitialized()
    {
        Assert.False(A.IsInitialized);
        Assert.Equal(InterprocessErrorCode.Corrupted, Assert.Throws<InterprocessException>(() => A.Post()).ErrorCode);
        Assert.Equal(InterprocessErrorCode.Corrupted, Assert.Throws<InterprocessException>(() => A.TryWait()).ErrorCode);
        Assert.Equal(InterprocessErrorCode.Corrupted, Assert.Throws<InterprocessException>(() => A.Wait()).ErrorCode);
        Assert.Equal(InterprocessErrorCode.Corrupted, Assert.Throws<InterprocessException>(() => _ = A.Count).ErrorCode);
        Assert.Equal(0L, _region.Read<long>(0)); // nothing was changed
    }

    [Fact]
    public void ForeignOrDamagedMemory_IsRefused()
    {
        _region.Write(8, 0x12345678);
        var e = Assert.Throws<InterprocessException>(() => A.TryWait(TimeSpan.FromSeconds(1)));
        Assert.Equal(InterprocessErrorCode.Corrupted, e.ErrorCode);
        Assert.Contains("12345678", e.Message, StringComparison.Ordinal);

        // An initialized semaphore whose count word was overwritten with a negative value.
        A.Initialize(0);
        _region.Write(0, -5);
        Assert.Equal(InterprocessErrorCode.Corrupted, Assert.Throws<InterprocessException>(() => A.TryWait()).ErrorCode);
    }

    [Fact]
    public void Initialize_SetsTheCount_AndTryWaitTakesExactlyThatMany()
    {
        A.Initialize(3);
        Assert.True(A.IsInitialized);
        Assert.Equal(3, A.Count);
        Assert.True(A.TryWait());
        Assert.True(A.TryWait());
        Assert.True(A.TryWait(TimeSpan.Zero));
        Assert.False(A.TryWait());
        Assert.Equal(0, A.Count);
        A.Post();
        A.Post(4);
        Assert.Equal(5, A.Count);
        A.Wait();
        Assert.Equal(4, A.Count);
    }

    [Fact]
    public void InvalidArguments_AreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => A.Initialize(-1));
        A.Initialize(0);
        Assert.Throws<ArgumentOutOfRangeException>(() => A.Post(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => A.TryWait(TimeSpan.FromMilliseconds(-2)));
        Assert.Equal(0, A.Count);
    }

    [Fact]
    public void ACopyOnTheStack_IsRefused()
    {
        A.Initialize(1);
        InterprocessSemaphore copy = A;
        Exception? caught = null;
        try
        {
            copy.Post();
        }
        catch (InvalidOperationException e)
        {
            caught = e;
        }

        Assert.NotNull(caught);
        Assert.Equal(1, A.Count);
    }

    [Fact]
    public void Wait_BlocksUntilAnotherThreadPosts()
    {
        A.Initialize(0);
        bool done = false;
        var t = new Thread(() =>
        {
            A.Wait();
            Volatile.Write(ref done, true);
        });
        t.Start();
        Thread.Sleep(100);
        Assert.False(Volatile.Read(ref done));
        A.Post();
        Assert.True(t.Join(TimeSpan.FromSeconds(10)), "a waiter was not woken by a post");
        Assert.Equal(0, A.Count);
        Assert.Equal(0, A.WaiterCount);
    }

    [Fact]
    public void TimedWait_ReturnsFalse_NotBeforeTheTimeout()
    {
        A.Initialize(0);
        var sw = Stopwatch.StartNew();
        Assert.False(A.TryWait(TimeSpan.FromMilliseconds(60)));
        Assert.True(sw.ElapsedMilliseconds >= 59, $"a timed wait returned after {sw.ElapsedMilliseconds} ms, before its 60 ms timeout");
        Assert.Equal(0, A.WaiterCount);

        // And succeeds when a post comes within the timeout.
        var poster = new Thread(() =>
        {
            Thread.Sleep(50);
            A.Post();
        });
        poster.Start();
        Assert.True(A.TryWait(TimeSpan.FromSeconds(20)));
        poster.Join();
    }

    [Fact]
    public void Wait_WhenCanceled_ThrowsAndTakesNothing()
    {
        A.Initialize(0);
        using var cts = new CancellationTokenSource();
        Exception? caught = null;
        var t = new Thread(() => caught = Record.Exception(() => A.Wait(cts.Token)));
        t.Start();
        Thread.Sleep(100);
        cts.Cancel();
        Assert.True(t.Join(TimeSpan.FromSeconds(10)), "a canceled wait kept waiting");
        Assert.IsAssignableFrom<OperationCanceledException>(caught);
        Assert.Equal(0, A.WaiterCount);
        A.Post();
        Assert.Equal(1, A.Count); // the post went to nobody else

        using var canceled = new CancellationTokenSource();
        canceled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => A.TryWait(TimeSpan.FromSeconds(1), canceled.Token));
        Assert.Equal(1, A.Count);
    }

    [Fact]
    public void Post_BeyondTheMaximum_ThrowsAndChangesNothing()
    {
        A.Initialize(InterprocessSemaphore.MaxCount);
        Assert.Throws<SemaphoreFullException>(() => A.Post());
        Assert.Equal(InterprocessSemaphore.MaxCount, A.Count);
        Assert.True(A.TryWait());
        Assert.Throws<SemaphoreFullException>(() => A.Post(2));
        Assert.Equal(InterprocessSemaphore.MaxCount - 1, A.Count);
        A.Post();
        Assert.Equal(InterprocessSemaphore.MaxCount, A.Count);
    }

    [Fact]
    public void PingPong_BetweenTwoProcesses_10000RoundTrips_InOrder() => PingPong(pinned: false);

    /// <summary>The other process pinned to one CPU: its waits spin in short stretches between yields (<c>Processors.MayShareCore</c>).</summary>
    [Fact]
    public void PingPong_WithTheOtherProcessPinnedToOneCpu_10000RoundTrips_InOrder() => PingPong(pinned: true);

    private void PingPong(bool pinned)
    {
        const int n = 10_000;
        A.Initialize(0);
        B.Initialize(0);
        using var pong = Driver.StartOnCpu(pinned ? 0 : null, "sem-pong", _name, S(n));
        pong.Expect("READY");
        ref long value = ref _region.GetRef<long>(64);
        for (int i = 0; i < n; i++)
        {
            Volatile.Write(ref value, (2L * i) + 1); // published to the child by the post
            A.Post();
            Assert.True(B.TryWait(TimeSpan.FromSeconds(30)), $"no pong for round trip {i}");
            Assert.Equal((2L * i) + 2, value);
        }

        pong.Expect("DONE");
        Assert.Equal(0, pong.WaitForExit());
        Assert.Equal(0, A.Count);
        Assert.Equal(0, B.Count);
    }

    [Fact]
    public void ManyPostersAndWaiters_InSeveralProcesses_EndWithTheExactCount()
    {
        const int perProcess = 20_000;
        A.Initialize(0);
        using var w1 = Driver.Start("sem-wait", _name, "0", S(perProcess));
        using var w2 = Driver.Start("sem-wait", _name, "0", S(perProcess));
        using var p1 = Driver.Start("sem-post", _name, "0", S(perProcess));
        using var p2 = Driver.Start("sem-post", _name, "0", S(perProcess));
        foreach (var d in new[] { w1, w2, p1, p2 })
        {
            d.Expect("READY");
        }

        p1.Send("go");
        p2.Send("go");
        // Two threads here post and wait too (one unit each way per iteration, so the totals match).
        var threads = Enumerable.Range(0, 2).Select(i => new Thread(() =>
        {
            for (int k = 0; k < perProcess; k++)
            {
                if (i == 0)
                {
                    A.Post();
                }
                else
                {
                    A.Wait();
                }
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => Assert.True(t.Join(TimeSpan.FromSeconds(120))));
        foreach (var d in new[] { w1, w2, p1, p2 })
        {
            d.Expect("DONE", TimeSpan.FromSeconds(120));
            Assert.Equal(0, d.WaitForExit());
        }

        Assert.Equal(0, A.Count);
        Assert.Equal(0, A.WaiterCount);
    }

    [Fact]
    public void AWaiterKilledWhileWaiting_LosesNoPostedUnit_AndOthersStillWake()
    {
        A.Initialize(0);
        using (var victim = Driver.Start("sem-wait", _name, "0", "1"))
        {
            victim.Expect("READY");
            // Until the victim has registered to sleep (after its spin), its count is visible.
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            while (A.WaiterCount == 0 && DateTime.UtcNow < until)
            {
                Thread.Sleep(5);
            }

            Assert.Equal(1, A.WaiterCount);
            victim.Kill();
        }

        // The dead waiter's registration is stale: it costs wake calls, nothing else.
        A.Post();
        Assert.Equal(1, A.Count);
        Assert.True(A.TryWait());

        using var live = Driver.Start("sem-wait", _name, "0", "1");
        live.Expect("READY");
        Thread.Sleep(100);
        A.Post();
        live.Expect("DONE");
        Assert.Equal(0, A.Count);
    }
}
