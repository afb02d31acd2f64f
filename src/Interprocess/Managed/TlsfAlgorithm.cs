using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Interprocess.Managed;

/// <summary>
/// Two-level segregated fit (M. Masmano et al., "TLSF: a new dynamic memory allocator for real-time
/// systems") over a heap of a mapped segment: O(1) allocate and free, immediate coalescing with boundary tags.
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
/// <para><b>Control block</b> at <see cref="SegmentHeader.AllocatorStateOffset"/>:</para>
/// <code>
///   0 ulong FlBitmap         bit f set: some list of first level f is non-empty
///   8 long  AllocatedBytes   sum of the sizes of allocated blocks
///  16 long  AllocatedBlocks
///  24 int   FlCount, int SlLog2 (geometry check on open)
///  32 uint  SlBitmap[FlCount]
/// 192 long  Heads[FlCount * SlCount]  first free block of each class (0 = empty)
/// </code>
/// <para><b>Crashes.</b> Every update keeps the chain of block sizes walkable at every instant: a split
/// writes the new remainder header (inside the block's own payload) before the single store that shrinks the
/// block; a merge is the single store that grows the surviving block. A process killed in the middle can
/// therefore leave only derivable state wrong (free lists, flags, counters), which <see cref="Rebuild"/>
/// recomputes from the chain.</para>
/// </remarks>
internal sealed unsafe class TlsfAlgorithm : IMemoryAlgorithm
{
    private const int SlLog2 = 5;
    private const int SlCount = 1 << SlLog2;
    private const int AlignLog2 = 4;
    private const int FlShift = SlLog2 + AlignLog2; // 9
    private const long SmallBlock = 1L << FlShift; // 512
    private const int FlMax = 46;
    private const int FlCount = FlMax - FlShift + 1; // 38
    private const long HeaderBytes = 16;
    private const long MinBlock = 32;

    private const long FreeBit = 1;
    private const long PrevFreeBit = 2;
    private const long ObjectBit = 4;
    private const long FlagMask = 15;

    private const int CtlFlBitmap = 0;
    private const int CtlAllocatedBytes = 8;
    private const int CtlAllocatedBlocks = 16;
    private const int CtlGeometry = 24;
    private const int CtlSlBitmap = 32;
    private const int CtlHeads = 192;

    /// <summary>The bytes of allocator state this layout needs.</summary>
    internal const int StateBytes = CtlHeads + FlCount * SlCount * 8;

    /// <summary>The segment base in this process.</summary>
    private readonly byte* _base;
    /// <summary>The control block (base + AllocatorStateOffset).</summary>
    private readonly byte* _ctl;
    /// <summary>The first block.</summary>
    private readonly long _heapStart;
    /// <summary>The sentinel header (the last 16 bytes of the heap).</summary>
    private readonly long _sentinel;
    /// <summary>The segment's name, for messages.</summary>
    private readonly string _name;

    static TlsfAlgorithm()
    {
        if (StateBytes > SegmentHeader.AllocatorStateSize || CtlSlBitmap + FlCount * 4 > CtlHeads)
        {
            throw new InvalidOperationException("TLSF control block does not fit the segment header.");
        }
    }

    /// <summary>Works on the heap [<paramref name="heapStart"/>, <paramref name="heapEnd"/>) of the segment at <paramref name="segmentBase"/>.</summary>
    internal TlsfAlgorithm(byte* segmentBase, long heapStart, long heapEnd, string name)
    {
        _base = segmentBase;
        _ctl = segmentBase + SegmentHeader.AllocatorStateOffset;
        _heapStart = heapStart;
        _sentinel = heapEnd - HeaderBytes;
        _name = name;
    }

    private ref ulong FlBitmap => ref *(ulong*)(_ctl + CtlFlBitmap);

    private ref long AllocatedBytesRef => ref *(long*)(_ctl + CtlAllocatedBytes);

    private ref long AllocatedBlocksRef => ref *(long*)(_ctl + CtlAllocatedBlocks);

    private ref uint SlBitmap(int fl) => ref *(uint*)(_ctl + CtlSlBitmap + (fl * 4));

    private ref long Head(int fl, int sl) => ref *(long*)(_ctl + CtlHeads + (((fl * SlCount) + sl) * 8));

    private ref long PrevSize(long b) => ref *(long*)(_base + b);

    private ref long SizeFlags(long b) => ref *(long*)(_base + b + 8);

    private ref long NextFree(long b) => ref *(long*)(_base + b + 16);

    private ref long PrevFreeLink(long b) => ref *(long*)(_base + b + 24);

    /// <inheritdoc />
    public long FreeBytes => _sentinel - _heapStart - AllocatedBytesRef;

    /// <inheritdoc />
    public long AllocatedBlocks => AllocatedBlocksRef;

    /// <inheritdoc />
    public void Format()
    {
        new Span<byte>(_ctl, StateBytes).Clear();
        *(int*)(_ctl + CtlGeometry) = FlCount;
        *(int*)(_ctl + CtlGeometry + 4) = SlLog2;
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
        if (*(int*)(_ctl + CtlGeometry) != FlCount || *(int*)(_ctl + CtlGeometry + 4) != SlLog2)
        {
            throw InterprocessException.Corrupted(_name, "the allocator's geometry in the header is not this library's TLSF layout.");
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

    /// <summary>Finds a free block of at least <paramref name="need"/> bytes and takes it off its list; 0 if none.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long FindAndTake(long need)
    {
        // mapping_search: round up to the next class boundary so any block of the class found fits.
        long rounded = need;
        if (need >= SmallBlock)
        {
            rounded += (1L << (BitOperations.Log2((ulong)need) - SlLog2)) - 1;
        }

        MappingInsert(rounded, out int fl, out int sl);
        if (fl >= FlCount)
        {
            return TakeFromOwnClass(need);
        }

        uint slMap = SlBitmap(fl) & (~0u << sl);
        if (slMap == 0)
        {
            ulong flMap = fl + 1 >= 64 ? 0 : FlBitmap & (~0UL << (fl + 1));
            if (flMap == 0)
            {
                return TakeFromOwnClass(need);
            }

            fl = BitOperations.TrailingZeroCount(flMap);
            if (fl >= FlCount)
            {
                ThrowCorrupted($"first-level bitmap has bit {fl} set");
            }

            slMap = SlBitmap(fl);
        }

        sl = BitOperations.TrailingZeroCount(slMap);
        if (sl >= SlCount)
        {
            ThrowCorrupted($"second-level bitmap {fl} is empty while the first level says otherwise");
        }

        ref long head = ref Head(fl, sl);
        long block = head;
        CheckFreeLink(block);
        long next = NextFree(block);
        if (next != 0)
        {
            CheckFreeLink(next);
            PrevFreeLink(next) = 0;
        }

        head = next;
        if (next == 0)
        {
            ClearBits(fl, sl);
        }

        return block;
    }

    /// <summary>
    /// The fallback when no class above <paramref name="need"/> has a block: the good-fit rounding skips the
    /// request's own class, whose blocks may still be large enough, so search that one list (first fit).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private long TakeFromOwnClass(long need)
    {
        MappingInsert(need, out int fl, out int sl);
        if (fl >= FlCount)
        {
            return 0;
        }

        long steps = 0;
        for (long b = Head(fl, sl); b != 0; b = NextFree(b))
        {
            CheckFreeLink(b);
            if (++steps > (_sentinel - _heapStart) / MinBlock)
            {
                ThrowCorrupted($"the free list of class ({fl},{sl}) has a cycle");
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
    private static void MappingInsert(long size, out int fl, out int sl)
    {
        if (size < SmallBlock)
        {
            fl = 0;
            sl = (int)(size >> AlignLog2);
        }
        else
        {
            int log = BitOperations.Log2((ulong)size);
            sl = (int)(size >> (log - SlLog2)) ^ SlCount;
            fl = log - (FlShift - 1);
        }
    }

    private void Insert(long block, long size)
    {
        MappingInsert(size, out int fl, out int sl);
        ref long head = ref Head(fl, sl);
        long first = head;
        NextFree(block) = first;
        PrevFreeLink(block) = 0;
        if (first != 0)
        {
            CheckFreeLink(first);
            PrevFreeLink(first) = block;
        }

        head = block;
        FlBitmap |= 1UL << fl;
        SlBitmap(fl) |= 1u << sl;
    }

    private void Remove(long block, long size)
    {
        MappingInsert(size, out int fl, out int sl);
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
            ref long head = ref Head(fl, sl);
            if (head != block)
            {
                ThrowCorrupted($"the free block at {block} is not in the list of its size class");
            }

            head = next;
            if (next == 0)
            {
                ClearBits(fl, sl);
            }
        }
    }

    private void ClearBits(int fl, int sl)
    {
        ref uint slMap = ref SlBitmap(fl);
        slMap &= ~(1u << sl);
        if (slMap == 0)
        {
            FlBitmap &= ~(1UL << fl);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CheckFreeLink(long block)
    {
        if (block < _heapStart || block >= _sentinel || (block & FlagMask) != 0)
        {
            ThrowCorrupted($"a free-list link points at {block}, outside the heap [{_heapStart}, {_sentinel}) or misaligned");
        }
    }

    [DoesNotReturn]
    private void ThrowCorrupted(string what) =>
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

        long listed = 0;
        for (int fl = 0; fl < FlCount; fl++)
        {
            for (int sl = 0; sl < SlCount; sl++)
            {
                long h = Head(fl, sl);
                bool bit = (SlBitmap(fl) & (1u << sl)) != 0;
                if ((h != 0) != bit)
                {
                    problems.Add($"free lists: class ({fl},{sl}) bitmap bit is {bit} but the list is {(h == 0 ? "empty" : "not empty")}");
                }

                long prev = 0;
                while (h != 0)
                {
                    if (h < _heapStart || h >= _sentinel || (h & FlagMask) != 0)
                    {
                        problems.Add($"free lists: class ({fl},{sl}) links to {h}, outside the heap");
                        break;
                    }

                    if (++listed > freeBlocks)
                    {
                        problems.Add($"free lists: more listed blocks than free blocks (a cycle or a stale entry) in class ({fl},{sl})");
                        return;
                    }

                    long sf = SizeFlags(h);
                    if ((sf & FreeBit) == 0)
                    {
                        problems.Add($"free lists: class ({fl},{sl}) holds the allocated block {h}");
                    }

                    MappingInsert(sf & ~FlagMask, out int f2, out int s2);
                    if (f2 != fl || s2 != sl)
                    {
                        problems.Add($"free lists: block {h} of size {sf & ~FlagMask} is in class ({fl},{sl}), not ({f2},{s2})");
                    }

                    if (PrevFreeLink(h) != prev)
                    {
                        problems.Add($"free lists: block {h} has a wrong back link");
                    }

                    prev = h;
                    h = NextFree(h);
                }
            }

            if ((SlBitmap(fl) != 0) != ((FlBitmap & (1UL << fl)) != 0))
            {
                problems.Add($"free lists: first-level bit {fl} disagrees with its second-level bitmap");
            }
        }

        if (listed != freeBlocks)
        {
            problems.Add($"free lists: {listed} blocks listed, the heap has {freeBlocks} free blocks");
        }
    }

    /// <inheritdoc />
    public void Rebuild()
    {
        FlBitmap = 0;
        new Span<byte>(_ctl + CtlSlBitmap, FlCount * 4).Clear();
        new Span<byte>(_ctl + CtlHeads, FlCount * SlCount * 8).Clear();
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
}
