using System.Diagnostics;
using System.Globalization;
using Interprocess.Memory;
using Interprocess.Synchronization;
using Interprocess.Tests.Infrastructure;

namespace Interprocess.Tests.Synchronization;

public sealed class NamedConditionAndSharableTests : IDisposable
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);

    private readonly List<string> _names = [];
    private readonly List<string> _shmNames = [];

    public static TheoryData<string> Kinds => new() { "sharable", "upgradable", "condition", "conditionany" };

    private string NewName(string kind = "nkind")
    {
        string name = UniqueName.New(kind);
        _names.Add(name);
        return name;
    }

    private MappedRegion NewRegion(out SharedMemoryObject shm)
    {
        string name = UniqueName.New("ncshm");
        shm = SharedMemoryObject.CreateNew(name, 64);
        _shmNames.Add(name);
        return new MappedRegion(shm);
    }

    public void Dispose()
    {
        // Every named kind shares the ipsync. namespace: any Remove removes whatever kind is there.
        foreach (var n in _names)
        {
            NamedMutex.Remove(n);
        }

        foreach (var n in _shmNames)
        {
            SharedMemoryObject.Remove(n);
        }
    }

    private static IDisposable Open(string kind, string name, NamedOpenMode mode) => (kind, mode) switch
    {
        ("sharable", NamedOpenMode.CreateNew) => NamedSharableMutex.CreateNew(name),
        ("sharable", NamedOpenMode.OpenExisting) => NamedSharableMutex.OpenExisting(name),
        ("sharable", _) => NamedSharableMutex.OpenOrCreate(name),
        ("upgradable", NamedOpenMode.CreateNew) => NamedUpgradableMutex.CreateNew(name),
        ("upgradable", NamedOpenMode.OpenExisting) => NamedUpgradableMutex.OpenExisting(name),
        ("upgradable", _) => NamedUpgradableMutex.OpenOrCreate(name),
        ("condition", NamedOpenMode.CreateNew) => NamedCondition.CreateNew(name),
        ("condition", NamedOpenMode.OpenExisting) => NamedCondition.OpenExisting(name),
        ("condition", _) => NamedCondition.OpenOrCreate(name),
        (_, NamedOpenMode.CreateNew) => NamedConditionAny.CreateNew(name),
        (_, NamedOpenMode.OpenExisting) => NamedConditionAny.OpenExisting(name),
        _ => NamedConditionAny.OpenOrCreate(name),
    };

    private static bool Created(IDisposable handle) => handle switch
    {
        NamedSharableMutex s => s.Created,
        NamedUpgradableMutex u => u.Created,
        NamedCondition c => c.Created,
        NamedConditionAny a => a.Created,
        _ => throw new ArgumentException("not a named kind", nameof(handle)),
    };

    private static bool Remove(string kind, string name) => kind switch
    {
        "sharable" => NamedSharableMutex.Remove(name),
        "upgradable" => NamedUpgradableMutex.Remove(name),
        "condition" => NamedCondition.Remove(name),
        _ => NamedConditionAny.Remove(name),
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void CreationRules_ExistsNotFoundOpenOrCreateAndRemove(string kind)
    {
        string name = NewName();
        var notFound = Assert.Throws<InterprocessException>(() => Open(kind, name, NamedOpenMode.OpenExisting));
        Assert.Equal(InterprocessErrorCode.NotFound, notFound.ErrorCode);
        Assert.False(Remove(kind, name));

        using (var created = Open(kind, name, NamedOpenMode.CreateNew))
        {
            Assert.True(Created(created));
            var exists = Assert.Throws<InterprocessException>(() => Open(kind, name, NamedOpenMode.CreateNew));
            Assert.Equal(InterprocessErrorCode.AlreadyExists, exists.ErrorCode);
            using var opened = Open(kind, name, NamedOpenMode.OpenOrCreate);
            Assert.False(Created(opened));
            using var existing = Open(kind, name, NamedOpenMode.OpenExisting);
            Assert.False(Created(existing));
            Assert.Contains(name, existing.ToString(), StringComparison.Ordinal);
        }

        Assert.True(Remove(kind, name));
        Assert.False(File.Exists("/dev/shm/ipsync." + name));
        using (var again = Open(kind, name, NamedOpenMode.OpenOrCreate))
        {
            Assert.True(Created(again));
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void OpeningAsAnotherKind_ThrowsCorrupted_NamingTheKindFound(string kind)
    {
        string name = NewName();
        using (Open(kind, name, NamedOpenMode.CreateNew))
        {
            string other = kind == "upgradable" ? "condition" : "upgradable";
            var e = Assert.Throws<InterprocessException>(() => Open(other, name, NamedOpenMode.OpenOrCreate));
            Assert.Equal(InterprocessErrorCode.Corrupted, e.ErrorCode);
            string typeName = kind switch
            {
                "sharable" => nameof(NamedSharableMutex),
                "upgradable" => nameof(NamedUpgradableMutex),
                "condition" => nameof(NamedCondition),
                _ => nameof(NamedConditionAny),
            };
            Assert.Contains($"it is a {typeName} ", e.Message, StringComparison.Ordinal);
            e = Assert.Throws<InterprocessException>(() => NamedMutex.OpenExisting(name));
            Assert.Equal(InterprocessErrorCode.Corrupted, e.ErrorCode);
        }
    }

    [Fact]
    public void ANamedConditionOpenedAsANamedUpgradableMutex_ThrowsCorrupted()
    {
        string name = NewName();
        using var cond = NamedCondition.CreateNew(name);
        var e = Assert.Throws<InterprocessException>(() => NamedUpgradableMutex.OpenExisting(name));
        Assert.Equal(InterprocessErrorCode.Corrupted, e.ErrorCode);
        Assert.Contains("it is a NamedCondition (IPNCONDV), not a NamedUpgradableMutex", e.Message, StringComparison.Ordinal);
        Assert.Equal(name, e.ObjectName);
    }

    [Theory]
    [InlineData("mutex")]
    [InlineData("sharable")]
    [InlineData("recursive")]
    public void ProducerProcessAndConsumer_PassAThousandItemsInOrder_ThroughTheNamedCondition(string kind)
    {
        const int n = 1000;
        string lockName = NewName("nclock"), notEmptyName = NewName("ncne"), notFullName = NewName("ncnf");
        using var region = NewRegion(out var shm);
        using var shmHandle = shm;

        using IDisposable lockHandle = kind switch
        {
            "mutex" => NamedMutex.CreateNew(lockName),
            "sharable" => NamedSharableMutex.CreateNew(lockName),
            _ => NamedRecursiveMutex.CreateNew(lockName),
        };
        var lockable = (IExclusiveLockable)lockHandle;
        using IDisposable notEmpty = kind == "mutex" ? NamedCondition.CreateNew(notEmptyName) : NamedConditionAny.CreateNew(notEmptyName);
        using IDisposable notFull = kind == "mutex" ? NamedCondition.CreateNew(notFullName) : NamedConditionAny.CreateNew(notFullName);

        bool IsFull() => region.Read<int>(0) == 1;
        bool WaitFull() => notEmpty is NamedCondition c
            ? c.Wait((NamedMutex)lockHandle, Generous, IsFull)
            : ((NamedConditionAny)notEmpty).Wait(lockable, Generous, IsFull);
        void NotifyNotFull()
        {
            if (notFull is NamedCondition c)
            {
                c.NotifyOne();
            }
            else
            {
                ((NamedConditionAny)notFull).NotifyOne();
            }
        }

        using var producer = Driver.Start("ncond-produce", kind, lockName, notEmptyName, notFullName, shm.Name, n.ToString(CultureInfo.InvariantCulture));
        for (int i = 0; i < n; i++)
        {
            lockable.Lock();
            try
            {
                Assert.True(WaitFull(), $"item {i} never came");
                Assert.Equal(i, region.Read<int>(4));
                region.Write(0, 0);
                NotifyNotFull();
            }
            finally
            {
                lockable.Unlock();
            }
        }

        producer.Expect("DONE", Generous);
        Assert.Equal(0, producer.WaitForExit());
    }

    [Fact]
    public void NotifyAll_WakesThreeWaitingProcesses()
    {
        string mutexName = NewName("ncm"), condName = NewName("ncc");
        using var mutex = NamedMutex.CreateNew(mutexName);
        using var cond = NamedCondition.CreateNew(condName);
        using var region = NewRegion(out var shm);
        using var shmHandle = shm;
        var waiters = Enumerable.Range(0, 3).Select(_ => Driver.Start("ncond-wait-go", mutexName, condName, shm.Name)).ToList();
        try
        {
            // Wait until all three are inside their wait (each counts itself under the mutex, then waits).
            var sw = Stopwatch.StartNew();
            while (true)
            {
                mutex.Lock();
                int count = region.Read<int>(4);
                mutex.Unlock();
                if (count == 3)
                {
                    break;
                }

                Assert.True(sw.Elapsed < Generous, $"only {count} waiters arrived");
                Thread.Sleep(10);
            }

            mutex.Lock();
            region.Write(0, 1);
            cond.NotifyAll(); // one NotifyOne would leave two waiters to time out
            mutex.Unlock();
            foreach (var w in waiters)
            {
                Assert.Equal("WOKE", w.ReadLine(TimeSpan.FromSeconds(30)));
                Assert.Equal(0, w.WaitForExit());
            }
        }
        finally
        {
            waiters.ForEach(w => w.Dispose());
        }
    }

    [Fact]
    public void TimedWait_WithNoNotification_ReturnsFalse_NotEarly_WithTheMutexHeld()
    {
        using var mutex = NamedMutex.CreateNew(NewName());
        using var cond = NamedCondition.CreateNew(NewName());
        mutex.Lock();
        var sw = Stopwatch.StartNew();
        Assert.False(cond.Wait(mutex, TimeSpan.FromMilliseconds(100)));
        Assert.True(sw.ElapsedMilliseconds >= 99, $"a timed wait returned after {sw.ElapsedMilliseconds} ms");
        Assert.True(mutex.IsLocked);
        Assert.Equal(ConditionWaitStatus.TimedOut, cond.WaitWithStatus(mutex, TimeSpan.FromMilliseconds(10)));
        Assert.False(cond.Wait(mutex, TimeSpan.FromMilliseconds(10), () => false));
        mutex.Unlock();
        Assert.Throws<SynchronizationLockException>(() => cond.Wait(mutex, TimeSpan.FromMilliseconds(10)));
        Assert.Throws<ArgumentNullException>(() => cond.Wait(null!));
    }

    [Fact]
    public void ConditionAny_TimedWaitWithANamedLockOrAStructLock_ReturnsFalse_WithTheLockHeld()
    {
        using var rw = NamedUpgradableMutex.CreateNew(NewName());
        using var cond = NamedConditionAny.CreateNew(NewName());
        rw.Lock();
        Assert.False(cond.Wait(rw, TimeSpan.FromMilliseconds(20)));
        Assert.True(rw.IsLocked);
        rw.Unlock();

        // A struct lock in the caller's own shared memory, by reference.
        using var region = NewRegion(out var shm);
        using var shmHandle = shm;
        ref var mutex = ref region.GetRef<InterprocessMutex>(0);
        mutex.Lock();
        Assert.Equal(ConditionWaitStatus.TimedOut, cond.WaitWithStatus(ref mutex, TimeSpan.FromMilliseconds(20)));
        Assert.True(mutex.IsLocked);
        mutex.Unlock();
    }

    [Fact]
    public void ConditionAny_WithARecursiveMutexHeldTwice_IsRefused()
    {
        using var rec = NamedRecursiveMutex.CreateNew(NewName());
        using var cond = NamedConditionAny.CreateNew(NewName());
        rec.Lock();
        rec.Lock();
        Assert.Throws<LockRecursionException>(() => cond.Wait(rec, TimeSpan.FromMilliseconds(10)));
        Assert.Equal(2, rec.RecursionCount);
        rec.Unlock();
        Assert.False(cond.Wait(rec, TimeSpan.FromMilliseconds(10)));
        Assert.Equal(1, rec.RecursionCount);
        rec.Unlock();
    }

    [Fact]
    public void ReadersInTwoProcesses_KeepTheWriterOut_UntilBothRelease()
    {
        string name = NewName();
        using var rw = NamedSharableMutex.CreateNew(name);
        using var a = Driver.Start("nrw-hold", "sharable", name, "shared");
        using var b = Driver.Start("nrw-hold", "sharable", name, "shared");
        a.Expect("LOCKED");
        b.Expect("LOCKED");
        Assert.Equal(2, rw.SharableCount);
        Assert.False(rw.TryLock());
        Assert.False(rw.IsLocked);
        Assert.True(rw.TryLockSharable()); // readers share
        rw.UnlockSharable();

        a.Send("release");
        a.Expect("UNLOCKED");
        Assert.False(rw.TryLock());
        b.Send("release");
        b.Expect("UNLOCKED");
        Assert.True(rw.TryLock());
        Assert.True(rw.IsLocked);
        rw.Unlock();
    }

    [Fact]
    public void UpgradableMutex_WhenTheExclusiveHolderIsKilled_NextLockerGetsAcquiredAbandoned()
    {
        string name = NewName();
        using var rw = NamedUpgradableMutex.CreateNew(name);
        using (var holder = Driver.Start("nrw-hold", "upgradable", name, "exclusive"))
        {
            holder.Expect("LOCKED");
            Assert.True(rw.IsLocked);
            Assert.False(rw.TryLockSharable());
            holder.Kill();
        }

        Assert.Equal(LockStatus.AcquiredAbandoned, rw.Acquire(TimeSpan.FromSeconds(10)));
        rw.Unlock();
        Assert.Equal(LockStatus.Acquired, rw.AcquireUpgradable(TimeSpan.Zero));
        rw.UnlockUpgradable();
    }

    [Fact]
    public void SharableMutex_WhenTheExclusiveHolderIsKilled_AThrowingLockerGetsAbandonedLockException()
    {
        string name = NewName();
        using var rw = NamedSharableMutex.CreateNew(name);
        using (var holder = Driver.Start("nrw-hold", "sharable", name, "exclusive"))
        {
            holder.Expect("LOCKED");
            holder.Kill();
        }

        Assert.Throws<AbandonedLockException>(() => rw.Lock());
        Assert.True(rw.IsLocked);
        rw.Unlock();
    }

    [Fact]
    public void UpgradableHolderInAChild_UpgradesOnceTheParentReleasesItsSharedLock()
    {
        string name = NewName();
        using var rw = NamedUpgradableMutex.CreateNew(name);
        rw.LockSharable();
        using var child = Driver.Start("nupg-upgrade", name);
        child.Expect("UPGRADABLE");

        // The child's upgrade sets the writer bit at once, then waits for our shared lock to go.
        var sw = Stopwatch.StartNew();
        while (!rw.IsLocked)
        {
            Assert.True(sw.Elapsed < Generous, "the child never started to upgrade");
            Thread.Sleep(5);
        }

        Assert.Equal(2, rw.SharableCount); // our shared lock, and the child's upgradable one (still a reader)
        rw.UnlockSharable();
        child.Expect("EXCLUSIVE", Generous);
        Assert.False(rw.TryLockSharable());
        Assert.False(rw.IsUpgradableLocked);
        child.Send("release");
        child.Expect("UNLOCKED");
        Assert.True(rw.TryLock());
        rw.Unlock();
        Assert.Equal(0, child.WaitForExit());
    }

    [Fact]
    public void UpgradableMutex_EveryTransfer_ThroughTheNamedHandle()
    {
        using var rw = NamedUpgradableMutex.CreateNew(NewName());
        rw.Lock();
        rw.UnlockAndLockUpgradable();
        Assert.True(rw.IsUpgradableLocked);
        rw.UnlockUpgradableAndLockSharable();
        Assert.Equal(1, rw.SharableCount);
        Assert.True(rw.TryUnlockSharableAndLockUpgradable());
        Assert.True(rw.TryUnlockUpgradableAndLock());
        Assert.True(rw.IsLocked);
        rw.UnlockAndLockSharable();
        Assert.True(rw.TryUnlockSharableAndLock());
        rw.UnlockAndLockUpgradable();
        Assert.True(rw.TryUnlockUpgradableAndLock(TimeSpan.FromSeconds(1)));
        rw.UnlockAndLockUpgradable();
        rw.UnlockUpgradableAndLock();
        rw.Unlock();
        Assert.False(rw.IsLocked);
        Assert.Equal(0, rw.SharableCount);
        Assert.Throws<SynchronizationLockException>(() => rw.UnlockUpgradable());
    }

    [Fact]
    public void Dispose_WhileThisThreadHoldsTheUpgradableMutexExclusively_KeepsItMapped_AndItsThreadExitAbandonsIt()
    {
        string name = NewName();
        using var rw = NamedUpgradableMutex.CreateNew(name);
        using var other = NamedMutex.CreateNew(NewName());
        Exception? caught = null;
        var t = new Thread(() => caught = Record.Exception(() =>
        {
            var held = NamedUpgradableMutex.OpenExisting(name);
            held.Lock();
            held.Dispose();
            // The gate is still linked in this thread's robust list: this would fault if it had been unmapped.
            other.Lock();
            other.Unlock();
        }));
        t.Start();
        Assert.True(t.Join(Generous));
        Assert.Null(caught);
        Assert.Equal(LockStatus.AcquiredAbandoned, rw.Acquire(TimeSpan.FromSeconds(10)));
        rw.Unlock();
    }

    [Fact]
    public void Dispose_ThenUse_ThrowsObjectDisposed()
    {
        var rw = NamedSharableMutex.CreateNew(NewName());
        var cond = NamedCondition.CreateNew(NewName());
        using var mutex = NamedMutex.CreateNew(NewName());
        rw.Dispose();
        cond.Dispose();
        Assert.Throws<ObjectDisposedException>(() => rw.LockSharable());
        Assert.Throws<ObjectDisposedException>(() => cond.NotifyAll());
        mutex.Lock();
        Assert.Throws<ObjectDisposedException>(() => cond.Wait(mutex));
        Assert.True(mutex.IsLocked);
        mutex.Unlock();
    }
}
