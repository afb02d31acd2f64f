using System.Runtime.InteropServices;
using Interprocess.Managed;

namespace Interprocess.Containers;

/// <summary>
/// The header of a <see cref="SharedList{T}"/> or <see cref="SharedSList{T}"/> in its segment.
/// </summary>
/// <remarks>
/// <code>
///   0  16  ContainerPrefix  kind "LIST"/"SLST", type check, stamp
///  16  32  ContainerAllocator (node size = NodeSize)
///  48   8  Head             handle of the first node (0 = empty)
///  56   8  Tail             handle of the last node (0 = empty)
///  64   8  Count            nodes in the list
///  72   8  Version          changes with every insertion, removal or reordering (enumerators check it)
///  80   4  NodeTag          stored in every node of this list (0 in a freed node): a cursor or link to a node of
///                           another list, or to a freed node, is refused
///  84   4  NodeSize         bytes per node, checked against the running code's layout
/// </code>
/// </remarks>
[StructLayout(LayoutKind.Explicit, Size = Size)]
internal struct LinkedHeader
{
    /// <summary>Bytes in the header.</summary>
    internal const int Size = 88;

    /// <summary>The common container prefix.</summary>
    [FieldOffset(0)] internal ContainerPrefix Prefix;

    /// <summary>Where the nodes come from.</summary>
    [FieldOffset(16)] internal ContainerAllocator Allocator;

    /// <summary>First node (0 = none).</summary>
    [FieldOffset(48)] internal long Head;

    /// <summary>Last node (0 = none).</summary>
    [FieldOffset(56)] internal long Tail;

    /// <summary>Nodes in the list.</summary>
    [FieldOffset(64)] internal long Count;

    /// <summary>Bumped by every structural change.</summary>
    [FieldOffset(72)] internal long Version;

    /// <summary>The tag every node of this list carries.</summary>
    [FieldOffset(80)] internal uint NodeTag;

    /// <summary>Bytes per node.</summary>
    [FieldOffset(84)] internal int NodeSize;

    /// <summary>
    /// Allocates and initializes the header of a new list or slist (what both <c>Create</c>s share): allocator kind,
    /// node size, and the node tag derived from the stamp. A bad allocator kind frees the header again.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An unknown allocator kind.</exception>
    /// <exception cref="InterprocessException">The segment is full.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    internal static unsafe ContainerHandle Create(SegmentManager manager, uint magic, uint typeCheck, AllocatorKind allocator, int nodeSize)
    {
        var h = ContainerHandle.Create<LinkedHeader>(manager, magic, typeCheck, out var header);
        try
        {
            header->Allocator.Initialize(allocator, nodeSize);
        }
        catch
        {
            h.FreeHeader(&header->Prefix, manager);
            throw;
        }

        header->NodeSize = nodeSize;
        header->NodeTag = (uint)h.Stamp ^ (uint)(h.Stamp >> 32) | 1;
        return h;
    }
}
