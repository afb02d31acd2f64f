using System.Runtime.InteropServices;

namespace Interprocess.Containers;

/// <summary>
/// A pool of fixed-size node slots in a segment (the state behind the pooled <see cref="AllocatorKind"/>s), used in
/// place. Shared pools are linked from the <see cref="PoolDirectory"/>; a private pool hangs off its container's
/// <see cref="ContainerAllocator"/>.
/// </summary>
/// <remarks>
/// <code>
///  0 uint Magic          "POOL"
///  4 int  Kind           1 node pool (segregated list), 2 adaptive pool (aligned blocks)
///  8 int  SlotSize       bytes per node slot (a multiple of 8, at least 8)
/// 12 int  Shared         1 for a shared pool (guarded by the segment lock), 0 for a private one
/// 16 int  Busy           1 while an operation is under way: found set at the start of one, the last one was
///                        interrupted (its process died, or it threw), and the pool is repaired first
/// 20 int  Users          containers attached to a shared pool
/// 24 long FreeHead       node pool: first free node; adaptive: first block with a free node
/// 32 long FreeCount      node pool: free nodes; adaptive: completely free blocks kept
/// 40 long ChunkHead      node pool: first chunk; adaptive: first block (all blocks)
/// 48 long ChunkCount     chunks (blocks)
/// 56 long NextPool       the directory's next pool
/// 64 int  NodesPerChunk  nodes in a chunk (block)
/// 68 int  ChunkBytes     node pool: bytes of a chunk; adaptive: bytes and handle alignment of a block (a power of two)
/// 72 long InUse          nodes handed out (including nodes sitting in containers' caches)
/// 80 long AvailTail      adaptive: last block with a free node
/// 88 long Repairs        how many interrupted operations were repaired
/// </code>
/// </remarks>
[StructLayout(LayoutKind.Explicit, Size = Size)]
internal struct PoolHeader
{
    /// <summary>Bytes of a pool header.</summary>
    internal const int Size = 128;

    /// <summary>"POOL".</summary>
    internal const uint MagicValue = 0x4C4F4F50;

    /// <summary>Kind: a node pool.</summary>
    internal const int KindNode = 1;

    /// <summary>Kind: an adaptive pool.</summary>
    internal const int KindAdaptive = 2;

    [FieldOffset(0)] internal uint Magic;
    [FieldOffset(4)] internal int Kind;
    [FieldOffset(8)] internal int SlotSize;
    [FieldOffset(12)] internal int Shared;
    [FieldOffset(16)] internal int Busy;
    [FieldOffset(20)] internal int Users;
    [FieldOffset(24)] internal long FreeHead;
    [FieldOffset(32)] internal long FreeCount;
    [FieldOffset(40)] internal long ChunkHead;
    [FieldOffset(48)] internal long ChunkCount;
    [FieldOffset(56)] internal long NextPool;
    [FieldOffset(64)] internal int NodesPerChunk;
    [FieldOffset(68)] internal int ChunkBytes;
    [FieldOffset(72)] internal long InUse;
    [FieldOffset(80)] internal long AvailTail;
    [FieldOffset(88)] internal long Repairs;
}
