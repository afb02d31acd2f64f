namespace Interprocess.Managed;

/// <summary>
/// An allocation algorithm working on the heap of one mapped segment. Every value in and out is an offset
/// from the segment base (a handle); a handle is the offset of a block's payload. Callers hold the segment
/// lock. Implementations validate every offset they read from the segment and throw
/// <see cref="InterprocessException"/> (<see cref="InterprocessErrorCode.Corrupted"/>) on a bad one.
/// </summary>
internal interface IMemoryAlgorithm
{
    /// <summary>Lays out an empty heap (creation only).</summary>
    void Format();

    /// <summary>Checks the algorithm's fixed state on open (sizes, geometry); throws when it is not ours.</summary>
    void ValidateOnOpen();

    /// <summary>Allocates <paramref name="size"/> bytes, 16-byte aligned; 0 when there is no room.</summary>
    long Allocate(long size, bool objectBlock);

    /// <summary>Allocates with a power-of-two alignment above 16; 0 when there is no room.</summary>
    long AllocateAligned(long size, long alignment, bool objectBlock);

    /// <summary>Grows an allocated block into a free successor: to at least <paramref name="minSize"/> usable bytes, up to <paramref name="preferredSize"/>; the new usable size, or -1 when it cannot.</summary>
    long ExpandInPlace(long handle, long minSize, long preferredSize);

    /// <summary>
    /// Grows an allocated block into the free block before it (and, when <paramref name="forwardToo"/>, first into
    /// the free block after it): to at least <paramref name="minSize"/> usable bytes, preferably
    /// <paramref name="preferredSize"/>, moving its start back by a multiple of <paramref name="backwardsMultiple"/>
    /// bytes. Returns the new handle (lower than <paramref name="handle"/>; the old bytes stay where they were), or 0
    /// when it cannot, having changed nothing.
    /// </summary>
    long ExpandBackward(long handle, long minSize, long preferredSize, long backwardsMultiple, bool forwardToo);

    /// <summary>Gives the tail of an allocated block back, keeping at least <paramref name="newSize"/> usable bytes; the new usable size.</summary>
    long ShrinkInPlace(long handle, long newSize);

    /// <summary>The usable size <see cref="ShrinkInPlace"/> would leave (nothing changes); -1 when the block holds less than <paramref name="newSize"/>.</summary>
    long ShrunkSize(long handle, long newSize);

    /// <summary>Frees an allocated block; throws <see cref="ArgumentException"/> for a handle that is not one.</summary>
    void Deallocate(long handle);

    /// <summary>The bytes usable at <paramref name="handle"/>; throws for a handle that is not an allocated block.</summary>
    long GetUsableSize(long handle);

    /// <summary>True when <paramref name="handle"/> is the payload of an allocated block (checked cheaply, not by a walk).</summary>
    bool IsAllocated(long handle, out bool objectBlock);

    /// <summary>The usable size of the allocated block at <paramref name="handle"/>, or -1 when it is not one (never throws).</summary>
    long AllocatedSize(long handle, out bool objectBlock);

    /// <summary>Bytes not allocated (including per-block overhead of free blocks).</summary>
    long FreeBytes { get; }

    /// <summary>How many blocks are allocated.</summary>
    long AllocatedBlocks { get; }

    /// <summary>Walks the heap and every free list; describes each inconsistency found (nothing when sane).</summary>
    void CheckSanity(List<string> problems);

    /// <summary>
    /// Rebuilds everything derivable (free lists, bitmaps, boundary flags, counters) from the chain of block
    /// sizes, merging adjacent free blocks. Throws <see cref="InterprocessException"/> (Corrupted) when the
    /// chain itself is broken.
    /// </summary>
    void Rebuild();

    /// <summary>Calls <paramref name="visit"/> with the handle of every allocated object block.</summary>
    void ForEachObjectBlock(Action<long> visit);

    /// <summary>Writes zeros over the free memory (not over the allocator's own links).</summary>
    void ZeroFreeMemory();

    /// <summary>Offline grow, before anything changes: the end sentinel's two words, for the journal (a roll back restores them).</summary>
    void SnapshotEnd(out long prevSize, out long sizeFlags);

    /// <summary>
    /// Offline grow, step 2 (this instance was made with the new heap end; the heap so far ended at
    /// <paramref name="oldHeapEnd"/>): writes the new end sentinel, then turns the old one into a free block over
    /// the new bytes with one store. Idempotent; free lists, flags and counters are left to <see cref="Rebuild"/>.
    /// </summary>
    void WriteGrownEnd(long oldHeapEnd);

    /// <summary>
    /// Rolls an interrupted grow back (this instance has the old heap end): restores the old end sentinel and
    /// the free block before it from the journal's words. Idempotent; <see cref="Rebuild"/> follows.
    /// </summary>
    void RestoreGrownEnd(long savedPrevSize, long savedSizeFlags);

    /// <summary>
    /// Offline shrink, planning only (nothing changes): the heap end after cutting the free block at the end
    /// off (the current end when there is none), that block and its SizeFlags.
    /// </summary>
    long PlanTrim(out long block, out long blockSizeFlags);

    /// <summary>
    /// Offline shrink (this instance has the new heap end): makes <paramref name="block"/> end at the new end
    /// sentinel, or become it. Idempotent; <see cref="Rebuild"/> follows.
    /// </summary>
    void WriteTrimmedEnd(long block);

    /// <summary>Rolls an interrupted shrink back (this instance has the old heap end): restores <paramref name="block"/>'s SizeFlags. Idempotent.</summary>
    void RestoreTrimmedEnd(long block, long savedSizeFlags);
}
