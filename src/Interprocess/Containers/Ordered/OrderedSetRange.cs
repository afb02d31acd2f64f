using System.Collections;

namespace Interprocess.Containers;

/// <summary>
/// A range of a <see cref="SharedSet{T}"/> or <see cref="SharedMultiSet{T}"/> in order (or reversed): what
/// <c>GetViewBetween</c>, <c>LowerBound</c>, <c>UpperBound</c>, <c>EqualRange</c> and <c>Reverse</c> return.
/// Enumerating it does not allocate; it yields copies of the elements.
/// </summary>
/// <remarks>
/// The range is fixed when it is made: changing the container afterwards makes enumerating it throw
/// <see cref="InvalidOperationException"/>, like a .NET collection changed during enumeration.
/// </remarks>
/// <typeparam name="T">The element type.</typeparam>
public readonly struct OrderedSetRange<T> : IEnumerable<T>
    where T : unmanaged
{
    private readonly ContainerHandle _h;
    private readonly uint _magic;
    private readonly uint _typeCheck;
    private readonly TreeSpan _span;
    private readonly long _version;
    private readonly long _count;
    private readonly bool _reverse;

    internal unsafe OrderedSetRange(in ContainerHandle h, uint magic, uint typeCheck, in RbTree<T, NoValue> tree, TreeSpan span, bool reverse)
    {
        _h = h;
        _magic = magic;
        _typeCheck = typeCheck;
        _span = span;
        _version = tree.Header->Version;
        _count = tree.Header->Count;
        _reverse = reverse;
    }

    /// <summary>Whether the range holds no element.</summary>
    public bool IsEmpty => _span.First == 0;

    /// <summary>The same range in the opposite order.</summary>
    /// <returns>The reversed range.</returns>
    public OrderedSetRange<T> Reverse() => new(this, !_reverse);

    /// <summary>An enumerator over the range (used by <c>foreach</c>; no allocation).</summary>
    /// <returns>The enumerator.</returns>
    public Enumerator GetEnumerator() => new(new TreeCursor<T, NoValue>(_h, _magic, _typeCheck, _span.First, _span.Last, _version, _count, _reverse));

    /// <inheritdoc />
    IEnumerator<T> IEnumerable<T>.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private OrderedSetRange(in OrderedSetRange<T> other, bool reverse)
    {
        this = other;
        _reverse = reverse;
    }

    /// <summary>Enumerates an ordered range; <see cref="Current"/> is a copy of the current element.</summary>
    public struct Enumerator : IEnumerator<T>
    {
        private TreeCursor<T, NoValue> _cursor;
        private T _current;

        internal Enumerator(TreeCursor<T, NoValue> cursor)
        {
            _cursor = cursor;
            _current = default;
        }

        /// <summary>The current element.</summary>
        public readonly T Current => _current;

        /// <inheritdoc />
        readonly object IEnumerator.Current => _current;

        /// <summary>Moves to the next element.</summary>
        /// <returns>False at the end.</returns>
        /// <exception cref="InvalidOperationException">The container was changed or destroyed since the range was made.</exception>
        /// <exception cref="InterprocessException">The container is corrupted.</exception>
        public unsafe bool MoveNext()
        {
            if (!_cursor.MoveNext(out var n))
            {
                return false;
            }

            _current = n->Key;
            return true;
        }

        /// <summary>Not supported (as for most .NET enumerators).</summary>
        /// <exception cref="NotSupportedException">Always.</exception>
        public readonly void Reset() => throw new NotSupportedException();

        /// <summary>Nothing to release.</summary>
        public readonly void Dispose()
        {
        }
    }
}
