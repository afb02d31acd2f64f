using System.Diagnostics;
using System.Globalization;
using Interprocess.Memory;
using Interprocess.Synchronization;
using Interprocess.Tests.Infrastructure;

namespace Interprocess.Tests.Synchronization;

/// <summary>
/// Layout (shared with the driver's cond-* commands): mutex at 0, condition at 64, second condition (not full)
/// at 80, int flag/tickets at 128, ring count at 132, ring head at 136, ring at 256.
/// </summary>
public sealed class InterprocessConditionTests : IDisposable
{
    private const int FlagOffset = 128;
    private readonly string _name = UniqueName.New("cond");
    private readonly SharedMemoryObject _shm;
    private readonly MappedRegion _region;

    public InterprocessConditionTests()
    {
        _shm = SharedMemoryObject.CreateNew(_name, 4096);
        _region = new MappedRegion(_shm);
    }

    private ref InterprocessMutex Mutex => ref _region.GetRef<InterprocessMutex>(0);

    private ref InterprocessCondition Cond => ref _region.GetRef<InterprocessCondition>(64);

    private ref InterprocessConditionAny CondAny => ref _region.GetRef<InterprocessConditionAny>(64);

    private ref InterprocessRecursiveMutex Recursive => ref _region.GetRef<InterprocessRecursiveMutex>(0);

    public void Dispose()
    {
        _region.Dispose();
        _shm.Dispose();
        SharedMemoryObject.Remove(_name);
    }

    /// <summary>Waits until the child that printed LOCKED is inside its wait: it has released the mutex after registering.</summary>
    private void WaitUntilInsideTheWait()
    {
        Mutex.Lock();
        Mutex.Unlock();
    }

    private static void WaitFor(Func<bool> condition, string what)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, "timed out waiting for " + what);
            Thread.Sleep(5);
        }
    }

    [Fact]
    public void NotifyWithNoWaiters_DoesNothing_OnZeroedMemory()
    {
        Cond.NotifyOne();
        Cond.NotifyAll();
        Assert.Equal(0, Cond.WaiterCount);
        Assert.Equal(0L, _region.Read<long>(64));
        Assert.Equal(0L, _region.Read<long>(72));
    }

    [Fact]
    public void TimedWait_ReturnsFalseOnTimeout_NotEarly_WithTheMutexHeld()
    {
        Mutex.Lock();
        var sw = Stopwatch.StartNew();
        Assert.False(Cond.Wait(ref Mutex, TimeSpan.FromMilliseconds(60)));
        Assert.True(sw.ElapsedMilliseconds >= 59, $"a timed wait returned after {sw.ElapsedMilliseconds} ms, before its 60 ms timeout");
        Assert.Equal(ThreadIdentity.Tid, Mutex.OwnerThreadId);
        Assert.False(Cond.Wait(ref Mutex, TimeSpan.FromMilliseconds(20), () => false));
        Assert.Equal(ConditionWaitStatus.TimedOut, Cond.WaitWithStatus(ref Mutex, TimeSpan.Zero));
        Assert.True(Cond.Wait(ref Mutex, TimeSpan.FromMilliseconds(20), () => true));
        Assert.Equal(0, Cond.WaiterCount);
        Mutex.Unlock();
    }

    [Fact]
    public void Wait_WithoutHoldingTheMutex_Throws_AndLeavesNoRegistration()
    {
        Assert.Throws<SynchronizationLockException>(() => Cond.Wait(ref Mutex, TimeSpan.FromSeconds(1)));
        Assert.Equal(0, Cond.WaiterCount);
        Assert.False(Mutex.IsLocked);
    }

    [Fact]
    public void Wait_IsWokenByNotifyOne_FromAnotherThread()
    {
        bool woke = false;
        var t = new Thread(() =>
        {
            Mutex.Lock();
            Cond.Wait(ref Mutex, () => _region.Read<int>(FlagOffset) != 0);
            woke = true;
            Mutex.Unlock();
        });
        t.Start();
        WaitFor(() => Cond.WaiterCount == 1, "the waiter to register");
        Mutex.Lock();
        _region.Write(FlagOffset, 1);
        Cond.NotifyOne();
        Mutex.Unlock();
        Assert.True(t.Join(TimeSpan.FromSeconds(10)), "NotifyOne did not wake the waiter");
        Assert.True(woke);
        Assert.Equal(0, Cond.WaiterCount);
    }

    [Fact]
    public void Wait_WhenCanceled_RetakesTheMutex_ThenThrows()
    {
        using var cts = new CancellationTokenSource();
        Exception? caught = null;
        bool heldAfter = false;
        var t = new Thread(() =>
        {
            Mutex.Lock();
            caught = Record.Exception(() => Cond.Wait(ref Mutex, cts.Token));
            heldAfter = Mutex.OwnerThreadId == ThreadIdentity.Tid;
            Mutex.Unlock();
        });
        t.Start();
        WaitFor(() => Cond.WaiterCount == 1, "the waiter to register");
        cts.Cancel();
        Assert.True(t.Join(TimeSpan.FromSeconds(10)), "a canceled wait kept waiting");
        Assert.IsAssignableFrom<OperationCanceledException>(caught);
        Assert.True(heldAfter, "the mutex was not held when the canceled wait threw");
        Assert.Equal(0, Cond.WaiterCount);
    }

    [Fact]
    public void ConditionAny_WithARecursiveMutexHeldTwice_IsRefused_AndHeldOnce_Works()
    {
        Recursive.Lock();
        Recursive.Lock();
        Assert.Throws<LockRecursionException>(() => CondAny.Wait(ref Recursive, TimeSpan.FromMilliseconds(10)));
        Recursive.Unlock();
        Assert.False(CondAny.Wait(ref Recursive, TimeSpan.FromMilliseconds(10)));
        Assert.Equal(1, Recursive.RecursionCount);
        Recursive.Unlock();
        Assert.False(Recursive.IsLocked);
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("any")]
    public void ProducerAndConsumer_InTwoProcesses_PassEveryValueInOrder(string kind)
    {
        const int n = 5_000;
        string count = n.ToString(CultureInfo.InvariantCulture);
        using var consumer = Driver.Start("cond-consume", _name, count, kind);
        using var producer = Driver.Start("cond-produce", _name, count, kind);
        consumer.Expect("READY");
        producer.Expect("READY");
        producer.Send("go");
        producer.Expect("DONE", TimeSpan.FromSeconds(120));
        consumer.Expect("DONE", TimeSpan.FromSeconds(120));
        Assert.Equal(0, consumer.WaitForExit());
        Assert.Equal(0, producer.WaitForExit());
        Assert.Equal(0, _region.Read<int>(132)); // the ring is empty
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("any")]
    public void NotifyAll_WakesThreeWaitingProcesses(string kind)
    {
        var waiters = Enumerable.Range(0, 3).Select(_ => Driver.Start("cond-wait", _name, kind)).ToList();
        try
        {
            foreach (var w in waiters)
            {
                w.Expect("LOCKED");
                WaitUntilInsideTheWait();
            }

            Assert.Equal(3, Cond.WaiterCount);
            Mutex.Lock();
            _region.Write(FlagOffset, 3); // one ticket each
            if (kind == "any")
            {
                CondAny.NotifyAll();
            }
            else
            {
                Cond.NotifyAll();
            }

            Mutex.Unlock();
            foreach (var w in waiters)
            {
                w.Expect("WOKE");
                Assert.Equal(0, w.WaitForExit());
            }

            Assert.Equal(0, _region.Read<int>(FlagOffset));
            Assert.Equal(0, Cond.WaiterCount);
        }
        finally
        {
            waiters.ForEach(w => w.Dispose());
        }
    }

    [Fact]
    public void AWaiterKilledWhileWaiting_DoesNotBreakNotifyOne_ForTheOthers()
    {
        var waiters = Enumerable.Range(0, 3).Select(_ => Driver.Start("cond-wait", _name)).ToList();
        try
        {
            foreach (var w in waiters)
            {
                w.Expect("LOCKED");
                WaitUntilInsideTheWait();
            }

            waiters[1].Kill();
            Assert.Equal(3, Cond.WaiterCount); // the dead waiter's registration is stale

            // Two NotifyOne, one ticket each: both live waiters wake, one per notification.
            var live = new[] { waiters[0], waiters[2] };
            var lines = new string?[2];
            var readers = Enumerable.Range(0, 2).Select(k => new Thread(() => lines[k] = live[k].ReadLine())).ToList();
            readers.ForEach(r => r.Start());
            for (int i = 0; i < 2; i++)
            {
                Mutex.Lock();
                _region.GetRef<int>(FlagOffset)++;
                Cond.NotifyOne();
                Mutex.Unlock();
                WaitFor(() => _region.Read<int>(FlagOffset) == 0, "a live waiter to take the ticket");
            }

            readers.ForEach(r => Assert.True(r.Join(TimeSpan.FromSeconds(40)), "a live waiter was not woken"));
            Assert.All(lines, l => Assert.Equal("WOKE", l));
            Assert.Equal(1, Cond.WaiterCount); // only the dead one is left

            // NotifyAll clears every registration, the dead one's too; the condition is as new.
            Cond.NotifyAll();
            Assert.Equal(0, Cond.WaiterCount);
            Mutex.Lock();
            Assert.False(Cond.Wait(ref Mutex, TimeSpan.FromMilliseconds(10)));
            Mutex.Unlock();
        }
        finally
        {
            waiters.ForEach(w => w.Dispose());
        }
    }

    [Fact]
    public void Wait_WhenTheMutexOwnerDiesAfterNotifying_ReportsAbandonment_WithTheMutexHeld()
    {
        AbandonedLockException? caught = null;
        bool heldAfter = false;
        var t = new Thread(() =>
        {
            Mutex.Lock();
            caught = Assert.Throws<AbandonedLockException>(() => Cond.Wait(ref Mutex, () => _region.Read<int>(FlagOffset) != 0));
            heldAfter = Mutex.OwnerThreadId == ThreadIdentity.Tid;
            Mutex.Unlock();
        });
        t.Start();
        WaitFor(() => Cond.WaiterCount == 1, "the waiter to register");
        using (var notifier = Driver.Start("cond-notify-and-hold", _name))
        {
            notifier.Expect("NOTIFIED");
            notifier.Kill();
        }

        Assert.True(t.Join(TimeSpan.FromSeconds(20)), "the waiter did not come back after the mutex owner died");
        Assert.NotNull(caught);
        Assert.Equal(InterprocessErrorCode.OwnerDead, caught!.ErrorCode);
        Assert.True(heldAfter, "the mutex was not held when the abandonment was reported");
        Assert.Equal(1, _region.Read<int>(FlagOffset));
        Assert.False(Mutex.IsLocked);
    }

    [Fact]
    public void WaitWithStatus_WhenTheMutexOwnerDiesAfterNotifying_ReturnsNotifiedAbandoned()
    {
        ConditionWaitStatus status = ConditionWaitStatus.TimedOut;
        bool heldAfter = false;
        var t = new Thread(() =>
        {
            Mutex.Lock();
            status = CondAny.WaitWithStatus(ref Mutex, TimeSpan.FromSeconds(30));
            heldAfter = Mutex.OwnerThreadId == ThreadIdentity.Tid;
            Mutex.Unlock();
        });
        t.Start();
        WaitFor(() => CondAny.WaiterCount == 1, "the waiter to register");
        using (var notifier = Driver.Start("cond-notify-and-hold", _name))
        {
            notifier.Expect("NOTIFIED");
            notifier.Kill();
        }

        Assert.True(t.Join(TimeSpan.FromSeconds(20)));
        Assert.Equal(ConditionWaitStatus.NotifiedAbandoned, status);
        Assert.True(heldAfter);
        Assert.Equal(LockStatus.Acquired, Mutex.Acquire(TimeSpan.Zero)); // usable, no longer abandoned
        Mutex.Unlock();
    }

    [Fact]
    public void ACopyOnTheStack_IsRefused()
    {
        InterprocessCondition copy = Cond;
        Mutex.Lock();
        Exception? caught = null;
        try
        {
            copy.Wait(ref Mutex, TimeSpan.FromMilliseconds(10));
        }
        catch (InvalidOperationException e)
        {
            caught = e;
        }

        Assert.NotNull(caught);
        Assert.Equal(ThreadIdentity.Tid, Mutex.OwnerThreadId);
        Mutex.Unlock();
    }
}
