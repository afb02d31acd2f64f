using System.Runtime.InteropServices;

namespace Interprocess.Containers;

/// <summary>The header of a <see cref="SharedDeque{T}"/> in its segment.</summary>
/// <remarks>
/// <code>
///   0  16  ContainerPrefix  kind "DEQU", type check, stamp
///  16  32  ContainerAllocator (node size = one block)
///  48   8  Map              handle of the map: a ring of MapCapacity block handles (0 = none yet)
///  56   8  MapCapacity      entries in the ring (0 or a power of two)
///  64   8  FirstBlock       ring index of the first block in use
///  72   8  BlockCount       blocks in use (consecutive in the ring from FirstBlock)
///  80   8  Start            index of the first element in the first block
///  88   8  Count            elements
///  96   8  Version          changes with every insertion or removal
/// 104   4  BlockShift       log2 of the elements per block, checked against the running code
/// 108   4  reserved
/// 112   8  Spare            one free block kept to avoid allocating at a block boundary (0 = none)
/// </code>
/// Element i lives in block ((Start + i) &gt;&gt; BlockShift) after FirstBlock, at (Start + i) &amp; (block size - 1).
/// </remarks>
[StructLayout(LayoutKind.Explicit, Size = Size)]
internal struct DequeHeader
{
    /// <summary>Bytes in the header.</summary>
    internal const int Size = 120;

    /// <summary>The common container prefix.</summary>
    [FieldOffset(0)] internal ContainerPrefix Prefix;

    /// <summary>Where blocks and the map come from.</summary>
    [FieldOffset(16)] internal ContainerAllocator Allocator;

    /// <summary>The map's handle.</summary>
    [FieldOffset(48)] internal long Map;

    /// <summary>Entries in the map ring.</summary>
    [FieldOffset(56)] internal long MapCapacity;

    /// <summary>Ring index of the first block in use.</summary>
    [FieldOffset(64)] internal long FirstBlock;

    /// <summary>Blocks in use.</summary>
    [FieldOffset(72)] internal long BlockCount;

    /// <summary>First element's index in the first block.</summary>
    [FieldOffset(80)] internal long Start;

    /// <summary>Elements.</summary>
    [FieldOffset(88)] internal long Count;

    /// <summary>Bumped by every insertion and removal.</summary>
    [FieldOffset(96)] internal long Version;

    /// <summary>log2 of elements per block.</summary>
    [FieldOffset(104)] internal int BlockShift;

    /// <summary>A free block kept for reuse (0 = none).</summary>
    [FieldOffset(112)] internal long Spare;
}
