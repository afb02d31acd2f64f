using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Interprocess.Managed;

namespace Interprocess.Containers;

/// <summary>
/// The operations of the node pools and adaptive pools behind the pooled <see cref="AllocatorKind"/>s, on a
/// <see cref="PoolHeader"/> in the segment.
/// </summary>
/// <remarks>
/// <para><b>Locking.</b> A shared pool is changed only under the segment's lock (<see cref="SegmentManager.EnterPoolLock"/>),
/// which is recursive, so a pool that needs a chunk allocates it from the segment while holding it, and there is no
/// second lock to order against the first (a container used inside <c>AtomicFunc</c> cannot deadlock). A private
/// pool is changed only by its container's operations, which the caller synchronizes.</para>
/// <para><b>Crashes.</b> Every change of a list is ordered so that the list is a valid chain after each single store
/// (a node leaves a free list by the one store of the head; a chunk is published by the one store that links it,
/// after its nodes are threaded). Counters and the second set of links are derived data. An operation sets
/// <see cref="PoolHeader.Busy"/> first and clears it last; the next operation that finds it set (the last one was
/// interrupted: its process was killed, or it threw) repairs the pool: it walks the chunks and each free list with
/// every link bounds-checked and a visited set, cuts a list at the first bad link, and recomputes every counter and
/// derived link. What an interrupted operation can leave is a leak (the node being handed out, a chunk allocated
/// but not yet linked, a chunk unlinked but not yet freed), never a node in two places or a bad link followed.</para>
/// </remarks>
internal static unsafe class ContainerPool
{
    /// <summary>Completely free blocks an adaptive pool keeps before it gives further ones back (Boost's default max_free_blocks).</summary>
    internal const int MaxFreeBlocks = 2;

    /// <summary>The slot size for a node size: a multiple of 8, at least 8 (a free slot holds its next link).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int SlotSize(int nodeSize) => Math.Max(8, (nodeSize + 7) & ~7);

    /// <summary>Allocates and formats a pool header (no chunk yet). The caller links it.</summary>
    /// <exception cref="InterprocessException">The segment is full.</exception>
    internal static long CreateHeader(SegmentManager m, int kind, int slot, bool shared)
    {
        long h = m.Allocate(PoolHeader.Size);
        var p = (PoolHeader*)(m.BasePointer + h);
        NativeMemory.Clear(p, PoolHeader.Size);
        p->Kind = kind;
        p->SlotSize = slot;
        p->Shared = shared ? 1 : 0;
        if (kind == PoolHeader.KindNode)
        {
            p->NodesPerChunk = Math.Clamp(16384 / slot, 8, 256);
            p->ChunkBytes = PoolChunk.Size + (p->NodesPerChunk * slot);
        }
        else
        {
            // A block holds at least 32 nodes where 4 KiB allows it (blocks up to the page size keep their handle
            // alignment in every mapping), and at least 4 nodes otherwise.
            int b = (int)BitOperations.RoundUpToPowerOf2((uint)(PoolChunk.Size + (32 * slot)));
            b = Math.Clamp(b, 1024, 4096);
            if ((b - PoolChunk.Size) / slot < 4)
            {
                b = (int)BitOperations.RoundUpToPowerOf2((uint)(PoolChunk.Size + (4 * slot)));
            }

            p->ChunkBytes = b;
            p->NodesPerChunk = (b - PoolChunk.Size) / slot;
        }

        // Plain store: the header is reachable only once its creator links it (under the lock).
        p->Magic = PoolHeader.MagicValue;
        return h;
    }

    /// <summary>The pool header at <paramref name="h"/>, checked (bounds, magic, geometry).</summary>
    /// <exception cref="InterprocessException">The handle or the header is corrupted.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static PoolHeader* Get(SegmentManager m, long h)
    {
        if ((ulong)(h - SegmentHeader.HeapStart) > (ulong)(m.MappedSize - PoolHeader.Size - SegmentHeader.HeapStart) || (h & 7) != 0)
        {
            ThrowCorrupted(m, $"a container's pool handle {h} is outside the segment");
        }

        var p = (PoolHeader*)(m.BasePointer + h);
        if (p->Magic != PoolHeader.MagicValue || p->SlotSize < 8 || (p->SlotSize & 7) != 0 || p->NodesPerChunk <= 0)
        {
            ThrowCorrupted(m, $"the pool at {h} has a damaged header");
        }

        return p;
    }

    /// <summary>Takes the lock of a shared pool and repairs the pool if its last operation was interrupted; marks it busy.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Begin(SegmentManager m, PoolHeader* p)
    {
        if (p->Shared != 0)
        {
            m.EnterPoolLock();
        }

        if (p->Busy != 0)
        {
            RepairLocked(m, p);
        }

        p->Busy = 1;
    }

    /// <summary>Clears the busy mark (the operation completed) and releases the lock of a shared pool.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void End(SegmentManager m, PoolHeader* p)
    {
        p->Busy = 0;
        if (p->Shared != 0)
        {
            m.ExitPoolLock();
        }
    }

    /// <summary>Releases the lock of a shared pool after an operation that threw (the busy mark stays: the next operation repairs).</summary>
    internal static void Abort(SegmentManager m, PoolHeader* p)
    {
        if (p->Shared != 0)
        {
            m.ExitPoolLock();
        }
    }

    /// <summary>One node from the pool.</summary>
    /// <exception cref="InterprocessException">The segment is full, or the pool is corrupted.</exception>
    internal static long Allocate(SegmentManager m, PoolHeader* p)
    {
        Begin(m, p);
        long node;
        try
        {
            node = p->Kind == PoolHeader.KindNode ? NodePop(m, p) : AdaptivePop(m, p);
        }
        catch
        {
            Abort(m, p);
            throw;
        }

        End(m, p);
        return node;
    }

    /// <summary>Gives one node back to the pool.</summary>
    /// <exception cref="ArgumentException">The handle is not a node of this pool.</exception>
    /// <exception cref="InterprocessException">The pool is corrupted.</exception>
    internal static void Deallocate(SegmentManager m, PoolHeader* p, long node)
    {
        Begin(m, p);
        try
        {
            if (p->Kind == PoolHeader.KindNode)
            {
                NodePush(m, p, node);
            }
            else
            {
                AdaptivePush(m, p, node);
            }
        }
        catch
        {
            Abort(m, p);
            throw;
        }

        End(m, p);
    }

    /// <summary>Moves up to <paramref name="count"/> nodes from the pool onto a cache list, under one lock.</summary>
    /// <exception cref="InterprocessException">The segment is full (when not even one node was had), or the pool is corrupted.</exception>
    internal static void AllocateBatch(SegmentManager m, PoolHeader* p, int count, ref long cacheHead, ref long cacheCount)
    {
        Begin(m, p);
        try
        {
            byte* b = m.BasePointer;
            for (int i = 0; i < count; i++)
            {
                long node;
                try
                {
                    node = p->Kind == PoolHeader.KindNode ? NodePop(m, p) : AdaptivePop(m, p);
                }
                catch (InterprocessException e) when (e.ErrorCode == InterprocessErrorCode.OutOfMemory && i > 0)
                {
                    break;
                }

                *(long*)(b + node) = cacheHead;
                cacheHead = node;
                cacheCount++;
            }
        }
        catch
        {
            Abort(m, p);
            throw;
        }

        End(m, p);
    }

    /// <summary>Moves <paramref name="count"/> nodes from a cache list back to the pool, under one lock.</summary>
    /// <exception cref="InterprocessException">The pool or the cache is corrupted.</exception>
    internal static void DeallocateBatch(SegmentManager m, PoolHeader* p, long count, ref long cacheHead, ref long cacheCount)
    {
        Begin(m, p);
        try
        {
            for (long i = 0; i < count && cacheHead != 0; i++)
            {
                long node = cacheHead;
                CheckNodeHandle(m, node, p->SlotSize);
                long next = *(long*)(m.BasePointer + node);
                // The cache lives in the container's header: take the node off it before the pool owns it.
                cacheHead = next;
                cacheCount--;
                if (p->Kind == PoolHeader.KindNode)
                {
                    NodePush(m, p, node);
                }
                else
                {
                    AdaptivePush(m, p, node);
                }
            }
        }
        catch
        {
            Abort(m, p);
            throw;
        }

        End(m, p);
    }

    /// <summary>Frees every chunk of the pool and its header (a private pool at its container's Destroy; an unused shared pool at Shrink).</summary>
    /// <returns>The number of segment blocks given back.</returns>
    internal static int DestroyPool(SegmentManager m, long poolHandle)
    {
        var p = Get(m, poolHandle);
        if (p->Busy != 0)
        {
            RepairLocked(m, p);
        }

        var chunks = WalkChunks(m, p, repair: false);
        foreach (long c in chunks)
        {
            m.Deallocate(p->Kind == PoolHeader.KindNode ? c : ((PoolChunk*)(m.BasePointer + c))->Raw);
        }

        p->Magic = 0;
        m.Deallocate(poolHandle);
        return chunks.Count + 1;
    }

    /// <summary>Gives completely free chunks (blocks) back to the segment (Boost's <c>deallocate_free_blocks</c>). Caller holds the lock of a shared pool.</summary>
    /// <returns>The number of chunks given back.</returns>
    internal static int PurgeLocked(SegmentManager m, PoolHeader* p)
    {
        if (p->Busy != 0)
        {
            RepairLocked(m, p);
        }

        p->Busy = 1;
        int freed = p->Kind == PoolHeader.KindNode ? NodePurge(m, p) : AdaptivePurge(m, p);
        p->Busy = 0;
        return freed;
    }

    // ---------------------------------------------------------------- node pool (segregated free list)

    private static long NodePop(SegmentManager m, PoolHeader* p)
    {
        long node = p->FreeHead;
        if (node == 0)
        {
            NodeGrow(m, p);
            node = p->FreeHead;
        }

        CheckNodeHandle(m, node, p->SlotSize);
        long next = *(long*)(m.BasePointer + node);
        if (next != 0)
        {
            CheckNodeHandle(m, next, p->SlotSize);
        }

        // The one store that takes the node off the list; the counters follow (derived, recomputed by a repair).
        p->FreeHead = next;
        p->FreeCount--;
        p->InUse++;
        return node;
    }

    private static void NodePush(SegmentManager m, PoolHeader* p, long node)
    {
        CheckNodeArgument(m, node, p->SlotSize);
        *(long*)(m.BasePointer + node) = p->FreeHead;
        // The one store that puts the node on the list (its link was written first).
        p->FreeHead = node;
        p->FreeCount++;
        p->InUse--;
    }

    private static void NodeGrow(SegmentManager m, PoolHeader* p)
    {
        long chunk = m.Allocate(p->ChunkBytes);
        byte* b = m.BasePointer;
        var c = (PoolChunk*)(b + chunk);
        NativeMemory.Clear(c, PoolChunk.Size);
        c->Magic = PoolChunk.ChunkMagic;
        c->Pool = (long)((byte*)p - b);
        int slot = p->SlotSize;
        int n = p->NodesPerChunk;
        long first = chunk + PoolChunk.Size;
        for (int i = 0; i < n - 1; i++)
        {
            *(long*)(b + first + ((long)i * slot)) = first + ((long)(i + 1) * slot);
        }

        *(long*)(b + first + ((long)(n - 1) * slot)) = p->FreeHead;
        c->Next = p->ChunkHead;
        // Publishes the chunk (a repair finds it from here), then its nodes.
        p->ChunkHead = chunk;
        p->ChunkCount++;
        p->FreeHead = first;
        p->FreeCount += n;
    }

    private static int NodePurge(SegmentManager m, PoolHeader* p)
    {
        var chunks = WalkChunks(m, p, repair: false);
        if (chunks.Count == 0)
        {
            return 0;
        }

        long[] sorted = [.. chunks];
        Array.Sort(sorted);
        var freeIn = new int[sorted.Length];
        var free = WalkNodeFreeList(m, p, sorted, repair: false);
        foreach (long n in free)
        {
            freeIn[ChunkOf(sorted, n, p)]++;
        }

        var dead = new HashSet<long>();
        for (int i = 0; i < sorted.Length; i++)
        {
            if (freeIn[i] == p->NodesPerChunk)
            {
                dead.Add(sorted[i]);
            }
        }

        if (dead.Count == 0)
        {
            return 0;
        }

        // Relink the free nodes of the chunks that stay (each store leaves a valid chain), then publish.
        byte* b = m.BasePointer;
        long head = 0;
        long kept = 0;
        foreach (long n in free)
        {
            if (!dead.Contains(sorted[ChunkOf(sorted, n, p)]))
            {
                *(long*)(b + n) = head;
                head = n;
                kept++;
            }
        }

        p->FreeHead = head;
        p->FreeCount = kept;

        // Unlink the dead chunks (one store each), then free them.
        long prev = 0;
        foreach (long c in chunks)
        {
            var pc = (PoolChunk*)(b + c);
            if (dead.Contains(c))
            {
                if (prev == 0)
                {
                    p->ChunkHead = pc->Next;
                }
                else
                {
                    ((PoolChunk*)(b + prev))->Next = pc->Next;
                }

                p->ChunkCount--;
            }
            else
            {
                prev = c;
            }
        }

        foreach (long c in dead)
        {
            m.Deallocate(c);
        }

        return dead.Count;
    }

    private static int ChunkOf(long[] sorted, long node, PoolHeader* p)
    {
        int i = Array.BinarySearch(sorted, node);
        i = i >= 0 ? i : ~i - 1;
        if (i < 0 || node < sorted[i] + PoolChunk.Size || node >= sorted[i] + PoolChunk.Size + ((long)p->NodesPerChunk * p->SlotSize)
            || (node - sorted[i] - PoolChunk.Size) % p->SlotSize != 0)
        {
            return -1;
        }

        return i;
    }

    // ---------------------------------------------------------------- adaptive pool (aligned blocks)

    private static long AdaptivePop(SegmentManager m, PoolHeader* p)
    {
        long blockHandle = p->FreeHead;
        if (blockHandle == 0)
        {
            blockHandle = AdaptiveGrow(m, p);
        }

        byte* b = m.BasePointer;
        var blk = CheckBlock(m, p, blockHandle);
        long node = blk->FreeHead;
        CheckInBlock(m, p, blockHandle, node);
        long next = *(long*)(b + node);
        if (next != 0)
        {
            CheckInBlock(m, p, blockHandle, next);
        }

        if (blk->FreeCount == p->NodesPerChunk)
        {
            p->FreeCount--; // no longer completely free
        }

        // The one store that takes the node off the block's list.
        blk->FreeHead = next;
        blk->FreeCount--;
        p->InUse++;
        if (blk->FreeCount == 0)
        {
            AvailUnlink(m, p, blockHandle);
        }

        return node;
    }

    private static void AdaptivePush(SegmentManager m, PoolHeader* p, long node)
    {
        long blockHandle = node & ~((long)p->ChunkBytes - 1);
        if ((ulong)(blockHandle - SegmentHeader.HeapStart) > (ulong)(m.MappedSize - p->ChunkBytes - SegmentHeader.HeapStart))
        {
            ThrowNotNode(node);
        }

        byte* b = m.BasePointer;
        var blk = (PoolChunk*)(b + blockHandle);
        long poolHandle = (long)((byte*)p - b);
        long offset = node - blockHandle - PoolChunk.Size;
        if (blk->Magic != PoolChunk.BlockMagic || blk->Pool != poolHandle || offset < 0 || offset % p->SlotSize != 0 || offset / p->SlotSize >= p->NodesPerChunk)
        {
            ThrowNotNode(node);
        }

        *(long*)(b + node) = blk->FreeHead;
        // The one store that puts the node on the block's list.
        blk->FreeHead = node;
        blk->FreeCount++;
        p->InUse--;
        if (blk->FreeCount == 1)
        {
            AvailPushFront(m, p, blockHandle); // it was full
        }

        if (blk->FreeCount == p->NodesPerChunk)
        {
            if (p->FreeCount >= MaxFreeBlocks)
            {
                AvailUnlink(m, p, blockHandle);
                AllUnlink(m, p, blockHandle);
                m.Deallocate(blk->Raw);
            }
            else
            {
                // Kept in reserve, behind the partly used blocks so that those fill up first.
                p->FreeCount++;
                AvailUnlink(m, p, blockHandle);
                AvailPushBack(m, p, blockHandle);
            }
        }
    }

    private static long AdaptiveGrow(SegmentManager m, PoolHeader* p)
    {
        int size = p->ChunkBytes;
        long raw = m.AllocateAligned(size, size);
        long block = raw;
        if ((raw & (size - 1)) != 0)
        {
            // The mapping's base is not aligned to the block size (a block above the page size, or an external
            // buffer): align the handle itself inside a block twice as large.
            m.Deallocate(raw);
            raw = m.Allocate(2L * size);
            block = (raw + size - 1) & ~((long)size - 1);
        }

        byte* b = m.BasePointer;
        var blk = (PoolChunk*)(b + block);
        NativeMemory.Clear(blk, PoolChunk.Size);
        blk->Magic = PoolChunk.BlockMagic;
        blk->Pool = (long)((byte*)p - b);
        blk->Raw = raw;
        int slot = p->SlotSize;
        int n = p->NodesPerChunk;
        long first = block + PoolChunk.Size;
        for (int i = 0; i < n - 1; i++)
        {
            *(long*)(b + first + ((long)i * slot)) = first + ((long)(i + 1) * slot);
        }

        *(long*)(b + first + ((long)(n - 1) * slot)) = 0;
        blk->FreeHead = first;
        blk->FreeCount = n;
        blk->Next = p->ChunkHead;
        if (p->ChunkHead != 0)
        {
            ((PoolChunk*)(b + p->ChunkHead))->Prev = block;
        }

        // Publishes the block (a repair finds it from here).
        p->ChunkHead = block;
        p->ChunkCount++;
        p->FreeCount++;
        AvailPushFront(m, p, block);
        return block;
    }

    private static int AdaptivePurge(SegmentManager m, PoolHeader* p)
    {
        var blocks = WalkChunks(m, p, repair: false);
        int freed = 0;
        foreach (long h in blocks)
        {
            var blk = (PoolChunk*)(m.BasePointer + h);
            if (blk->FreeCount == p->NodesPerChunk)
            {
                AvailUnlink(m, p, h);
                AllUnlink(m, p, h);
                p->FreeCount--;
                m.Deallocate(blk->Raw);
                freed++;
            }
        }

        return freed;
    }

    private static void AvailPushFront(SegmentManager m, PoolHeader* p, long h)
    {
        byte* b = m.BasePointer;
        var blk = (PoolChunk*)(b + h);
        blk->AvailPrev = 0;
        blk->AvailNext = p->FreeHead;
        if (p->FreeHead != 0)
        {
            ((PoolChunk*)(b + p->FreeHead))->AvailPrev = h;
        }
        else
        {
            p->AvailTail = h;
        }

        p->FreeHead = h;
    }

    private static void AvailPushBack(SegmentManager m, PoolHeader* p, long h)
    {
        byte* b = m.BasePointer;
        var blk = (PoolChunk*)(b + h);
        blk->AvailNext = 0;
        blk->AvailPrev = p->AvailTail;
        if (p->AvailTail != 0)
        {
            ((PoolChunk*)(b + p->AvailTail))->AvailNext = h;
        }
        else
        {
            p->FreeHead = h;
        }

        p->AvailTail = h;
    }

    private static void AvailUnlink(SegmentManager m, PoolHeader* p, long h)
    {
        byte* b = m.BasePointer;
        var blk = (PoolChunk*)(b + h);
        if (blk->AvailPrev != 0)
        {
            ((PoolChunk*)(b + blk->AvailPrev))->AvailNext = blk->AvailNext;
        }
        else
        {
            p->FreeHead = blk->AvailNext;
        }

        if (blk->AvailNext != 0)
        {
            ((PoolChunk*)(b + blk->AvailNext))->AvailPrev = blk->AvailPrev;
        }
        else
        {
            p->AvailTail = blk->AvailPrev;
        }

        blk->AvailNext = 0;
        blk->AvailPrev = 0;
    }

    private static void AllUnlink(SegmentManager m, PoolHeader* p, long h)
    {
        byte* b = m.BasePointer;
        var blk = (PoolChunk*)(b + h);
        // The forward chain is what a repair trusts: the one store that unlinks comes first.
        if (blk->Prev != 0)
        {
            ((PoolChunk*)(b + blk->Prev))->Next = blk->Next;
        }
        else
        {
            p->ChunkHead = blk->Next;
        }

        if (blk->Next != 0)
        {
            ((PoolChunk*)(b + blk->Next))->Prev = blk->Prev;
        }

        p->ChunkCount--;
        blk->Magic = 0;
    }

    // ---------------------------------------------------------------- checks and repair

    /// <summary>Walks the chunk (block) list with every link checked; with <paramref name="repair"/>, cuts it at the first bad link instead of throwing.</summary>
    private static List<long> WalkChunks(SegmentManager m, PoolHeader* p, bool repair)
    {
        byte* b = m.BasePointer;
        long poolHandle = (long)((byte*)p - b);
        bool adaptive = p->Kind == PoolHeader.KindAdaptive;
        uint magic = adaptive ? PoolChunk.BlockMagic : PoolChunk.ChunkMagic;
        var list = new List<long>();
        var seen = new HashSet<long>();
        long prev = 0;
        long c = p->ChunkHead;
        while (c != 0)
        {
            bool ok = (ulong)(c - SegmentHeader.HeapStart) <= (ulong)(m.MappedSize - p->ChunkBytes - SegmentHeader.HeapStart)
                      && (c & 7) == 0 && (!adaptive || (c & (p->ChunkBytes - 1)) == 0)
                      && seen.Add(c);
            var pc = (PoolChunk*)(b + c);
            ok = ok && pc->Magic == magic && pc->Pool == poolHandle;
            if (!ok)
            {
                if (!repair)
                {
                    ThrowCorrupted(m, $"the pool at {poolHandle} has a damaged chunk list (at {c})");
                }

                if (prev == 0)
                {
                    p->ChunkHead = 0;
                }
                else
                {
                    ((PoolChunk*)(b + prev))->Next = 0;
                }

                break;
            }

            if (adaptive)
            {
                pc->Prev = prev;
            }

            list.Add(c);
            prev = c;
            c = pc->Next;
        }

        return list;
    }

    /// <summary>The nodes of a node pool's free list, each checked to be a slot of one of its chunks, at most once.</summary>
    private static List<long> WalkNodeFreeList(SegmentManager m, PoolHeader* p, long[] sortedChunks, bool repair)
    {
        byte* b = m.BasePointer;
        var list = new List<long>();
        var seen = new HashSet<long>();
        long prev = 0;
        long n = p->FreeHead;
        while (n != 0)
        {
            if (ChunkOf(sortedChunks, n, p) < 0 || !seen.Add(n))
            {
                if (!repair)
                {
                    ThrowCorrupted(m, $"the pool at {(long)((byte*)p - b)} has a damaged free list (at {n})");
                }

                if (prev == 0)
                {
                    p->FreeHead = 0;
                }
                else
                {
                    *(long*)(b + prev) = 0;
                }

                break;
            }

            list.Add(n);
            prev = n;
            n = *(long*)(b + n);
        }

        return list;
    }

    /// <summary>
    /// Rebuilds the pool's derived state after an interrupted operation: the chunk list and free lists cut at the
    /// first bad link, every counter and the adaptive pool's list of blocks with free nodes recomputed. Caller holds
    /// the lock of a shared pool.
    /// </summary>
    internal static void RepairLocked(SegmentManager m, PoolHeader* p)
    {
        byte* b = m.BasePointer;
        var chunks = WalkChunks(m, p, repair: true);
        long total = (long)chunks.Count * p->NodesPerChunk;
        if (p->Kind == PoolHeader.KindNode)
        {
            long[] sorted = [.. chunks];
            Array.Sort(sorted);
            var free = WalkNodeFreeList(m, p, sorted, repair: true);
            p->FreeCount = free.Count;
            p->InUse = total - free.Count;
        }
        else
        {
            p->FreeHead = 0;
            p->AvailTail = 0;
            long freeNodes = 0;
            long empty = 0;
            var completelyFree = new List<long>();
            foreach (long h in chunks)
            {
                var blk = (PoolChunk*)(b + h);
                int count = 0;
                var seen = new HashSet<long>();
                long prev = 0;
                long n = blk->FreeHead;
                while (n != 0)
                {
                    if (!InBlock(p, h, n) || !seen.Add(n))
                    {
                        if (prev == 0)
                        {
                            blk->FreeHead = 0;
                        }
                        else
                        {
                            *(long*)(b + prev) = 0;
                        }

                        break;
                    }

                    count++;
                    prev = n;
                    n = *(long*)(b + n);
                }

                blk->FreeCount = count;
                blk->AvailNext = 0;
                blk->AvailPrev = 0;
                freeNodes += count;
                if (count == p->NodesPerChunk)
                {
                    empty++;
                    completelyFree.Add(h);
                }
                else if (count > 0)
                {
                    AvailPushBack(m, p, h);
                }
            }

            foreach (long h in completelyFree)
            {
                AvailPushBack(m, p, h);
            }

            p->FreeCount = empty;
            p->InUse = total - freeNodes;
        }

        p->ChunkCount = chunks.Count;
        p->Repairs++;
        p->Busy = 0;
    }

    private static bool InBlock(PoolHeader* p, long block, long node)
    {
        long offset = node - block - PoolChunk.Size;
        return offset >= 0 && offset % p->SlotSize == 0 && offset / p->SlotSize < p->NodesPerChunk;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static PoolChunk* CheckBlock(SegmentManager m, PoolHeader* p, long h)
    {
        if ((ulong)(h - SegmentHeader.HeapStart) > (ulong)(m.MappedSize - p->ChunkBytes - SegmentHeader.HeapStart) || (h & (p->ChunkBytes - 1)) != 0)
        {
            ThrowCorrupted(m, $"an adaptive pool's block list points at {h}, outside the segment");
        }

        var blk = (PoolChunk*)(m.BasePointer + h);
        if (blk->Magic != PoolChunk.BlockMagic || blk->FreeCount <= 0)
        {
            ThrowCorrupted(m, $"an adaptive pool's block at {h} is damaged");
        }

        return blk;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CheckInBlock(SegmentManager m, PoolHeader* p, long block, long node)
    {
        if (!InBlock(p, block, node))
        {
            ThrowCorrupted(m, $"an adaptive pool's block at {block} has a damaged free list (at {node})");
        }
    }

    /// <summary>A link read from the segment must name a slot inside the segment.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void CheckNodeHandle(SegmentManager m, long node, int slot)
    {
        if ((ulong)(node - SegmentHeader.HeapStart) > (ulong)(m.MappedSize - slot - SegmentHeader.HeapStart) || (node & 7) != 0)
        {
            ThrowCorrupted(m, $"a pool's free list points at {node}, outside the segment");
        }
    }

    /// <summary>A node given back by a caller must lie inside the segment.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void CheckNodeArgument(SegmentManager m, long node, int slot)
    {
        if ((ulong)(node - SegmentHeader.HeapStart) > (ulong)(m.MappedSize - slot - SegmentHeader.HeapStart) || (node & 7) != 0)
        {
            ThrowNotNode(node);
        }
    }

    [DoesNotReturn]
    private static void ThrowNotNode(long node) =>
        throw new ArgumentException($"The handle {node} is not a node of this container's pool.", nameof(node));

    [DoesNotReturn]
    internal static void ThrowCorrupted(SegmentManager m, string what) =>
        throw InterprocessException.Corrupted(m.Name, what + " (the segment is corrupted).");
}
