using System.Diagnostics;
using Interprocess.Memory;
using Interprocess.Synchronization;
using Interprocess.Tests.Infrastructure;

namespace Interprocess.Tests.Synchronization;

/// <summary>
/// Boost's sharable_mutex_test_template scenarios, the upgradable transfer matrix, and the dead-owner cases,
/// with the contending parties in threads and in child processes. Layout: the mutex at 0, longs A, B at 512, 520.
/// </summary>
public sealed class SharableMutexTests : IDisposable
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(20);

    private readonly string _name = UniqueName.New("sharable");
    private readonly SharedMemoryObject _shm;
    private readonly MappedRegion _region;

    public SharableMutexTests()
    {
        _shm = SharedMemoryObject.CreateNew(_name, 4096);
        _region = new MappedRegion(_shm);
    }

    private ref InterprocessSharableMutex S => ref _region.GetRef<InterprocessSharableMutex>(0);

    private ref InterprocessUpgradableMutex U => ref _region.GetRef<InterprocessUpgradableMutex>(0);

    public void Dispose()
    {
        _region.Dispose();
        _shm.Dispose();
        SharedMemoryObject.Remove(_name);
    }

    /// <summary>Runs <paramref name="f"/> on a new thread and returns its result (the thread ends holding nothing).</summary>
    private static T OnOtherThread<T>(Func<T> f)
    {
        T result = default!;
        Exception? error = null;
        var t = new Thread(() =>
        {
            try
            {
                result = f();
            }
            catch (Exception e)
            {
                error = e;
            }
        });
        t.Start();
        Assert.True(t.Join(Long), "the other thread did not finish");
        if (error is not null)
        {
            throw new Xunit.Sdk.XunitException("the other thread failed: " + error);
        }

        return result;
    }

    private bool OtherCanLockSharable() => OnOtherThread(() =>
    {
        bool ok = U.TryLockSharable();
        if (ok)
        {
            U.UnlockSharable();
        }

        return ok;
    });

    private bool OtherCanLockUpgradable() => OnOtherThread(() =>
    {
        bool ok = U.TryLockUpgradable();
        if (ok)
        {
            U.UnlockUpgradable();
        }

        return ok;
    });

    private bool OtherCanLock() => OnOtherThread(() =>
    {
        bool ok = U.TryLock();
        if (ok)
        {
            U.Unlock();
        }

        return ok;
    });

    // ------------------------------------------------------------------ sharable mutex

    [Fact]
    public void ZeroedMemory_IsAnUnlockedMutex_InEveryMode()
    {
        Assert.Equal(320, InterprocessSharableMutex.Size);
        Assert.Equal(320, InterprocessUpgradableMutex.Size);
        Assert.False(S.IsLocked);
        Assert.Equal(0, S.SharableCount);
        S.Lock();
        Assert.True(S.IsLocked);
        S.Unlock();
        S.LockSharable();
        Assert.Equal(1, S.SharableCount);
        S.UnlockSharable();
        Assert.True(S.TryLock());
        S.Unlock();
        Assert.True(S.TryLockSharable());
        S.UnlockSharable();
        Assert.False(S.IsLocked);
        Assert.Equal(0, S.SharableCount);
    }

    [Fact]
    public void ManyReaders_HoldTheLockAtTheSameTime()
    {
        const int readers = 8;
        using var allIn = new Barrier(readers);
        int maxInside = 0, inside = 0;
        var threads = Enumerable.Range(0, readers).Select(_ => new Thread(() =>
        {
            S.LockSharable();
            int now = Interlocked.Increment(ref inside);
            InterlockedMax(ref maxInside, now);
            // Every reader waits here for all the others: only possible if all hold the lock at once.
            Assert.True(allIn.SignalAndWait(Long));
            Interlocked.Decrement(ref inside);
            S.UnlockSharable();
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => Assert.True(t.Join(Long)));
        Assert.Equal(readers, maxInside);
        Assert.Equal(0, S.SharableCount);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    [Fact]
    public void Writer_ExcludesReadersAndWriters_AndReadersExcludeTheWriter()
    {
        S.Lock();
        Assert.False(OnOtherThread(() => S.TryLockSharable()));
        Assert.False(OnOtherThread(() => S.TryLock()));
        S.Unlock();

        S.LockSharable();
        Assert.False(OnOtherThread(() => S.TryLock()));
        Assert.True(OnOtherThread(() =>
        {
            bool ok = S.TryLockSharable();
            S.UnlockSharable();
            return ok;
        }));
        S.UnlockSharable();
        Assert.True(OnOtherThread(() =>
        {
            bool ok = S.TryLock();
            S.Unlock();
            return ok;
        }));
    }

    [Fact]
    public void WriterPreference_AWaitingWriterHoldsBackNewReaders_AndGetsInFirst()
    {
        S.LockSharable();
        var order = new List<string>();
        var writer = new Thread(() =>
        {
            S.Lock();
            lock (order)
            {
                order.Add("writer");
            }

            S.Unlock();
        });
        writer.Start();
        SpinWait.SpinUntil(() => S.IsLocked, Long); // the writer is in, waiting for us to leave
        Assert.True(S.IsLocked);
        var reader = new Thread(() =>
        {
            Assert.False(S.TryLockSharable()); // held back by the waiting writer
            S.LockSharable();
            lock (order)
            {
                order.Add("reader");
            }

            S.UnlockSharable();
        });
        reader.Start();
        Thread.Sleep(100);
        lock (order)
        {
            Assert.Empty(order);
        }

        S.UnlockSharable();
        Assert.True(writer.Join(Long));
        Assert.True(reader.Join(Long));
        Assert.Equal(["writer", "reader"], order);
    }

    [Fact]
    public void TimedLocks_FailAfterTheirTimeout_AndATimedOutWriterLetsReadersInAgain()
    {
        S.LockSharable();
        long elapsed = OnOtherThread(() =>
        {
            var sw = Stopwatch.StartNew();
            Assert.False(S.TryLock(TimeSpan.FromMilliseconds(60)));
            return sw.ElapsedMilliseconds;
        });
        Assert.True(elapsed >= 59, $"a timed lock returned after {elapsed} ms");
        Assert.False(S.IsLocked); // the writer's claim was rolled back
        Assert.True(OnOtherThread(() =>
        {
            bool ok = S.TryLockSharable();
            S.UnlockSharable();
            return ok;
        }));
        S.UnlockSharable();

        S.Lock();
        elapsed = OnOtherThread(() =>
        {
            var sw = Stopwatch.StartNew();
            Assert.False(S.TryLockSharable(TimeSpan.FromMilliseconds(60)));
            return sw.ElapsedMilliseconds;
        });
        Assert.True(elapsed >= 59, $"a timed sharable lock returned after {elapsed} ms");
        S.Unlock();
    }

    [Fact]
    public void ACanceledWriter_WaitingForReaders_RollsBack()
    {
        S.LockSharable();
        using var cts = new CancellationTokenSource();
        Exception? caught = null;
        var writer = new Thread(() => caught = Record.Exception(() => S.Lock(cts.Token)));
        writer.Start();
        SpinWait.SpinUntil(() => S.IsLocked, Long);
        Thread.Sleep(50);
        cts.Cancel();
        Assert.True(writer.Join(Long), "a canceled writer kept waiting");
        Assert.IsAssignableFrom<OperationCanceledException>(caught);
        Assert.False(S.IsLocked);
        S.UnlockSharable();
        Assert.True(S.TryLock());
        S.Unlock();
    }

    [Fact]
    public void Misuse_IsReported()
    {
        Assert.Throws<SynchronizationLockException>(() => S.UnlockSharable());
        Assert.Throws<SynchronizationLockException>(() => S.Unlock());
        S.Lock();
        Assert.Throws<LockRecursionException>(() => S.Lock());
        Assert.Throws<LockRecursionException>(() => S.LockSharable());
        Assert.IsType<SynchronizationLockException>(OnOtherThread(() => Record.Exception(() => S.Unlock())));
        S.Unlock();
        S.LockSharable();
        Assert.Throws<LockRecursionException>(() => S.Lock());
        Assert.False(S.TryLock());
        S.UnlockSharable();
        Assert.Throws<ArgumentOutOfRangeException>(() => S.TryLockSharable(TimeSpan.FromSeconds(-2)));
    }

    [Fact]
    public void ACopyOnTheStack_IsRefused()
    {
        // A local that no lambda captures lives on the stack.
        InterprocessSharableMutex copy = S;
        Exception? caught = null;
        try
        {
            copy.LockSharable();
        }
        catch (InvalidOperationException e)
        {
            caught = e;
        }

        Assert.NotNull(caught);
        Assert.Contains("copy", caught!.Message, StringComparison.Ordinal);
        Assert.Equal(0, S.SharableCount);
    }

    [Fact]
    public void AFullReaderTable_MakesTheNextReaderWait_UntilASlotIsFree()
    {
        // Fill all slots with this (live) thread's id, as 64 shared locks of this thread would.
        for (int i = 0; i < InterprocessSharableMutex.MaxSharableOwners; i++)
        {
            _region.Write(64 + (i * 4), ThreadIdentity.Tid);
        }

        Assert.Equal(InterprocessSharableMutex.MaxSharableOwners, S.SharableCount);
        Assert.False(OnOtherThread(() => S.TryLockSharable()));
        bool got = false;
        var reader = new Thread(() =>
        {
            got = S.TryLockSharable(Long);
            S.UnlockSharable();
        });
        reader.Start();
        Thread.Sleep(100);
        S.UnlockSharable(); // frees one slot: the waiting reader gets it
        Assert.True(reader.Join(Long));
        Assert.True(got);
        for (int i = 1; i < InterprocessSharableMutex.MaxSharableOwners; i++)
        {
            S.UnlockSharable();
        }

        Assert.Equal(0, S.SharableCount);
    }

    // ------------------------------------------------------------------ upgradable mutex: modes and transfers

    [Fact]
    public void Upgradable_AdmitsReaders_ButNotWritersOrAnotherUpgrader()
    {
        U.LockUpgradable();
        Assert.True(U.IsUpgradableLocked);
        Assert.Equal(1, U.SharableCount);
        Assert.True(OtherCanLockSharable());
        Assert.False(OtherCanLockUpgradable());
        Assert.False(OtherCanLock());
        U.UnlockUpgradable();
        Assert.False(U.IsUpgradableLocked);
        Assert.True(OtherCanLock());

        U.LockSharable();
        Assert.True(OtherCanLockUpgradable());
        U.UnlockSharable();
    }

    [Fact]
    public void UnlockAndLockUpgradable_LetsReadersIn_KeepsWritersAndUpgradersOut()
    {
        U.Lock();
        U.UnlockAndLockUpgradable();
        Assert.False(U.IsLocked);
        Assert.True(U.IsUpgradableLocked);
        Assert.True(OtherCanLockSharable());
        Assert.False(OtherCanLockUpgradable());
        Assert.False(OtherCanLock());
        U.UnlockUpgradable();
        Assert.Equal(0, U.SharableCount);
    }

    [Fact]
    public void UnlockAndLockSharable_LetsReadersAndAnUpgraderIn_KeepsWritersOut()
    {
        U.Lock();
        U.UnlockAndLockSharable();
        Assert.False(U.IsLocked);
        Assert.Equal(1, U.SharableCount);
        Assert.True(OtherCanLockSharable());
        Assert.True(OtherCanLockUpgradable());
        Assert.False(OtherCanLock());
        U.UnlockSharable();
        Assert.True(OtherCanLock());
    }

    [Fact]
    public void UnlockUpgradableAndLockSharable_LetsAnotherUpgraderIn()
    {
        U.LockUpgradable();
        U.UnlockUpgradableAndLockSharable();
        Assert.False(U.IsUpgradableLocked);
        Assert.Equal(1, U.SharableCount);
        Assert.True(OtherCanLockUpgradable());
        Assert.False(OtherCanLock());
        Assert.Throws<SynchronizationLockException>(() => U.UnlockUpgradable());
        U.UnlockSharable();
    }

    [Fact]
    public void UnlockUpgradableAndLock_WaitsForTheReadersInside_AndHoldsNewReadersBack()
    {
        U.LockUpgradable();
        using var readerIn = new ManualResetEventSlim();
        using var readerGo = new ManualResetEventSlim();
        var reader = new Thread(() =>
        {
            U.LockSharable();
            readerIn.Set();
            readerGo.Wait(Long);
            U.UnlockSharable();
        });
        reader.Start();
        Assert.True(readerIn.Wait(Long));
        bool upgraded = false;
        // The upgrade must run on the owning thread: do it here, and let the reader go from a timer thread.
        using var release = new Timer(_ => readerGo.Set(), null, 200, Timeout.Infinite);
        var sw = Stopwatch.StartNew();
        var probe = new Thread(() =>
        {
            SpinWait.SpinUntil(() => U.IsLocked, Long);
            // The upgrader now holds new readers back, while the old reader is still inside.
            Assert.False(U.TryLockSharable());
        });
        probe.Start();
        U.UnlockUpgradableAndLock();
        upgraded = true;
        Assert.True(probe.Join(Long));
        Assert.True(reader.Join(Long));
        Assert.True(upgraded);
        Assert.True(sw.ElapsedMilliseconds >= 150, "the upgrade did not wait for the reader inside");
        Assert.True(U.IsLocked);
        Assert.False(U.IsUpgradableLocked);
        Assert.Equal(0, U.SharableCount);
        Assert.False(OtherCanLockSharable());
        U.Unlock();
        Assert.True(OtherCanLock());
    }

    [Fact]
    public void TryAndTimedUnlockUpgradableAndLock_FailWithAReaderInside_AndKeepTheUpgradableLock()
    {
        U.LockUpgradable();
        using var readerIn = new ManualResetEventSlim();
        using var readerGo = new ManualResetEventSlim();
        var reader = new Thread(() =>
        {
            U.LockSharable();
            readerIn.Set();
            readerGo.Wait(Long);
            U.UnlockSharable();
        });
        reader.Start();
        Assert.True(readerIn.Wait(Long));

        Assert.False(U.TryUnlockUpgradableAndLock());
        Assert.True(U.IsUpgradableLocked);
        var sw = Stopwatch.StartNew();
        Assert.False(U.TryUnlockUpgradableAndLock(TimeSpan.FromMilliseconds(60)));
        Assert.True(sw.ElapsedMilliseconds >= 59, $"the timed upgrade returned after {sw.ElapsedMilliseconds} ms");
        Assert.True(U.IsUpgradableLocked);
        Assert.False(U.IsLocked);
        Assert.True(OtherCanLockSharable()); // readers are let in again after the failed upgrade
        Assert.False(OtherCanLockUpgradable());

        readerGo.Set();
        Assert.True(reader.Join(Long));
        Assert.True(U.TryUnlockUpgradableAndLock());
        Assert.True(U.IsLocked);
        U.Unlock();
    }

    [Fact]
    public void TryUnlockSharableAndLock_SucceedsOnlyForTheSoleOwner()
    {
        U.LockSharable();
        Assert.True(U.TryUnlockSharableAndLock());
        Assert.True(U.IsLocked);
        Assert.Equal(0, U.SharableCount);
        U.Unlock();

        // Another reader inside: fails, the caller keeps its sharable lock.
        using var otherIn = new ManualResetEventSlim();
        using var otherGo = new ManualResetEventSlim();
        var other = new Thread(() =>
        {
            U.LockSharable();
            otherIn.Set();
            otherGo.Wait(Long);
            U.UnlockSharable();
        });
        other.Start();
        Assert.True(otherIn.Wait(Long));
        U.LockSharable();
        Assert.False(U.TryUnlockSharableAndLock());
        Assert.False(U.IsLocked);
        Assert.Equal(2, U.SharableCount);
        Assert.True(OtherCanLockSharable());
        otherGo.Set();
        Assert.True(other.Join(Long));

        // An upgradable owner elsewhere: fails too.
        using var upIn = new ManualResetEventSlim();
        using var upGo = new ManualResetEventSlim();
        var up = new Thread(() =>
        {
            U.LockUpgradable();
            upIn.Set();
            upGo.Wait(Long);
            U.UnlockUpgradable();
        });
        up.Start();
        Assert.True(upIn.Wait(Long));
        Assert.False(U.TryUnlockSharableAndLock());
        Assert.True(U.IsUpgradableLocked);
        upGo.Set();
        Assert.True(up.Join(Long));
        U.UnlockSharable();
        Assert.Throws<SynchronizationLockException>(() => U.TryUnlockSharableAndLock());
    }

    [Fact]
    public void TryUnlockSharableAndLockUpgradable_SucceedsWithOtherReaders_FailsWithAnotherUpgrader()
    {
        using var otherIn = new ManualResetEventSlim();
        using var otherGo = new ManualResetEventSlim();
        var other = new Thread(() =>
        {
            U.LockSharable();
            otherIn.Set();
            otherGo.Wait(Long);
            U.UnlockSharable();
        });
        other.Start();
        Assert.True(otherIn.Wait(Long));
        U.LockSharable();
        Assert.True(U.TryUnlockSharableAndLockUpgradable());
        Assert.True(U.IsUpgradableLocked);
        Assert.Equal(2, U.SharableCount);
        U.UnlockUpgradableAndLockSharable();

        using var upIn = new ManualResetEventSlim();
        using var upGo = new ManualResetEventSlim();
        var up = new Thread(() =>
        {
            U.LockUpgradable();
            upIn.Set();
            upGo.Wait(Long);
            U.UnlockUpgradable();
        });
        up.Start();
        Assert.True(upIn.Wait(Long));
        Assert.False(U.TryUnlockSharableAndLockUpgradable());
        Assert.Equal(3, U.SharableCount); // still a reader, beside the other reader and the upgrader
        upGo.Set();
        otherGo.Set();
        Assert.True(up.Join(Long));
        Assert.True(other.Join(Long));
        U.UnlockSharable();
        Assert.Equal(0, U.SharableCount);
    }

    [Fact]
    public void TransfersInTheWrongMode_AreRefused()
    {
        Assert.Throws<SynchronizationLockException>(() => U.UnlockAndLockUpgradable());
        Assert.Throws<SynchronizationLockException>(() => U.UnlockUpgradableAndLock());
        U.LockUpgradable();
        Assert.Throws<SynchronizationLockException>(() => U.Unlock());
        Assert.Throws<SynchronizationLockException>(() => U.UnlockSharable());
        Assert.Throws<SynchronizationLockException>(() => U.UnlockAndLockSharable());
        Assert.Throws<LockRecursionException>(() => U.LockUpgradable());
        U.LockSharable(); // an upgradable owner may also read-lock ...
        Assert.Throws<LockRecursionException>(() => U.UnlockUpgradableAndLock()); // ... but then cannot wait for itself
        Assert.False(U.TryUnlockUpgradableAndLock());
        U.UnlockSharable();
        U.UnlockUpgradableAndLock();
        Assert.Throws<SynchronizationLockException>(() => U.UnlockUpgradable());
        U.Unlock();
    }

    // ------------------------------------------------------------------ across processes

    [Fact]
    public void ReadersInChildren_ShareTheLock_AndTheWriterInTheParentWaitsForBoth()
    {
        using var r1 = Driver.Start("sharable-hold", _name, "sharable");
        using var r2 = Driver.Start("sharable-hold", _name, "sharable");
        r1.Expect("WAITING");
        r2.Expect("WAITING");
        r1.Expect(nameof(LockStatus.Acquired));
        r2.Expect(nameof(LockStatus.Acquired));
        Assert.Equal(2, U.SharableCount);
        Assert.False(U.TryLock());
        Assert.False(U.TryLock(TimeSpan.FromMilliseconds(30)));
        LockStatus status = LockStatus.NotAcquired;
        var writer = new Thread(() => status = U.Acquire(Long));
        writer.Start();
        SpinWait.SpinUntil(() => U.IsLocked, Long);
        r1.Send("go");
        r1.Expect("UNLOCKED");
        Assert.True(writer.IsAlive); // one reader is still inside
        r2.Send("go");
        r2.Expect("UNLOCKED");
        Assert.True(writer.Join(Long));
        Assert.Equal(LockStatus.Acquired, status);
        // The writer thread ended holding the lock: the next locker recovers it and is told.
        Assert.Equal(LockStatus.AcquiredAbandoned, U.Acquire(Long));
        U.Unlock();
    }

    [Fact]
    public void WriterInAChild_KeepsReadersInTheParentOut_UntilItUnlocks()
    {
        using var w = Driver.Start("sharable-hold", _name, "exclusive", "sharable");
        w.Expect("WAITING");
        w.Expect(nameof(LockStatus.Acquired));
        Assert.True(S.IsLocked);
        Assert.False(S.TryLockSharable());
        Assert.False(S.TryLockSharable(TimeSpan.FromMilliseconds(30)));
        w.Send("go");
        w.Expect("UNLOCKED");
        Assert.True(S.TryLockSharable(Long));
        S.UnlockSharable();
    }

    [Fact]
    public void WriterPreference_AcrossProcesses_AWriterInAChildHoldsBackNewReadersInTheParent()
    {
        U.LockSharable();
        using var w = Driver.Start("sharable-hold", _name, "exclusive");
        w.Expect("WAITING");
        SpinWait.SpinUntil(() => U.IsLocked, Long);
        Assert.True(U.IsLocked);
        Assert.False(OtherCanLockSharable());
        U.UnlockSharable();
        w.Expect(nameof(LockStatus.Acquired));
        w.Send("go");
        w.Expect("UNLOCKED");
        Assert.True(OtherCanLockSharable());
    }

    [Fact]
    public void Stress_ProcessesMixingReadersAndWriters_KeepTheInvariant_AndCountExactly()
    {
        const int n = 20_000;
        using var a = Driver.Start("sharable-stress", _name, n.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var b = Driver.Start("sharable-stress", _name, n.ToString(System.Globalization.CultureInfo.InvariantCulture));
        a.Expect("READY");
        b.Expect("READY");
        a.Send("go");
        b.Send("go");
        int violations = 0;
        for (int i = 0; i < n; i++)
        {
            U.LockSharable();
            if (_region.Read<long>(512) != _region.Read<long>(520))
            {
                violations++;
            }

            U.UnlockSharable();
            if ((i & 7) == 0)
            {
                U.LockUpgradable();
                U.UnlockUpgradableAndLock();
                _region.GetRef<long>(512)++;
                _region.GetRef<long>(520)++;
                _region.GetRef<long>(528)++;
                U.UnlockAndLockSharable();
                violations += _region.Read<long>(512) == _region.Read<long>(520) ? 0 : 1;
                U.UnlockSharable();
            }
        }

        a.Expect("DONE 0", TimeSpan.FromSeconds(120));
        b.Expect("DONE 0", TimeSpan.FromSeconds(120));
        Assert.Equal(0, violations);
        long writes = (2 * (n / 4)) + (n / 8);
        Assert.Equal(writes, _region.Read<long>(528));
        Assert.Equal(writes, _region.Read<long>(512));
        Assert.Equal(0, U.SharableCount);
        Assert.False(U.IsLocked);
    }

    // ------------------------------------------------------------------ dead owners

    [Fact]
    public void AnExclusiveOwnerKilled_TheNextWriterRecovers_AndIsTold()
    {
        using (var w = Driver.Start("sharable-hold", _name, "exclusive", "sharable"))
        {
            w.Expect("WAITING");
            w.Expect(nameof(LockStatus.Acquired));
            w.Kill();
        }

        Assert.Equal(LockStatus.AcquiredAbandoned, S.Acquire(Long));
        Assert.Equal(-1L, _region.Read<long>(512));
        S.Unlock();
        Assert.Equal(LockStatus.Acquired, S.Acquire(TimeSpan.Zero));
        S.Unlock();
        Assert.Equal(LockStatus.Acquired, S.AcquireSharable(TimeSpan.Zero));
        S.UnlockSharable();
    }

    [Fact]
    public void AnExclusiveOwnerKilled_WaitingReadersRecover_AndOneIsTold()
    {
        using var w = Driver.Start("sharable-hold", _name, "exclusive", "sharable");
        w.Expect("WAITING");
        w.Expect(nameof(LockStatus.Acquired));
        var statuses = new LockStatus[3];
        var readers = Enumerable.Range(0, 3).Select(i => new Thread(() =>
        {
            statuses[i] = S.AcquireSharable(Long);
            if (statuses[i] != LockStatus.NotAcquired)
            {
                S.UnlockSharable();
            }
        })).ToList();
        readers.ForEach(t => t.Start());
        Thread.Sleep(100);
        w.Kill();
        readers.ForEach(t => Assert.True(t.Join(Long), "a reader stayed blocked by a dead writer"));
        Assert.DoesNotContain(LockStatus.NotAcquired, statuses);
        Assert.Contains(LockStatus.AcquiredAbandoned, statuses);
        Assert.False(S.IsLocked);
        Assert.Equal(LockStatus.Acquired, S.Acquire(TimeSpan.Zero));
        S.Unlock();
    }

    [Fact]
    public void AnExclusiveOwnerKilled_AWaitingWriterInAnotherProcessRecovers()
    {
        using var w = Driver.Start("sharable-hold", _name, "exclusive");
        w.Expect("WAITING");
        w.Expect(nameof(LockStatus.Acquired));
        using var w2 = Driver.Start("sharable-hold", _name, "exclusive");
        w2.Expect("WAITING");
        Thread.Sleep(200);
        w.Kill();
        w2.Expect(nameof(LockStatus.AcquiredAbandoned));
        w2.Send("go");
        w2.Expect("UNLOCKED");
        Assert.Equal(LockStatus.Acquired, U.Acquire(TimeSpan.Zero));
        U.Unlock();
    }

    [Fact]
    public void AnUpgradableOwnerKilled_TheNextUpgraderRecovers_AndReadersWereNeverBlocked()
    {
        using (var up = Driver.Start("sharable-hold", _name, "upgradable"))
        {
            up.Expect("WAITING");
            up.Expect(nameof(LockStatus.Acquired));
            Assert.True(U.IsUpgradableLocked);
            Assert.True(OtherCanLockSharable());
            Assert.False(U.TryLockUpgradable());
            up.Kill();
        }

        Assert.True(OtherCanLockSharable());
        Assert.Equal(LockStatus.AcquiredAbandoned, U.AcquireUpgradable(Long));
        Assert.Equal(1, U.SharableCount); // the dead owner's slot was freed at once
        U.UnlockUpgradableAndLock();
        U.Unlock();
        Assert.Equal(LockStatus.Acquired, U.Acquire(TimeSpan.Zero));
        U.Unlock();
    }

    [Fact]
    public void AnUpgradableOwnerKilled_AWaitingWriterRecovers()
    {
        using var up = Driver.Start("sharable-hold", _name, "upgradable");
        up.Expect("WAITING");
        up.Expect(nameof(LockStatus.Acquired));
        LockStatus status = LockStatus.NotAcquired;
        var writer = new Thread(() =>
        {
            status = U.Acquire(Long);
            if (status != LockStatus.NotAcquired)
            {
                U.Unlock();
            }
        });
        writer.Start();
        Thread.Sleep(100);
        up.Kill();
        Assert.True(writer.Join(Long));
        Assert.Equal(LockStatus.AcquiredAbandoned, status);
        Assert.Equal(0, U.SharableCount);
    }

    [Fact]
    public void ASharedOwnerKilled_DoesNotBlockWriters_TheWriterGetsInAndIsTold()
    {
        using (var r = Driver.Start("sharable-hold", _name, "sharable", "sharable"))
        {
            r.Expect("WAITING");
            r.Expect(nameof(LockStatus.Acquired));
            Assert.Equal(1, S.SharableCount);
            Assert.False(S.TryLock());
            r.Kill();
        }

        // Readers are not affected by a dead reader.
        Assert.True(S.TryLockSharable());
        S.UnlockSharable();
        Assert.Equal(LockStatus.AcquiredAbandoned, S.Acquire(Long));
        Assert.Equal(0, S.SharableCount);
        S.Unlock();
        Assert.Equal(LockStatus.Acquired, S.Acquire(TimeSpan.Zero));
        S.Unlock();
    }

    [Fact]
    public void ASharedOwnerKilled_WhileAWriterWaits_TheWriterGetsIn()
    {
        using var r = Driver.Start("sharable-hold", _name, "sharable");
        r.Expect("WAITING");
        r.Expect(nameof(LockStatus.Acquired));
        using var w = Driver.Start("sharable-hold", _name, "exclusive");
        w.Expect("WAITING");
        SpinWait.SpinUntil(() => U.IsLocked, Long);
        Assert.False(OtherCanLockSharable()); // the waiting writer holds new readers back
        r.Kill();
        w.Expect(nameof(LockStatus.AcquiredAbandoned));
        w.Send("go");
        w.Expect("UNLOCKED");
        Assert.Equal(0, U.SharableCount);
    }

    [Fact]
    public void AReaderThreadThatExitsHoldingASharedLock_IsRecovered()
    {
        OnOtherThread(() =>
        {
            S.LockSharable();
            return 0;
        });
        Assert.Equal(1, S.SharableCount);
        Assert.Equal(LockStatus.AcquiredAbandoned, S.Acquire(Long));
        S.Unlock();
        Assert.Equal(0, S.SharableCount);
    }

    [Fact]
    public void AnUpgraderWaitingForADeadReader_Recovers()
    {
        OnOtherThread(() =>
        {
            U.LockSharable();
            return 0;
        });
        U.LockUpgradable();
        Assert.Throws<AbandonedLockException>(() => U.UnlockUpgradableAndLock());
        Assert.True(U.IsLocked); // held, as the exception says
        U.Unlock();
    }

    [Fact]
    public void AWriterKilledWhileWaitingForReaders_DoesNotLeaveNewReadersBlocked()
    {
        U.LockSharable();
        using var w = Driver.Start("sharable-hold", _name, "exclusive");
        w.Expect("WAITING");
        SpinWait.SpinUntil(() => U.IsLocked, Long); // in, holding new readers back, waiting for us
        LockStatus status = LockStatus.NotAcquired;
        var reader = new Thread(() =>
        {
            status = U.AcquireSharable(Long);
            if (status != LockStatus.NotAcquired)
            {
                U.UnlockSharable();
            }
        });
        reader.Start();
        Thread.Sleep(100);
        Assert.True(reader.IsAlive); // held back by the waiting writer
        w.Kill();
        Assert.True(reader.Join(Long), "a reader stayed blocked behind a dead writer");
        Assert.Equal(LockStatus.AcquiredAbandoned, status);
        Assert.False(U.IsLocked);
        U.UnlockSharable();
        Assert.Equal(LockStatus.Acquired, U.Acquire(TimeSpan.Zero));
        U.Unlock();
    }

    [Fact]
    public void ACanceledReader_WaitingBehindAWriter_ThrowsAndHoldsNothing()
    {
        U.Lock();
        using var cts = new CancellationTokenSource();
        Exception? caught = null;
        var reader = new Thread(() => caught = Record.Exception(() => U.LockSharable(cts.Token)));
        reader.Start();
        Thread.Sleep(50);
        cts.Cancel();
        Assert.True(reader.Join(Long), "a canceled reader kept waiting");
        Assert.IsAssignableFrom<OperationCanceledException>(caught);
        Assert.Equal(0, U.SharableCount);
        U.Unlock();
    }
}
