using System.Diagnostics;
using System.Globalization;
using Interprocess.Managed;
using Interprocess.Memory;
using Interprocess.Tests.Infrastructure;

namespace Interprocess.Tests.Managed;

/// <summary>ManagedSharedMemory: modes, other processes, foreign and damaged objects, interrupted creation.</summary>
public sealed class ManagedSharedMemoryTests : IDisposable
{
    private const long SegmentSize = 1L << 20;
    private readonly string _name = UniqueName.New("managed");

    public void Dispose() => ManagedSharedMemory.Remove(_name);

    [Fact]
    public void CreateNew_ThenOpenExisting_SeesTheSameObjects()
    {
        using var a = ManagedSharedMemory.CreateNew(_name, SegmentSize);
        Assert.True(a.Created);
        a.Manager.Construct("v", 5L);
        using var b = ManagedSharedMemory.OpenExisting(_name);
        Assert.False(b.Created);
        Assert.Equal(SegmentSize, b.Manager.Size);
        ref long v = ref b.Manager.Find<long>("v").Value;
        v = 6;
        Assert.Equal(6, a.Manager.Find<long>("v").Value);
        Assert.True(b.Manager.CheckSanity());
    }

    [Fact]
    public void TheChosenAlgorithm_IsRecorded_AndUsedByEveryOpener()
    {
        using var a = ManagedSharedMemory.CreateNew(_name, SegmentSize, options: new ManagedSegmentOptions { Algorithm = AllocationAlgorithm.SequentialFit });
        Assert.Equal(AllocationAlgorithm.SequentialFit, a.Manager.Algorithm);
        a.Manager.Construct("seq", 5L);
        using var b = ManagedSharedMemory.OpenOrCreate(_name, SegmentSize, options: ManagedSegmentOptions.Default);
        Assert.False(b.Created);
        Assert.Equal(AllocationAlgorithm.SequentialFit, b.Manager.Algorithm);
        Assert.Equal(NameIndexKind.Hash, b.Manager.IndexKind);
        var (code, lines) = Driver.Run("managed-construct", _name, "from-child", "1");
        Assert.Equal(0, code);
        Assert.Single(lines);
        Assert.Equal(1, a.Manager.Find<long>("from-child").Value);
        Assert.Equal(5, b.Manager.Find<long>("seq").Value);
        Assert.True(a.Manager.CheckSanity(out var problems), string.Join("; ", problems));
    }

    [Fact]
    public void NoIndex_HoldsRawMemoryAndAnonymousObjects_AndRefusesNames()
    {
        using var a = ManagedSharedMemory.CreateNew(_name, SegmentSize, options: new ManagedSegmentOptions { Index = NameIndexKind.None });
        var m = a.Manager;
        Assert.Equal(NameIndexKind.None, m.IndexKind);
        var anon = m.ConstructAnonymous(3L);
        Assert.Throws<NotSupportedException>(() => m.Construct("x", 1));
        Assert.Throws<NotSupportedException>(() => m.Find<int>("x"));
        Assert.Throws<NotSupportedException>(() => m.ConstructUnique(1));
        Assert.Equal(0, m.NamedObjectCount);
        using var b = ManagedSharedMemory.OpenExisting(_name);
        Assert.Equal(3, b.Manager.GetObject<long>(anon.Handle).Value);
        b.Manager.Destroy(anon);
        Assert.True(m.AllMemoryDeallocated());
        Assert.True(m.CheckSanity());
    }

    [Fact]
    public void GrowAndShrinkToFit_Offline_KeepTheObjects()
    {
        using (var a = ManagedSharedMemory.CreateNew(_name, SegmentSize))
        {
            a.Manager.ConstructArray("data", 1000, 9L);
        }

        Assert.Equal(3 * SegmentSize, ManagedSharedMemory.Grow(_name, 2 * SegmentSize));
        using (var b = ManagedSharedMemory.OpenExisting(_name))
        {
            Assert.Equal(3 * SegmentSize, b.Manager.Size);
            Assert.Equal(1000, b.Manager.Find<long>("data").Count);
            long big = b.Manager.Allocate(2 * SegmentSize);
            b.Manager.Deallocate(big);
            Assert.True(b.Manager.CheckSanity(out var problems), string.Join("; ", problems));
        }

        long small = ManagedSharedMemory.ShrinkToFit(_name);
        Assert.True(small < SegmentSize, $"shrunk to {small}");
        using (var shm = SharedMemoryObject.OpenExisting(_name))
        {
            Assert.Equal(small, shm.Size);
        }

        using (var c = ManagedSharedMemory.OpenExisting(_name))
        {
            Assert.Equal(small, c.Manager.Size);
            Assert.Equal(9, c.Manager.Find<long>("data").AsSpan()[999]);
            Assert.True(c.Manager.CheckSanity(out var problems), string.Join("; ", problems));
            Assert.False(c.Manager.TryAllocate(64 * 1024, out _));
        }

        Assert.Equal(small, ManagedSharedMemory.ShrinkToFit(_name));
        Assert.Throws<ArgumentOutOfRangeException>(() => ManagedSharedMemory.Grow(_name, 10));
    }

    [Fact]
    public void CreateNew_WhenItExists_ThrowsAlreadyExists()
    {
        using var a = ManagedSharedMemory.CreateNew(_name, SegmentSize);
        var e = Assert.Throws<InterprocessException>(() => ManagedSharedMemory.CreateNew(_name, SegmentSize));
        Assert.Equal(InterprocessErrorCode.AlreadyExists, e.ErrorCode);
    }

    [Fact]
    public void OpenExisting_WhenMissing_ThrowsNotFound()
    {
        var e = Assert.Throws<InterprocessException>(() => ManagedSharedMemory.OpenExisting(_name));
        Assert.Equal(InterprocessErrorCode.NotFound, e.ErrorCode);
    }

    [Fact]
    public void OpenOrCreate_CreatesOnce_ThenOpens()
    {
        using var a = ManagedSharedMemory.OpenOrCreate(_name, SegmentSize);
        Assert.True(a.Created);
        a.Manager.Construct("x", 1);
        using var b = ManagedSharedMemory.OpenOrCreate(_name, SegmentSize * 2);
        Assert.False(b.Created);
        Assert.Equal(SegmentSize, b.Manager.Size);
        Assert.Equal(1, b.Manager.Find<int>("x").Value);
    }

    [Fact]
    public void CreateNew_AppliesPermissions()
    {
        using var a = ManagedSharedMemory.CreateNew(_name, SegmentSize, Permissions.FromOctal("640"));
        using var shm = SharedMemoryObject.OpenExisting(_name);
        Assert.Equal(Permissions.FromOctal("640"), shm.Permissions);
        using var b = ManagedSharedMemory.CreateNew(_name + "d", SegmentSize);
        try
        {
            using var shm2 = SharedMemoryObject.OpenExisting(_name + "d");
            Assert.Equal(Permissions.OwnerOnly, shm2.Permissions);
        }
        finally
        {
            ManagedSharedMemory.Remove(_name + "d");
        }
    }

    [Fact]
    public void OpenReadOnly_Finds_ButRefusesChanges()
    {
        using (var a = ManagedSharedMemory.CreateNew(_name, SegmentSize))
        {
            a.Manager.ConstructArray("arr", 3, 7);
        }

        using var r = ManagedSharedMemory.OpenReadOnly(_name);
        Assert.True(r.Manager.IsReadOnly);
        Assert.Equal(AccessMode.ReadOnly, r.Access);
        Assert.Equal(3, r.Manager.Find<int>("arr").Count);
        Assert.Equal(7, r.Manager.Find<int>("arr").AsSpan()[2]);
        Assert.Single(r.Manager.GetNamedObjects());
        Assert.True(r.Manager.CheckSanity());
        Assert.Throws<NotSupportedException>(() => r.Manager.Construct("y", 1));
        Assert.Throws<NotSupportedException>(() => r.Manager.Allocate(10));
        Assert.Throws<NotSupportedException>(() => r.Manager.Destroy<int>("arr"));
        Assert.Throws<NotSupportedException>(() => r.Manager.AtomicFunc(() => { }));
    }

    [Fact]
    public void OpenCopyOnWrite_ChangesStayPrivate()
    {
        using var a = ManagedSharedMemory.CreateNew(_name, SegmentSize);
        a.Manager.Construct("v", 1L);
        using (var c = ManagedSharedMemory.OpenCopyOnWrite(_name))
        {
            c.Manager.Find<long>("v").Value = 100;
            c.Manager.Construct("private", 2L);
            Assert.Equal(100, c.Manager.Find<long>("v").Value);
            Assert.True(c.Manager.CheckSanity());
        }

        Assert.Equal(1, a.Manager.Find<long>("v").Value);
        Assert.True(a.Manager.Find<long>("private").IsNull);
    }

    [Fact]
    public void AnotherProcess_FindsWhatThisOneConstructed_AndTheOtherWayRound()
    {
        using var a = ManagedSharedMemory.CreateNew(_name, SegmentSize);
        a.Manager.Construct("from-parent", 1234L);
        var (code, lines) = Driver.Run("managed-find", _name, "from-parent");
        Assert.Equal(0, code);
        Assert.Equal(["VALUE 1234"], lines);

        (code, lines) = Driver.Run("managed-construct", _name, "from-child", "77");
        Assert.Equal(0, code);
        Assert.Equal(77, a.Manager.Find<long>("from-child").Value);
        long handle = long.Parse(lines.Single().Split(' ')[1], CultureInfo.InvariantCulture);
        var anon = a.Manager.GetObject<long>(handle);
        Assert.Equal(78, anon.Value);
        a.Manager.Destroy(anon);
        Assert.True(a.Manager.CheckSanity());
    }

    [Fact]
    public void AnotherProcess_LookingUpWithTheWrongType_GetsAClearError()
    {
        using var a = ManagedSharedMemory.CreateNew(_name, SegmentSize);
        a.Manager.Construct("typed", 1L);
        var (code, lines) = Driver.Run("managed-find-int", _name, "typed");
        Assert.NotEqual(0, code);
        string line = Assert.Single(lines);
        Assert.StartsWith("EXCEPTION InvalidCastException", line, StringComparison.Ordinal);
        Assert.Contains("System.Int64", line, StringComparison.Ordinal);
        Assert.Contains("System.Int32", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_ForeignObject_IsRefusedAsCorrupted()
    {
        using (var shm = SharedMemoryObject.CreateNew(_name, SegmentSize))
        using (var region = new MappedRegion(shm))
        {
            new Random(5).NextBytes(region.GetSpan(0, 65536));
        }

        var e = Assert.Throws<InterprocessException>(() => ManagedSharedMemory.OpenExisting(_name));
        Assert.Equal(InterprocessErrorCode.Corrupted, e.ErrorCode);
        Assert.Contains("not a managed segment", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_TruncatedObject_IsRefusedAsCorrupted()
    {
        using (var a = ManagedSharedMemory.CreateNew(_name, SegmentSize))
        {
            a.Manager.Construct("x", 1);
        }

        using (var shm = SharedMemoryObject.OpenExisting(_name))
        {
            shm.Truncate(SegmentSize / 2);
        }

        var e = Assert.Throws<InterprocessException>(() => ManagedSharedMemory.OpenExisting(_name));
        Assert.Equal(InterprocessErrorCode.Corrupted, e.ErrorCode);
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);

        using (var shm = SharedMemoryObject.OpenExisting(_name))
        {
            shm.Truncate(100);
        }

        e = Assert.Throws<InterprocessException>(() => ManagedSharedMemory.OpenExisting(_name));
        Assert.Equal(InterprocessErrorCode.Corrupted, e.ErrorCode);
    }

    [Theory]
    [InlineData(16, 2, "layout version")] // LayoutVersion
    [InlineData(32, 99, "allocation algorithm")] // Algorithm
    [InlineData(36, 99, "index kind")] // IndexKind
    [InlineData(40, 4096, "heap bounds")] // HeapOffset
    [InlineData(8, 0x1234, "state word")] // State
    public void Open_DamagedHeaderField_IsRefusedAsCorrupted(int offset, int value, string expected)
    {
        using (ManagedSharedMemory.CreateNew(_name, SegmentSize))
        {
        }

        using (var shm = SharedMemoryObject.OpenExisting(_name))
        using (var region = new MappedRegion(shm))
        {
            if (offset == 40)
            {
                region.Write(offset, (long)value);
            }
            else
            {
                region.Write(offset, value);
            }
        }

        var e = Assert.Throws<InterprocessException>(() => ManagedSharedMemory.OpenExisting(_name, TimeSpan.Zero));
        Assert.Equal(InterprocessErrorCode.Corrupted, e.ErrorCode);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_DamagedIndexTable_IsRefusedAsCorrupted()
    {
        using (var a = ManagedSharedMemory.CreateNew(_name, SegmentSize))
        {
            a.Manager.Construct("x", 1);
        }

        using (var shm = SharedMemoryObject.OpenExisting(_name))
        using (var region = new MappedRegion(shm))
        {
            region.Write(SegmentHeader.IndexStateOffset, SegmentSize * 4);
        }

        var e = Assert.Throws<InterprocessException>(() => ManagedSharedMemory.OpenExisting(_name));
        Assert.Equal(InterprocessErrorCode.Corrupted, e.ErrorCode);
    }

    [Fact]
    public void Open_ZeroFilledObject_WaitsTheTimeout_ThenReportsIncomplete()
    {
        using (SharedMemoryObject.CreateNew(_name, SegmentSize))
        {
        }

        var sw = Stopwatch.StartNew();
        var e = Assert.Throws<InterprocessException>(() => ManagedSharedMemory.OpenExisting(_name, TimeSpan.FromMilliseconds(200)));
        Assert.True(sw.ElapsedMilliseconds >= 199, $"gave up after {sw.ElapsedMilliseconds} ms, before the 200 ms timeout");
        Assert.Equal(InterprocessErrorCode.Corrupted, e.ErrorCode);
        Assert.Contains("incomplete", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_EmptyObject_ReportsIncomplete()
    {
        using (SharedMemoryObject.CreateNew(_name))
        {
        }

        var e = Assert.Throws<InterprocessException>(() => ManagedSharedMemory.OpenExisting(_name, TimeSpan.FromMilliseconds(50)));
        Assert.Equal(InterprocessErrorCode.Corrupted, e.ErrorCode);
        Assert.Contains("incomplete", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_HeaderLeftInitializingByALiveCreator_ReportsIncompleteAfterTheTimeout()
    {
        WriteInitializingHeader(Environment.ProcessId);
        var sw = Stopwatch.StartNew();
        var e = Assert.Throws<InterprocessException>(() => ManagedSharedMemory.OpenExisting(_name, TimeSpan.FromMilliseconds(300)));
        Assert.True(sw.ElapsedMilliseconds >= 299, $"gave up after {sw.ElapsedMilliseconds} ms");
        Assert.Equal(InterprocessErrorCode.Corrupted, e.ErrorCode);
        Assert.Contains("incomplete or corrupted", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_HeaderLeftInitializingByADeadCreator_ReportsIncompleteAtOnce_AndCanBeRecreated()
    {
        // A pid that surely does not exist: a finished child's.
        using var p = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        p.WaitForExit();
        WriteInitializingHeader(p.Id);
        var e = Assert.Throws<InterprocessException>(() => ManagedSharedMemory.OpenExisting(_name, TimeSpan.FromSeconds(60)));
        Assert.Equal(InterprocessErrorCode.Corrupted, e.ErrorCode);
        Assert.Contains("died during initialization", e.Message, StringComparison.Ordinal);
        Assert.Throws<InterprocessException>(() => ManagedSharedMemory.OpenOrCreate(_name, SegmentSize, initializationTimeout: TimeSpan.FromSeconds(60)));

        Assert.True(ManagedSharedMemory.Remove(_name));
        using var fresh = ManagedSharedMemory.CreateNew(_name, SegmentSize);
        fresh.Manager.Construct("ok", 1);
        Assert.True(fresh.Manager.CheckSanity());
    }

    [Fact]
    public void CreatorKilledDuringInitialization_OpenersGetIncomplete_AndTheSegmentCanBeRecreated()
    {
        using (var creator = Driver.Start("managed-create-hang", _name, SegmentSize.ToString(CultureInfo.InvariantCulture)))
        {
            creator.Expect("INITIALIZING");
            // While the creator lives, an opener waits its timeout and gives up.
            var e = Assert.Throws<InterprocessException>(() => ManagedSharedMemory.OpenExisting(_name, TimeSpan.FromMilliseconds(100)));
            Assert.Contains("incomplete", e.Message, StringComparison.Ordinal);
            creator.Kill();
            creator.WaitForExit();
        }

        var sw = Stopwatch.StartNew();
        var dead = Assert.Throws<InterprocessException>(() => ManagedSharedMemory.OpenExisting(_name, TimeSpan.FromSeconds(60)));
        Assert.Equal(InterprocessErrorCode.Corrupted, dead.ErrorCode);
        Assert.Contains("died during initialization", dead.Message, StringComparison.Ordinal);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(30), "the opener waited for a creator known to be dead");
        var (code, lines) = Driver.Run("managed-open", _name, "60000");
        Assert.NotEqual(0, code);
        Assert.Contains("died during initialization", Assert.Single(lines), StringComparison.Ordinal);

        Assert.True(ManagedSharedMemory.Remove(_name));
        using var fresh = ManagedSharedMemory.CreateNew(_name, SegmentSize);
        fresh.Manager.Construct("ok", 1);
        (code, lines) = Driver.Run("managed-open", _name, "1000");
        Assert.Equal(0, code);
        Assert.Equal(["OPENED"], lines);
    }

    [Fact]
    public void BadArguments_AreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ManagedSharedMemory.CreateNew(_name, 100));
        Assert.False(SharedMemoryObject.Exists(_name));
        Assert.Throws<ArgumentException>(() => ManagedSharedMemory.CreateNew("bad/name", SegmentSize));
        Assert.Throws<ArgumentOutOfRangeException>(() => ManagedSharedMemory.OpenOrCreate(_name, -5));
    }

    [Fact]
    public void Dispose_ThenUse_ThrowsObjectDisposed()
    {
        var a = ManagedSharedMemory.CreateNew(_name, SegmentSize);
        var m = a.Manager;
        a.Dispose();
        Assert.Throws<ObjectDisposedException>(() => m.Construct("x", 1));
        Assert.Throws<ObjectDisposedException>(() => m.GetFreeMemory());
    }

    private void WriteInitializingHeader(int pid)
    {
        using var shm = SharedMemoryObject.CreateNew(_name, SegmentSize);
        using var region = new MappedRegion(shm);
        region.Write(12, pid); // CreatorPid
        region.Write(8, 0x54494E49); // State = "INIT"
    }
}
