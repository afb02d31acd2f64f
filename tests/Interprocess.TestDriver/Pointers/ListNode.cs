using System.Runtime.InteropServices;
using Interprocess.Pointers;

namespace Interprocess.TestDriver.Pointers;

/// <summary>A node of the doubly linked list the OffsetPtr tests share between processes (see <see cref="SharedList"/>).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct ListNode
{
    /// <summary>The next node, or null at the tail.</summary>
    public OffsetPtr<ListNode> Next;

    /// <summary>The previous node, or null at the head.</summary>
    public OffsetPtr<ListNode> Prev;

    /// <summary>The payload; the list is kept sorted by it.</summary>
    public long Value;
}
