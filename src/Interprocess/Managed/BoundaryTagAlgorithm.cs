using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Interprocess.Managed;

/// <summary>
/// The part every allocation algorithm of this library shares: blocks with boundary tags over the heap of a
/// mapped segment, immediate coalescing, the counters, the heap walk of CheckSanity, Rebuild and ZeroFreeMemory.
/// A subclass decides how free blocks are kept and found (<see cref="TlsfAlgorithm"/>: segregated lists;
/// <see cref="SequentialFitAlgorithm"/>: one address-ordered list).
/// </summary>
/// <remarks>
/// <para><b>Blocks</b> (offsets from the segment base, all multiples of 16):</para>
/// <code>
/// b+0  long PrevSize   size of the previous physical block; valid when this block's PrevFree flag is set
/// b+8  long SizeFlags  block size (header included) | Free (bit 0) | PrevFree (bit 1) | Object (bit 2)
/// b+16 payload         the handle given out is b + 16
///      free blocks keep long NextFree at b+16 and long PrevFreeLink at b+24 (0 = none)
/// </code>
/// <para>The heap ends with a 16-byte sentinel header of size 0 that is never free, so every real block has
/// a next block to carry its PrevFree flag.</para>
/// <para><b>Control block</b> at <see cref="SegmentHeader.AllocatorStateOffset"/>: bytes 8..31 are shared
/// (AllocatedBytes, AllocatedBlocks, two geometry ints checked on open); 0..7 and 32.. belong to the subclass.</para>
/// <para><b>Crashes.</b> Every update keeps the chain of block sizes walkable at every instant: a split
/// writes the new remainder header (inside the block's own payload) before the single store that shrinks the
/// block; a merge is the single store that grows the surviving block. A process killed in the middle can
/// therefore leave only derivable state wrong (free lists, flags, counters), which <see cref="Rebuild"/>
/// recomputes from the chain.</para>
/// </remarks>
internal abstract unsafe class BoundaryTagAlgorithm : IMemoryAlgorithm
{
    private protected const long HeaderBytes = 16;
    private protected const long MinBlock = 32;

    private protected const long FreeBit = 1;
    private const long PrevFreeBit = 2;
    private const long ObjectBit = 4;
    private protected const long FlagMask = 15;

    private const int CtlAllocatedBytes = 8;
    private const int CtlAllocatedBlocks = 16;
    private const int CtlGeometry = 24;

    /// <summary>The bytes of allocator state (all of the header's allocator area).</summary>
    private const int StateBytes = SegmentHeader.AllocatorStateSize;

    /// <summary>The segment base in this process.</summary>
    private readonly byte* _base;
    /// <summary>The control block (base + AllocatorStateOffset).</summary>
    private protected readonly byte* _ctl;
    /// <summary>The first block.</summary>
    private protected readonly long _heapStart;
    /// <summary>The sentinel header (the last 16 bytes of the heap).</summary>
    private protected readonly long _sentinel;
    /// <summary>The segment's name, for messages.</summary>
    private readonly string _name;

    /// <summary>Works on the heap [<paramref name="heapStart"/>, <paramref name="heapEnd"/>) of the segment at <paramref name="segmentBase"/>.</summary>
    private protected BoundaryTagAlgorithm(byte* segmentBase, long heapStart, long heapEnd, string name)
    {
        _base = segmentBase;
        _ctl = segmentBase + SegmentHeader.AllocatorStateOffset;
        _heapStart = heapStart;
        _sentinel = heapEnd - HeaderBytes;
        _name = name;
    }

    private ref long AllocatedBytesRef => ref *(long*)(_ctl + CtlAllocatedBytes);

    private ref long AllocatedBlocksRef => ref *(long*)(_ctl + CtlAllocatedBlocks);

    private ref long PrevSize(long b) => ref *(long*)(_base + b);

    private protected ref long SizeFlags(long b) => ref *(long*)(_base + b + 8);

    private protected ref long NextFree(long b) => ref *(long*)(_base + b + 16);

    private protected ref long PrevFreeLink(long b) => ref *(long*)(_base + b + 24);

    /// <inheritdoc />
    public long FreeBytes => _sentinel - _heapStart - AllocatedBytesRef;

    /// <inheritdoc />
    public long AllocatedBlocks => AllocatedBlocksRef;

    /// <inheritdoc />
    public void Format()
    {
        new Span<byte>(_ctl, StateBytes).Clear();
        *(int*)(_ctl + CtlGeometry) = GeometryId;
        *(int*)(_ctl + CtlGeometry + 4) = GeometryParameter;
        ClearLists();
        long size = _sentinel - _heapStart;
        PrevSize(_heapStart) = 0;
        SizeFlags(_heapStart) = size | FreeBit;
        PrevSize(_sentinel) = size;
        SizeFlags(_sentinel) = PrevFreeBit;
        Insert(_heapStart, size);
    }

    /// <inheritdoc />
    public void ValidateOnOpen()
    {
        if (*(int*)(_ctl + CtlGeometry) != GeometryId || *(int*)(_ctl + CtlGeometry + 4) != GeometryParameter)
        {
            throw InterprocessException.Corrupted(_name, $"the allocator's state in the header is not this library's {GetType().Name} layout.");
        }

        if (_sentinel - _heapStart < MinBlock || ((_sentinel | _heapStart) & FlagMask) != 0 || (SizeFlags(_sentinel) & ~FlagMask) != 0)
        {
            throw InterprocessException.Corrupted(_name, "the heap bounds or the end sentinel are damaged.");
        }
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long Allocate(long size, bool objectBlock)
    {
        if ((ulong)size > (ulong)(_sentinel - _heapStart))
        {
            return 0;
        }

        long need = (size + HeaderBytes + 15) & ~15L;
        if (need < MinBlock)
        {
            need = MinBlock;
        }

        long block = FindAndTake(need);
        if (block == 0)
        {
            return 0;
        }

        SplitAndMark(block, need, objectBlock);
        return block + HeaderBytes;
    }

    /// <inheritdoc />
    public long AllocateAligned(long size, long alignment, bool objectBlock)
    {
        if (alignment <= 16)
        {
            return Allocate(size, objectBlock);
        }

        if ((ulong)size > (ulong)(_sentinel - _heapStart) || alignment > (_sentinel - _heapStart))
        {
            return 0;
        }

        long h = Allocate(size + alignment + MinBlock, objectBlock);
        if (h == 0)
        {
            return 0;
        }

        long block = h - HeaderBytes;
        // Align the address in this process (handles share it up to the page size, the base's alignment).
        long baseAddress = (long)_base;
        long a = ((baseAddress + h + alignment - 1) & ~(alignment - 1)) - baseAddress;
        if (a != h && a - h < MinBlock)
        {
            a += alignment;
        }

        if (a != h)
        {
            // Cut the front off as its own block and free it (it merges with a free predecessor).
            long total = SizeFlags(block) & ~FlagMask;
            long front = a - h;
            long nb = block + front;
            PrevSize(nb) = front;
            SizeFlags(nb) = (total - front) | (objectBlock ? ObjectBit : 0);
            SizeFlags(block) = front | (SizeFlags(block) & (PrevFreeBit | ObjectBit));
            AllocatedBlocksRef++;
            Deallocate(h);
            block = nb;
        }

        // Give the tail back.
        long needBytes = Math.Max(MinBlock, (size + HeaderBytes + 15) & ~15L);
        long have = SizeFlags(block) & ~FlagMask;
        if (have - needBytes >= MinBlock)
        {
            long rem = block + needBytes;
            PrevSize(rem) = needBytes;
            SizeFlags(rem) = have - needBytes;
            SizeFlags(block) = needBytes | (SizeFlags(block) & (PrevFreeBit | ObjectBit));
            AllocatedBlocksRef++;
            Deallocate(rem + HeaderBytes);
        }

        return block + HeaderBytes;
    }

    /// <inheritdoc />
    public void Deallocate(long handle)
    {
        long block = handle - HeaderBytes;
        long sf = CheckAllocatedBlock(block, nameof(handle));
        long size = sf & ~FlagMask;
        AllocatedBytesRef -= size;
        AllocatedBlocksRef--;

        if ((sf & PrevFreeBit) != 0)
        {
            long ps = PrevSize(block);
            long prev = block - ps;
            if (ps < MinBlock || (ps & FlagMask) != 0 || prev < _heapStart || (SizeFlags(prev) & ~(FlagMask & ~FreeBit)) != (ps | FreeBit))
            {
                ThrowCorrupted($"the block before {block} (size {ps}) is not a free block of that size");
            }

            Remove(prev, ps);
            // A free block's predecessor is never free (they would have merged), so PrevFree is clear.
            block = prev;
            size += ps;
        }

        long next = block + size;
        long nsf = SizeFlags(next);
        if ((nsf & FreeBit) != 0)
        {
            long ns = nsf & ~FlagMask;
            if (ns < MinBlock || next + ns > _sentinel)
            {
                ThrowCorrupted($"the free block at {next} has a bad size {ns}");
            }

            Remove(next, ns);
            size += ns;
        }

        // One store makes the merged block: the chain of sizes stays walkable before and after it.
        // Its predecessor is allocated (a free one was just merged in), so PrevFree is clear.
        SizeFlags(block) = size | FreeBit;
        long after = block + size;
        PrevSize(after) = size;
        SizeFlags(after) |= PrevFreeBit;
        Insert(block, size);
    }

    /// <inheritdoc />
    public long GetUsableSize(long handle)
    {
        long sf = CheckAllocatedBlock(handle - HeaderBytes, nameof(handle));
        return (sf & ~FlagMask) - HeaderBytes;
    }

    /// <inheritdoc />
    public bool IsAllocated(long handle, out bool objectBlock) => AllocatedSize(handle, out objectBlock) >= 0;

    /// <inheritdoc />
    public long AllocatedSize(long handle, out bool objectBlock)
    {
        objectBlock = false;
        long block = handle - HeaderBytes;
        if (block < _heapStart || block >= _sentinel || (block & FlagMask) != 0)
        {
            return -1;
        }

        long sf = SizeFlags(block);
        long size = sf & ~FlagMask;
        if ((sf & FreeBit) != 0 || size < MinBlock || size > _sentinel - block)
        {
            return -1;
        }

        objectBlock = (sf & ObjectBit) != 0;
        return size - HeaderBytes;
    }

    /// <summary>Validates that <paramref name="block"/> is an allocated block and returns its SizeFlags.</summary>
    private long CheckAllocatedBlock(long block, string paramName)
    {
        if (block < _heapStart || block >= _sentinel || (block & FlagMask) != 0)
        {
            throw new ArgumentException($"The handle {block + HeaderBytes} is not a block of the segment '{_name}' (the heap spans [{_heapStart + HeaderBytes}, {_sentinel})).", paramName);
        }

        long sf = SizeFlags(block);
        long size = sf & ~FlagMask;
        if ((sf & FreeBit) != 0)
        {
            throw new ArgumentException($"The block at handle {block + HeaderBytes} of '{_name}' is free: freed twice, or not a handle returned by Allocate.", paramName);
        }

        if (size < MinBlock || size > _sentinel - block)
        {
            throw new ArgumentException($"The handle {block + HeaderBytes} of '{_name}' does not start a block (size field {size}).", paramName);
        }

        return sf;
    }

    /// <summary>Identifies the subclass's layout of the control block (checked on open).</summary>
    private protected abstract int GeometryId { get; }

    /// <summary>A parameter of that layout (checked on open).</summary>
    private protected abstract int GeometryParameter { get; }

    /// <summary>Finds a free block of at least <paramref name="need"/> bytes and takes it off the free lists; 0 if none.</summary>
    private protected abstract long FindAndTake(long need);

    /// <summary>Puts a free block of <paramref name="size"/> bytes on the free lists.</summary>
    private protected abstract void Insert(long block, long size);

    /// <summary>Takes a free block of <paramref name="size"/> bytes off the free lists.</summary>
    private protected abstract void Remove(long block, long size);

    /// <summary>Empties the free lists.</summary>
    private protected abstract void ClearLists();

    /// <summary>Checks the free lists against the <paramref name="freeBlocks"/> free blocks the heap walk found.</summary>
    private protected abstract void CheckLists(List<string> problems, long freeBlocks);

    /// <summary>Marks a taken free block allocated, giving back what is beyond <paramref name="need"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void SplitAndMark(long block, long need, bool objectBlock)
    {
        long sf = SizeFlags(block);
        long size = sf & ~FlagMask;
        if (size < need || size > _sentinel - block)
        {
            ThrowCorrupted($"the free block at {block} has size {size}, which does not fit its class or the heap");
        }

        long keepFlags = (sf & PrevFreeBit) | (objectBlock ? ObjectBit : 0);
        // The free-list links are the first payload bytes: clear them, so that memory zeroed by
        // ZeroFreeMemory (which keeps the links of free blocks) is handed out all zero.
        NextFree(block) = 0;
        PrevFreeLink(block) = 0;
        long rest = size - need;
        if (rest >= MinBlock)
        {
            long rem = block + need;
            // 1) the remainder's header, inside our own payload (nobody else can see it yet)
            SizeFlags(rem) = rest | FreeBit;
            PrevSize(block + size) = rest; // the next block's PrevFree flag is already set: we were free
            // 2) one store shrinks the block: the chain of sizes is whole before and after it
            SizeFlags(block) = need | keepFlags;
            Insert(rem, rest);
            AllocatedBytesRef += need;
        }
        else
        {
            SizeFlags(block) = size | keepFlags;
            SizeFlags(block + size) &= ~PrevFreeBit;
            AllocatedBytesRef += size;
        }

        AllocatedBlocksRef++;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private protected void CheckFreeLink(long block)
    {
        if (block < _heapStart || block >= _sentinel || (block & FlagMask) != 0)
        {
            ThrowCorrupted($"a free-list link points at {block}, outside the heap [{_heapStart}, {_sentinel}) or misaligned");
        }
    }

    [DoesNotReturn]
    private protected void ThrowCorrupted(string what) =>
        throw InterprocessException.Corrupted(_name, "the managed heap is damaged: " + what + ". Run CheckSanity; reopen after repair or recreate the segment.");

    /// <inheritdoc />
    public void CheckSanity(List<string> problems)
    {
        long b = _heapStart;
        bool prevFree = false;
        long prevSize = 0;
        long freeBlocks = 0, allocBytes = 0, allocBlocks = 0;
        long steps = 0;
        while (b != _sentinel)
        {
            if (b > _sentinel || ++steps > (_sentinel - _heapStart) / MinBlock + 1)
            {
                problems.Add($"heap: the chain of blocks runs past the end at {b}");
                return;
            }

            long sf = SizeFlags(b);
            long size = sf & ~FlagMask;
            if (size < MinBlock || size > _sentinel - b)
            {
                problems.Add($"heap: block at {b} has a bad size {size}");
                return;
            }

            bool free = (sf & FreeBit) != 0;
            if (((sf & PrevFreeBit) != 0) != prevFree)
            {
                problems.Add($"heap: block at {b} says its predecessor is {((sf & PrevFreeBit) != 0 ? "free" : "allocated")}, it is not");
            }

            if (prevFree && PrevSize(b) != prevSize)
            {
                problems.Add($"heap: block at {b} records predecessor size {PrevSize(b)}, it is {prevSize}");
            }

            if (free && prevFree)
            {
                problems.Add($"heap: two adjacent free blocks at {b - prevSize} and {b} (not coalesced)");
            }

            if (free)
            {
                freeBlocks++;
            }
            else
            {
                allocBytes += size;
                allocBlocks++;
            }

            prevFree = free;
            prevSize = size;
            b += size;
        }

        if (((SizeFlags(_sentinel) & PrevFreeBit) != 0) != prevFree)
        {
            problems.Add("heap: the end sentinel's predecessor flag is wrong");
        }

        if (allocBytes != AllocatedBytesRef || allocBlocks != AllocatedBlocksRef)
        {
            problems.Add($"heap: counters say {AllocatedBlocksRef} blocks / {AllocatedBytesRef} bytes allocated, the walk finds {allocBlocks} / {allocBytes}");
        }

        CheckLists(problems, freeBlocks);
    }

    /// <inheritdoc />
    public void Rebuild()
    {
        ClearLists();
        long b = _heapStart, prev = 0;
        bool prevFree = false;
        long allocBytes = 0, allocBlocks = 0;
        while (b != _sentinel)
        {
            long sf = SizeFlags(b);
            long size = sf & ~FlagMask;
            if (b > _sentinel || size < MinBlock || size > _sentinel - b)
            {
                ThrowCorrupted($"the chain of block sizes is broken at {b} (size {size}); it cannot be rebuilt");
            }

            bool free = (sf & FreeBit) != 0;
            if (free && prevFree)
            {
                long merged = (SizeFlags(prev) & ~FlagMask) + size;
                SizeFlags(prev) = merged | FreeBit;
                b = prev + merged;
                continue;
            }

            if (prevFree)
            {
                long ps = SizeFlags(prev) & ~FlagMask;
                Insert(prev, ps);
                PrevSize(b) = ps;
            }

            SizeFlags(b) = size | (sf & (FreeBit | ObjectBit)) | (prevFree ? PrevFreeBit : 0);
            if (!free)
            {
                allocBytes += size;
                allocBlocks++;
            }

            prev = b;
            prevFree = free;
            b += size;
        }

        if (prevFree)
        {
            long ps = SizeFlags(prev) & ~FlagMask;
            Insert(prev, ps);
            PrevSize(_sentinel) = ps;
        }

        SizeFlags(_sentinel) = prevFree ? PrevFreeBit : 0;
        AllocatedBytesRef = allocBytes;
        AllocatedBlocksRef = allocBlocks;
    }

    /// <inheritdoc />
    public void ForEachObjectBlock(Action<long> visit)
    {
        long b = _heapStart;
        while (b != _sentinel)
        {
            long sf = SizeFlags(b);
            long size = sf & ~FlagMask;
            if (size < MinBlock || size > _sentinel - b)
            {
                ThrowCorrupted($"the chain of block sizes is broken at {b}");
            }

            if ((sf & (FreeBit | ObjectBit)) == ObjectBit)
            {
                visit(b + HeaderBytes);
            }

            b += size;
        }
    }

    /// <inheritdoc />
    public void ZeroFreeMemory()
    {
        long b = _heapStart;
        while (b != _sentinel)
        {
            long sf = SizeFlags(b);
            long size = sf & ~FlagMask;
            if (size < MinBlock || size > _sentinel - b)
            {
                ThrowCorrupted($"the chain of block sizes is broken at {b}");
            }

            if ((sf & FreeBit) != 0 && size > MinBlock)
            {
                // Keep the header and the two list links; the next block's PrevSize lives past the block.
                long from = b + MinBlock;
                long length = size - MinBlock;
                while (length > 0)
                {
                    int chunk = (int)Math.Min(length, 1 << 30);
                    new Span<byte>(_base + from, chunk).Clear();
                    from += chunk;
                    length -= chunk;
                }
            }

            b += size;
        }
    }

    /// <inheritdoc />
    public void SnapshotEnd(out long prevSize, out long sizeFlags)
    {
        prevSize = PrevSize(_sentinel);
        sizeFlags = SizeFlags(_sentinel);
    }

    /// <inheritdoc />
    public void WriteGrownEnd(long oldHeapEnd)
    {
        long oldSentinel = oldHeapEnd - HeaderBytes;
        long size = _sentinel - oldSentinel;
        if (oldSentinel < _heapStart || size < MinBlock || (size & FlagMask) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(oldHeapEnd), oldHeapEnd, "The heap can only grow, by at least 32 bytes.");
        }

        // 1) the new end sentinel, in the new bytes (no chain reaches it yet, or it is already the end).
        PrevSize(_sentinel) = 0;
        SizeFlags(_sentinel) = 0;
        SegmentManager.ResizeStep("grow-end-sentinel");

        // 2) one store links it: the old sentinel (size 0) becomes a free block over the new bytes. A size other
        //    than 0 there means this was done already (after a merge the word is stale payload of the merged
        //    block, still holding that size), so doing it again changes nothing.
        long sf = SizeFlags(oldSentinel);
        if ((sf & ~FlagMask) == 0)
        {
            SizeFlags(oldSentinel) = size | FreeBit | (sf & PrevFreeBit);
        }

        SegmentManager.ResizeStep("grow-end-linked");
    }

    /// <inheritdoc />
    public void RestoreGrownEnd(long savedPrevSize, long savedSizeFlags)
    {
        if ((savedSizeFlags & ~FlagMask) != 0)
        {
            ThrowCorrupted($"the resize journal's saved end sentinel {savedSizeFlags} is not a sentinel");
        }

        if ((savedSizeFlags & PrevFreeBit) != 0)
        {
            // The free block before the old end may have been merged with the new bytes: give it its size back
            // first (the chain then reaches the old sentinel again, converted or not).
            long last = _sentinel - savedPrevSize;
            if (savedPrevSize < MinBlock || (savedPrevSize & FlagMask) != 0 || last < _heapStart)
            {
                ThrowCorrupted($"the resize journal's saved last block size {savedPrevSize} does not fit the heap");
            }

            SizeFlags(last) = savedPrevSize | FreeBit;
        }

        PrevSize(_sentinel) = savedPrevSize;
        SizeFlags(_sentinel) = savedSizeFlags;
    }

    /// <inheritdoc />
    public long PlanTrim(out long block, out long blockSizeFlags)
    {
        long end = _sentinel + HeaderBytes;
        block = 0;
        blockSizeFlags = 0;
        if ((SizeFlags(_sentinel) & PrevFreeBit) == 0)
        {
            return end;
        }

        long ps = PrevSize(_sentinel);
        long last = _sentinel - ps;
        if (ps < MinBlock || (ps & FlagMask) != 0 || last < _heapStart || (SizeFlags(last) & ~(FlagMask & ~FreeBit)) != (ps | FreeBit))
        {
            ThrowCorrupted("the last free block does not match the end sentinel");
        }

        // The segment keeps its minimum size: a free block reaching below it is cut there, not removed.
        long newSentinel = Math.Max(last, SegmentHeader.MinimumSegmentSize - HeaderBytes);
        if (newSentinel != last && newSentinel - last < MinBlock)
        {
            newSentinel = last + MinBlock;
        }

        if (newSentinel >= _sentinel)
        {
            return end;
        }

        block = last;
        blockSizeFlags = SizeFlags(last);
        return newSentinel + HeaderBytes;
    }

    /// <inheritdoc />
    public void WriteTrimmedEnd(long block)
    {
        if (block < _heapStart || block > _sentinel || (block & FlagMask) != 0 || (_sentinel != block && _sentinel - block < MinBlock))
        {
            ThrowCorrupted($"the resize journal's block {block} does not fit the heap ending at {_sentinel + HeaderBytes}");
        }

        if (_sentinel != block)
        {
            // 1) the new sentinel's header, inside the free block's payload (past its list links)
            long keep = _sentinel - block;
            PrevSize(_sentinel) = keep;
            SizeFlags(_sentinel) = PrevFreeBit;
            SegmentManager.ResizeStep("shrink-end-sentinel");
            // 2) one store makes the block end there
            SizeFlags(block) = keep | FreeBit;
        }
        else
        {
            SegmentManager.ResizeStep("shrink-end-sentinel");
            // The free block's header becomes the end sentinel (its predecessor is allocated: blocks coalesce).
            SizeFlags(block) = 0;
        }

        SegmentManager.ResizeStep("shrink-end-cut");
    }

    /// <inheritdoc />
    public void RestoreTrimmedEnd(long block, long savedSizeFlags)
    {
        long size = savedSizeFlags & ~FlagMask;
        if (block < _heapStart || (block & FlagMask) != 0 || (savedSizeFlags & FreeBit) == 0 || block + size != _sentinel)
        {
            ThrowCorrupted($"the resize journal's block {block} (SizeFlags {savedSizeFlags}) is not the heap's last free block");
        }

        SizeFlags(block) = savedSizeFlags;
    }

    /// <summary>The block size (header included, rounded) that holds <paramref name="size"/> usable bytes.</summary>
    private static long BlockSizeFor(long size) => Math.Max(MinBlock, (size + HeaderBytes + 15) & ~15L);

    /// <inheritdoc />
    public long ExpandInPlace(long handle, long minSize, long preferredSize)
    {
        long block = handle - HeaderBytes;
        long sf = CheckAllocatedBlock(block, nameof(handle));
        long size = sf & ~FlagMask;
        long heapBytes = _sentinel - _heapStart;
        if ((ulong)minSize > (ulong)heapBytes)
        {
            return -1;
        }

        preferredSize = Math.Clamp(preferredSize, 0, heapBytes);
        long needMin = BlockSizeFor(minSize);
        if (size >= needMin)
        {
            return size - HeaderBytes;
        }

        long next = block + size;
        long nsf = SizeFlags(next);
        long ns = nsf & ~FlagMask;
        if ((nsf & FreeBit) == 0 || size + ns < needMin)
        {
            return -1;
        }

        if (ns < MinBlock || next + ns > _sentinel)
        {
            ThrowCorrupted($"the free block at {next} has a bad size {ns}");
        }

        Remove(next, ns);
        long total = size + ns;
        long want = Math.Min(total, Math.Max(needMin, BlockSizeFor(preferredSize)));
        long keep = sf & (PrevFreeBit | ObjectBit);
        long rest = total - want;
        if (rest >= MinBlock)
        {
            long rem = block + want;
            SizeFlags(rem) = rest | FreeBit;
            PrevSize(block + total) = rest;
            SizeFlags(block) = want | keep;
            Insert(rem, rest);
            AllocatedBytesRef += want - size;
            return want - HeaderBytes;
        }

        SizeFlags(block) = total | keep;
        SizeFlags(block + total) &= ~PrevFreeBit;
        AllocatedBytesRef += total - size;
        return total - HeaderBytes;
    }

    /// <inheritdoc />
    public long ExpandBackward(long handle, long minSize, long preferredSize, long backwardsMultiple, bool forwardToo)
    {
        long block = handle - HeaderBytes;
        long sf = CheckAllocatedBlock(block, nameof(handle));
        long size = sf & ~FlagMask;
        long heapBytes = _sentinel - _heapStart;
        if ((sf & PrevFreeBit) == 0 || (ulong)minSize > (ulong)heapBytes || backwardsMultiple <= 0 || backwardsMultiple > heapBytes)
        {
            return 0;
        }

        preferredSize = Math.Clamp(preferredSize, minSize, heapBytes);
        long ps = PrevSize(block);
        long prev = block - ps;
        if (ps < MinBlock || (ps & FlagMask) != 0 || prev < _heapStart || (SizeFlags(prev) & ~(FlagMask & ~FreeBit)) != (ps | FreeBit))
        {
            ThrowCorrupted($"the block before {block} (size {ps}) is not a free block of that size");
        }

        // What the block would hold after taking all of a free successor (when allowed).
        long next = block + size;
        long nsf = SizeFlags(next);
        long ns = forwardToo && (nsf & FreeBit) != 0 ? nsf & ~FlagMask : 0;
        if (ns != 0 && (ns < MinBlock || next + ns > _sentinel))
        {
            ThrowCorrupted($"the free block at {next} has a bad size {ns}");
        }

        long usableAfterForward = size + ns - HeaderBytes;

        // The distance moved back is a multiple of both the granularity and the caller's multiple.
        long gcd = Math.Min(16L, 1L << BitOperations.TrailingZeroCount(backwardsMultiple));
        long lcm = 16 / gcd * backwardsMultiple;
        long back = BackwardDistance(preferredSize - usableAfterForward, ps, lcm);
        if (back == 0)
        {
            back = BackwardDistance(minSize - usableAfterForward, ps, lcm);
            if (back == 0)
            {
                return 0;
            }
        }

        if (ns != 0)
        {
            // Take the whole successor first (crash-safe on its own: see ExpandInPlace).
            ExpandInPlace(handle, usableAfterForward, usableAfterForward);
            size += ns;
        }

        Remove(prev, ps);
        if (back == ps)
        {
            // The free predecessor absorbs the block: one store of its header (its own predecessor is allocated,
            // free blocks being coalesced, so PrevFree stays clear). The chain of sizes is whole before and after.
            SizeFlags(prev) = ps + size;
            AllocatedBytesRef += ps;
            RetireHeader(block);
            return prev + HeaderBytes;
        }

        // Split the predecessor: 1) the new header inside its payload, past its list links (back <= ps - 32);
        // 2) one store shrinks the predecessor, which makes the new block part of the chain.
        long nb = block - back;
        PrevSize(nb) = ps - back;
        SizeFlags(nb) = (size + back) | PrevFreeBit;
        SizeFlags(prev) = (ps - back) | FreeBit;
        Insert(prev, ps - back);
        AllocatedBytesRef += back;
        RetireHeader(block);
        return nb + HeaderBytes;
    }

    /// <summary>
    /// The old header of a block that grew backward is now payload: clear its size, so that the old handle is
    /// refused (as "does not start a block") instead of being taken for a block, should anyone still use it.
    /// </summary>
    private void RetireHeader(long oldBlock)
    {
        PrevSize(oldBlock) = 0;
        SizeFlags(oldBlock) = 0;
    }

    /// <summary>
    /// How far back a block must start to gain <paramref name="need"/> bytes from a free predecessor of
    /// <paramref name="prevSize"/> bytes, in multiples of <paramref name="lcm"/>, leaving either nothing of the
    /// predecessor or a whole free block; 0 when that is impossible.
    /// </summary>
    private static long BackwardDistance(long need, long prevSize, long lcm)
    {
        if (need <= 0)
        {
            need = 1;
        }

        long back = (need + lcm - 1) / lcm * lcm;
        if (back <= prevSize - MinBlock)
        {
            return back;
        }

        // Take the whole predecessor if it is a multiple of the step.
        return back <= prevSize && prevSize % lcm == 0 ? prevSize : 0;
    }

    /// <inheritdoc />
    public long ShrunkSize(long handle, long newSize)
    {
        long sf = CheckAllocatedBlock(handle - HeaderBytes, nameof(handle));
        long size = sf & ~FlagMask;
        if (newSize > size - HeaderBytes)
        {
            return -1;
        }

        long need = BlockSizeFor(newSize);
        return (size - need < MinBlock ? size : need) - HeaderBytes;
    }

    /// <inheritdoc />
    public long ShrinkInPlace(long handle, long newSize)
    {
        long block = handle - HeaderBytes;
        long sf = CheckAllocatedBlock(block, nameof(handle));
        long size = sf & ~FlagMask;
        long need = BlockSizeFor(newSize);
        if (need > size)
        {
            throw new ArgumentOutOfRangeException(nameof(newSize), newSize, $"The block holds {size - HeaderBytes} bytes; it cannot shrink to more.");
        }

        long rest = size - need;
        if (rest < MinBlock)
        {
            return size - HeaderBytes;
        }

        // Cut the tail off as an allocated block of its own, then free it (it merges with a free successor).
        long rem = block + need;
        PrevSize(rem) = need;
        SizeFlags(rem) = rest;
        SizeFlags(block) = need | (sf & (PrevFreeBit | ObjectBit));
        AllocatedBlocksRef++;
        Deallocate(rem + HeaderBytes);
        return need - HeaderBytes;
    }
}
