using System.Runtime.InteropServices;
using Interprocess.Managed;
using Interprocess.Synchronization;

namespace Interprocess.Tests.Managed;

/// <summary>
/// The segment manager in one process (over heap memory): raw memory, objects, checks. Run once per
/// allocation algorithm (<see cref="TlsfSegmentManagerTests"/>, <see cref="SequentialFitSegmentManagerTests"/>).
/// </summary>
public abstract unsafe class SegmentManagerTests : IDisposable
{
    private const long SegmentSize = 4L << 20;
    private readonly ManagedHeapMemory _heap;
    private readonly AllocationAlgorithm _algorithm;
    private readonly NameIndexKind _index;

    protected SegmentManagerTests(AllocationAlgorithm algorithm, NameIndexKind index = NameIndexKind.Hash)
    {
        _algorithm = algorithm;
        _index = index;
        _heap = new ManagedHeapMemory(SegmentSize, new ManagedSegmentOptions { Algorithm = algorithm, Index = index });
    }

    protected SegmentManager M => _heap.Manager;

    public void Dispose()
    {
        _heap.Dispose();
        GC.SuppressFinalize(this);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Point
    {
        public int X;
        public int Y;
    }

    [Fact]
    public void NewSegment_IsEmpty_Sane_AndRecordsItsChoices()
    {
        Assert.Equal(SegmentSize, M.Size);
        Assert.True(M.AllMemoryDeallocated());
        Assert.True(M.CheckSanity(out var problems), string.Join("; ", problems));
        Assert.Equal(_algorithm, M.Algorithm);
        Assert.Equal(_index, M.IndexKind);
        Assert.InRange(M.GetFreeMemory(), SegmentSize - 12 * 1024, SegmentSize);
        Assert.Equal(0, M.NamedObjectCount);
    }

    [Fact]
    public void Allocate_ThenDeallocate_RestoresFreeMemory()
    {
        long free = M.GetFreeMemory();
        long h = M.Allocate(100);
        Assert.True(M.GetFreeMemory() <= free - 100);
        Assert.False(M.AllMemoryDeallocated());
        Assert.Equal(0, h % 16);
        Assert.True(M.GetBlockSize(h) >= 100);
        M.GetSpan(h, 100).Fill(0x5A);
        M.Deallocate(h);
        Assert.Equal(free, M.GetFreeMemory());
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void Allocate_ZeroBytes_GivesAUsableBlock()
    {
        long h = M.Allocate(0);
        Assert.True(M.GetBlockSize(h) >= 0);
        M.Deallocate(h);
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void Allocate_MoreThanTheSegment_ThrowsOutOfMemory_AndTryAllocateReturnsFalse()
    {
        var e = Assert.Throws<InterprocessException>(() => M.Allocate(SegmentSize));
        Assert.Equal(InterprocessErrorCode.OutOfMemory, e.ErrorCode);
        Assert.False(M.TryAllocate(SegmentSize * 2, out long h));
        Assert.Equal(0, h);
        Assert.Throws<ArgumentOutOfRangeException>(() => M.Allocate(-1));
        Assert.True(M.CheckSanity());
    }

    [Fact]
    public void Allocate_UntilFull_ThenFreeAll_LeavesOneFreeHeap()
    {
        // Boost's allocexcept / memory_algorithm_test: exhaust, free everything, everything is free again.
        long free = M.GetFreeMemory();
        var handles = new List<long>();
        while (M.TryAllocate(1000, out long h))
        {
            handles.Add(h);
        }

        Assert.True(handles.Count > (SegmentSize / 1100));
        Assert.Throws<InterprocessException>(() => M.Allocate(1000));
        Assert.True(M.CheckSanity());
        // free every other one first: the rest must coalesce into one block
        for (int i = 0; i < handles.Count; i += 2)
        {
            M.Deallocate(handles[i]);
        }

        for (int i = 1; i < handles.Count; i += 2)
        {
            M.Deallocate(handles[i]);
        }

        Assert.True(M.AllMemoryDeallocated());
        Assert.Equal(free, M.GetFreeMemory());
        Assert.True(M.CheckSanity());
        // the whole heap is one block again
        long big = M.Allocate(free - 64);
        M.Deallocate(big);
    }

    [Fact]
    public void RandomAllocations_NeverOverlap_AndTheHeapStaysSane()
    {
        var rng = new Random(1234);
        var live = new List<(long Handle, int Size, byte Tag)>();
        for (int i = 0; i < 20000; i++)
        {
            if (live.Count == 0 || rng.Next(3) != 0)
            {
                int size = rng.Next(1, 3000);
                if (M.TryAllocate(size, out long h))
                {
                    byte tag = (byte)rng.Next(256);
                    M.GetSpan(h, size).Fill(tag);
                    live.Add((h, size, tag));
                }
            }
            else
            {
                int k = rng.Next(live.Count);
                var (h, size, tag) = live[k];
                Assert.True(M.GetSpan(h, size).IndexOfAnyExcept(tag) < 0, "a block was overwritten by another allocation");
                M.Deallocate(h);
                live[k] = live[^1];
                live.RemoveAt(live.Count - 1);
            }

            if (i % 2000 == 0)
            {
                Assert.True(M.CheckSanity(out var problems), string.Join("; ", problems));
            }
        }

        foreach (var (h, size, tag) in live)
        {
            Assert.True(M.GetSpan(h, size).IndexOfAnyExcept(tag) < 0);
            M.Deallocate(h);
        }

        Assert.True(M.AllMemoryDeallocated());
        Assert.True(M.CheckSanity());
    }

    [Theory]
    [InlineData(32)]
    [InlineData(64)]
    [InlineData(256)]
    [InlineData(4096)]
    [InlineData(65536)]
    public void AllocateAligned_GivesAlignedHandlesAndAddresses(int alignment)
    {
        var handles = new List<long>();
        for (int i = 0; i < 20; i++)
        {
            long h = M.AllocateAligned(100 + (i * 37), alignment);
            Assert.Equal(0, M.GetAddress(h) % alignment);
            Assert.Equal(0, h % Math.Min(alignment, Environment.SystemPageSize));
            Assert.True(M.GetBlockSize(h) >= 100 + (i * 37));
            handles.Add(h);
            long filler = M.Allocate(24);
            handles.Add(filler);
        }

        Assert.True(M.CheckSanity(out var problems), string.Join("; ", problems));
        handles.ForEach(M.Deallocate);
        Assert.True(M.AllMemoryDeallocated());
        Assert.True(M.CheckSanity());
        Assert.Throws<ArgumentOutOfRangeException>(() => M.AllocateAligned(10, 24));
    }

    [Fact]
    public void Deallocate_BadHandles_AreRefusedWithoutDamage()
    {
        long h = M.Allocate(64);
        M.Deallocate(h);
        Assert.Throws<ArgumentException>(() => M.Deallocate(h)); // twice
        Assert.Throws<ArgumentException>(() => M.Deallocate(8)); // in the header
        Assert.Throws<ArgumentException>(() => M.Deallocate(SegmentSize + 4096)); // outside
        Assert.Throws<ArgumentException>(() => M.Deallocate(h + 8)); // misaligned
        var obj = M.ConstructAnonymous(5L);
        Assert.Throws<ArgumentException>(() => M.Deallocate(obj.Handle - 16 - 48 - 32)); // not a block start, or an object's block
        Assert.True(M.CheckSanity(out var problems), string.Join("; ", problems));
    }

    [Fact]
    public void AllocateMany_IsAllOrNothing()
    {
        long[] handles = new long[4];
        Assert.True(M.TryAllocateMany([10, 200, 3000, 0], handles));
        Assert.Equal(4, handles.Distinct().Count());
        Assert.True(M.GetBlockSize(handles[2]) >= 3000);
        M.DeallocateMany(handles);
        Assert.True(M.AllMemoryDeallocated());
        long free = M.GetFreeMemory();
        Assert.False(M.TryAllocateMany([100, SegmentSize], handles));
        Assert.Equal(free, M.GetFreeMemory());
        Assert.True(M.AllMemoryDeallocated());
        Assert.Throws<ArgumentException>(() => M.TryAllocateMany([1, 2], new long[1]));
        Assert.True(M.CheckSanity());
    }

    [Fact]
    public void Grow_AddsFreeMemory_AndKeepsObjectsAndHandles()
    {
        M.ConstructArray("kept", 10, 4L);
        var obj = M.Find<long>("kept");
        long raw = M.Allocate(SegmentSize / 2);
        M.GetSpan(raw, 8).Fill(0x11);
        long free = M.GetFreeMemory();
        _heap.Grow(SegmentSize);
        Assert.Equal(2 * SegmentSize, M.Size);
        Assert.True(M.GetFreeMemory() >= free + SegmentSize - 64);
        Assert.Equal(10, M.Find<long>("kept").Count);
        Assert.Equal(obj.Handle, M.Find<long>("kept").Handle);
        Assert.Equal(0x11, M.GetSpan(raw, 8)[7]);
        long big = M.Allocate(SegmentSize + (SegmentSize / 4));
        Assert.True(M.CheckSanity(out var problems), string.Join("; ", problems));
        M.Deallocate(big);
        M.Deallocate(raw);
        M.Destroy<long>("kept");
        Assert.True(M.AllMemoryDeallocated());
        Assert.True(M.CheckSanity());
    }

    [Fact]
    public void ExpandAndShrinkInPlace_KeepTheBlockAndItsContents()
    {
        long a = M.Allocate(100);
        long b = M.Allocate(100);
        M.GetSpan(a, 100).Fill(0x3C);
        Assert.False(M.TryExpandInPlace(a, 500, 500, out long received)); // b is in the way
        Assert.True(received >= 100);
        M.Deallocate(b);
        Assert.True(M.TryExpandInPlace(a, 500, 2000, out received));
        Assert.True(received >= 2000);
        Assert.True(M.GetSpan(a, 100).IndexOfAnyExcept((byte)0x3C) < 0);
        Assert.Equal(received, M.GetBlockSize(a));
        Assert.True(M.CheckSanity(out var problems), string.Join("; ", problems));
        long kept = M.ShrinkInPlace(a, 50);
        Assert.InRange(kept, 50, 50 + 47);
        Assert.True(M.GetSpan(a, 50).IndexOfAnyExcept((byte)0x3C) < 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => M.ShrinkInPlace(a, kept + 1000));
        Assert.True(M.CheckSanity(out problems), string.Join("; ", problems));
        var obj = M.ConstructAnonymous(1L);
        // The object's block starts 72 bytes before its data (48-byte header, 12-byte type name, back link, alignment).
        var e = Assert.Throws<ArgumentException>(() => M.TryExpandInPlace(obj.Handle - 72, 10, 10, out _));
        Assert.Contains("block of an object", e.Message, StringComparison.Ordinal);
        M.Deallocate(a);
        M.Destroy(obj);
        Assert.True(M.AllMemoryDeallocated());
        Assert.True(M.CheckSanity());
    }

    [Fact]
    public void Handles_AndAddresses_ConvertBothWays()
    {
        long h = M.Allocate(40);
        nint a = M.GetAddress(h);
        Assert.Equal(h, M.GetHandle(a));
        Assert.True(M.BelongsToSegment(a));
        Assert.False(M.BelongsToSegment(a + (nint)SegmentSize));
        long local = 0;
        nint outside = (nint)(&local);
        Assert.False(M.BelongsToSegment(outside));
        Assert.Throws<ArgumentException>(() => M.GetHandle(outside));
        Assert.Throws<ArgumentOutOfRangeException>(() => M.GetAddress(-1));
        M.GetRef<long>(h) = 42;
        Assert.Equal(42, *(long*)a);
        M.Deallocate((void*)a);
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void ZeroFreeMemory_ClearsFreedBytes()
    {
        long h = M.Allocate(4000);
        M.GetSpan(h, 4000).Fill(0xFF);
        M.Deallocate(h);
        M.ZeroFreeMemory();
        long again = M.Allocate(4000);
        Assert.Equal(h, again);
        // the allocator keeps its two free-list links in the first 16 bytes of a free block
        Assert.True(M.GetSpan(again + 16, 4000 - 16).IndexOfAnyExcept((byte)0) < 0);
        Assert.True(M.CheckSanity());
    }

    [Fact]
    public void Construct_Find_Destroy_NamedObject()
    {
        ref long v = ref M.Construct("answer", 42L);
        Assert.Equal(42, v);
        v = 43;
        var found = M.Find<long>("answer");
        Assert.False(found.IsNull);
        Assert.Equal(43, found.Value);
        Assert.Equal(1, found.Count);
        Assert.Equal(1, M.NamedObjectCount);
        Assert.True(M.Destroy<long>("answer"));
        Assert.True(M.Find<long>("answer").IsNull);
        Assert.False(M.Destroy<long>("answer"));
        Assert.Equal(0, M.NamedObjectCount);
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void Construct_ExistingName_ThrowsAlreadyExists_TryConstructReturnsFalse()
    {
        M.Construct("x", 1);
        var e = Assert.Throws<InterprocessException>(() => M.Construct("x", 2));
        Assert.Equal(InterprocessErrorCode.AlreadyExists, e.ErrorCode);
        Assert.Contains("'x'", e.Message, StringComparison.Ordinal);
        Assert.False(M.TryConstruct("x", 3, out var r));
        Assert.True(r.IsNull);
        Assert.Equal(1, M.Find<int>("x").Value);
    }

    [Fact]
    public void FindOrConstruct_CreatesOnce_ThenFinds()
    {
        var a = M.FindOrConstruct("counter", 10L);
        a.Value++;
        var b = M.FindOrConstruct("counter", 99L);
        Assert.Equal(a.Handle, b.Handle);
        Assert.Equal(11, b.Value);
        var arr = M.FindOrConstructArray("arr", 5, 7);
        Assert.Equal(5, arr.Count);
        var arr2 = M.FindOrConstructArray("arr", 100, 0);
        Assert.Equal(5, arr2.Count);
        Assert.Equal(7, arr2.AsSpan()[4]);
    }

    [Fact]
    public void Arrays_WithOneValue_OrAValuePerElement()
    {
        var a = M.ConstructArray("filled", 1000, new Point { X = 1, Y = 2 });
        Assert.Equal(1000, a.Length);
        foreach (var p in a)
        {
            Assert.Equal((1, 2), (p.X, p.Y));
        }

        var b = M.ConstructArray<int>("values", [5, 6, 7]);
        Assert.Equal([5, 6, 7], b.ToArray());
        var found = M.Find<int>("values");
        Assert.Equal(3, found.Count);
        Assert.Equal([5, 6, 7], found.AsSpan().ToArray());
        var empty = M.ConstructArray("empty", 0, 1L);
        Assert.Equal(0, empty.Length);
        Assert.Equal(0, M.Find<long>("empty").Count);
        Assert.False(M.Find<long>("empty").IsNull);
        Assert.Throws<ArgumentOutOfRangeException>(() => M.ConstructArray("neg", -1, 0));
        Assert.Equal(3, M.NamedObjectCount);
    }

    [Fact]
    public void Find_WithTheWrongType_ThrowsNamingBothTypes()
    {
        M.Construct("p", new Point { X = 1, Y = 2 });
        var e = Assert.Throws<InvalidCastException>(() => M.Find<long>("p"));
        Assert.Contains("Interprocess.Tests.Managed.SegmentManagerTests+Point", e.Message, StringComparison.Ordinal);
        Assert.Contains("System.Int64", e.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidCastException>(() => M.Destroy<int>("p"));
        Assert.Throws<InvalidCastException>(() => M.FindOrConstruct("p", 0.0));
        // same size, different type: still refused
        M.Construct("d", 1.5);
        Assert.Throws<InvalidCastException>(() => M.Find<long>("d"));
        Assert.Equal(1.5, M.Find<double>("d").Value);
    }

    [Fact]
    public void TypeFingerprint_IsAFixedFunctionOfTheTypeName()
    {
        // Pinned: a change here would make segments written by older builds unreadable.
        Assert.Equal("System.Int64", TypeDescriptor<long>.Name);
        Assert.Equal(NameHash.Compute("System.Int64"u8, 8), TypeDescriptor<long>.Fingerprint);
        Assert.Equal(8, TypeDescriptor<long>.Alignment);
        Assert.Equal(4, TypeDescriptor<Point>.Alignment);
        Assert.Equal("System.Collections.Generic.KeyValuePair`2[System.Int32,System.Int64]", TypeDescriptor<KeyValuePair<int, long>>.Name);
        Assert.NotEqual(TypeDescriptor<int>.Fingerprint, TypeDescriptor<uint>.Fingerprint);
    }

    [Fact]
    public void Names_AreValidated_AndUnicodeRoundTrips()
    {
        Assert.Throws<ArgumentException>(() => M.Construct("", 1));
        Assert.Throws<ArgumentNullException>(() => M.Construct<int>(null!, 1));
        Assert.Throws<ArgumentException>(() => M.Construct(new string('x', 5000), 1));
        Assert.Throws<ArgumentException>(() => M.Find<int>(""));
        string name = "größe/名前 \0 with nul";
        M.Construct(name, 9);
        Assert.Equal(9, M.Find<int>(name).Value);
        Assert.Equal(name, M.GetNamedObjects().Single().Name);
        string longName = new('n', 3000);
        M.Construct(longName, 10);
        Assert.Equal(10, M.Find<int>(longName).Value);
        Assert.True(M.Find<int>(longName[..2999]).IsNull);
    }

    [Fact]
    public void UniqueInstances_OnePerType()
    {
        ref var p = ref M.ConstructUnique(new Point { X = 3, Y = 4 });
        p.X = 5;
        Assert.Equal(5, M.FindUnique<Point>().Value.X);
        Assert.Throws<InterprocessException>(() => M.ConstructUnique(new Point()));
        Assert.False(M.TryConstructUnique(new Point(), out _));
        Assert.True(M.FindUnique<long>().IsNull);
        Assert.Equal(7, M.FindOrConstructUnique(7L).Value);
        Assert.Equal(7, M.FindOrConstructUnique(8L).Value);
        // a named object called like the type is a different thing
        M.Construct("System.Int64", 100L);
        Assert.Equal(7, M.FindUnique<long>().Value);
        Assert.Equal(2, M.UniqueObjectCount);
        Assert.Equal(1, M.NamedObjectCount);
        var uniques = M.GetUniqueObjects().OrderBy(o => o.Name, StringComparer.Ordinal).ToList();
        Assert.Equal(["Interprocess.Tests.Managed.SegmentManagerTests+Point", "System.Int64"], uniques.Select(u => u.Name));
        Assert.All(uniques, u => Assert.Equal(ObjectKind.Unique, u.Kind));
        Assert.True(M.DestroyUnique<Point>());
        Assert.False(M.DestroyUnique<Point>());
        Assert.True(M.DestroyUnique<long>());
        Assert.True(M.Destroy<long>("System.Int64"));
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void AnonymousInstances_AreReachedByHandle()
    {
        var a = M.ConstructAnonymous(new Point { X = 8, Y = 9 });
        var arr = M.ConstructAnonymousArray(10, 3L);
        Assert.Equal(0, M.NamedObjectCount);
        Assert.Empty(M.GetNamedObjects());
        var again = M.GetObject<Point>(a.Handle);
        Assert.Equal(8, again.Value.X);
        var info = M.GetObjectInfo(arr.Handle);
        Assert.Equal(ObjectKind.Anonymous, info.Kind);
        Assert.Equal(10, info.Count);
        Assert.Equal("System.Int64", info.TypeName);
        Assert.Equal(string.Empty, info.Name);
        Assert.Throws<InvalidCastException>(() => M.GetObject<long>(a.Handle));
        Assert.Throws<ArgumentException>(() => M.GetObject<long>(a.Handle + 8));
        M.Destroy(a);
        M.Destroy(arr);
        Assert.Throws<ArgumentException>(() => M.GetObject<Point>(a.Handle));
        Assert.Throws<ArgumentException>(() => M.Destroy(default(SegmentObject<long>)));
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void DestroyByReference_WorksForNamedObjects()
    {
        var o = M.FindOrConstruct("byref", 1);
        Assert.Equal("byref", M.GetObjectInfo(o.Handle).Name);
        M.Destroy(o);
        Assert.True(M.Find<int>("byref").IsNull);
        Assert.Equal(0, M.NamedObjectCount);
    }

    [Fact]
    public void Enumeration_ListsNamesKindsTypesAndLengths()
    {
        M.Construct("a", 1);
        M.ConstructArray("b", 3, 2L);
        M.ConstructUnique(1.0);
        var named = M.GetNamedObjects().OrderBy(o => o.Name, StringComparer.Ordinal).ToList();
        Assert.Equal(2, named.Count);
        Assert.Equal(("a", ObjectKind.Named, "System.Int32", 4, 1L), (named[0].Name, named[0].Kind, named[0].TypeName, named[0].ElementSize, named[0].Count));
        Assert.Equal(("b", "System.Int64", 8, 3L), (named[1].Name, named[1].TypeName, named[1].ElementSize, named[1].Count));
        Assert.Equal(M.Find<long>("b").Handle, named[1].Handle);
        Assert.Single(M.GetUniqueObjects());
    }

    [Fact]
    public void ManyNamedObjects_GrowTheIndex_AndAllAreFoundAndDestroyed()
    {
        M.ReserveNamedObjects(1000);
        const int N = 20000;
        for (int i = 0; i < N; i++)
        {
            M.Construct("obj" + i, (long)i);
        }

        Assert.Equal(N, M.NamedObjectCount);
        for (int i = 0; i < N; i++)
        {
            Assert.Equal(i, M.Find<long>("obj" + i).Value);
        }

        Assert.True(M.CheckSanity(out var problems), string.Join("; ", problems));
        for (int i = 0; i < N; i += 2)
        {
            Assert.True(M.Destroy<long>("obj" + i));
        }

        for (int i = 0; i < N; i++)
        {
            Assert.Equal(i % 2 == 1, !M.Find<long>("obj" + i).IsNull);
        }

        for (int i = 1; i < N; i += 2)
        {
            Assert.True(M.Destroy<long>("obj" + i));
        }

        Assert.Equal(0, M.NamedObjectCount);
        Assert.True(M.AllMemoryDeallocated());
        Assert.True(M.CheckSanity());
    }

    [Fact]
    public void Construct_WhenTheSegmentIsFull_ThrowsOutOfMemory_AndTryFormsReturnFalse()
    {
        var e = Assert.Throws<InterprocessException>(() => M.ConstructArray("huge", (int)(SegmentSize / 8), 0L));
        Assert.Equal(InterprocessErrorCode.OutOfMemory, e.ErrorCode);
        Assert.False(M.TryConstructArray("huge", (int)(SegmentSize / 8), 0L, out _));
        Assert.True(M.Find<long>("huge").IsNull);
        Assert.True(M.AllMemoryDeallocated());
        Assert.True(M.CheckSanity());
    }

    [Fact]
    public void AtomicFunc_RunsUnderTheLock_AndMayUseTheManager()
    {
        long h = 0;
        Assert.Equal(LockStatus.Acquired, M.AtomicFunc(() =>
        {
            h = M.Allocate(10);
            M.Construct("inside", 1);
        }));
        Assert.Equal(1, M.Find<int>("inside").Value);
        M.Deallocate(h);

        using var inLock = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var holder = new Thread(() => M.AtomicFunc(() =>
        {
            inLock.Set();
            release.Wait();
        }));
        holder.Start();
        inLock.Wait();
        bool ran = false;
        Assert.Equal(LockStatus.NotAcquired, M.TryAtomicFunc(() => ran = true, TimeSpan.FromMilliseconds(20)));
        Assert.False(ran);
        release.Set();
        holder.Join();
        Assert.Equal(LockStatus.Acquired, M.TryAtomicFunc(() => ran = true));
        Assert.True(ran);
    }

    [Fact]
    public void Find_RacingWithConstructAndDestroy_NeverReturnsAnotherObject()
    {
        // Finds run without the lock (validated by the segment's sequence lock): while a writer churns, every
        // object found must be the one asked for (its length says which), and nothing may throw.
        using var stop = new CancellationTokenSource();
        Exception? failure = null;
        long found = 0;
        var writer = new Thread(() =>
        {
            var rng = new Random(3);
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    int k = rng.Next(64);
                    if (!M.Destroy<long>("race" + k))
                    {
                        M.ConstructArray("race" + k, k + 1, (long)k);
                    }

                    if (rng.Next(16) == 0)
                    {
                        M.AtomicFunc(() => M.Deallocate(M.Allocate(rng.Next(1, 5000))));
                    }
                }
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        var readers = Enumerable.Range(0, 2).Select(r => new Thread(() =>
        {
            var rng = new Random(r);
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    int k = rng.Next(64);
                    var o = M.Find<long>("race" + k);
                    if (!o.IsNull)
                    {
                        Assert.Equal(k + 1, o.Count);
                        Interlocked.Increment(ref found);
                    }
                }
            }
            catch (Exception e)
            {
                failure = e;
            }
        })).ToList();
        writer.Start();
        readers.ForEach(t => t.Start());
        Thread.Sleep(1500);
        stop.Cancel();
        writer.Join();
        readers.ForEach(t => t.Join());
        Assert.Null(failure);
        Assert.True(found > 0);
        Assert.True(M.CheckSanity(out var problems), string.Join("; ", problems));
    }

    [Fact]
    public void AtomicFunc_WhenTheActionThrows_ReleasesTheLock()
    {
        Assert.Throws<InvalidOperationException>(() => M.AtomicFunc(() => throw new InvalidOperationException("boom")));
        var t = new Thread(() => M.Construct("after", 1));
        t.Start();
        Assert.True(t.Join(TimeSpan.FromSeconds(30)));
        Assert.Equal(1, M.Find<int>("after").Value);
    }

    [Fact]
    public void CheckSanity_FindsABrokenFreeList_AndRepairFixesIt()
    {
        long a = M.Allocate(1000);
        long b = M.Allocate(1000);
        M.Allocate(1000);
        M.Deallocate(a);
        // The free block at a: scribble over its next-free link (at payload + 0).
        M.GetRef<long>(a) = 0x7FFF_FFFF_FFF0;
        Assert.False(M.CheckSanity(out var problems));
        Assert.Contains(problems, p => p.Contains("free lists", StringComparison.Ordinal));
        string report = M.Repair();
        Assert.Contains("rebuilt", report, StringComparison.Ordinal);
        Assert.True(M.CheckSanity(out problems), string.Join("; ", problems));
        M.Deallocate(b);
        Assert.True(M.CheckSanity());
    }

    [Fact]
    public void CheckSanity_FindsACycleInAFreeList_WithoutHanging_AndRepairFixesIt()
    {
        // Two free blocks of the same size class, kept apart by allocated ones.
        long a = M.Allocate(1000);
        M.Allocate(64);
        long b = M.Allocate(1000);
        M.Allocate(64);
        M.Deallocate(a);
        M.Deallocate(b);
        // Point each block's next-free link (payload + 0) at the other, and at itself: a cycle.
        M.GetRef<long>(a) = b - 16;
        M.GetRef<long>(b) = a - 16;
        Assert.False(M.CheckSanity(out var problems));
        Assert.Contains(problems, p => p.Contains("free lists", StringComparison.Ordinal));
        M.Repair();
        Assert.True(M.CheckSanity(out problems), string.Join("; ", problems));
        Assert.NotEqual(0, M.Allocate(1000));
        Assert.True(M.CheckSanity());
    }

    [Fact]
    public void CheckSanity_FindsABadBlockSize_WithoutCrashing_AndRepairRefuses()
    {
        long a = M.Allocate(100);
        M.GetRef<long>(a - 8) = 0x1234_5670; // the block's size field: points far away
        Assert.False(M.CheckSanity(out var problems));
        Assert.Contains(problems, p => p.Contains("bad size", StringComparison.Ordinal));
        var e = Assert.Throws<InterprocessException>(() => M.Repair());
        Assert.Equal(InterprocessErrorCode.Corrupted, e.ErrorCode);
        Assert.Throws<ArgumentException>(() => M.Deallocate(a));
    }

    [Fact]
    public void CheckSanity_FindsADamagedIndex_AndRepairRebuildsIt()
    {
        M.Construct("one", 1);
        M.Construct("two", 2);
        long* state = (long*)(M.BaseAddress + SegmentHeader.IndexStateOffset);
        if (_index == NameIndexKind.Hash)
        {
            long* slots = (long*)(M.BaseAddress + (nint)state[0]);
            for (long i = 0; i < state[1]; i++)
            {
                if (slots[i] > 1)
                {
                    slots[i] = 1; // mark one entry deleted behind the counters' back
                    break;
                }
            }
        }
        else
        {
            // Ordered: the first chunk's two entries swapped (out of order).
            long* top = (long*)(M.BaseAddress + (nint)state[0]);
            long* chunk = (long*)(M.BaseAddress + (nint)top[0]);
            (chunk[1], chunk[2]) = (chunk[2], chunk[1]);
        }

        Assert.False(M.CheckSanity(out var problems));
        Assert.NotEmpty(problems);
        M.Repair();
        Assert.True(M.CheckSanity(out problems), string.Join("; ", problems));
        Assert.Equal(1, M.Find<int>("one").Value);
        Assert.Equal(2, M.Find<int>("two").Value);
    }

    [Fact]
    public void Index_PointingOutsideTheHeap_IsReportedNotFollowed()
    {
        M.Construct("one", 1);
        long* state = (long*)(M.BaseAddress + SegmentHeader.IndexStateOffset);
        state[0] = SegmentSize + (1L << 30); // table handle far outside
        Assert.False(M.CheckSanity(out var problems));
        Assert.NotEmpty(problems);
        var e = Assert.Throws<InterprocessException>(() => M.Find<int>("one"));
        Assert.Equal(InterprocessErrorCode.Corrupted, e.ErrorCode);
        M.Repair();
        Assert.Equal(1, M.Find<int>("one").Value);
        Assert.True(M.CheckSanity());
    }

    [Fact]
    public void AfterDispose_EveryCallThrowsObjectDisposed()
    {
        var heap = new ManagedHeapMemory(64 * 1024);
        var m = heap.Manager;
        heap.Dispose();
        Assert.Throws<ObjectDisposedException>(() => m.Allocate(1));
        Assert.Throws<ObjectDisposedException>(() => m.Find<int>("x"));
        Assert.Throws<ObjectDisposedException>(() => m.Size);
        heap.Dispose();
    }

    [Fact]
    public void Sizes_OutOfRange_AreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ManagedHeapMemory(1000));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ManagedHeapMemory(1L << 50));
        Assert.Throws<ArgumentException>(() => new ManagedHeapMemory(1L << 20, new ManagedSegmentOptions { Algorithm = (AllocationAlgorithm)9 }));
        Assert.Throws<ArgumentException>(() => new ManagedHeapMemory(1L << 20, new ManagedSegmentOptions { Index = 0 }));
    }
}
