using System.Runtime.InteropServices;

namespace Interprocess.Containers;

/// <summary>
/// The header of a <see cref="SharedHashMap{TKey,TValue}"/> or <see cref="SharedHashSet{T}"/> in its segment.
/// All zero after the prefix and allocator is a valid empty table (no slot array yet, default load factor,
/// default hashing).
/// </summary>
/// <remarks>
/// <code>
///   0  16  ContainerPrefix  kind "HMAP"/"HSET", type check, stamp
///  16  32  ContainerAllocator
///  48   8  Table            handle of the slot array (0 = none yet)
///  56   8  Count            keys stored
///  64   8  Capacity         slots in the array: 0 or a power of two, at most 2^30
///  72   8  HasherId         0 = the default hash; otherwise SharedHashComparers' identity of a comparer name
///  80   4  MaxLoadPermille  growth threshold in thousandths (0 = 875)
///  84   4  SlotSize         bytes per slot, checked against the running code's layout
///  88   8  Version          changes with every insertion or removal (enumerators check it)
///  96  16  reserved
/// </code>
/// </remarks>
[StructLayout(LayoutKind.Explicit, Size = Size)]
internal struct HashHeader
{
    /// <summary>Bytes in the header.</summary>
    internal const int Size = 112;

    /// <summary>The common container prefix.</summary>
    [FieldOffset(0)] internal ContainerPrefix Prefix;

    /// <summary>Where the slot array comes from.</summary>
    [FieldOffset(16)] internal ContainerAllocator Allocator;

    /// <summary>Handle of the slot array (0 = none).</summary>
    [FieldOffset(48)] internal long Table;

    /// <summary>Keys stored.</summary>
    [FieldOffset(56)] internal long Count;

    /// <summary>Slots in the array (0 or a power of two).</summary>
    [FieldOffset(64)] internal long Capacity;

    /// <summary>0 = the default hash; otherwise a registered comparer's identity.</summary>
    [FieldOffset(72)] internal ulong HasherId;

    /// <summary>Growth threshold in thousandths of the capacity (0 = the default).</summary>
    [FieldOffset(80)] internal int MaxLoadPermille;

    /// <summary>Bytes per slot.</summary>
    [FieldOffset(84)] internal int SlotSize;

    /// <summary>Bumped by every insertion and removal.</summary>
    [FieldOffset(88)] internal long Version;
}
