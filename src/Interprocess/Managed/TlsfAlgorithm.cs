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
/// therefore leave only derivable state wrong (free lists, flags, counters), which <see cref="BoundaryTagAlgorithm.Rebuild"/>
/// recomputes from the chain.</para>
/// </remarks>
internal sealed unsafe class TlsfAlgorithm : BoundaryTagAlgorithm
{
    private const int SlLog2 = 5;
    private const int SlCount = 1 << SlLog2;
    private const int AlignLog2 = 4;
    private const int FlShift = SlLog2 + AlignLog2; // 9
    private const long SmallBlock = 1L << FlShift; // 512
    private const int FlMax = 46;
    private const int FlCount = FlMax - FlShift + 1; // 38
    private const int CtlFlBitmap = 0;
    private const int CtlSlBitmap = 32;
    private const int CtlHeads = 192;

    static TlsfAlgorithm()
    {
        if (CtlHeads + (FlCount * SlCount * 8) > SegmentHeader.AllocatorStateSize || CtlSlBitmap + (FlCount * 4) > CtlHeads)
        {
            throw new InvalidOperationException("TLSF control block does not fit the segment header.");
        }
    }

    /// <summary>Works on the heap [<paramref name="heapStart"/>, <paramref name="heapEnd"/>) of the segment at <paramref name="segmentBase"/>.</summary>
    internal TlsfAlgorithm(byte* segmentBase, long heapStart, long heapEnd, string name)
        : base(segmentBase, heapStart, heapEnd, name)
    {
    }

    /// <inheritdoc />
    private protected override int GeometryId => FlCount;

    /// <inheritdoc />
    private protected override int GeometryParameter => SlLog2;

    private ref ulong FlBitmap => ref *(ulong*)(_ctl + CtlFlBitmap);

    private ref uint SlBitmap(int fl) => ref *(uint*)(_ctl + CtlSlBitmap + (fl * 4));

    private ref long Head(int fl, int sl) => ref *(long*)(_ctl + CtlHeads + (((fl * SlCount) + sl) * 8));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private protected override long FindAndTake(long need)
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

    /// <inheritdoc />
    private protected override void Insert(long block, long size)
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

    /// <inheritdoc />
    private protected override void Remove(long block, long size)
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

    /// <inheritdoc />
    private protected override void ClearLists()
    {
        FlBitmap = 0;
        new Span<byte>(_ctl + CtlSlBitmap, FlCount * 4).Clear();
        new Span<byte>(_ctl + CtlHeads, FlCount * SlCount * 8).Clear();
    }

    /// <inheritdoc />
    private protected override void CheckLists(List<string> problems, long freeBlocks)
    {
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

}
