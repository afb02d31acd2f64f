using Interprocess.Memory;
using Interprocess.Synchronization;
using Interprocess.Tests.Infrastructure;

namespace Interprocess.Tests.Synchronization;

/// <summary>ScopedLock, SharableLock, UpgradableLock: construction modes, ownership bookkeeping, conversions.</summary>
public sealed class LockGuardTests : IDisposable
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(20);

    private readonly string _name = UniqueName.New("guard");
    private readonly SharedMemoryObject _shm;
    private readonly MappedRegion _region;

    public LockGuardTests()
    {
        _shm = SharedMemoryObject.CreateNew(_name, 4096);
        _region = new MappedRegion(_shm);
    }

    private ref InterprocessUpgradableMutex U => ref _region.GetRef<InterprocessUpgradableMutex>(0);

    private ref InterprocessMutex M => ref _region.GetRef<InterprocessMutex>(1024);

    private ref InterprocessRecursiveMutex R => ref _region.GetRef<InterprocessRecursiveMutex>(1024);

    public void Dispose()
    {
        _region.Dispose();
        _shm.Dispose();
        SharedMemoryObject.Remove(_name);
    }

    private static T OnOtherThread<T>(Func<T> f)
    {
        T result = default!;
        var t = new Thread(() => result = f());
        t.Start();
        Assert.True(t.Join(Long));
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

    private bool OtherCanLock() => OnOtherThread(() =>
    {
        bool ok = U.TryLock();
        if (ok)
        {
            U.Unlock();
        }

        return ok;
    });

    [Fact]
    public void ScopedLock_WorksWithInterprocessMutex_AndUnlocksOnDispose()
    {
        using (var g = new ScopedLock<InterprocessMutex>(ref M))
        {
            Assert.True(g.Owns);
            Assert.True(g.HasMutex);
            Assert.True(M.IsLocked);
            g.Unlock();
            Assert.False(g.Owns);
            Assert.False(M.IsLocked);
            g.Lock();
            Assert.True(M.IsLocked);
            Assert.Throws<SynchronizationLockException>(() => new ScopedLock<InterprocessMutex>(ref M, LockOption.DeferLock).Unlock());
        }

        Assert.False(M.IsLocked);
    }

    [Fact]
    public void ScopedLock_WorksWithInterprocessRecursiveMutex()
    {
        using (var outer = new ScopedLock<InterprocessRecursiveMutex>(ref R))
        {
            using var inner = new ScopedLock<InterprocessRecursiveMutex>(ref R);
            Assert.Equal(2, R.RecursionCount);
        }

        Assert.False(R.IsLocked);
    }

    [Fact]
    public void ConstructionModes_DeferTryTimedAndAcceptOwnership()
    {
        using (var deferred = new ScopedLock<InterprocessUpgradableMutex>(ref U, LockOption.DeferLock))
        {
            Assert.False(deferred.Owns);
            Assert.False(U.IsLocked);
            Assert.True(deferred.TryLock());
            Assert.True(U.IsLocked);
            Assert.False(OnOtherThread(() =>
            {
                using var tried = new ScopedLock<InterprocessUpgradableMutex>(ref U, LockOption.TryToLock);
                using var timed = new SharableLock<InterprocessUpgradableMutex>(ref U, TimeSpan.FromMilliseconds(20));
                return tried.Owns || timed.Owns;
            }));
        }

        Assert.False(U.IsLocked);
        using (var tried = new SharableLock<InterprocessUpgradableMutex>(ref U, LockOption.TryToLock))
        {
            Assert.True(tried.Owns);
            Assert.Equal(1, U.SharableCount);
        }

        Assert.Equal(0, U.SharableCount);
        Assert.Equal(LockStatus.Acquired, U.AcquireUpgradable(TimeSpan.Zero));
        using (var adopted = new UpgradableLock<InterprocessUpgradableMutex>(ref U, LockOption.AcceptOwnership))
        {
            Assert.True(adopted.Owns);
            Assert.True(U.IsUpgradableLocked);
        }

        Assert.False(U.IsUpgradableLocked);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ScopedLock<InterprocessUpgradableMutex>(ref U, (LockOption)42).Dispose());
    }

    [Fact]
    public void Release_GivesUpOwnershipWithoutUnlocking()
    {
        var g = new ScopedLock<InterprocessUpgradableMutex>(ref U);
        ref InterprocessUpgradableMutex released = ref g.Release();
        Assert.False(g.Owns);
        Assert.False(g.HasMutex);
        g.Dispose(); // does nothing now
        Assert.True(U.IsLocked);
        Assert.Throws<SynchronizationLockException>(() =>
        {
            var empty = new ScopedLock<InterprocessUpgradableMutex>(ref U, LockOption.DeferLock);
            empty.Release();
            empty.Lock();
        });
        released.Unlock();
        Assert.False(U.IsLocked);
    }

    [Fact]
    public void GuardLock_WhenAlreadyOwning_Throws()
    {
        using var g = new SharableLock<InterprocessUpgradableMutex>(ref U);
        bool threw = false;
        try
        {
            g.Lock();
        }
        catch (SynchronizationLockException)
        {
            threw = true;
        }

        Assert.True(threw);
        Assert.Equal(1, U.SharableCount);
    }

    [Fact]
    public void Upgrade_FromUpgradableLock_GivesAnOwningScopedLock_AndEmptiesTheSource()
    {
        using var up = new UpgradableLock<InterprocessUpgradableMutex>(ref U);
        Assert.True(OtherCanLockSharable());
        using (var exclusive = up.Upgrade())
        {
            Assert.False(up.Owns);
            Assert.False(up.HasMutex);
            Assert.True(exclusive.Owns);
            Assert.True(U.IsLocked);
            Assert.False(OtherCanLockSharable());
        }

        Assert.False(U.IsLocked);
        Assert.Equal(0, U.SharableCount);
    }

    [Fact]
    public void TryUpgrade_WithAReaderInside_FailsAndTheSourceKeepsOwnership_TimedAlso()
    {
        using var readerIn = new ManualResetEventSlim();
        using var readerGo = new ManualResetEventSlim();
        var reader = new Thread(() =>
        {
            using var r = new SharableLock<InterprocessUpgradableMutex>(ref U);
            readerIn.Set();
            readerGo.Wait(Long);
        });
        reader.Start();
        Assert.True(readerIn.Wait(Long));
        using var up = new UpgradableLock<InterprocessUpgradableMutex>(ref U);
        using (var failed = up.TryUpgrade())
        {
            Assert.False(failed.Owns);
            Assert.False(failed.HasMutex);
            Assert.True(up.Owns);
        }

        using (var timedOut = up.TryUpgrade(TimeSpan.FromMilliseconds(30)))
        {
            Assert.False(timedOut.Owns);
            Assert.True(up.Owns);
            Assert.True(U.IsUpgradableLocked);
        }

        readerGo.Set();
        Assert.True(reader.Join(Long));
        using (var exclusive = up.TryUpgrade(Long))
        {
            Assert.True(exclusive.Owns);
            Assert.False(up.Owns);
            Assert.True(U.IsLocked);
        }

        Assert.False(U.IsLocked);
        Assert.Equal(0, U.SharableCount);
    }

    [Fact]
    public void Downgrades_FromScopedLock_ToUpgradableAndToSharable()
    {
        using (var exclusive = new ScopedLock<InterprocessUpgradableMutex>(ref U))
        {
            using var up = exclusive.DowngradeToUpgradable();
            Assert.False(exclusive.Owns);
            Assert.True(up.Owns);
            Assert.True(U.IsUpgradableLocked);
            Assert.True(OtherCanLockSharable());
            Assert.False(OtherCanLock());
        }

        Assert.False(U.IsUpgradableLocked);
        Assert.Equal(0, U.SharableCount);

        using (var exclusive = new ScopedLock<InterprocessUpgradableMutex>(ref U))
        {
            using var shared = exclusive.DowngradeToSharable();
            Assert.False(exclusive.Owns);
            Assert.True(shared.Owns);
            Assert.False(U.IsLocked);
            Assert.Equal(1, U.SharableCount);
            Assert.False(OtherCanLock());
        }

        Assert.Equal(0, U.SharableCount);
    }

    [Fact]
    public void Downgrade_FromUpgradableLock_ToSharable()
    {
        using var up = new UpgradableLock<InterprocessUpgradableMutex>(ref U);
        using var shared = up.DowngradeToSharable();
        Assert.False(up.Owns);
        Assert.True(shared.Owns);
        Assert.False(U.IsUpgradableLocked);
        Assert.Equal(1, U.SharableCount);
    }

    [Fact]
    public void TryPromote_FromSharableLock_SucceedsAlone_FailsWithAnotherReader()
    {
        using (var shared = new SharableLock<InterprocessUpgradableMutex>(ref U))
        {
            using var exclusive = shared.TryPromote();
            Assert.True(exclusive.Owns);
            Assert.False(shared.Owns);
            Assert.True(U.IsLocked);
        }

        Assert.False(U.IsLocked);
        Assert.Equal(0, U.SharableCount);

        using var readerIn = new ManualResetEventSlim();
        using var readerGo = new ManualResetEventSlim();
        var reader = new Thread(() =>
        {
            using var r = new SharableLock<InterprocessUpgradableMutex>(ref U);
            readerIn.Set();
            readerGo.Wait(Long);
        });
        reader.Start();
        Assert.True(readerIn.Wait(Long));
        using (var shared = new SharableLock<InterprocessUpgradableMutex>(ref U))
        {
            using (var failed = shared.TryPromote())
            {
                Assert.False(failed.Owns);
                Assert.False(failed.HasMutex);
                Assert.True(shared.Owns);
            }

            using var up = shared.TryPromoteToUpgradable(); // other readers do not prevent this one
            Assert.True(up.Owns);
            Assert.False(shared.Owns);
            Assert.True(U.IsUpgradableLocked);
        }

        readerGo.Set();
        Assert.True(reader.Join(Long));
        Assert.Equal(0, U.SharableCount);
        Assert.False(U.IsUpgradableLocked);
    }

    [Fact]
    public void TryPromoteToUpgradable_FailsWhenAnotherUpgraderHoldsIt()
    {
        using var upIn = new ManualResetEventSlim();
        using var upGo = new ManualResetEventSlim();
        var other = new Thread(() =>
        {
            using var up = new UpgradableLock<InterprocessUpgradableMutex>(ref U);
            upIn.Set();
            upGo.Wait(Long);
        });
        other.Start();
        Assert.True(upIn.Wait(Long));
        using (var shared = new SharableLock<InterprocessUpgradableMutex>(ref U))
        {
            using var failed = shared.TryPromoteToUpgradable();
            Assert.False(failed.Owns);
            Assert.True(shared.Owns);
        }

        upGo.Set();
        Assert.True(other.Join(Long));
        Assert.Equal(0, U.SharableCount);
    }

    [Fact]
    public void AGuardLock_ThatFindsADeadOwner_OwnsTheMutexWhenItThrows()
    {
        OnOtherThread(() =>
        {
            M.Lock(); // the thread ends holding it
            return 0;
        });
        var g = new ScopedLock<InterprocessMutex>(ref M, LockOption.DeferLock);
        bool abandoned = false;
        try
        {
            g.Lock();
        }
        catch (AbandonedLockException)
        {
            abandoned = true;
        }

        Assert.True(abandoned);
        Assert.True(g.Owns);
        g.Dispose();
        Assert.False(M.IsLocked);
    }

    [Fact]
    public void Guards_WorkWithNamedLocks_AndTheirConversions()
    {
        string mutexName = UniqueName.New("guard-named-mutex");
        string upgradableName = UniqueName.New("guard-named-upgradable");
        var mutex = NamedMutex.CreateNew(mutexName);
        var upgradable = NamedUpgradableMutex.CreateNew(upgradableName);
        try
        {
            using (var guard = new ScopedLock<NamedMutex>(ref mutex))
            {
                Assert.True(guard.Owns);
                Assert.True(mutex.IsLocked);
                Assert.False(OnOtherThread(mutex.TryLock));
            }

            Assert.False(mutex.IsLocked);

            using (var up = new UpgradableLock<NamedUpgradableMutex>(ref upgradable))
            {
                Assert.True(upgradable.IsUpgradableLocked);
                using var exclusive = up.Upgrade();
                Assert.True(exclusive.Owns);
                Assert.False(up.Owns);
                Assert.True(upgradable.IsLocked);
                using var reader = exclusive.DowngradeToSharable();
                Assert.True(reader.Owns);
                Assert.False(upgradable.IsLocked);
                Assert.Equal(1, upgradable.SharableCount);
            }

            Assert.False(upgradable.IsLocked);
            Assert.Equal(0, upgradable.SharableCount);
        }
        finally
        {
            mutex.Dispose();
            upgradable.Dispose();
            NamedMutex.Remove(mutexName);
            NamedUpgradableMutex.Remove(upgradableName);
        }
    }
}
