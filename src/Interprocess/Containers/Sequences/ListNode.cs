namespace Interprocess.Containers;

/// <summary>A node of a <see cref="SharedList{T}"/>: links are segment handles (0 = none).</summary>
/// <typeparam name="T">The element type.</typeparam>
internal struct ListNode<T>
    where T : unmanaged
{
    /// <summary>The next node.</summary>
    internal long Next;

    /// <summary>The previous node.</summary>
    internal long Prev;

    /// <summary>The owning list's <see cref="LinkedHeader.NodeTag"/> (0 once freed).</summary>
    internal uint Tag;

    /// <summary>The element.</summary>
    internal T Value;
}
