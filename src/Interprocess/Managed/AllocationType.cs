namespace Interprocess.Managed;

/// <summary>
/// What <see cref="SegmentManager.AllocationCommand"/> may do (Boost's <c>allocation_type</c> flags; the
/// values are Boost's). Combine <see cref="AllocateNew"/>, <see cref="ExpandForward"/> and
/// <see cref="ExpandBackward"/> freely; <see cref="ShrinkInPlace"/> and <see cref="TryShrinkInPlace"/> stand
/// alone (with <see cref="NoThrow"/> or <see cref="ZeroMemory"/> at most).
/// </summary>
[Flags]
public enum AllocationType
{
    /// <summary>May allocate a new block (the reused block, if any, is left as it is).</summary>
    AllocateNew = 0x01,

    /// <summary>May grow the reused block into the free block right after it (the block does not move).</summary>
    ExpandForward = 0x02,

    /// <summary>
    /// May grow the reused block into the free block right before it: the block then starts earlier, and
    /// its old bytes are still where they were (the caller moves them, as in Boost).
    /// </summary>
    ExpandBackward = 0x04,

    /// <summary>Gives the tail of the reused block back to the heap.</summary>
    ShrinkInPlace = 0x08,

    /// <summary>Reports failure as <see cref="AllocationOutcome.Failed"/> instead of throwing.</summary>
    NoThrow = 0x10,

    /// <summary>The bytes the command adds to the caller's memory (a new block, or the parts an expansion adds) are zeroed.</summary>
    ZeroMemory = 0x20,

    /// <summary>Says what <see cref="ShrinkInPlace"/> would give, changing nothing.</summary>
    TryShrinkInPlace = 0x40,
}
