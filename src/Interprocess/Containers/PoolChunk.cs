using System.Runtime.InteropServices;

namespace Interprocess.Containers;

/// <summary>
/// The header of a node pool's chunk (a raw segment block holding <see cref="PoolHeader.NodesPerChunk"/> node slots
/// right after it), or of an adaptive pool's block (aligned to its size, so a node finds its block by masking its
/// handle).
/// </summary>
/// <remarks>
/// <code>
///  0 uint Magic      "CHNK" (node pool) / "ABLK" (adaptive block)
///  4 int  FreeCount  adaptive: free nodes in the block
///  8 long Pool       the pool's header
/// 16 long Next       node pool: next chunk; adaptive: next block of all blocks
/// 24 long Prev       adaptive: previous block of all blocks
/// 32 long FreeHead   adaptive: the block's first free node
/// 40 long AvailNext  adaptive: next block with a free node
/// 48 long AvailPrev  adaptive: previous block with a free node
/// 56 long Raw        adaptive: the segment block to free (the block itself unless it had to be over-allocated to align)
/// 64 nodes
/// </code>
/// </remarks>
[StructLayout(LayoutKind.Explicit, Size = Size)]
internal struct PoolChunk
{
    /// <summary>Bytes before the first node.</summary>
    internal const int Size = 64;

    /// <summary>"CHNK".</summary>
    internal const uint ChunkMagic = 0x4B4E4843;

    /// <summary>"ABLK".</summary>
    internal const uint BlockMagic = 0x4B4C4241;

    [FieldOffset(0)] internal uint Magic;
    [FieldOffset(4)] internal int FreeCount;
    [FieldOffset(8)] internal long Pool;
    [FieldOffset(16)] internal long Next;
    [FieldOffset(24)] internal long Prev;
    [FieldOffset(32)] internal long FreeHead;
    [FieldOffset(40)] internal long AvailNext;
    [FieldOffset(48)] internal long AvailPrev;
    [FieldOffset(56)] internal long Raw;
}
