using System.Runtime.InteropServices;
using Interprocess.Pointers;

namespace Interprocess.TestDriver.Pointers;

/// <summary>The header at offset 0 of a <see cref="SharedList"/> region.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct SharedListHeader
{
    /// <summary><see cref="SharedList.Magic"/> once the list is initialized.</summary>
    public long Magic;

    /// <summary>How many node slots follow the header.</summary>
    public long Capacity;

    /// <summary>How many node slots are in use (slots are taken in order and never freed).</summary>
    public long Count;

    /// <summary>The first node, or null when the list is empty.</summary>
    public OffsetPtr<ListNode> Head;

    /// <summary>The last node, or null when the list is empty.</summary>
    public OffsetPtr<ListNode> Tail;
}
