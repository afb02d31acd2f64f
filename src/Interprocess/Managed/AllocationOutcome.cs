namespace Interprocess.Managed;

/// <summary>What an <see cref="SegmentManager.AllocationCommand"/> did.</summary>
public enum AllocationOutcome
{
    /// <summary>Nothing was changed: no way to satisfy the command was allowed (only with <see cref="AllocationType.NoThrow"/>).</summary>
    Failed = 0,

    /// <summary>
    /// The reused block stays where it is: it was expanded forward, shrunk, was already large enough, or (for
    /// <see cref="AllocationType.TryShrinkInPlace"/>) could be shrunk as reported. Its contents are unchanged.
    /// </summary>
    SameBlock = 1,

    /// <summary>
    /// The reused block grew backward (and perhaps forward): <see cref="AllocationResult.Handle"/> is its new,
    /// lower start; the old bytes are still at the old handle, inside the block. Move them (an overlapping
    /// move) if they should start at the new handle. The old handle is no longer a block of its own.
    /// </summary>
    ExpandedBackward = 2,

    /// <summary>A new block was allocated; the reused block (if any) is untouched and still the caller's to free.</summary>
    NewBlock = 3,
}
