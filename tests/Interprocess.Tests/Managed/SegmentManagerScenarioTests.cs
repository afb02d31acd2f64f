using Interprocess.Managed;

namespace Interprocess.Tests.Managed;

/// <summary>
/// The scenarios of Boost's <c>test/segment_manager_test.cpp</c>, <c>test/named_allocation_test_template.hpp</c>
/// (run by the <c>*_index_allocation_test.cpp</c> files for each index), <c>data_test.cpp</c> and
/// <c>allocexcept_test.cpp</c>, rewritten for this library and run for every allocation algorithm × name index.
/// Each test names its Boost function in its summary.
/// </summary>
public sealed unsafe class SegmentManagerScenarioTests
{
    private const long SegmentSize = 64 * 1024;

    private static void AssertSane(SegmentManager m) => Assert.True(m.CheckSanity(out var problems), string.Join("; ", problems));

    /// <summary>segment_manager_test: <c>test_allocate_deallocate</c>: half the segment, half of what is left, then a request twice the segment fails (thrown and nothrow) and changes nothing.</summary>
    [Theory]
    [MemberData(nameof(SegmentLayouts.All), MemberType = typeof(SegmentLayouts))]
    public void AllocateDeallocate_HalvesThenTooMuch_FreeMemoryIsExact(AllocationAlgorithm algorithm, NameIndexKind index)
    {
        using var heap = SegmentLayouts.Heap(SegmentSize, algorithm, index);
        var m = heap.Manager;
        long before = m.GetFreeMemory();
        long size = SegmentSize / 2;
        long a = m.Allocate(size + 1);
        long free = m.GetFreeMemory();
        Assert.True(free < size);
        Assert.False(m.AllMemoryDeallocated());
        long size2 = free / 2;
        Assert.True(m.TryAllocate(size2 + 1, out long b));
        Assert.True(m.GetFreeMemory() < size2);
        Assert.True(m.GetBlockSize(a) >= size + 1);
        Assert.True(m.GetBlockSize(b) >= size2 + 1);
        m.Deallocate(a);
        m.Deallocate(b);
        Assert.True(m.AllMemoryDeallocated());
        Assert.Equal(before, m.GetFreeMemory());
        var e = Assert.Throws<InterprocessException>(() => m.Allocate(SegmentSize * 2));
        Assert.Equal(InterprocessErrorCode.OutOfMemory, e.ErrorCode);
        Assert.False(m.TryAllocate(SegmentSize * 2, out _));
        Assert.Equal(before, m.GetFreeMemory());
    }

    /// <summary>segment_manager_test: <c>test_allocate_aligned</c>: two quarter-segment blocks aligned to 128 (offsets aligned), then too much fails cleanly.</summary>
    [Theory]
    [MemberData(nameof(SegmentLayouts.All), MemberType = typeof(SegmentLayouts))]
    public void AllocateAligned_QuarterBlocks_OffsetsAreAligned(AllocationAlgorithm algorithm, NameIndexKind index)
    {
        using var heap = SegmentLayouts.Heap(SegmentSize, algorithm, index);
        var m = heap.Manager;
        long before = m.GetFreeMemory();
        long a = m.AllocateAligned(SegmentSize / 4, 128);
        Assert.False(m.AllMemoryDeallocated());
        Assert.Equal(0, a % 128);
        Assert.True(m.TryAllocateAligned(SegmentSize / 4, 128, out long b));
        Assert.Equal(0, b % 128);
        m.Deallocate(a);
        m.Deallocate(b);
        Assert.True(m.AllMemoryDeallocated());
        Assert.Equal(before, m.GetFreeMemory());
        Assert.Throws<InterprocessException>(() => m.AllocateAligned(SegmentSize * 2, 128));
        Assert.False(m.TryAllocateAligned(SegmentSize * 2, 128, out _));
        Assert.Equal(before, m.GetFreeMemory());
    }

    /// <summary>segment_manager_test: <c>test_zero_free_memory</c>: freed bytes stay dirty until ZeroFreeMemory; free memory and "all deallocated" unchanged by it.</summary>
    [Theory]
    [MemberData(nameof(SegmentLayouts.All), MemberType = typeof(SegmentLayouts))]
    public void ZeroFreeMemory_ClearsWhatWasFreed_AndChangesNoAccounting(AllocationAlgorithm algorithm, NameIndexKind index)
    {
        using var heap = SegmentLayouts.Heap(SegmentSize, algorithm, index);
        var m = heap.Manager;
        long before = m.GetFreeMemory();
        const int size = (int)(SegmentSize / 4) + 1, size2 = (int)(SegmentSize / 8);
        long a = m.Allocate(size);
        long b = m.Allocate(size2);
        m.GetSpan(a, size).Fill(0xFF);
        m.GetSpan(b, size2).Fill(0xFF);
        m.Deallocate(a);
        m.Deallocate(b);
        Assert.True(m.GetSpan(a + 64, size - 64).IndexOfAnyExcept((byte)0) >= 0);
        m.ZeroFreeMemory();
        // Apart from the allocator's own words at the start of free blocks, every freed byte is zero.
        Assert.True(m.GetSpan(a + 64, size - 64).IndexOfAnyExcept((byte)0) < 0);
        Assert.True(m.GetSpan(b + 64, size2 - 64).IndexOfAnyExcept((byte)0) < 0);
        Assert.Equal(before, m.GetFreeMemory());
        Assert.True(m.AllMemoryDeallocated());
    }

    /// <summary>segment_manager_test: <c>test_anoymous_object</c>: anonymous single and array objects (from values): length, kind, no name; too large fails both ways.</summary>
    [Theory]
    [MemberData(nameof(SegmentLayouts.All), MemberType = typeof(SegmentLayouts))]
    public void AnonymousObjects_LengthKindNoName_AndTooLargeFailsCleanly(AllocationAlgorithm algorithm, NameIndexKind index)
    {
        using var heap = SegmentLayouts.Heap(SegmentSize, algorithm, index);
        var m = heap.Manager;
        long before = m.GetFreeMemory();
        var one = m.ConstructAnonymous(0);
        var info = m.GetObjectInfo(one.Handle);
        Assert.Equal(1, info.Count);
        Assert.Equal(ObjectKind.Anonymous, info.Kind);
        Assert.True(string.IsNullOrEmpty(info.Name));
        m.Destroy(one);
        int[] values = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
        var array = m.ConstructAnonymousArray<int>(values);
        Assert.Equal(10, m.GetObjectInfo(array.Handle).Count);
        Assert.Equal(values, array.AsSpan().ToArray());
        m.Destroy(array);
        Assert.Throws<InterprocessException>(() => m.ConstructAnonymousArray((int)SegmentSize, 0));
        Assert.False(m.TryConstructAnonymousArray((int)SegmentSize, 0, out var none));
        Assert.True(none.IsNull);
        Assert.Throws<InterprocessException>(() => m.ConstructAnonymousArray<long>(new long[SegmentSize]));
        Assert.Equal(before, m.GetFreeMemory());
        Assert.True(m.AllMemoryDeallocated());
    }

    /// <summary>
    /// segment_manager_test: <c>test_named_object</c>: four rounds (construct, nothrow construct, find_or_construct,
    /// nothrow find_or_construct) of a single object and a 10-element array from values; find, length, kind,
    /// name, count, iteration; destroy by reference and by name; too large fails; after shrink_to_fit_indexes
    /// the free memory is what it was.
    /// </summary>
    [Theory]
    [MemberData(nameof(SegmentLayouts.WithNameIndexes), MemberType = typeof(SegmentLayouts))]
    public void NamedObject_EveryWayOfConstructing_FindLengthKindNameAndCount(AllocationAlgorithm algorithm, NameIndexKind index)
    {
        using var heap = SegmentLayouts.Heap(SegmentSize, algorithm, index);
        var m = heap.Manager;
        long before = m.GetFreeMemory();
        int[] values = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
        for (int round = 0; round < 4; round++)
        {
            Assert.True(m.Find<uint>("object1").IsNull);
            SegmentObject<uint> single = default;
            switch (round)
            {
                case 0: m.Construct("object1", 0u); single = m.Find<uint>("object1"); break;
                case 1: Assert.True(m.TryConstruct("object1", 0u, out single)); break;
                case 2: single = m.FindOrConstruct("object1", 0u); break;
                default: Assert.True(m.TryFindOrConstruct("object1", 0u, out single)); break;
            }

            var found = m.Find<uint>("object1");
            Assert.Equal(single.Handle, found.Handle);
            Assert.Equal(1, found.Count);
            var info = m.GetObjectInfo(single.Handle);
            Assert.Equal((ObjectKind.Named, "object1", 1L), (info.Kind, info.Name, info.Count));

            Assert.True(m.Find<int>("object2").IsNull);
            SegmentObject<int> array = default;
            switch (round)
            {
                case 0: m.ConstructArray<int>("object2", values); array = m.Find<int>("object2"); break;
                case 1: Assert.True(m.TryConstructArray<int>("object2", values, out array)); break;
                case 2: array = m.FindOrConstructArray<int>("object2", values); break;
                default: array = m.FindOrConstructArray<int>("object2", values); break;
            }

            var found2 = m.Find<int>("object2");
            Assert.Equal(array.Handle, found2.Handle);
            Assert.Equal(10, found2.Count);
            Assert.Equal(values, found2.AsSpan().ToArray());
            info = m.GetObjectInfo(array.Handle);
            Assert.Equal((ObjectKind.Named, "object2", 10L), (info.Kind, info.Name, info.Count));
            Assert.Equal(2, m.NamedObjectCount);
            Assert.Equal(2, m.GetNamedObjects().Count);
            m.Destroy(single);
            Assert.True(m.Destroy<int>("object2"));
        }

        Assert.Throws<InterprocessException>(() => m.ConstructArray("object1", (int)SegmentSize, 0u));
        Assert.False(m.TryConstructArray("object2", (int)SegmentSize, 0, out _));
        Assert.Throws<InterprocessException>(() => m.ConstructArray<int>("object1", new int[SegmentSize]));
        Assert.False(m.TryConstructArray<int>("object2", new int[SegmentSize], out _));
        m.ShrinkToFitIndexes();
        Assert.Equal(before, m.GetFreeMemory());
        Assert.True(m.AllMemoryDeallocated());
        m.ReserveNamedObjects(1);
        m.ShrinkToFitIndexes();
        Assert.True(m.AllMemoryDeallocated());
        Assert.Equal(before, m.GetFreeMemory());
    }

    /// <summary>segment_manager_test: <c>test_unique_object</c>: the same four rounds for unique instances (one per type; the name is the type's).</summary>
    [Theory]
    [MemberData(nameof(SegmentLayouts.WithNameIndexes), MemberType = typeof(SegmentLayouts))]
    public void UniqueObject_EveryWayOfConstructing_FindLengthKindNameAndCount(AllocationAlgorithm algorithm, NameIndexKind index)
    {
        using var heap = SegmentLayouts.Heap(SegmentSize, algorithm, index);
        var m = heap.Manager;
        long before = m.GetFreeMemory();
        for (int round = 0; round < 4; round++)
        {
            Assert.True(m.FindUnique<uint>().IsNull);
            SegmentObject<uint> single = default;
            switch (round)
            {
                case 0: m.ConstructUnique(0u); single = m.FindUnique<uint>(); break;
                case 1: Assert.True(m.TryConstructUnique(0u, out single)); break;
                default: single = m.FindOrConstructUnique(0u); break;
            }

            var found = m.FindUnique<uint>();
            Assert.Equal(single.Handle, found.Handle);
            var info = m.GetObjectInfo(single.Handle);
            Assert.Equal(ObjectKind.Unique, info.Kind);
            Assert.Equal(1, info.Count);
            Assert.Contains("UInt32", info.Name, StringComparison.Ordinal);
            Assert.True(m.FindUnique<int>().IsNull);
            m.ConstructUnique(5);
            Assert.Equal(2, m.UniqueObjectCount);
            Assert.Equal(2, m.GetUniqueObjects().Count);
            Assert.False(m.TryConstructUnique(6, out _));
            m.Destroy(single);
            Assert.True(m.DestroyUnique<int>());
        }

        // Too large (a 16 KiB type with 8 KiB free): fails both ways, changing nothing.
        long filler = m.Allocate(m.GetFreeMemory() - (8 * 1024));
        Assert.Throws<InterprocessException>(() => m.ConstructUnique(new Big()));
        Assert.False(m.TryConstructUnique(new Big(), out _));
        m.Deallocate(filler);
        m.ShrinkToFitIndexes();
        Assert.Equal(before, m.GetFreeMemory());
        Assert.True(m.AllMemoryDeallocated());
    }

    [System.Runtime.CompilerServices.InlineArray(16 * 1024)]
    private struct Big
    {
        private byte _element;
    }

    /// <summary>segment_manager_test: <c>test_atomic_func</c>: a find run inside atomic_func sees the object.</summary>
    [Theory]
    [MemberData(nameof(SegmentLayouts.WithNameIndexes), MemberType = typeof(SegmentLayouts))]
    public void AtomicFunc_AFindInsideSeesTheObject(AllocationAlgorithm algorithm, NameIndexKind index)
    {
        using var heap = SegmentLayouts.Heap(SegmentSize, algorithm, index);
        var m = heap.Manager;
        m.Construct("atomic_func_find_object", 0);
        long inside = 0;
        m.AtomicFunc(() => inside = m.Find<int>("atomic_func_find_object").Handle);
        Assert.Equal(m.Find<int>("atomic_func_find_object").Handle, inside);
        Assert.True(m.Destroy<int>("atomic_func_find_object"));
        m.ShrinkToFitIndexes();
        Assert.True(m.AllMemoryDeallocated());
    }

    private static List<SegmentObject<byte>> ConstructNamedUntilFull(SegmentManager m)
    {
        var objects = new List<SegmentObject<byte>>();
        for (int i = 0; m.TryConstruct("prefix_name_" + i, (byte)i, out var o); i++)
        {
            objects.Add(o);
        }

        Assert.True(objects.Count > 100, $"only {objects.Count} named objects fit");
        Assert.Equal(objects.Count, m.NamedObjectCount);
        AssertSane(m);
        return objects;
    }

    private static void DestroyedAll(SegmentManager m)
    {
        Assert.Equal(0, m.NamedObjectCount);
        AssertSane(m);
        m.ShrinkToFitIndexes();
        Assert.True(m.AllMemoryDeallocated());
    }

    /// <summary>named_allocation_test_template: <c>test_names_and_types</c>: construct named objects until the segment is full; each name, find and kind is right.</summary>
    [Theory]
    [MemberData(nameof(SegmentLayouts.WithNameIndexes), MemberType = typeof(SegmentLayouts))]
    public void NamesAndTypes_UntilFull_EachNameFindAndKindIsRight(AllocationAlgorithm algorithm, NameIndexKind index)
    {
        using var heap = SegmentLayouts.Heap(SegmentSize, algorithm, index);
        var m = heap.Manager;
        var objects = ConstructNamedUntilFull(m);
        for (int i = 0; i < objects.Count; i++)
        {
            var info = m.GetObjectInfo(objects[i].Handle);
            Assert.Equal("prefix_name_" + i, info.Name);
            Assert.Equal(ObjectKind.Named, info.Kind);
            Assert.Equal(objects[i].Handle, m.Find<byte>(info.Name).Handle);
            Assert.Equal((byte)i, m.Find<byte>(info.Name).Value);
        }

        objects.ForEach(m.Destroy);
        DestroyedAll(m);
    }

    /// <summary>named_allocation_test_template: <c>test_named_iterators</c>: the enumeration lists every name once, with its length and value.</summary>
    [Theory]
    [MemberData(nameof(SegmentLayouts.WithNameIndexes), MemberType = typeof(SegmentLayouts))]
    public void NamedIterators_ListEveryNameOnce_WithItsObject(AllocationAlgorithm algorithm, NameIndexKind index)
    {
        using var heap = SegmentLayouts.Heap(SegmentSize, algorithm, index);
        var m = heap.Manager;
        var objects = ConstructNamedUntilFull(m);
        var listed = m.GetNamedObjects();
        Assert.Equal(objects.Count, listed.Count);
        Assert.Equal(objects.Count, listed.Select(o => o.Name).Distinct().Count());
        foreach (var o in listed)
        {
            Assert.StartsWith("prefix_name_", o.Name, StringComparison.Ordinal);
            Assert.Equal(o.Handle, m.Find<byte>(o.Name).Handle);
        }

        objects.ForEach(m.Destroy);
        DestroyedAll(m);
    }

    /// <summary>named_allocation_test_template: <c>test_shrink_to_fit</c>: after constructing until full and destroying all, shrink_to_fit_indexes gives all the memory back.</summary>
    [Theory]
    [MemberData(nameof(SegmentLayouts.WithNameIndexes), MemberType = typeof(SegmentLayouts))]
    public void ShrinkToFitIndexes_AfterFillingAndEmptying_GivesAllMemoryBack(AllocationAlgorithm algorithm, NameIndexKind index)
    {
        using var heap = SegmentLayouts.Heap(SegmentSize, algorithm, index);
        var m = heap.Manager;
        long before = m.GetFreeMemory();
        var objects = ConstructNamedUntilFull(m);
        objects.ForEach(m.Destroy);
        m.ShrinkToFitIndexes();
        Assert.Equal(before, m.GetFreeMemory());
    }

    /// <summary>
    /// named_allocation_test_template: <c>test_direct_named_allocation_destruction</c>,
    /// <c>test_named_allocation_inverse_destruction</c>, <c>test_named_allocation_mixed_destruction</c>,
    /// <c>test_inverse_named_allocation_destruction</c>: construct until full, destroy in each order.
    /// </summary>
    [Theory]
    [MemberData(nameof(SegmentLayouts.WithNameIndexes), MemberType = typeof(SegmentLayouts))]
    public void NamedAllocation_DestroyedInDirectInverseAndMixedOrder_LeavesNothing(AllocationAlgorithm algorithm, NameIndexKind index)
    {
        using var heap = SegmentLayouts.Heap(SegmentSize, algorithm, index);
        var m = heap.Manager;
        for (int order = 0; order < 3; order++)
        {
            var objects = ConstructNamedUntilFull(m);
            if (order == 1)
            {
                objects.Reverse();
            }

            for (int j = 0; objects.Count > 0; j++)
            {
                int pos = order == 2 ? (j % 4) * objects.Count / 4 : 0;
                var name = m.GetObjectInfo(objects[pos].Handle).Name;
                m.Destroy(objects[pos]);
                Assert.True(m.Find<byte>(name).IsNull);
                objects.RemoveAt(pos);
            }

            DestroyedAll(m);
        }
    }

    /// <summary>data_test: allocate 100 blocks of 1..100 bytes and free them; construct, find, destroy a named object twice.</summary>
    [Theory]
    [MemberData(nameof(SegmentLayouts.WithNameIndexes), MemberType = typeof(SegmentLayouts))]
    public void Data_AllocationsThenNamedConstructFindDestroyTwice(AllocationAlgorithm algorithm, NameIndexKind index)
    {
        using var heap = SegmentLayouts.Heap(SegmentSize, algorithm, index);
        var m = heap.Manager;
        var blocks = Enumerable.Range(0, 100).Select(i => m.Allocate(i + 1)).ToList();
        blocks.ForEach(m.Deallocate);
        for (int round = 0; round < 2; round++)
        {
            var v = m.ConstructArray("testAllocation", 16, 7L);
            Assert.Equal(m.Find<long>("testAllocation").Address, (nint)System.Runtime.CompilerServices.Unsafe.AsPointer(ref v[0]));
            Assert.True(m.Destroy<long>("testAllocation"));
            Assert.True(m.Find<long>("testAllocation").IsNull);
        }

        m.ShrinkToFitIndexes();
        Assert.True(m.AllMemoryDeallocated());
    }

    /// <summary>
    /// allocexcept_test: a vector-like array grown (expand in place, else a new block and a copy) until the
    /// segment is exhausted throws OutOfMemory, and leaves the segment intact: the partly grown buffer is
    /// still valid, sane, and freeing it gives all memory back. Then the same filling at the front (a new
    /// block each time, as an insert at the beginning does).
    /// </summary>
    [Theory]
    [MemberData(nameof(SegmentLayouts.All), MemberType = typeof(SegmentLayouts))]
    public void AllocExcept_GrowingUntilExhausted_ThrowsAndLeavesTheSegmentIntact(AllocationAlgorithm algorithm, NameIndexKind index)
    {
        using var heap = SegmentLayouts.Heap(16 * 1024 + 12 * 1024, algorithm, index);
        var m = heap.Manager;
        long before = m.GetFreeMemory();
        foreach (bool atFront in new[] { false, true })
        {
            long buffer = m.Allocate(16);
            long count = 0;
            var e = Assert.Throws<InterprocessException>(void () =>
            {
                while (true)
                {
                    long capacity = m.GetBlockSize(buffer) / 8;
                    if (count == capacity)
                    {
                        var command = atFront ? AllocationType.AllocateNew : AllocationType.AllocateNew | AllocationType.ExpandForward | AllocationType.ExpandBackward;
                        var r = m.AllocationCommand(command, (count + 1) * 8, count * 16, buffer, backwardsMultiple: 8);
                        if (r.Outcome != AllocationOutcome.SameBlock)
                        {
                            // New block: copy and free the old one; backward expansion: move the elements down.
                            m.GetSpan(buffer, (int)(count * 8)).CopyTo(m.GetSpan(r.Handle, (int)(count * 8)));
                            if (r.Outcome == AllocationOutcome.NewBlock)
                            {
                                m.Deallocate(buffer);
                            }
                        }

                        buffer = r.Handle;
                    }

                    m.GetRef<long>(buffer + (count * 8)) = count;
                    count++;
                }
            });
            Assert.Equal(InterprocessErrorCode.OutOfMemory, e.ErrorCode);
            Assert.True(count > 100);
            for (long i = 0; i < count; i++)
            {
                Assert.Equal(i, m.GetRef<long>(buffer + (i * 8)));
            }

            AssertSane(m);
            m.Deallocate(buffer);
            Assert.True(m.AllMemoryDeallocated());
            Assert.Equal(before, m.GetFreeMemory());
        }
    }
}
