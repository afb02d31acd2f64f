using System.Runtime.InteropServices;

namespace Interprocess.Containers;

/// <summary>
/// The header of a flat (sorted array) container in its segment: the array's block, size and capacity. The block
/// holds the keys, then (for maps, from the next 16-byte boundary) the values: two contiguous arrays, so that keys
/// and values are each a span and a binary search touches keys only.
/// </summary>
/// <remarks>
/// <code>
///  0  ContainerPrefix    magic, type check, stamp
/// 16  ContainerAllocator allocator state (no node size: blocks of any size)
/// 48  long Data          handle of the block, or 0 when Capacity is 0
/// 56  long Count         elements in use
/// 64  long Capacity      elements the block holds
/// 72  long Version       incremented by every insertion, removal and reallocation (enumerators check it)
/// 80  int  KeySize       sizeof(TKey) at creation (checked on use)
/// 84  int  ValueSize     sizeof(TValue), 0 for sets (checked on use)
/// 88  long Reserved
/// </code>
/// </remarks>
[StructLayout(LayoutKind.Explicit, Size = Size)]
internal struct FlatHeader
{
    /// <summary>Bytes in the header.</summary>
    internal const int Size = 96;

    /// <summary>Kind, type check and stamp.</summary>
    [FieldOffset(0)] internal ContainerPrefix Prefix;

    /// <summary>Where the array comes from.</summary>
    [FieldOffset(16)] internal ContainerAllocator Allocator;

    /// <summary>Handle of the block, or 0.</summary>
    [FieldOffset(48)] internal long Data;

    /// <summary>Elements in use.</summary>
    [FieldOffset(56)] internal long Count;

    /// <summary>Elements the block holds.</summary>
    [FieldOffset(64)] internal long Capacity;

    /// <summary>Changes with every insertion, removal or reallocation.</summary>
    [FieldOffset(72)] internal long Version;

    /// <summary>sizeof(TKey).</summary>
    [FieldOffset(80)] internal int KeySize;

    /// <summary>sizeof(TValue), 0 for sets.</summary>
    [FieldOffset(84)] internal int ValueSize;

    /// <summary>Unused (zero).</summary>
    [FieldOffset(88)] internal long Reserved;
}
