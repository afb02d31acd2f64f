using System.Diagnostics;
using System.Globalization;
using Interprocess.Memory;
using Interprocess.Synchronization;
using Interprocess.Tests.Infrastructure;

namespace Interprocess.Tests.Synchronization;

public sealed class InterprocessMutexTests : IDisposable
{
    private readonly string _name = UniqueName.New("mutex");
    private readonly SharedMemoryObject _shm;
    private readonly MappedRegion _region;

    public InterprocessMutexTests()
    {
        _shm = SharedMemoryObject.CreateNew(_name, 4096);
        _region = new MappedRegion(_shm);
    }

    private ref InterprocessMutex Mutex => ref _region.GetRef<InterprocessMutex>(0);

    private ref InterprocessRecursiveMutex Recursive => ref _region.GetRef<InterprocessRecursiveMutex>(0);

    public void Dispose()
    {
        _region.Dispose();
        _shm.Dispose();
        SharedMemoryObject.Remove(_name);
    }

    [Fact]
    public void ZeroedMemory_IsAnUnlockedMutex_LockAndUnlockWork()
    {
        Assert.False(Mutex.IsLocked);
        Mutex.Lock();
        Assert.True(Mutex.IsLocked);
        Assert.Equal(ThreadIdentity.Tid, Mutex.OwnerThreadId);
        Mutex.Unlock();
        Assert.False(Mutex.IsLocked);
        Assert.True(Mutex.TryLock());
        Mutex.Unlock();
    }

    [Fact]
    public void TryLock_WhenHeldByAnotherThread_ReturnsFalse_AndTimedLockWaitsAtLeastTheTimeout()
    {
        Mutex.Lock();
        try
        {
            bool tried = true, timed = true;
            long elapsedMs = 0;
            var t = new Thread(() =>
            {
                tried = Mutex.TryLock();
                var sw = Stopwatch.StartNew();
                timed = Mutex.TryLock(TimeSpan.FromMilliseconds(50));
                elapsedMs = sw.ElapsedMilliseconds;
            });
            t.Start();
            t.Join();
            Assert.False(tried);
            Assert.False(timed);
            Assert.True(elapsedMs >= 49, $"a timed lock returned after {elapsedMs} ms, before its 50 ms timeout");
        }
        finally
        {
            Mutex.Unlock();
        }
    }

    [Fact]
    public void Lock_WhenAlreadyHeldByTheCaller_ThrowsLockRecursion()
    {
        Mutex.Lock();
        try
        {
            Assert.Throws<LockRecursionException>(() => Mutex.Lock());
        }
        finally
        {
            Mutex.Unlock();
        }
    }

    [Fact]
    public void Unlock_ByANonOwner_Throws()
    {
        Assert.Throws<SynchronizationLockException>(() => Mutex.Unlock());
        Mutex.Lock();
        Exception? caught = null;
        var t = new Thread(() => caught = Record.Exception(() => Mutex.Unlock()));
        t.Start();
        t.Join();
        Assert.IsType<SynchronizationLockException>(caught);
        Mutex.Unlock();
    }

    [Fact]
    public void ACopyOnTheStack_IsRefused()
    {
        // A local that no lambda captures lives on the stack.
        InterprocessMutex copy = Mutex;
        Exception? caught = null;
        try
        {
            copy.Lock();
        }
        catch (InvalidOperationException e)
        {
            caught = e;
        }

        Assert.NotNull(caught);
        Assert.Contains("copy", caught!.Message, StringComparison.Ordinal);
        Assert.False(Mutex.IsLocked);
    }

    [Fact]
    public void ACopyMadeWhileLocked_CannotUnlock_AndTheOriginalStillWorks()
    {
        Mutex.Lock();
        var boxed = new InterprocessMutex[1];
        boxed[0] = Mutex; // a heap copy carrying the owner and the list pointers
        Assert.Throws<InvalidOperationException>(() => boxed[0].Unlock());
        Mutex.Unlock();
        Assert.False(Mutex.IsLocked);
    }

    [Fact]
    public void Lock_WithACanceledToken_ThrowsAndDoesNotAcquire()
    {
        Mutex.Lock();
        try
        {
            using var cts = new CancellationTokenSource();
            Exception? caught = null;
            var t = new Thread(() => caught = Record.Exception(() => Mutex.Lock(cts.Token)));
            t.Start();
            Thread.Sleep(50);
            cts.Cancel();
            Assert.True(t.Join(TimeSpan.FromSeconds(10)), "a canceled lock kept waiting");
            Assert.IsType<OperationCanceledException>(caught);
            Assert.Equal(ThreadIdentity.Tid, Mutex.OwnerThreadId);
        }
        finally
        {
            Mutex.Unlock();
        }
    }

    [Fact]
    public void NegativeTimeout_IsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Mutex.TryLock(TimeSpan.FromMilliseconds(-5)));
        Assert.False(Mutex.IsLocked);
    }

    [Fact]
    public void TwoProcessesIncrementing_UnderTheMutex_ReachTheExactCount()
    {
        const int n = 200_000;
        using var a = Driver.Start("mutex-increment", _name, n.ToString(CultureInfo.InvariantCulture));
        using var b = Driver.Start("mutex-increment", _name, n.ToString(CultureInfo.InvariantCulture));
        a.Expect("READY");
        b.Expect("READY");
        a.Send("go");
        b.Send("go");
        // This process contends too, from two threads.
        var threads = Enumerable.Range(0, 2).Select(_ => new Thread(() =>
        {
            for (int i = 0; i < n; i++)
            {
                Mutex.Lock();
                _region.GetRef<long>(64)++;
                Mutex.Unlock();
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        a.Expect("DONE", TimeSpan.FromSeconds(120));
        b.Expect("DONE", TimeSpan.FromSeconds(120));
        Assert.Equal(4L * n, _region.Read<long>(64));
        Assert.False(Mutex.IsLocked);
    }

    [Fact]
    public void Lock_WhenOwnerProcessIsKilled_NextLockerRecovers_AndIsTold()
    {
        using (var holder = Driver.Start("mutex-hold", _name))
        {
            holder.Expect("LOCKED");
            Assert.True(Mutex.IsLocked);
            Assert.False(Mutex.TryLock(TimeSpan.FromMilliseconds(20)));
            holder.Kill();
        }

        Assert.Equal(LockStatus.AcquiredAbandoned, Mutex.Acquire(TimeSpan.FromSeconds(10)));
        Assert.Equal(-1L, _region.Read<long>(64)); // the half-done update is there for the recoverer to see
        Mutex.Unlock();

        // The mutex stays usable, and is no longer marked abandoned.
        Assert.Equal(LockStatus.Acquired, Mutex.Acquire(TimeSpan.Zero));
        Mutex.Unlock();
    }

    [Fact]
    public void Lock_WhenOwnerIsKilledWhileOthersWait_ABlockedWaiterWakesAndRecovers()
    {
        using var holder = Driver.Start("mutex-hold", _name);
        holder.Expect("LOCKED");
        AbandonedLockException? caught = null;
        var waiter = new Thread(() => caught = Assert.Throws<AbandonedLockException>(() => Mutex.Lock()));
        waiter.Start();
        Thread.Sleep(100); // let it go to sleep in the kernel
        holder.Kill();
        Assert.True(waiter.Join(TimeSpan.FromSeconds(10)), "the waiter was not woken when the owner died");
        Assert.NotNull(caught);
        Assert.Equal(InterprocessErrorCode.OwnerDead, caught!.ErrorCode);
        // The waiter thread has ended while holding the lock: its own death is detected in turn.
        Assert.Equal(LockStatus.AcquiredAbandoned, Mutex.Acquire(TimeSpan.FromSeconds(10)));
        Mutex.Unlock();
    }

    [Fact]
    public void Lock_WhenAnotherProcessWaitsAndTheOwnerDies_TheOtherProcessRecovers()
    {
        using var holder = Driver.Start("mutex-hold", _name);
        holder.Expect("LOCKED");
        using var waiter = Driver.Start("mutex-lock-status", _name);
        Thread.Sleep(200);
        holder.Kill();
        Assert.Equal(nameof(LockStatus.AcquiredAbandoned), waiter.ReadLine());
        Assert.Equal(0, waiter.WaitForExit());
        Assert.False(Mutex.IsLocked);
    }

    [Fact]
    public void Lock_WhenOwnerThreadExitsHoldingIt_NextLockerRecovers()
    {
        var t = new Thread(() => Mutex.Lock());
        t.Start();
        t.Join();
        // The kernel marks the word (no owner, owner died) as the OS thread exits, which may be just after Join.
        Assert.Equal(LockStatus.AcquiredAbandoned, Mutex.Acquire(TimeSpan.FromSeconds(10)));
        Mutex.Unlock();
    }

    [Fact]
    public void AnOwnerThatCannotBeFound_IsDetectedByTheLivenessCheck()
    {
        // A word naming a thread that does not exist (as if its robust list never reached the kernel).
        _region.Write(0, 0x3FFFFFF0);
        Assert.Equal(LockStatus.AcquiredAbandoned, Mutex.Acquire(TimeSpan.FromSeconds(10)));
        Mutex.Unlock();
    }

    [Fact]
    public void RecursiveMutex_LocksAgainInTheOwner_AndReleasesAfterAsManyUnlocks()
    {
        Recursive.Lock();
        Recursive.Lock();
        Assert.True(Recursive.TryLock());
        Assert.Equal(3, Recursive.RecursionCount);
        bool other = true;
        var t = new Thread(() => other = Recursive.TryLock());
        t.Start();
        t.Join();
        Assert.False(other);
        Recursive.Unlock();
        Recursive.Unlock();
        Assert.True(Recursive.IsLocked);
        Recursive.Unlock();
        Assert.False(Recursive.IsLocked);
        Assert.Throws<SynchronizationLockException>(() => Recursive.Unlock());
    }

    [Fact]
    public void RecursiveMutex_WhenOwnerProcessIsKilledHoldingItTwice_NextLockerRecoversWithCountOne()
    {
        using (var holder = Driver.Start("mutex-hold", _name, "recursive"))
        {
            holder.Expect("LOCKED");
            holder.Kill();
        }

        Assert.Equal(LockStatus.AcquiredAbandoned, Recursive.Acquire(TimeSpan.FromSeconds(10)));
        Assert.Equal(1, Recursive.RecursionCount);
        Recursive.Unlock();
        Assert.False(Recursive.IsLocked);
    }
}
