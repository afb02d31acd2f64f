using System.Runtime.InteropServices;

namespace Interprocess.Containers;

/// <summary>
/// The header of an ordered tree container (map, set, multimap, multiset) in its segment. Allocated at creation,
/// never moves; every handle to the container points at it.
/// </summary>
/// <remarks>
/// <code>
///  0  ContainerPrefix    magic, type check, stamp
/// 16  ContainerAllocator allocator state (node size = sizeof(TreeNode))
/// 48  long Root          handle of the root node, or 0 when empty
/// 56  long Leftmost      handle of the smallest node (begin), or 0
/// 64  long Rightmost     handle of the largest node, or 0
/// 72  long Count         number of nodes
/// 80  long Version       incremented by every change of the tree's shape (enumerators check it)
/// 88  int  NodeSize      sizeof(TreeNode) at creation (checked on use)
/// 92  int  Reserved
/// </code>
/// </remarks>
[StructLayout(LayoutKind.Explicit, Size = Size)]
internal struct TreeHeader
{
    /// <summary>Bytes in the header.</summary>
    internal const int Size = 96;

    /// <summary>Kind, type check and stamp.</summary>
    [FieldOffset(0)] internal ContainerPrefix Prefix;

    /// <summary>Where the nodes come from.</summary>
    [FieldOffset(16)] internal ContainerAllocator Allocator;

    /// <summary>Handle of the root node, or 0.</summary>
    [FieldOffset(48)] internal long Root;

    /// <summary>Handle of the smallest node, or 0.</summary>
    [FieldOffset(56)] internal long Leftmost;

    /// <summary>Handle of the largest node, or 0.</summary>
    [FieldOffset(64)] internal long Rightmost;

    /// <summary>Number of nodes.</summary>
    [FieldOffset(72)] internal long Count;

    /// <summary>Changes with every insertion or removal (enumerators compare it).</summary>
    [FieldOffset(80)] internal long Version;

    /// <summary>The node size the tree was created with.</summary>
    [FieldOffset(88)] internal int NodeSize;

    /// <summary>Unused (zero).</summary>
    [FieldOffset(92)] internal int Reserved;
}
