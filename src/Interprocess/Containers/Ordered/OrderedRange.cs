using System.Collections;

namespace Interprocess.Containers;

/// <summary>
/// A range of a <see cref="SharedMap{TKey,TValue}"/> or <see cref="SharedMultiMap{TKey,TValue}"/> in key order
/// (or reversed): what <c>GetRange</c>, <c>LowerBound</c>, <c>UpperBound</c>, <c>EqualRange</c> and <c>Reverse</c>
/// return. Enumerating it does not allocate; it yields copies of the pairs.
/// </summary>
/// <remarks>
/// The range is fixed when it is made: changing the container afterwards makes enumerating it throw
/// <see cref="InvalidOperationException"/>, like a .NET collection changed during enumeration.
/// </remarks>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The mapped type.</typeparam>
public readonly struct OrderedRange<TKey, TValue> : IEnumerable<KeyValuePair<TKey, TValue>>
    where TKey : unmanaged
    where TValue : unmanaged
{
    private readonly ContainerHandle _h;
    private readonly uint _magic;
    private readonly uint _typeCheck;
    private readonly TreeSpan _span;
    private readonly long _version;
    private readonly long _count;
    private readonly bool _reverse;

    internal unsafe OrderedRange(in ContainerHandle h, uint magic, uint typeCheck, in RbTree<TKey, TValue> tree, TreeSpan span, bool reverse)
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
    public OrderedRange<TKey, TValue> Reverse() => new(this, !_reverse);

    /// <summary>An enumerator over the range (used by <c>foreach</c>; no allocation).</summary>
    /// <returns>The enumerator.</returns>
    public Enumerator GetEnumerator() => new(new TreeCursor<TKey, TValue>(_h, _magic, _typeCheck, _span.First, _span.Last, _version, _count, _reverse));

    /// <inheritdoc />
    IEnumerator<KeyValuePair<TKey, TValue>> IEnumerable<KeyValuePair<TKey, TValue>>.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private OrderedRange(in OrderedRange<TKey, TValue> other, bool reverse)
    {
        this = other;
        _reverse = reverse;
    }

    /// <summary>Enumerates an ordered range; <see cref="Current"/> is a copy of the current pair.</summary>
    public struct Enumerator : IEnumerator<KeyValuePair<TKey, TValue>>
    {
        private TreeCursor<TKey, TValue> _cursor;
        private KeyValuePair<TKey, TValue> _current;

        internal Enumerator(TreeCursor<TKey, TValue> cursor)
        {
            _cursor = cursor;
            _current = default;
        }

        /// <summary>The current pair.</summary>
        public readonly KeyValuePair<TKey, TValue> Current => _current;

        /// <inheritdoc />
        readonly object IEnumerator.Current => _current;

        /// <summary>Moves to the next pair.</summary>
        /// <returns>False at the end.</returns>
        /// <exception cref="InvalidOperationException">The container was changed or destroyed since the range was made.</exception>
        /// <exception cref="InterprocessException">The container is corrupted.</exception>
        public unsafe bool MoveNext()
        {
            if (!_cursor.MoveNext(out var n))
            {
                return false;
            }

            _current = new KeyValuePair<TKey, TValue>(n->Key, n->Value);
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
