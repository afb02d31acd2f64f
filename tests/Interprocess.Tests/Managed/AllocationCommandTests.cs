using Interprocess.Managed;

namespace Interprocess.Tests.Managed;

/// <summary>
/// <see cref="SegmentManager.AllocationCommand"/> (Boost's <c>allocation_command</c>): each path (expand forward,
/// expand backward, both, allocate new as the fallback, shrink, try-shrink) for each allocation algorithm.
/// </summary>
public sealed class AllocationCommandTests
{
    private const long SegmentSize = 1L << 20;

    /// <summary>guard, a (256), b (100, the block under test), c (256), guard: five adjacent blocks.</summary>
    private static (long A, long B, long C) Layout(SegmentManager m)
    {
        m.Allocate(64);
        long a = m.Allocate(256);
        long b = m.Allocate(100);
        long c = m.Allocate(256);
        m.Allocate(64);
        // The test relies on adjacency: each block follows the previous one (16-byte block headers).
        Assert.Equal(a + m.GetBlockSize(a) + 16, b);
        Assert.Equal(b + m.GetBlockSize(b) + 16, c);
        m.GetSpan(b, 100).Fill(0xB0);
        return (a, b, c);
    }

    private static void AssertSane(SegmentManager m) => Assert.True(m.CheckSanity(out var problems), string.Join("; ", problems));

    [Theory]
    [MemberData(nameof(SegmentLayouts.Algorithms), MemberType = typeof(SegmentLayouts))]
    public void ExpandForward_IntoAFreeSuccessor_KeepsTheHandleAndTheBytes(AllocationAlgorithm algorithm)
    {
        using var heap = SegmentLayouts.Heap(SegmentSize, algorithm);
        var m = heap.Manager;
        var (_, b, c) = Layout(m);
        m.Deallocate(c);
        var r = m.AllocationCommand(AllocationType.ExpandForward, 200, 300, b);
        Assert.Equal(AllocationOutcome.SameBlock, r.Outcome);
        Assert.Equal(b, r.Handle);
        Assert.InRange(r.ReceivedSize, 300, 300 + 47);
        Assert.Equal(r.ReceivedSize, m.GetBlockSize(b));
        Assert.True(m.GetSpan(b, 100).IndexOfAnyExcept((byte)0xB0) < 0);
        AssertSane(m);
    }

    [Theory]
    [MemberData(nameof(SegmentLayouts.Algorithms), MemberType = typeof(SegmentLayouts))]
    public void ExpandBackward_IntoAFreePredecessor_StartsEarlier_AndTheOldBytesStayWhereTheyWere(AllocationAlgorithm algorithm)
    {
        using var heap = SegmentLayouts.Heap(SegmentSize, algorithm);
        var m = heap.Manager;
        var (a, b, _) = Layout(m);
        long free = m.GetFreeMemory();
        m.Deallocate(a);
        var r = m.AllocationCommand(AllocationType.ExpandBackward, 150, 150, b);
        Assert.Equal(AllocationOutcome.ExpandedBackward, r.Outcome);
        Assert.True(r.Handle < b && r.Handle > a, $"new start {r.Handle}, a {a}, b {b}");
        Assert.Equal(0, (b - r.Handle) % 16);
        Assert.InRange(r.ReceivedSize, 150, 150 + 47);
        Assert.Equal(r.ReceivedSize, m.GetBlockSize(r.Handle));
        // The old bytes are where they were, inside the block; the caller moves them (an overlapping move).
        Assert.True(m.GetSpan(b, 100).IndexOfAnyExcept((byte)0xB0) < 0);
        // The old handle is no block any more: refused, not taken for one.
        Assert.Throws<ArgumentException>(() => m.GetBlockSize(b));
        Assert.Throws<ArgumentException>(() => m.Deallocate(b));
        m.GetSpan(b, 100).CopyTo(m.GetSpan(r.Handle, 100));
        Assert.True(m.GetSpan(r.Handle, 100).IndexOfAnyExcept((byte)0xB0) < 0);
        // What is left of the predecessor is still a free block: a new allocation of its size fits there.
        Assert.Throws<ArgumentException>(() => m.GetBlockSize(b));
        Assert.Equal(free + 272 - (r.ReceivedSize - m.GetBlockSize(r.Handle) + (b - r.Handle)), m.GetFreeMemory());
        AssertSane(m);
        long again = m.Allocate(r.Handle - a - 32);
        Assert.Equal(a, again);
        m.Deallocate(again);
        m.Deallocate(r.Handle);
        AssertSane(m);
    }

    [Theory]
    [MemberData(nameof(SegmentLayouts.Algorithms), MemberType = typeof(SegmentLayouts))]
    public void ExpandBackward_TakesTheWholePredecessor_WhenWhatWouldRemainIsNoBlock(AllocationAlgorithm algorithm)
    {
        using var heap = SegmentLayouts.Heap(SegmentSize, algorithm);
        var m = heap.Manager;
        var (a, b, _) = Layout(m);
        m.Deallocate(a);
        // a's block is 272 bytes; b holds 112. Asking for 112 + 260 leaves less than a minimal block of a.
        var r = m.AllocationCommand(AllocationType.ExpandBackward, 112 + 260, 112 + 260, b);
        Assert.Equal(AllocationOutcome.ExpandedBackward, r.Outcome);
        Assert.Equal(a, r.Handle);
        Assert.Equal(112 + 272, r.ReceivedSize);
        Assert.True(m.GetSpan(b, 100).IndexOfAnyExcept((byte)0xB0) < 0);
        AssertSane(m);
    }

    [Theory]
    [MemberData(nameof(SegmentLayouts.Algorithms), MemberType = typeof(SegmentLayouts))]
    public void ExpandBothWays_TakesTheSuccessorFirst_ThenWhatIsMissingFromThePredecessor(AllocationAlgorithm algorithm)
    {
        using var heap = SegmentLayouts.Heap(SegmentSize, algorithm);
        var m = heap.Manager;
        var (a, b, c) = Layout(m);
        m.Deallocate(a);
        m.Deallocate(c);
        // Neither neighbour alone gives 112 + 400: the successor (272) is taken whole, the rest comes from a.
        var r = m.AllocationCommand(AllocationType.ExpandForward | AllocationType.ExpandBackward, 512, 512, b);
        Assert.Equal(AllocationOutcome.ExpandedBackward, r.Outcome);
        Assert.True(r.Handle < b);
        Assert.Equal(b + 112 + 272, r.Handle + r.ReceivedSize); // ends where c's block ended
        Assert.InRange(r.ReceivedSize, 512, 512 + 15);
        Assert.True(m.GetSpan(b, 100).IndexOfAnyExcept((byte)0xB0) < 0);
        AssertSane(m);
    }

    [Theory]
    [MemberData(nameof(SegmentLayouts.Algorithms), MemberType = typeof(SegmentLayouts))]
    public void NeitherNeighbourFree_ExpansionFails_AndAllocateNewIsTheFallback(AllocationAlgorithm algorithm)
    {
        using var heap = SegmentLayouts.Heap(SegmentSize, algorithm);
        var m = heap.Manager;
        var (_, b, _) = Layout(m);
        long free = m.GetFreeMemory();
        var both = AllocationType.ExpandForward | AllocationType.ExpandBackward;
        var failed = m.AllocationCommand(both | AllocationType.NoThrow, 200, 400, b);
        Assert.Equal(AllocationOutcome.Failed, failed.Outcome);
        Assert.False(failed.Succeeded);
        Assert.Equal(0, failed.Handle);
        var e = Assert.Throws<InterprocessException>(() => m.AllocationCommand(both, 200, 400, b));
        Assert.Equal(InterprocessErrorCode.OutOfMemory, e.ErrorCode);
        Assert.Equal(free, m.GetFreeMemory());

        var r = m.AllocationCommand(both | AllocationType.AllocateNew, 200, 400, b);
        Assert.Equal(AllocationOutcome.NewBlock, r.Outcome);
        Assert.NotEqual(b, r.Handle);
        Assert.InRange(r.ReceivedSize, 400, 400 + 47);
        // The reused block is untouched and still the caller's.
        Assert.Equal(112, m.GetBlockSize(b));
        Assert.True(m.GetSpan(b, 100).IndexOfAnyExcept((byte)0xB0) < 0);
        m.Deallocate(b);
        m.Deallocate(r.Handle);
        AssertSane(m);
    }

    [Theory]
    [MemberData(nameof(SegmentLayouts.Algorithms), MemberType = typeof(SegmentLayouts))]
    public void ABlockAlreadyLargeEnough_IsReturnedAsItIs(AllocationAlgorithm algorithm)
    {
        using var heap = SegmentLayouts.Heap(SegmentSize, algorithm);
        var m = heap.Manager;
        var (_, b, _) = Layout(m);
        var r = m.AllocationCommand(AllocationType.ExpandForward | AllocationType.AllocateNew, 50, 100, b);
        Assert.Equal(new AllocationResult(b, 112, AllocationOutcome.SameBlock), r);
        // Preferred too large, limit satisfied: no neighbour is free and no new block is allowed: the limit step keeps it.
        r = m.AllocationCommand(AllocationType.ExpandForward | AllocationType.ExpandBackward, 100, 10_000, b);
        Assert.Equal(new AllocationResult(b, 112, AllocationOutcome.SameBlock), r);
    }

    [Theory]
    [MemberData(nameof(SegmentLayouts.Algorithms), MemberType = typeof(SegmentLayouts))]
    public void AllocateNew_GivesThePreferredSize_ElseAtLeastTheLimit(AllocationAlgorithm algorithm)
    {
        using var heap = SegmentLayouts.Heap(64 * 1024, algorithm);
        var m = heap.Manager;
        long free = m.GetFreeMemory();
        var r = m.AllocationCommand(AllocationType.AllocateNew, 100, 1000);
        Assert.Equal(AllocationOutcome.NewBlock, r.Outcome);
        Assert.InRange(r.ReceivedSize, 1000, 1000 + 47);
        m.Deallocate(r.Handle);
        r = m.AllocationCommand(AllocationType.AllocateNew, 1000, 10L << 20);
        Assert.Equal(AllocationOutcome.NewBlock, r.Outcome);
        Assert.InRange(r.ReceivedSize, 1000, 10L << 20);
        m.Deallocate(r.Handle);
        Assert.Equal(AllocationOutcome.Failed, m.AllocationCommand(AllocationType.AllocateNew | AllocationType.NoThrow, 10L << 20, 10L << 20).Outcome);
        Assert.Equal(free, m.GetFreeMemory());
        Assert.True(m.AllMemoryDeallocated());
    }

    [Theory]
    [MemberData(nameof(SegmentLayouts.Algorithms), MemberType = typeof(SegmentLayouts))]
    public void ShrinkInPlace_KeepsThePreferredSize_AndTryShrinkOnlyReports(AllocationAlgorithm algorithm)
    {
        using var heap = SegmentLayouts.Heap(SegmentSize, algorithm);
        var m = heap.Manager;
        long h = m.Allocate(1000);
        m.GetSpan(h, 1000).Fill(7);
        var tried = m.AllocationCommand(AllocationType.TryShrinkInPlace, 500, 100, h);
        Assert.Equal(AllocationOutcome.SameBlock, tried.Outcome);
        Assert.InRange(tried.ReceivedSize, 100, 100 + 15);
        Assert.Equal(1008, m.GetBlockSize(h)); // unchanged
        var shrunk = m.AllocationCommand(AllocationType.ShrinkInPlace, 500, 100, h);
        Assert.Equal(tried, shrunk);
        Assert.Equal(shrunk.ReceivedSize, m.GetBlockSize(h));
        Assert.True(m.GetSpan(h, 100).IndexOfAnyExcept((byte)7) < 0);
        // Bigger than the block: fails; a tail too small to be a block leaves a size above the limit: fails.
        Assert.Equal(AllocationOutcome.Failed, m.AllocationCommand(AllocationType.ShrinkInPlace | AllocationType.NoThrow, 5000, 2000, h).Outcome);
        Assert.Equal(AllocationOutcome.Failed, m.AllocationCommand(AllocationType.ShrinkInPlace | AllocationType.NoThrow, shrunk.ReceivedSize - 1, shrunk.ReceivedSize - 8, h).Outcome);
        Assert.Throws<InterprocessException>(() => m.AllocationCommand(AllocationType.ShrinkInPlace, 5000, 2000, h));
        Assert.Equal(shrunk.ReceivedSize, m.GetBlockSize(h));
        m.Deallocate(h);
        Assert.True(m.AllMemoryDeallocated());
        AssertSane(m);
    }

    [Theory]
    [MemberData(nameof(SegmentLayouts.Algorithms), MemberType = typeof(SegmentLayouts))]
    public void ZeroMemory_ZeroesWhatTheCommandAdds_AndNothingElse(AllocationAlgorithm algorithm)
    {
        using var heap = SegmentLayouts.Heap(SegmentSize, algorithm);
        var m = heap.Manager;
        var (a, b, c) = Layout(m);
        m.GetSpan(a, 256).Fill(0xEE);
        m.GetSpan(c, 256).Fill(0xEE);
        m.Deallocate(a);
        m.Deallocate(c);
        var r = m.AllocationCommand(AllocationType.ExpandForward | AllocationType.ExpandBackward | AllocationType.ZeroMemory, 600, 600, b);
        Assert.Equal(AllocationOutcome.ExpandedBackward, r.Outcome);
        Assert.True(m.GetSpan(r.Handle, (int)(b - r.Handle)).IndexOfAnyExcept((byte)0) < 0);
        Assert.True(m.GetSpan(b, 100).IndexOfAnyExcept((byte)0xB0) < 0);
        long tail = b + 112;
        Assert.True(m.GetSpan(tail, (int)(r.Handle + r.ReceivedSize - tail)).IndexOfAnyExcept((byte)0) < 0);

        var n = m.AllocationCommand(AllocationType.AllocateNew | AllocationType.ZeroMemory, 4000, 4000);
        Assert.True(m.GetSpan(n.Handle, (int)n.ReceivedSize).IndexOfAnyExcept((byte)0) < 0);
    }

    [Theory]
    [MemberData(nameof(SegmentLayouts.Algorithms), MemberType = typeof(SegmentLayouts))]
    public void ExpandBackward_MovesBackByAMultipleOfTheElementSize(AllocationAlgorithm algorithm)
    {
        foreach (int multiple in new[] { 1, 3, 12, 24, 40, 100 })
        {
            using var heap = SegmentLayouts.Heap(SegmentSize, algorithm);
            var m = heap.Manager;
            m.Allocate(64);
            long a = m.Allocate(1000);
            long b = m.Allocate(96);
            m.Allocate(64);
            m.Deallocate(a);
            var r = m.AllocationCommand(AllocationType.ExpandBackward, 120, 120, b, backwardsMultiple: multiple);
            Assert.Equal(AllocationOutcome.ExpandedBackward, r.Outcome);
            Assert.Equal(0, (b - r.Handle) % multiple);
            Assert.True(r.ReceivedSize >= 120);
            AssertSane(m);
        }
    }

    [Fact]
    public void BadArguments_AreRefusedClearly()
    {
        using var heap = new ManagedHeapMemory(SegmentSize);
        var m = heap.Manager;
        long h = m.Allocate(100);
        var obj = m.ConstructAnonymous(5L);
        Assert.Throws<ArgumentException>(() => m.AllocationCommand((AllocationType)0x100, 1, 1));
        Assert.Throws<ArgumentException>(() => m.AllocationCommand(AllocationType.NoThrow, 1, 1));
        Assert.Throws<ArgumentException>(() => m.AllocationCommand(AllocationType.ShrinkInPlace | AllocationType.ExpandForward, 10, 10, h));
        Assert.Throws<ArgumentException>(() => m.AllocationCommand(AllocationType.ShrinkInPlace | AllocationType.TryShrinkInPlace, 10, 10, h));
        Assert.Throws<ArgumentException>(() => m.AllocationCommand(AllocationType.ExpandForward, 10, 10));
        Assert.Throws<ArgumentException>(() => m.AllocationCommand(AllocationType.ShrinkInPlace, 10, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.AllocationCommand(AllocationType.AllocateNew, -1, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.AllocationCommand(AllocationType.AllocateNew, 20, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.AllocationCommand(AllocationType.ShrinkInPlace, 10, 20, h));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.AllocationCommand(AllocationType.ExpandBackward, 10, 20, h, backwardsMultiple: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.AllocationCommand(AllocationType.ExpandForward, 10, 20, -16));
        var e = Assert.Throws<ArgumentException>(() => m.AllocationCommand(AllocationType.ExpandForward, 10, 200, obj.Handle - 72));
        Assert.Contains("object", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => m.AllocationCommand(AllocationType.ExpandForward, 10, 200, h + 16));
        Assert.Throws<ArgumentException>(() => m.AllocationCommand(AllocationType.ExpandForward, 10, 200, SegmentSize * 4));
        m.Deallocate(h);
        Assert.Throws<ArgumentException>(() => m.AllocationCommand(AllocationType.ExpandForward, 10, 200, h));
        // Sizes beyond the segment fail as no room, not as an overflow.
        Assert.Equal(AllocationOutcome.Failed, m.AllocationCommand(AllocationType.AllocateNew | AllocationType.NoThrow, long.MaxValue, long.MaxValue).Outcome);
        long g = m.Allocate(10);
        Assert.False(m.AllocationCommand(AllocationType.ExpandForward | AllocationType.ExpandBackward | AllocationType.NoThrow, long.MaxValue - 8, long.MaxValue, g).Succeeded);
        Assert.False(m.TryExpandInPlace(g, long.MaxValue - 8, long.MaxValue, out _));
        Assert.True(m.CheckSanity());
    }
}
