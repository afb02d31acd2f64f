using Interprocess.Managed;
using Interprocess.Tests.Infrastructure;

namespace Interprocess.Tests.Managed;

/// <summary>
/// The scenarios of Boost's <c>test/memory_algorithm_test_template.hpp</c> (run by memory_algorithm_test.cpp
/// for <c>simple_seq_fit</c> and <c>rbtree_best_fit</c>), rewritten for this library and run for each of our
/// allocation algorithms. Each test names its Boost function in its summary. Every test ends as Boost's do:
/// all memory deallocated, the free memory as before, and CheckSanity clean.
/// </summary>
public sealed class MemoryAlgorithmScenarioTests
{
    private const long SegmentSize = 128 * 1024;

    private enum Order
    {
        Direct,
        Inverse,
        Mixed,
    }

    /// <summary>Allocates blocks of <paramref name="size"/>(i) bytes for i = 0, 1, ... until one does not fit; each block is written over.</summary>
    private static List<long> AllocateUntilExhausted(SegmentManager m, Func<long, long> size, byte fill = 0)
    {
        var handles = new List<long>();
        for (long i = 0; m.TryAllocate(size(i), out long h); i++)
        {
            m.GetSpan(h, (int)m.GetBlockSize(h)).Fill(fill);
            handles.Add(h);
        }

        Assert.True(handles.Count > 10, $"only {handles.Count} blocks fit");
        return handles;
    }

    /// <summary>Frees every block in one of Boost's three orders (mixed: from the quarters of the list in turn).</summary>
    private static void FreeAll(SegmentManager m, List<long> handles, Order order)
    {
        switch (order)
        {
            case Order.Direct:
                handles.ForEach(m.Deallocate);
                break;
            case Order.Inverse:
                for (int j = handles.Count - 1; j >= 0; j--)
                {
                    m.Deallocate(handles[j]);
                }

                break;
            default:
                var left = new List<long>(handles);
                for (int j = 0; left.Count > 0; j++)
                {
                    int pos = (j % 4) * left.Count / 4;
                    m.Deallocate(left[pos]);
                    left.RemoveAt(pos);
                }

                break;
        }

        handles.Clear();
    }

    private static void AssertAllFreeAndSane(SegmentManager m, long freeBefore)
    {
        Assert.True(m.AllMemoryDeallocated());
        Assert.Equal(freeBefore, m.GetFreeMemory());
        Assert.True(m.CheckSanity(out var problems), string.Join("; ", problems));
    }

    /// <summary>Boost: <c>test_allocation</c>: allocate 0, 1, 2, ... bytes until exhausted; free in direct, inverse and mixed order.</summary>
    [Theory]
    [MemberData(nameof(SegmentLayouts.Algorithms), MemberType = typeof(SegmentLayouts))]
    public void Allocation_UntilExhausted_ThenFreeInEachOrder_RestoresAllMemory(AllocationAlgorithm algorithm)
    {
        using var heap = SegmentLayouts.Heap(SegmentSize, algorithm);
        var m = heap.Manager;
        foreach (var order in Enum.GetValues<Order>())
        {
            long free = m.GetFreeMemory();
            var handles = AllocateUntilExhausted(m, i => i);
            FreeAll(m, handles, order);
            AssertAllFreeAndSane(m, free);
        }
    }

    /// <summary>Boost: <c>test_allocation_shrink</c>: allocate 2i bytes until exhausted, shrink each in place to i.</summary>
    [Theory]
    [MemberData(nameof(SegmentLayouts.Algorithms), MemberType = typeof(SegmentLayouts))]
    public void AllocationShrink_EveryBlockToHalf_StaysWithinTheLimits(AllocationAlgorithm algorithm)
    {
        using var heap = SegmentLayouts.Heap(SegmentSize, algorithm);
        var m = heap.Manager;
        long free = m.GetFreeMemory();
        var handles = AllocateUntilExhausted(m, i => i * 2);
        int shrunk = 0;
        for (int i = 0; i < handles.Count; i++)
        {
            long before = m.GetBlockSize(handles[i]);
            var r = m.AllocationCommand(AllocationType.ShrinkInPlace | AllocationType.NoThrow, Math.Max(i * 2, before), i, handles[i]);
            if (r.Succeeded)
            {
                Assert.InRange(r.ReceivedSize, i, Math.Max(i * 2, before));
                Assert.Equal(r.ReceivedSize, m.GetBlockSize(handles[i]));
                m.GetSpan(handles[i], (int)r.ReceivedSize).Clear();
                shrunk += r.ReceivedSize < before ? 1 : 0;
            }
        }

        Assert.True(shrunk > handles.Count / 2, $"{shrunk} of {handles.Count} shrunk");
        FreeAll(m, handles, Order.Mixed);
        AssertAllFreeAndSane(m, free);
    }

    /// <summary>Boost: <c>test_allocation_expand</c>: allocate i bytes until exhausted, then expand each forward as long as it grows.</summary>
    [Theory]
    [MemberData(nameof(SegmentLayouts.Algorithms), MemberType = typeof(SegmentLayouts))]
    public void AllocationExpand_WhenMemoryIsExhausted_EachExpansionGivesAtLeastTheMinimum(AllocationAlgorithm algorithm)
    {
        using var heap = SegmentLayouts.Heap(SegmentSize, algorithm);
        var m = heap.Manager;
        long free = m.GetFreeMemory();
        var handles = AllocateUntilExhausted(m, i => i);
        ExpandEachForwardWhileItGrows(m, handles);
        FreeAll(m, handles, Order.Mixed);
        AssertAllFreeAndSane(m, free);
    }

    private static int ExpandEachForwardWhileItGrows(SegmentManager m, List<long> handles)
    {
        int expansions = 0;
        for (int i = 0; i < handles.Count; i++)
        {
            long min = i + 1;
            long preferred = Math.Max(min, i * 2L);
            while (true)
            {
                var r = m.AllocationCommand(AllocationType.ExpandForward | AllocationType.NoThrow, min, preferred, handles[i]);
                if (!r.Succeeded)
                {
                    break;
                }

                Assert.Equal(handles[i], r.Handle);
                Assert.True(r.ReceivedSize >= min);
                expansions += r.ReceivedSize > min - 1 ? 1 : 0;
                min = r.ReceivedSize + 1;
                preferred = min * 2;
            }
        }

        return expansions;
    }

    /// <summary>Boost: <c>test_allocation_shrink_and_expand</c>: allocate with allocate_new (limit i, preferred 2i), shrink each to i, expand each back to what it received.</summary>
    [Theory]
    [MemberData(nameof(SegmentLayouts.Algorithms), MemberType = typeof(SegmentLayouts))]
    public void AllocationShrinkAndExpand_EveryBlockGrowsBackToExactlyItsFirstSize(AllocationAlgorithm algorithm)
    {
        using var heap = SegmentLayouts.Heap(SegmentSize, algorithm);
        var m = heap.Manager;
        long free = m.GetFreeMemory();
        var handles = new List<long>();
        var received = new List<long>();
        for (long i = 0; ; i++)
        {
            var r = m.AllocationCommand(AllocationType.AllocateNew | AllocationType.NoThrow, i, i * 2);
            if (!r.Succeeded)
            {
                r = m.AllocationCommand(AllocationType.AllocateNew | AllocationType.NoThrow, 1, Math.Max(1, i * 2));
                if (!r.Succeeded)
                {
                    break;
                }
            }

            Assert.Equal(AllocationOutcome.NewBlock, r.Outcome);
            handles.Add(r.Handle);
            received.Add(r.ReceivedSize);
        }

        for (int i = 0; i < handles.Count; i++)
        {
            var r = m.AllocationCommand(AllocationType.ShrinkInPlace | AllocationType.NoThrow, received[i], Math.Min(i, received[i]), handles[i]);
            if (r.Succeeded)
            {
                Assert.InRange(r.ReceivedSize, Math.Min(i, received[i]), received[i]);
            }
        }

        for (int i = 0; i < handles.Count; i++)
        {
            var r = m.AllocationCommand(AllocationType.ExpandForward | AllocationType.NoThrow, received[i], received[i], handles[i]);
            Assert.True(r.Succeeded, $"block {i} did not grow back to {received[i]}");
            Assert.Equal(received[i], r.ReceivedSize);
        }

        FreeAll(m, handles, Order.Mixed);
        AssertAllFreeAndSane(m, free);
    }

    /// <summary>Boost: <c>test_allocation_deallocation_expand</c>: allocate until exhausted, free every odd block, expand the even ones into the gaps.</summary>
    [Theory]
    [MemberData(nameof(SegmentLayouts.Algorithms), MemberType = typeof(SegmentLayouts))]
    public void AllocationDeallocationExpand_TheEvenBlocksGrowIntoTheFreedOddOnes(AllocationAlgorithm algorithm)
    {
        using var heap = SegmentLayouts.Heap(SegmentSize, algorithm);
        var m = heap.Manager;
        long free = m.GetFreeMemory();
        var all = AllocateUntilExhausted(m, i => i);
        var even = new List<long>();
        for (int i = 0; i < all.Count; i++)
        {
            if (i % 2 == 1)
            {
                m.Deallocate(all[i]);
            }
            else
            {
                even.Add(all[i]);
            }
        }

        long freeWithGaps = m.GetFreeMemory();
        ExpandEachForwardWhileItGrows(m, even);
        Assert.True(m.GetFreeMemory() < freeWithGaps / 2, "the even blocks did not take the gaps");
        FreeAll(m, even, Order.Mixed);
        AssertAllFreeAndSane(m, free);
    }

    /// <summary>
    /// Boost: <c>test_allocation_with_reuse</c>: for element sizes 1..19, allocate until exhausted, free all but
    /// the last block, then expand that one backward again and again (each time by a multiple of the element
    /// size) until the memory before it is used up.
    /// </summary>
    [Theory]
    [MemberData(nameof(SegmentLayouts.Algorithms), MemberType = typeof(SegmentLayouts))]
    public void AllocationWithReuse_TheLastBlockExpandsBackwardOverTheFreedMemory(AllocationAlgorithm algorithm)
    {
        using var heap = SegmentLayouts.Heap(SegmentSize, algorithm);
        var m = heap.Manager;
        long free = m.GetFreeMemory();
        for (int objectSize = 1; objectSize < 20; objectSize++)
        {
            var handles = AllocateUntilExhausted(m, i => i * objectSize);
            long block = handles[^1];
            handles.RemoveAt(handles.Count - 1);
            FreeAll(m, handles, Order.Direct);
            long receivedSize = m.GetBlockSize(block);
            m.GetSpan(block, (int)receivedSize).Fill(0x5A);
            int backward = 0;
            for (int i = 0; ; i++)
            {
                long min = receivedSize + 1;
                long preferred = receivedSize + ((i + 1) * 2 * objectSize);
                var r = m.AllocationCommand(AllocationType.ExpandBackward | AllocationType.NoThrow, min, preferred, block, objectSize);
                if (!r.Succeeded)
                {
                    break;
                }

                Assert.NotEqual(AllocationOutcome.NewBlock, r.Outcome);
                Assert.True(r.ReceivedSize >= min);
                Assert.Equal(0, (block - r.Handle) % objectSize);
                // The old bytes are still where they were; this test moves nothing, so they stay at the old handle.
                Assert.True(m.GetSpan(block, 16).IndexOfAnyExcept((byte)0x5A) < 0);
                backward += r.Outcome == AllocationOutcome.ExpandedBackward ? 1 : 0;
                block = r.Handle;
                receivedSize = r.ReceivedSize;
                m.GetSpan(block, (int)receivedSize).Fill(0x5A);
            }

            Assert.True(backward > 0, $"element size {objectSize}: no backward expansion");
            Assert.True(m.GetFreeMemory() < free / 4, $"element size {objectSize}: the block did not take the memory before it");
            m.Deallocate(block);
            AssertAllFreeAndSane(m, free);
        }
    }

    /// <summary>Boost: <c>test_aligned_allocation</c>: sizes 2^k - 1 at every power-of-two alignment that fits; each freed at once.</summary>
    [Theory]
    [MemberData(nameof(SegmentLayouts.Algorithms), MemberType = typeof(SegmentLayouts))]
    public void AlignedAllocation_OfEverySizeAndAlignment_IsAligned(AllocationAlgorithm algorithm)
    {
        using var heap = SegmentLayouts.Heap(SegmentSize, algorithm);
        var m = heap.Manager;
        long free = m.GetFreeMemory();
        int tested = 0;
        for (long i = 1; ; i <<= 1)
        {
            bool any = false;
            for (int j = 1; j > 0; j <<= 1)
            {
                if (!m.TryAllocateAligned(i - 1, j, out long h))
                {
                    break;
                }

                any = true;
                tested++;
                Assert.Equal(0, m.GetAddress(h) & (j - 1));
                Assert.True(m.GetBlockSize(h) >= i - 1);
                m.Deallocate(h);
                AssertAllFreeAndSane(m, free);
            }

            if (!any)
            {
                break;
            }
        }

        Assert.True(tested > 100, $"{tested} aligned allocations");
    }

    /// <summary>Boost: <c>test_continuous_aligned_allocation</c>: for each size and alignment, allocate aligned until exhausted, then free all.</summary>
    [Theory]
    [MemberData(nameof(SegmentLayouts.Algorithms), MemberType = typeof(SegmentLayouts))]
    public void ContinuousAlignedAllocation_UntilExhausted_IsAlwaysAligned(AllocationAlgorithm algorithm)
    {
        using var heap = SegmentLayouts.Heap(64 * 1024, algorithm);
        var m = heap.Manager;
        long free = m.GetFreeMemory();
        for (long i = 1; ; i <<= 1)
        {
            bool fitAtAll = false;
            for (int j = 1; j > 0 && j <= 64 * 1024; j <<= 1)
            {
                var handles = new List<long>();
                while (m.TryAllocateAligned(i - 1, j, out long h))
                {
                    Assert.Equal(0, m.GetAddress(h) & (j - 1));
                    handles.Add(h);
                }

                fitAtAll |= handles.Count > 0;
                FreeAll(m, handles, Order.Inverse);
                AssertAllFreeAndSane(m, free);
            }

            if (!fitAtAll)
            {
                break;
            }
        }
    }

    /// <summary>Boost: <c>test_clear_free_memory</c>: fill memory with ones, free it, ZeroFreeMemory, and every block allocated afterwards is all zero.</summary>
    [Theory]
    [MemberData(nameof(SegmentLayouts.Algorithms), MemberType = typeof(SegmentLayouts))]
    public void ClearFreeMemory_ThenEveryNewBlockIsAllZero(AllocationAlgorithm algorithm)
    {
        using var heap = SegmentLayouts.Heap(SegmentSize, algorithm);
        var m = heap.Manager;
        long free = m.GetFreeMemory();
        var handles = AllocateUntilExhausted(m, i => i, fill: 1);
        FreeAll(m, handles, Order.Inverse);
        m.ZeroFreeMemory();
        AssertAllFreeAndSane(m, free);
        for (long i = 0; m.TryAllocate(i, out long h); i++)
        {
            int size = (int)m.GetBlockSize(h);
            int at = m.GetSpan(h, size).IndexOfAnyExcept((byte)0);
            Assert.True(at < 0, $"block {i} (handle {h}, {size} bytes) has a non-zero byte at {at}");
            handles.Add(h);
        }

        FreeAll(m, handles, Order.Inverse);
        AssertAllFreeAndSane(m, free);
    }

    /// <summary>
    /// Boost: <c>test_grow_shrink_to_fit</c>: shrink an empty segment to its minimum and grow it back; then,
    /// freeing blocks one at a time, shrink to fit and grow back after each free. Grow and ShrinkToFit are
    /// offline here (as Boost's managed_shared_memory::grow / shrink_to_fit), so the segment is reopened
    /// around each; handles survive because they are offsets.
    /// </summary>
    [Theory]
    [MemberData(nameof(SegmentLayouts.Algorithms), MemberType = typeof(SegmentLayouts))]
    public void GrowShrinkToFit_AfterEveryFree_TheSizeAndFreeMemoryRoundTrip(AllocationAlgorithm algorithm)
    {
        string name = UniqueName.New("mgrow");
        const long size = 64 * 1024;
        try
        {
            long originalFree;
            using (var s = ManagedSharedMemory.CreateNew(name, size, options: SegmentLayouts.Options(algorithm)))
            {
                originalFree = s.Manager.GetFreeMemory();
            }

            long minSize = ManagedSharedMemory.ShrinkToFit(name);
            Assert.True(minSize < size);
            long minFree = Read(name, m => m.GetFreeMemory());
            Assert.True(Read(name, m => m.AllMemoryDeallocated() && m.CheckSanity()));
            Assert.Equal(size, ManagedSharedMemory.Grow(name, size - minSize));
            Assert.Equal(originalFree, Read(name, m => m.GetFreeMemory()));

            var handles = Read(name, m => AllocateUntilExhausted(m, i => i));
            Read(name, m =>
            {
                for (int i = 1; i < handles.Count; i += 2)
                {
                    m.Deallocate(handles[i]);
                }

                handles = handles.Where((_, i) => i % 2 == 0).ToList();
                return 0;
            });

            for (int j = 0; handles.Count > 0; j++)
            {
                int pos = Math.Min((j % 5) * handles.Count / 4, handles.Count - 1);
                long freeBefore = Read(name, m =>
                {
                    m.Deallocate(handles[pos]);
                    return m.GetFreeMemory();
                });
                handles.RemoveAt(pos);
                long shrunk = ManagedSharedMemory.ShrinkToFit(name);
                Assert.True(shrunk <= size);
                Assert.True(Read(name, m => m.CheckSanity() && m.GetFreeMemory() <= freeBefore && m.Size == shrunk));
                if (shrunk < size)
                {
                    Assert.Equal(size, ManagedSharedMemory.Grow(name, size - shrunk));
                }

                Assert.Equal((size, freeBefore), Read(name, m => (m.Size, m.GetFreeMemory())));
            }

            Assert.Equal(minSize, ManagedSharedMemory.ShrinkToFit(name));
            Assert.Equal(minFree, Read(name, m => m.GetFreeMemory()));
            ManagedSharedMemory.Grow(name, size - minSize);
            Assert.Equal(originalFree, Read(name, m => m.GetFreeMemory()));
            Assert.True(Read(name, m => m.AllMemoryDeallocated() && m.CheckSanity()));
        }
        finally
        {
            ManagedSharedMemory.Remove(name);
        }
    }

    private static T Read<T>(string name, Func<SegmentManager, T> f)
    {
        using var s = ManagedSharedMemory.OpenExisting(name);
        return f(s.Manager);
    }

    /// <summary>
    /// Boost: <c>test_many_equal_allocation</c>: with every other block of a full segment freed, allocate_many
    /// (i + 1 blocks of 2(i + 1) bytes... Boost's (i+1)*2 blocks of i+1 bytes) until it fails; each call gives all or none.
    /// </summary>
    [Theory]
    [MemberData(nameof(SegmentLayouts.Algorithms), MemberType = typeof(SegmentLayouts))]
    public void ManyEqualAllocation_AllOrNothing_ThenFreeInEachOrder(AllocationAlgorithm algorithm)
    {
        using var heap = SegmentLayouts.Heap(SegmentSize, algorithm);
        var m = heap.Manager;
        foreach (var order in Enum.GetValues<Order>())
        {
            long free = m.GetFreeMemory();
            var holes = FreeEveryOtherBlockOfAFullSegment(m);
            var many = new List<long>();
            for (int i = 0; ; i++)
            {
                long[] sizes = Enumerable.Repeat((long)(i + 1), (i + 1) * 2).ToArray();
                long[] got = new long[sizes.Length];
                long freeBefore = m.GetFreeMemory();
                if (!m.TryAllocateMany(sizes, got))
                {
                    Assert.Equal(freeBefore, m.GetFreeMemory()); // none allocated
                    break;
                }

                Assert.DoesNotContain(0, got);
                many.AddRange(got);
            }

            Assert.True(m.CheckSanity());
            FreeAll(m, many, order);
            FreeAll(m, holes, Order.Mixed);
            AssertAllFreeAndSane(m, free);
        }
    }

    private static List<long> FreeEveryOtherBlockOfAFullSegment(SegmentManager m)
    {
        var all = AllocateUntilExhausted(m, i => i);
        var kept = new List<long>();
        for (int i = 0; i < all.Count; i++)
        {
            if (i % 2 == 1)
            {
                m.Deallocate(all[i]);
            }
            else
            {
                kept.Add(all[i]);
            }
        }

        Assert.True(m.CheckSanity());
        return kept;
    }

    /// <summary>Boost: <c>test_many_different_allocation</c>: allocate_many of the 11 sizes 0, 4, ..., 40 until it fails.</summary>
    [Theory]
    [MemberData(nameof(SegmentLayouts.Algorithms), MemberType = typeof(SegmentLayouts))]
    public void ManyDifferentAllocation_AllOrNothing_ThenFreeInEachOrder(AllocationAlgorithm algorithm)
    {
        using var heap = SegmentLayouts.Heap(SegmentSize, algorithm);
        var m = heap.Manager;
        long[] sizes = Enumerable.Range(0, 11).Select(i => 4L * i).ToArray();
        foreach (var order in Enum.GetValues<Order>())
        {
            long free = m.GetFreeMemory();
            var holes = FreeEveryOtherBlockOfAFullSegment(m);
            var many = new List<long>();
            long[] got = new long[sizes.Length];
            int calls = 0;
            while (m.TryAllocateMany(sizes, got))
            {
                for (int k = 0; k < sizes.Length; k++)
                {
                    Assert.True(m.GetBlockSize(got[k]) >= sizes[k]);
                }

                many.AddRange(got);
                calls++;
            }

            Assert.True(calls > 10);
            FreeAll(m, many, order);
            FreeAll(m, holes, Order.Mixed);
            AssertAllFreeAndSane(m, free);
        }
    }

    /// <summary>Boost: <c>test_many_deallocation</c>: allocate_many until it fails, then deallocate_many each group (different sizes, then equal sizes).</summary>
    [Theory]
    [MemberData(nameof(SegmentLayouts.Algorithms), MemberType = typeof(SegmentLayouts))]
    public void ManyDeallocation_FreesEachGroupAtOnce(AllocationAlgorithm algorithm)
    {
        using var heap = SegmentLayouts.Heap(SegmentSize, algorithm);
        var m = heap.Manager;
        long free = m.GetFreeMemory();
        long[] different = Enumerable.Range(0, 11).Select(i => 4L * i).ToArray();
        for (int pass = 0; pass < 2; pass++)
        {
            var groups = new List<long[]>();
            for (int i = 0; ; i++)
            {
                long[] sizes = pass == 0 ? different : Enumerable.Repeat(i * 4L, 11).ToArray();
                long[] got = new long[sizes.Length];
                if (!m.TryAllocateMany(sizes, got))
                {
                    break;
                }

                groups.Add(got);
            }

            Assert.True(groups.Count > 10);
            foreach (long[] g in groups)
            {
                m.DeallocateMany(g);
            }

            AssertAllFreeAndSane(m, free);
        }
    }
}
