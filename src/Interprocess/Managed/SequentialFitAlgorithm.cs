namespace Interprocess.Managed;

/// <summary>
/// Sequential fit (in the manner of Boost's <c>simple_seq_fit</c>): one free list kept in address order,
/// searched first-fit, with the same boundary-tag blocks and immediate coalescing as
/// <see cref="TlsfAlgorithm"/>. Operations are O(free blocks); its advantage is a compact control block and
/// address-ordered reuse (low fragmentation for allocate/free patterns that work like a stack).
/// </summary>
/// <remarks>Control block: <c>0 long Head</c> (first free block, 0 = none), then the shared counters.</remarks>
internal sealed unsafe class SequentialFitAlgorithm : BoundaryTagAlgorithm
{
    /// <summary>Identifies this layout in the control block's geometry word (TLSF stores its first-level count there).</summary>
    private const int Id = 1;

    /// <summary>Works on the heap [<paramref name="heapStart"/>, <paramref name="heapEnd"/>) of the segment at <paramref name="segmentBase"/>.</summary>
    internal SequentialFitAlgorithm(byte* segmentBase, long heapStart, long heapEnd, string name)
        : base(segmentBase, heapStart, heapEnd, name)
    {
    }

    /// <inheritdoc />
    private protected override int GeometryId => Id;

    /// <inheritdoc />
    private protected override int GeometryParameter => 0;

    private ref long Head => ref *(long*)_ctl;

    /// <summary>The most list steps a sane heap allows (a bound that stops a damaged, cyclic list).</summary>
    private long MaxSteps => ((_sentinel - _heapStart) / MinBlock) + 1;

    /// <inheritdoc />
    private protected override long FindAndTake(long need)
    {
        long steps = 0;
        for (long b = Head; b != 0; b = NextFree(b))
        {
            CheckFreeLink(b);
            if (++steps > MaxSteps)
            {
                ThrowCorrupted("the free list has a cycle");
            }

            long size = SizeFlags(b) & ~FlagMask;
            if (size >= need)
            {
                Remove(b, size);
                return b;
            }
        }

        return 0;
    }

    /// <inheritdoc />
    private protected override void Insert(long block, long size)
    {
        // Find the last free block before this one (address order).
        long prev = 0, next = Head, steps = 0;
        while (next != 0 && next < block)
        {
            CheckFreeLink(next);
            if (++steps > MaxSteps)
            {
                ThrowCorrupted("the free list has a cycle");
            }

            prev = next;
            next = NextFree(next);
        }

        NextFree(block) = next;
        PrevFreeLink(block) = prev;
        if (next != 0)
        {
            CheckFreeLink(next);
            PrevFreeLink(next) = block;
        }

        if (prev != 0)
        {
            NextFree(prev) = block;
        }
        else
        {
            Head = block;
        }
    }

    /// <inheritdoc />
    private protected override void Remove(long block, long size)
    {
        long prev = PrevFreeLink(block);
        long next = NextFree(block);
        if (next != 0)
        {
            CheckFreeLink(next);
            PrevFreeLink(next) = prev;
        }

        if (prev != 0)
        {
            CheckFreeLink(prev);
            NextFree(prev) = next;
        }
        else
        {
            if (Head != block)
            {
                ThrowCorrupted($"the free block at {block} is not in the free list");
            }

            Head = next;
        }
    }

    /// <inheritdoc />
    private protected override void ClearLists() => Head = 0;

    /// <inheritdoc />
    private protected override void CheckLists(List<string> problems, long freeBlocks)
    {
        long listed = 0, prev = 0;
        for (long h = Head; h != 0; h = NextFree(h))
        {
            if (h < _heapStart || h >= _sentinel || (h & FlagMask) != 0)
            {
                problems.Add($"free lists: links to {h}, outside the heap");
                return;
            }

            if (++listed > freeBlocks)
            {
                problems.Add("free lists: more listed blocks than free blocks (a cycle or a stale entry)");
                return;
            }

            if ((SizeFlags(h) & FreeBit) == 0)
            {
                problems.Add($"free lists: holds the allocated block {h}");
            }

            if (h <= prev)
            {
                problems.Add($"free lists: block {h} is out of address order");
            }

            if (PrevFreeLink(h) != prev)
            {
                problems.Add($"free lists: block {h} has a wrong back link");
            }

            prev = h;
        }

        if (listed != freeBlocks)
        {
            problems.Add($"free lists: {listed} blocks listed, the heap has {freeBlocks} free blocks");
        }
    }
}
