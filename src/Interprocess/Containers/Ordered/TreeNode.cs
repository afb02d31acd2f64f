using System.Runtime.InteropServices;

namespace Interprocess.Containers;

/// <summary>
/// One node of a red-black tree in a segment (the ordered containers' node). Links are segment handles (offsets
/// from the segment base, 0 = none); the node's color is packed into bit 0 of the parent link (nodes are at least
/// 8-byte aligned), so a node of <c>long</c> keys and values is 40 bytes, like Boost's compact rbtree node.
/// </summary>
/// <remarks>
/// Layout (every field is at least 8-byte aligned, so the layout does not depend on the key type):
/// <code>
///  0  long  Left         handle of the left child, or 0
///  8  long  Right        handle of the right child, or 0
/// 16  long  ParentColor  handle of the parent (0 at the root) | 1 when the node is red
/// 24  TKey  Key
/// 24+sizeof(TKey) TValue Value (padded by the runtime to TValue's alignment)
/// </code>
/// </remarks>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The mapped type (<see cref="NoValue"/> for sets).</typeparam>
[StructLayout(LayoutKind.Sequential)]
internal struct TreeNode<TKey, TValue>
    where TKey : unmanaged
    where TValue : unmanaged
{
    /// <summary>Bit 0 of <see cref="ParentColor"/>: the node is red.</summary>
    internal const long Red = 1;

    /// <summary>Handle of the left child, or 0.</summary>
    internal long Left;

    /// <summary>Handle of the right child, or 0.</summary>
    internal long Right;

    /// <summary>Handle of the parent (0 at the root), with the color in bit 0.</summary>
    internal long ParentColor;

    /// <summary>The key.</summary>
    internal TKey Key;

    /// <summary>The mapped value.</summary>
    internal TValue Value;

    /// <summary>The parent's handle.</summary>
    internal readonly long Parent => ParentColor & ~Red;

    /// <summary>Whether the node is red.</summary>
    internal readonly bool IsRed => (ParentColor & Red) != 0;
}
