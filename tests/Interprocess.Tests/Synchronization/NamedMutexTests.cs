using System.Globalization;
using System.Text;
using Interprocess.Memory;
using Interprocess.Synchronization;
using Interprocess.Tests.Infrastructure;

namespace Interprocess.Tests.Synchronization;

public sealed class NamedMutexTests : IDisposable
{
    private readonly List<string> _names = [];
    private readonly List<string> _shmNames = [];

    private string NewName()
    {
        string name = UniqueName.New("nmutex");
        _names.Add(name);
        return name;
    }

    private static string ShmPath(string name) => "/dev/shm/ipsync." + name;

    public void Dispose()
    {
        foreach (var n in _names)
        {
            NamedMutex.Remove(n);
        }

        foreach (var n in _shmNames)
        {
            SharedMemoryObject.Remove(n);
        }
    }

    [Fact]
    public void CreateNew_ThenOpenExisting_GiveTheSameMutex()
    {
        string name = NewName();
        using var a = NamedMutex.CreateNew(name);
        using var b = NamedMutex.OpenExisting(name);
        Assert.True(a.Created);
        Assert.False(b.Created);
        Assert.Equal(name, b.Name);
        Assert.True(File.Exists(ShmPath(name)));

        a.Lock();
        Assert.True(b.IsLocked);
        bool other = true;
        var t = new Thread(() => other = b.TryLock());
        t.Start();
        t.Join();
        Assert.False(other);
        a.Unlock();
        Assert.False(b.IsLocked);
        Assert.True(b.TryLock());
        b.Unlock();
    }

    [Fact]
    public void CreationRules_ExistsNotFoundAndRemove()
    {
        string name = NewName();
        var notFound = Assert.Throws<InterprocessException>(() => NamedMutex.OpenExisting(name));
        Assert.Equal(InterprocessErrorCode.NotFound, notFound.ErrorCode);
        Assert.False(NamedMutex.Remove(name));

        using (NamedMutex.CreateNew(name))
        {
            var exists = Assert.Throws<InterprocessException>(() => NamedMutex.CreateNew(name));
            Assert.Equal(InterprocessErrorCode.AlreadyExists, exists.ErrorCode);
            Assert.Contains(name, exists.Message, StringComparison.Ordinal);
            using var opened = NamedMutex.OpenOrCreate(name);
            Assert.False(opened.Created);
        }

        Assert.True(NamedMutex.Remove(name));
        Assert.False(File.Exists(ShmPath(name)));
        using var created = NamedMutex.OpenOrCreate(name);
        Assert.True(created.Created);
    }

    [Fact]
    public void Permissions_AreAppliedExactly_WhateverTheUmask()
    {
        string a = NewName(), b = NewName(), c = NewName();
        using (NamedMutex.CreateNew(a))
        using (NamedMutex.CreateNew(b, Permissions.FromOctal("666")))
        using (NamedMutex.OpenOrCreate(c, Permissions.FromOctal("640")))
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(ShmPath(a)));
            // 0666 survives a umask of 022 (the test process's), which would give 0644.
            Assert.Equal(Permissions.FromOctal("666").Mode, File.GetUnixFileMode(ShmPath(b)));
            Assert.Equal(Permissions.FromOctal("640").Mode, File.GetUnixFileMode(ShmPath(c)));
        }

        // An opener never changes them.
        using (NamedMutex.OpenOrCreate(b, Permissions.OwnerOnly))
        {
            Assert.Equal(Permissions.FromOctal("666").Mode, File.GetUnixFileMode(ShmPath(b)));
        }
    }

    [Fact]
    public void BadNames_AreRefused_LikeSharedMemoryObjectNames()
    {
        foreach (string bad in new[] { "", "a/b", "/x", ".", "..", "a\0b" })
        {
            Assert.ThrowsAny<ArgumentException>(() => NamedMutex.CreateNew(bad));
            Assert.ThrowsAny<ArgumentException>(() => NamedRecursiveMutex.OpenOrCreate(bad));
            Assert.ThrowsAny<ArgumentException>(() => NamedMutex.Remove(bad));
        }

        Assert.Throws<ArgumentNullException>(() => NamedMutex.OpenExisting(null!));

        // 255 bytes less the 7 of "ipsync.".
        string longest = "ipt-" + new string('x', 244);
        _names.Add(longest);
        Assert.Equal(248, Encoding.UTF8.GetByteCount(longest));
        using (NamedMutex.CreateNew(longest))
        {
        }

        var e = Assert.Throws<ArgumentException>(() => NamedMutex.CreateNew(longest + "x"));
        Assert.Contains("248", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ASharedMemoryObjectOfTheSameName_IsADifferentObject()
    {
        string name = NewName();
        using var shm = SharedMemoryObject.CreateNew(name, 16);
        _shmNames.Add(name);
        using var mutex = NamedMutex.CreateNew(name);
        Assert.True(mutex.Created);
        Assert.Equal(16, shm.Size);
    }

    [Fact]
    public void ANamedSemaphoreOfTheSameName_LivesInItsOwnNamespace()
    {
        // POSIX semaphores are /dev/shm/sem.NAME (C interop requires it); the shm-backed kinds are ipsync.NAME.
        string name = NewName();
        using var sem = NamedSemaphore.CreateNew(name, 0);
        try
        {
            var e = Assert.Throws<InterprocessException>(() => NamedMutex.OpenExisting(name));
            Assert.Equal(InterprocessErrorCode.NotFound, e.ErrorCode);
            using var mutex = NamedMutex.CreateNew(name);
            Assert.True(mutex.Created);
        }
        finally
        {
            NamedSemaphore.Remove(name);
        }
    }

    [Fact]
    public void OpeningAnotherKind_ThrowsCorrupted_NamingTheKindFound()
    {
        string name = NewName();
        using (NamedRecursiveMutex.CreateNew(name))
        {
            var e = Assert.Throws<InterprocessException>(() => NamedMutex.OpenExisting(name));
            Assert.Equal(InterprocessErrorCode.Corrupted, e.ErrorCode);
            Assert.Contains("NamedRecursiveMutex", e.Message, StringComparison.Ordinal);
            Assert.Equal(name, e.ObjectName);
            e = Assert.Throws<InterprocessException>(() => NamedMutex.OpenOrCreate(name));
            Assert.Equal(InterprocessErrorCode.Corrupted, e.ErrorCode);
        }

        NamedMutex.Remove(name);
        using (NamedMutex.CreateNew(name))
        {
            var e = Assert.Throws<InterprocessException>(() => NamedRecursiveMutex.OpenExisting(name));
            Assert.Equal(InterprocessErrorCode.Corrupted, e.ErrorCode);
            Assert.Contains("it is a NamedMutex", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void AForeignObject_ThrowsCorrupted_AndIsLeftAlone()
    {
        string name = NewName();
        using (var shm = SharedMemoryObject.CreateNew("ipsync." + name, 4096))
        using (var region = new MappedRegion(shm))
        {
            Encoding.ASCII.GetBytes("hello, this is someone else's data").CopyTo(region.GetSpan());
        }

        var e = Assert.Throws<InterprocessException>(() => NamedMutex.OpenExisting(name));
        Assert.Equal(InterprocessErrorCode.Corrupted, e.ErrorCode);
        Assert.Contains("\"hello, t\"", e.Message, StringComparison.Ordinal);
        Assert.Contains("does not hold a named synchronization object", e.Message, StringComparison.Ordinal);

        // Binary garbage is shown in hex.
        using (var shm = SharedMemoryObject.OpenExisting("ipsync." + name))
        using (var region = new MappedRegion(shm))
        {
            region.Write(0, 0x0102030405060708UL);
        }

        e = Assert.Throws<InterprocessException>(() => NamedRecursiveMutex.OpenOrCreate(name));
        Assert.Contains("0807060504030201", e.Message, StringComparison.Ordinal);
        Assert.Equal(4096, new FileInfo(ShmPath(name)).Length);
    }

    [Fact]
    public void AnObjectTooShortForAHeader_ThrowsCorrupted_AtOnce()
    {
        // The size of a POSIX semaphore file, for instance.
        string name = NewName();
        using (SharedMemoryObject.CreateNew("ipsync." + name, 32))
        {
        }

        var e = Assert.Throws<InterprocessException>(() => NamedMutex.OpenExisting(name));
        Assert.Equal(InterprocessErrorCode.Corrupted, e.ErrorCode);
        Assert.Contains("32 bytes long", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnObjectTruncatedAfterTheHeader_ThrowsCorrupted()
    {
        string name = NewName();
        using (NamedMutex.CreateNew(name))
        {
        }

        using (var shm = SharedMemoryObject.OpenExisting("ipsync." + name))
        {
            shm.Truncate(NamedObjectHeader.Size + 20);
        }

        var e = Assert.Throws<InterprocessException>(() => NamedMutex.OpenExisting(name));
        Assert.Equal(InterprocessErrorCode.Corrupted, e.ErrorCode);
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnotherLayoutVersion_ThrowsCorrupted()
    {
        string name = NewName();
        using (NamedMutex.CreateNew(name))
        {
        }

        using (var shm = SharedMemoryObject.OpenExisting("ipsync." + name))
        using (var region = new MappedRegion(shm))
        {
            region.Write(NamedObjectHeader.VersionOffset, 99);
        }

        var e = Assert.Throws<InterprocessException>(() => NamedMutex.OpenExisting(name));
        Assert.Equal(InterprocessErrorCode.Corrupted, e.ErrorCode);
        Assert.Contains("version is 99", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ACreatorKilledBeforeItPublished_LeavesAnIncompleteObject_ThatOpenersReportAndCanRemove()
    {
        // What a creator killed between writing the header and publishing State leaves: magic set, State = 0.
        string name = NewName();
        using (var shm = SharedMemoryObject.CreateNew("ipsync." + name, NamedPrimitive<InterprocessMutex>.TotalSize))
        using (var region = new MappedRegion(shm))
        {
            region.Write(NamedObjectHeader.VersionOffset, NamedKind.Mutex.Version);
            region.Write(NamedObjectHeader.PayloadSizeOffset, InterprocessMutex.Size);
            region.Write(NamedObjectHeader.MagicOffset, NamedKind.Mutex.Magic);
        }

        var e = Assert.Throws<InterprocessException>(() => NamedMutex.OpenOrCreate(name));
        Assert.Equal(InterprocessErrorCode.Corrupted, e.ErrorCode);
        Assert.Contains("incomplete", e.Message, StringComparison.Ordinal);
        Assert.Contains($"NamedMutex.Remove(\"{name}\")", e.Message, StringComparison.Ordinal);

        Assert.True(NamedMutex.Remove(name));
        using var fresh = NamedMutex.CreateNew(name);
        fresh.Lock();
        fresh.Unlock();
    }

    [Fact]
    public void ACreatorKilledBeforeItSizedTheObject_LeavesAnEmptyObject_ThatOpenersReport()
    {
        string name = NewName();
        using (SharedMemoryObject.CreateNew("ipsync." + name))
        {
        }

        var e = Assert.Throws<InterprocessException>(() => NamedMutex.OpenExisting(name));
        Assert.Equal(InterprocessErrorCode.Corrupted, e.ErrorCode);
        Assert.Contains("incomplete: it is empty", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnOpenerWaitsForACreatorThatIsStillCreating()
    {
        // The object appears empty, then gets its header a little later: the opener waits for it.
        string name = NewName();
        using var shm = SharedMemoryObject.CreateNew("ipsync." + name);
        NamedMutex? opened = null;
        Exception? caught = null;
        var opener = new Thread(() => caught = Record.Exception(() => opened = NamedMutex.OpenExisting(name)));
        opener.Start();
        Thread.Sleep(100);
        shm.Truncate(NamedPrimitive<InterprocessMutex>.TotalSize);
        using (var region = new MappedRegion(shm))
        {
            region.Write(NamedObjectHeader.VersionOffset, NamedKind.Mutex.Version);
            region.Write(NamedObjectHeader.PayloadSizeOffset, InterprocessMutex.Size);
            region.Write(NamedObjectHeader.MagicOffset, NamedKind.Mutex.Magic);
            Thread.Sleep(100);
            region.Write(NamedObjectHeader.StateOffset, NamedObjectHeader.StateReady);
        }

        Assert.True(opener.Join(TimeSpan.FromSeconds(20)));
        Assert.Null(caught);
        using (opened)
        {
            Assert.False(opened!.Created);
            opened.Lock();
            opened.Unlock();
        }
    }

    [Theory]
    [InlineData("mutex")]
    [InlineData("recursive")]
    public void OpenOrCreate_RacingProcesses_ExactlyOneCreates(string kind)
    {
        string name = NewName();
        var racers = Enumerable.Range(0, 6).Select(_ => Driver.Start("named-race", kind, name)).ToList();
        try
        {
            racers.ForEach(r => r.Expect("READY"));
            racers.ForEach(r => r.Send("go"));
            var outcomes = racers.Select(r => r.ReadLine()).ToList();
            racers.ForEach(r => r.Expect("OK"));
            racers.ForEach(r => Assert.Equal(0, r.WaitForExit()));
            Assert.Equal(1, outcomes.Count(o => o == "CREATED"));
            Assert.Equal(5, outcomes.Count(o => o == "OPENED"));
        }
        finally
        {
            racers.ForEach(r => r.Dispose());
        }
    }

    [Fact]
    public void ProcessesIncrementingUnderTheNamedMutex_ReachTheExactCount()
    {
        const int n = 100_000;
        string name = NewName();
        string counterName = UniqueName.New("ncounter");
        using var mutex = NamedMutex.CreateNew(name);
        using var shm = SharedMemoryObject.CreateNew(counterName, 64);
        _shmNames.Add(counterName);
        using var region = new MappedRegion(shm);
        using var a = Driver.Start("named-mutex-increment", name, counterName, n.ToString(CultureInfo.InvariantCulture));
        using var b = Driver.Start("named-mutex-increment", name, counterName, n.ToString(CultureInfo.InvariantCulture));
        a.Expect("READY");
        b.Expect("READY");
        a.Send("go");
        b.Send("go");
        for (int i = 0; i < n; i++)
        {
            mutex.Lock();
            region.GetRef<long>(0)++;
            mutex.Unlock();
        }

        a.Expect("DONE", TimeSpan.FromSeconds(120));
        b.Expect("DONE", TimeSpan.FromSeconds(120));
        Assert.Equal(3L * n, region.Read<long>(0));
    }

    [Fact]
    public void Lock_WhenTheOwnerProcessIsKilled_NextLockerRecovers_AndTheMutexStaysUsable()
    {
        string name = NewName();
        using var mutex = NamedMutex.CreateNew(name);
        using (var holder = Driver.Start("named-mutex-hold", name))
        {
            holder.Expect("LOCKED");
            Assert.True(mutex.IsLocked);
            Assert.False(mutex.TryLock(TimeSpan.FromMilliseconds(20)));
            holder.Kill();
        }

        Assert.Equal(LockStatus.AcquiredAbandoned, mutex.Acquire(TimeSpan.FromSeconds(10)));
        mutex.Unlock();
        Assert.Equal(LockStatus.Acquired, mutex.Acquire(TimeSpan.Zero));
        mutex.Unlock();
    }

    [Fact]
    public void Lock_WhenTheOwnerIsKilledWhileAnotherProcessWaits_TheWaiterRecovers()
    {
        string name = NewName();
        using var mutex = NamedMutex.CreateNew(name);
        using var holder = Driver.Start("named-mutex-hold", name);
        holder.Expect("LOCKED");
        using var waiter = Driver.Start("named-mutex-status", name);
        waiter.Expect("WAITING");
        Thread.Sleep(200);
        holder.Kill();
        Assert.Equal(nameof(LockStatus.AcquiredAbandoned), waiter.ReadLine());
        Assert.Equal(0, waiter.WaitForExit());
        Assert.False(mutex.IsLocked);
    }

    [Fact]
    public void Lock_WhenTheOwnerIsKilled_AThrowingLockerGetsAbandonedLockExceptionWithTheLockHeld()
    {
        string name = NewName();
        using var mutex = NamedMutex.CreateNew(name);
        using (var holder = Driver.Start("named-mutex-hold", name))
        {
            holder.Expect("LOCKED");
            holder.Kill();
        }

        var e = Assert.Throws<AbandonedLockException>(() => mutex.Lock());
        Assert.Equal(InterprocessErrorCode.OwnerDead, e.ErrorCode);
        Assert.True(mutex.IsLocked);
        mutex.Unlock();
    }

    [Fact]
    public void RecursiveMutex_WhenTheOwnerProcessIsKilledHoldingItTwice_NextLockerRecoversWithCountOne()
    {
        string name = NewName();
        using var mutex = NamedRecursiveMutex.CreateNew(name);
        using (var holder = Driver.Start("named-mutex-hold", name, "recursive"))
        {
            holder.Expect("LOCKED");
            holder.Kill();
        }

        Assert.Equal(LockStatus.AcquiredAbandoned, mutex.Acquire(TimeSpan.FromSeconds(10)));
        Assert.Equal(1, mutex.RecursionCount);
        mutex.Lock();
        Assert.Equal(2, mutex.RecursionCount);
        mutex.Unlock();
        mutex.Unlock();
        Assert.False(mutex.IsLocked);
        Assert.Throws<SynchronizationLockException>(() => mutex.Unlock());
    }

    [Fact]
    public void RecursiveMutex_ReleasedByTheHolderProcess_IsTakenByAWaitingProcess()
    {
        string name = NewName();
        using var mutex = NamedRecursiveMutex.CreateNew(name);
        using var holder = Driver.Start("named-mutex-hold", name, "recursive");
        holder.Expect("LOCKED");
        using var waiter = Driver.Start("named-mutex-status", name, "recursive");
        waiter.Expect("WAITING");
        holder.Send("release");
        holder.Expect("UNLOCKED");
        Assert.Equal(nameof(LockStatus.Acquired), waiter.ReadLine());
        Assert.Equal(0, waiter.WaitForExit());
    }

    [Fact]
    public void Lock_RecursionAndForeignUnlock_AreRefused()
    {
        string name = NewName();
        using var mutex = NamedMutex.CreateNew(name);
        Assert.Throws<SynchronizationLockException>(() => mutex.Unlock());
        mutex.Lock();
        Assert.Throws<LockRecursionException>(() => mutex.Lock());
        mutex.Unlock();
    }

    [Fact]
    public void Lock_WithACanceledToken_Throws_AndTimedLockDoesNotReturnEarly()
    {
        string name = NewName();
        using var mutex = NamedMutex.CreateNew(name);
        using var holder = Driver.Start("named-mutex-hold", name);
        holder.Expect("LOCKED");
        var sw = System.Diagnostics.Stopwatch.StartNew();
        Assert.False(mutex.TryLock(TimeSpan.FromMilliseconds(100)));
        Assert.True(sw.ElapsedMilliseconds >= 99, $"a timed lock returned after {sw.ElapsedMilliseconds} ms");
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        Assert.ThrowsAny<OperationCanceledException>(() => mutex.Lock(cts.Token));
        holder.Send("release");
        holder.Expect("UNLOCKED");
        Assert.True(mutex.TryLock(TimeSpan.FromSeconds(10)));
        mutex.Unlock();
    }

    [Fact]
    public void Dispose_ThenUse_ThrowsObjectDisposed()
    {
        string name = NewName();
        var mutex = NamedMutex.CreateNew(name);
        mutex.Dispose();
        mutex.Dispose();
        Assert.Throws<ObjectDisposedException>(() => mutex.Lock());
        Assert.Throws<ObjectDisposedException>(() => mutex.TryLock());
        Assert.Throws<ObjectDisposedException>(() => _ = mutex.IsLocked);
    }

    [Fact]
    public void Dispose_WhileThisThreadHoldsTheMutex_KeepsItSafe_AndItsThreadExitAbandonsIt()
    {
        string name = NewName();
        using var mutex = NamedMutex.CreateNew(name);
        string otherName = NewName();
        using var other = NamedMutex.CreateNew(otherName);
        Exception? caught = null;
        var t = new Thread(() => caught = Record.Exception(() =>
        {
            var held = NamedMutex.OpenExisting(name);
            held.Lock();
            held.Dispose();
            // The disposed mutex is still linked in this thread's robust list: locking and unlocking another
            // lock updates that list, which would fault if the disposed mutex had been unmapped.
            other.Lock();
            other.Unlock();
        }));
        t.Start();
        Assert.True(t.Join(TimeSpan.FromSeconds(20)));
        Assert.Null(caught);
        // The thread exited holding it: the kernel marked it abandoned.
        Assert.Equal(LockStatus.AcquiredAbandoned, mutex.Acquire(TimeSpan.FromSeconds(10)));
        mutex.Unlock();
    }

    [Fact]
    public void AHeldMutexWhoseHandleIsGarbageCollected_StaysMapped_AndItsThreadExitAbandonsIt()
    {
        string name = NewName();
        using var mutex = NamedMutex.CreateNew(name);
        string otherName = NewName();
        using var other = NamedMutex.CreateNew(otherName);
        Exception? caught = null;
        var t = new Thread(() => caught = Record.Exception(() =>
        {
            LockAndDrop(name);
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            // The robust list of this thread still points into the dropped mutex's mapping.
            other.Lock();
            other.Unlock();
        }));
        t.Start();
        Assert.True(t.Join(TimeSpan.FromSeconds(20)));
        Assert.Null(caught);
        Assert.Equal(LockStatus.AcquiredAbandoned, mutex.Acquire(TimeSpan.FromSeconds(10)));
        mutex.Unlock();
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void LockAndDrop(string name) => NamedMutex.OpenExisting(name).Lock();

    [Fact]
    public void Dispose_WhileAnotherThreadWaits_DefersTheUnmapping_UntilTheWaitEnds()
    {
        string name = NewName();
        using var owner = NamedMutex.CreateNew(name);
        var shared = NamedMutex.OpenExisting(name);
        owner.Lock();
        LockStatus status = LockStatus.NotAcquired;
        Exception? afterDispose = null;
        var waiter = new Thread(() =>
        {
            status = shared.Acquire(TimeSpan.FromSeconds(20));
            afterDispose = Record.Exception(() => shared.Unlock());
        });
        waiter.Start();
        Thread.Sleep(100);
        shared.Dispose(); // the waiter is inside Acquire: the mapping must stay until it returns
        owner.Unlock();
        Assert.True(waiter.Join(TimeSpan.FromSeconds(20)));
        Assert.Equal(LockStatus.Acquired, status);
        Assert.IsType<ObjectDisposedException>(afterDispose);
        // The waiter's thread ended holding the mutex through a disposed handle: it is abandoned, not lost.
        Assert.Equal(LockStatus.AcquiredAbandoned, owner.Acquire(TimeSpan.FromSeconds(10)));
        owner.Unlock();
    }
}
