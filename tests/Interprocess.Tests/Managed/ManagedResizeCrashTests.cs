using System.Buffers.Binary;
using Interprocess.Managed;
using Interprocess.Memory;
using Interprocess.Tests.Infrastructure;

namespace Interprocess.Tests.Managed;

/// <summary>
/// Offline Grow / ShrinkToFit killed (SIGKILL) at each of their steps, in a child process stopped there by the
/// resize test hook: the next opener finds a consistent segment, rolled forward or back.
/// </summary>
public sealed unsafe class ManagedResizeCrashTests : IDisposable
{
    private const long SegmentSize = 1L << 20;
    private const long Extra = 1L << 20;
    private const int StateResizing = 0x5A495352; // "RSIZ"

    private readonly string _name = UniqueName.New("resize");
    private readonly string _path = Path.Combine(Path.GetTempPath(), UniqueName.New("resize") + ".seg");

    /// <summary>Whether the segment holds only "point" (otherwise also "numbers").</summary>
    private bool _small;

    public void Dispose()
    {
        ManagedSharedMemory.Remove(_name);
        File.Delete(_path);
    }

    /// <summary>Kind, step, whether the grow is completed (true) or rolled back, whether the heap's last block is in use.</summary>
    public static TheoryData<string, string, bool, bool> GrowKills()
    {
        var data = new TheoryData<string, string, bool, bool>();
        foreach (string kind in new[] { "shm", "file" })
        {
            data.Add(kind, "grow-journaled", false, false);
            data.Add(kind, "grow-truncated", true, false);
            data.Add(kind, "grow-end-sentinel", true, false);
            data.Add(kind, "grow-end-linked", true, false);
            data.Add(kind, "grow-heap-rebuilt", true, false);
            data.Add(kind, "grow-header-written", true, false);
            // The last block allocated: the new bytes do not merge with a free block.
            data.Add(kind, "grow-end-sentinel", true, true);
            data.Add(kind, "grow-end-linked", true, true);
        }

        return data;
    }

    /// <summary>Kind, step, whether the free block at the end is cut (the segment keeps its minimum size) rather than removed whole.</summary>
    public static TheoryData<string, string, bool> ShrinkKills()
    {
        var data = new TheoryData<string, string, bool>();
        foreach (string kind in new[] { "shm", "file" })
        {
            foreach (string step in new[] { "shrink-journaled", "shrink-end-sentinel", "shrink-end-cut", "shrink-heap-rebuilt", "shrink-header-written", "shrink-truncated" })
            {
                data.Add(kind, step, false);
            }

            data.Add(kind, "shrink-end-sentinel", true);
            data.Add(kind, "shrink-end-cut", true);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(GrowKills))]
    public void Grow_KilledAtAStep_TheNextOpenerFindsAConsistentSegment(string kind, string step, bool completed, bool lastBlockInUse)
    {
        Create(kind, small: false);
        if (lastBlockInUse)
        {
            ShrinkToFit(kind);
        }

        var (size0, free0) = SizeAndFree(kind);
        KillAt(kind, "grow", step, Extra);

        // The segment says "resizing" and the object is never smaller than the header says.
        var (state, headerSize) = RawHeader(kind);
        Assert.Equal(StateResizing, state);
        Assert.True(headerSize <= ObjectSize(kind), $"header {headerSize} > object {ObjectSize(kind)}");
        Assert.Equal(completed ? size0 + Extra : size0, ObjectSize(kind));

        // A read-only opener cannot complete it and says so; a read-write opener does.
        var e = Assert.Throws<InterprocessException>(() => OpenReadOnly(kind).Dispose());
        Assert.Equal(InterprocessErrorCode.Corrupted, e.ErrorCode);
        Assert.Contains("offline Grow", e.Message);

        long expectedSize = completed ? size0 + Extra : size0;
        using (var owner = Open(kind, out var m))
        {
            AssertConsistent(m, expectedSize, free0 + (expectedSize - size0));
            Assert.Equal(completed, m.TryAllocate(Extra - 64, out long big));
            if (completed)
            {
                m.GetSpan(big, (int)(Extra - 64)).Fill(0xAB);
                m.Deallocate(big);
            }

            Assert.True(m.CheckSanity(out var problems), string.Join("; ", problems));
        }

        Assert.Equal(expectedSize, RawHeader(kind).Size);
        AssertUsableAfterwards(kind, expectedSize);
    }

    [Theory]
    [MemberData(nameof(ShrinkKills))]
    public void ShrinkToFit_KilledAtAStep_TheNextOpenerFindsAConsistentSegment(string kind, string step, bool cut)
    {
        Create(kind, small: cut);
        var (size0, free0) = SizeAndFree(kind);
        KillAt(kind, "shrink", step, 0);

        var (state, headerSize) = RawHeader(kind);
        Assert.Equal(StateResizing, state);
        long objectSize = ObjectSize(kind);
        Assert.True(headerSize <= objectSize, $"header {headerSize} > object {objectSize}");
        Assert.Equal(step == "shrink-truncated" ? headerSize : size0, objectSize);

        long shrunk;
        using (var owner = Open(kind, out var m))
        {
            shrunk = m.Size;
            Assert.True(shrunk < size0, $"not shrunk: {shrunk}");
            if (cut)
            {
                Assert.Equal(SegmentHeader.MinimumSegmentSize, shrunk);
            }

            AssertConsistent(m, shrunk, free0 - (size0 - shrunk));
            Assert.False(m.TryAllocate(64 * 1024, out _));
            long h = m.Allocate(16);
            m.Deallocate(h);
        }

        // Nothing is left to cut, but the object is cut to the segment if the kill came before it was.
        Assert.Equal(shrunk, ShrinkToFit(kind));
        Assert.Equal(shrunk, ObjectSize(kind));
        AssertUsableAfterwards(kind, shrunk);
    }

    [Fact]
    public void OpenersWaitForALiveResizer_ThenFailBusy_AndSucceedOnceItIsKilled()
    {
        Create("shm", small: false);
        using (var d = Driver.Start("managed-resize-stop", "shm", "grow", _name, "grow-end-linked", Extra.ToString(System.Globalization.CultureInfo.InvariantCulture)))
        {
            d.Expect("AT grow-end-linked");
            var started = System.Diagnostics.Stopwatch.StartNew();
            var e = Assert.Throws<InterprocessException>(() => ManagedSharedMemory.OpenExisting(_name, TimeSpan.FromMilliseconds(300)));
            Assert.Equal(InterprocessErrorCode.Busy, e.ErrorCode);
            Assert.True(started.Elapsed >= TimeSpan.FromMilliseconds(300), $"returned after {started.Elapsed}");
            Assert.Contains($"by process {d.Pid}", e.Message);
            Assert.Equal(InterprocessErrorCode.Busy, Assert.Throws<InterprocessException>(() => ManagedSharedMemory.Grow(_name, Extra)).ErrorCode);
            d.Kill();
        }

        using var seg = ManagedSharedMemory.OpenExisting(_name, TimeSpan.FromMilliseconds(300));
        Assert.Equal(SegmentSize + Extra, seg.Manager.Size);
        Assert.True(seg.Manager.CheckSanity(out var problems), string.Join("; ", problems));
    }

    [Fact]
    public void AnInterruptedGrow_SeenThroughAMappingOfTheOldSize_IsRolledBack()
    {
        Create("shm", small: false);
        var (size0, free0) = SizeAndFree("shm");
        KillAt("shm", "grow", "grow-heap-rebuilt", Extra);
        Assert.Equal(size0 + Extra, ObjectSize("shm"));

        // Only the old size is mapped: the new bytes are out of reach, so the grow is undone.
        using (var shm = SharedMemoryObject.OpenExisting(_name))
        using (var region = new MappedRegion(shm, size: size0))
        using (var buffer = ManagedExternalBuffer.Open(region.Address, size0))
        {
            AssertConsistent(buffer.Manager, size0, free0);
        }

        // The object stays larger than the segment, which opens; ShrinkToFit cuts it.
        using (var seg = ManagedSharedMemory.OpenExisting(_name))
        {
            Assert.Equal(size0, seg.Manager.Size);
        }

        Assert.Equal(size0 + Extra, ObjectSize("shm"));
        long shrunk = ManagedSharedMemory.ShrinkToFit(_name);
        Assert.Equal(shrunk, ObjectSize("shm"));
    }

    [Theory]
    [InlineData("grow-end-linked", false)]
    [InlineData("grow-header-written", false)]
    [InlineData("shrink-end-cut", false)]
    [InlineData("shrink-header-written", true)]
    public void Repair_InAProcessThatHadTheSegmentOpen_CompletesTheInterruptedResize(string step, bool forward)
    {
        Create("shm", small: false);
        var (size0, free0) = SizeAndFree("shm");
        using var seg = ManagedSharedMemory.OpenExisting(_name);
        var m = seg.Manager;
        bool grow = step.StartsWith("grow", StringComparison.Ordinal);
        KillAt("shm", grow ? "grow" : "shrink", step, Extra);

        Assert.False(m.CheckSanity(out var problems));
        Assert.Contains(problems, p => p.Contains(grow ? "offline Grow" : "offline ShrinkToFit", StringComparison.Ordinal));
        string report = m.Repair();

        // This process maps the old size and has the old heap bounds: the resize is rolled back, unless the
        // header already records a smaller size (then the object may be cut, and only forward is safe).
        Assert.Contains(forward ? "rolled forward" : "rolled back", report);
        long expected = m.Size;
        Assert.Equal(forward, expected < size0);
        AssertConsistent(m, expected, free0 - (size0 - expected));
        long h = m.Allocate(64);
        m.Deallocate(h);
        using var again = ManagedSharedMemory.OpenExisting(_name);
        Assert.Equal(expected, again.Manager.Size);
        Assert.True(again.Manager.CheckSanity(out problems), string.Join("; ", problems));
    }

    private void Create(string kind, bool small)
    {
        _small = small;
        using var owner = kind == "shm"
            ? (IDisposable)ManagedSharedMemory.CreateNew(_name, SegmentSize)
            : ManagedMappedFile.CreateNew(_path, SegmentSize);
        var m = kind == "shm" ? ((ManagedSharedMemory)owner).Manager : ((ManagedMappedFile)owner).Manager;
        m.Construct("point", 12345L);
        if (small)
        {
            return;
        }

        m.ConstructArray<long>("numbers", Enumerable.Range(0, 1000).Select(i => i * 7L).ToArray());
        // Holes in the heap: every other raw block freed.
        var blocks = Enumerable.Range(0, 20).Select(i => m.Allocate(100 + (i * 40))).ToList();
        for (int i = 0; i < blocks.Count; i += 2)
        {
            m.Deallocate(blocks[i]);
        }
    }

    private IDisposable Open(string kind, out SegmentManager manager)
    {
        if (kind == "shm")
        {
            var s = ManagedSharedMemory.OpenExisting(_name, TimeSpan.FromSeconds(10));
            manager = s.Manager;
            return s;
        }

        var f = ManagedMappedFile.OpenExisting(_path, TimeSpan.FromSeconds(10));
        manager = f.Manager;
        return f;
    }

    private IDisposable OpenReadOnly(string kind) =>
        kind == "shm" ? ManagedSharedMemory.OpenReadOnly(_name, TimeSpan.FromSeconds(10)) : ManagedMappedFile.OpenReadOnly(_path, TimeSpan.FromSeconds(10));

    private long ShrinkToFit(string kind) => kind == "shm" ? ManagedSharedMemory.ShrinkToFit(_name) : ManagedMappedFile.ShrinkToFit(_path);

    private long Grow(string kind, long extra) => kind == "shm" ? ManagedSharedMemory.Grow(_name, extra) : ManagedMappedFile.Grow(_path, extra);

    private (long Size, long Free) SizeAndFree(string kind)
    {
        using var owner = Open(kind, out var m);
        Assert.True(m.CheckSanity(out var problems), string.Join("; ", problems));
        return (m.Size, m.GetFreeMemory());
    }

    private long ObjectSize(string kind)
    {
        if (kind == "file")
        {
            return new FileInfo(_path).Length;
        }

        using var shm = SharedMemoryObject.OpenExisting(_name);
        return shm.Size;
    }

    /// <summary>The state word and the recorded size, read as bytes (without opening the segment).</summary>
    private (int State, long Size) RawHeader(string kind)
    {
        var bytes = new byte[32];
        string path = kind == "file" ? _path : Path.Combine("/dev/shm", _name);
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            stream.ReadExactly(bytes);
        }

        return (BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8)), BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(24)));
    }

    /// <summary>Runs the resize in a child, stops it at <paramref name="step"/> and kills it (SIGKILL).</summary>
    private void KillAt(string kind, string op, string step, long extra)
    {
        using var d = Driver.Start("managed-resize-stop", kind, op, kind == "shm" ? _name : _path, step, extra.ToString(System.Globalization.CultureInfo.InvariantCulture));
        d.Expect("AT " + step);
        d.Kill();
    }

    /// <summary>The heap walks and its lists and counters agree, the sizes and free memory are the expected ones, and the objects are intact.</summary>
    private void AssertConsistent(SegmentManager m, long expectedSize, long expectedFree)
    {
        Assert.True(m.CheckSanity(out var problems), string.Join("; ", problems));
        Assert.Equal(expectedSize, m.Size);
        Assert.Equal(expectedFree, m.GetFreeMemory());
        Assert.Equal(12345L, m.Find<long>("point").Value);
        Assert.Equal(_small ? 1 : 2, m.NamedObjectCount);
        if (!_small)
        {
            Assert.Equal(Enumerable.Range(0, 1000).Select(i => i * 7L).ToArray(), m.Find<long>("numbers").AsSpan().ToArray());
        }
    }

    /// <summary>After recovery the segment resizes again, and its objects survive that too.</summary>
    private void AssertUsableAfterwards(string kind, long size)
    {
        Assert.Equal(size + Extra, Grow(kind, Extra));
        using (var owner = Open(kind, out var m))
        {
            Assert.Equal(size + Extra, m.Size);
            long big = m.Allocate(Extra - 64);
            m.Deallocate(big);
            Assert.Equal(12345L, m.Find<long>("point").Value);
            Assert.True(m.CheckSanity(out var problems), string.Join("; ", problems));
        }

        long shrunk = ShrinkToFit(kind);
        Assert.Equal(shrunk, ObjectSize(kind));
        using (var ro = OpenReadOnly(kind))
        {
        }
    }
}
