using System.Runtime.InteropServices;

namespace Interprocess.Containers;

/// <summary>
/// A position in a <see cref="SharedList{T}"/> (Boost's list iterator): the list's handle and a node's handle.
/// Valid until its node is removed; a cursor to a removed node is refused by the list's operations.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
[StructLayout(LayoutKind.Sequential)]
public readonly unsafe struct SharedListNode<T> : IEquatable<SharedListNode<T>>
    where T : unmanaged
{
    private readonly ContainerHandle _list;
    private readonly long _node;

    internal SharedListNode(ContainerHandle list, long node)
    {
        _list = list;
        _node = node;
    }

    /// <summary>Whether the cursor points at no node (past either end, or an empty list's first node).</summary>
    public bool IsNull => _node == 0;

    /// <summary>The list this cursor walks.</summary>
    public SharedList<T> List => new(_list);

    /// <summary>A reference to the element, in the segment.</summary>
    /// <exception cref="InvalidOperationException">A null cursor; the node was removed; the list's handle is stale.</exception>
    /// <exception cref="ArgumentException">The node is not in the list.</exception>
    public ref T Value
    {
        get
        {
            ThrowIfNull();
            var list = new SharedList<T>(_list);
            var h = list.Read(out var m);
            return ref list.CursorNode(h, m, this)->Value;
        }
    }

    /// <summary>The next node (a null cursor after the last).</summary>
    /// <exception cref="InvalidOperationException">A null cursor, or the list's handle is stale.</exception>
    /// <exception cref="ArgumentException">The node was removed.</exception>
    public SharedListNode<T> Next
    {
        get
        {
            ThrowIfNull();
            var list = new SharedList<T>(_list);
            var h = list.Read(out var m);
            return new(_list, list.CursorNode(h, m, this)->Next);
        }
    }

    /// <summary>The previous node (a null cursor before the first).</summary>
    /// <exception cref="InvalidOperationException">A null cursor, or the list's handle is stale.</exception>
    /// <exception cref="ArgumentException">The node was removed.</exception>
    public SharedListNode<T> Previous
    {
        get
        {
            ThrowIfNull();
            var list = new SharedList<T>(_list);
            var h = list.Read(out var m);
            return new(_list, list.CursorNode(h, m, this)->Prev);
        }
    }

    /// <summary>The node's handle.</summary>
    internal long NodeHandle => _node;

    /// <summary>Whether both cursors point at the same node of the same list.</summary>
    /// <param name="other">The other cursor.</param>
    /// <returns>True for the same position.</returns>
    public bool Equals(SharedListNode<T> other) => ListHandleEquals(other._list) && _node == other._node;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is SharedListNode<T> o && Equals(o);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(_list.Header, _node);

    /// <inheritdoc />
    public override string ToString() => IsNull ? "(null)" : $"node @ {_node} of {_list}";

    /// <summary>Whether two cursors point at the same node.</summary>
    /// <param name="left">A cursor.</param>
    /// <param name="right">A cursor.</param>
    /// <returns>True for the same position.</returns>
    public static bool operator ==(SharedListNode<T> left, SharedListNode<T> right) => left.Equals(right);

    /// <summary>Whether two cursors point at different nodes.</summary>
    /// <param name="left">A cursor.</param>
    /// <param name="right">A cursor.</param>
    /// <returns>True for different positions.</returns>
    public static bool operator !=(SharedListNode<T> left, SharedListNode<T> right) => !left.Equals(right);

    internal bool ListHandleEquals(ContainerHandle other) =>
        _list.SegmentId == other.SegmentId && _list.Header == other.Header && _list.Stamp == other.Stamp;

    private void ThrowIfNull()
    {
        if (_node == 0)
        {
            throw new InvalidOperationException("The cursor points at no node.");
        }
    }
}
