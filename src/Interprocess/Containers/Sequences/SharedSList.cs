using System.Collections;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Interprocess.Managed;

namespace Interprocess.Containers;

/// <summary>
/// A singly linked list stored in a managed segment and usable from every process that maps it (Boost's
/// <c>slist</c>). The value of this type is a handle: copying it gives another handle to the same list.
/// </summary>
/// <typeparam name="T">The element type; it may be a container handle (removed elements are destroyed).</typeparam>
/// <remarks>
/// <para>One node per element (8 bytes of link); the header also keeps the last node, so
/// <see cref="AddLast"/> is O(1). Positions are <see cref="SharedSListNode{T}"/> cursors; insertion and removal
/// happen after a position (<see cref="InsertAfter"/>, <see cref="RemoveAfter"/>), as in Boost. Links are
/// checked when followed: a corrupted link gives an <see cref="InterprocessException"/>.</para>
/// <para>Not synchronized: guard a list that several processes change with an <c>InterprocessMutex</c>.</para>
/// </remarks>
/// <example>
/// <code>
/// // Process A
/// var log = SharedSList&lt;long&gt;.FindOrCreate(shm.Manager, "log");
/// mutex.Lock(); try { log.AddLast(1); } finally { mutex.Unlock(); }
/// // Process B
/// var log = SharedSList&lt;long&gt;.Find(shm.Manager, "log");
/// mutex.Lock(); try { foreach (long x in log) Console.WriteLine(x); } finally { mutex.Unlock(); }
/// </code>
/// </example>
[StructLayout(LayoutKind.Sequential)]
public unsafe partial struct SharedSList<T> : ISegmentOwned, IEquatable<SharedSList<T>>, IEnumerable<T>
    where T : unmanaged
{
    /// <summary>The kind tag "SLST".</summary>
    private const uint Magic = 'S' | ('L' << 8) | ('S' << 16) | ((uint)'T' << 24);

    private const string Kind = "slist";

    /// <summary>The handle.</summary>
    private ContainerHandle _h;

    internal SharedSList(ContainerHandle h) => _h = h;

    /// <summary>Whether this is a default handle (no list).</summary>
    public readonly bool IsDefault => _h.IsDefault;

    /// <summary>The manager of the segment the list lives in.</summary>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    public readonly SegmentManager Manager
    {
        get
        {
            _ = Read(out var m);
            return m;
        }
    }

    /// <summary>The number of elements.</summary>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    public readonly int Count => (int)Read(out _)->Count;

    /// <summary>The first node (a null cursor when the list is empty).</summary>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    public readonly SharedSListNode<T> First => new(_h, Read(out _)->Head);

    /// <summary>The last node (a null cursor when the list is empty).</summary>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    public readonly SharedSListNode<T> Last => new(_h, Read(out _)->Tail);

    private static int NodeSize => sizeof(SListNode<T>);

    /// <summary>Creates an empty anonymous list; the caller owns it (<see cref="Destroy()"/>).</summary>
    /// <param name="manager">The segment's manager.</param>
    /// <param name="allocator">Where the nodes come from.</param>
    /// <returns>The handle.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="manager"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An unknown allocator kind (nothing is left allocated).</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The segment is full.</exception>
    public static SharedSList<T> Create(SegmentManager manager, AllocatorKind allocator = AllocatorKind.General) =>
        new(LinkedHeader.Create(manager, Magic, ContainerTypeCheck<SharedSList<T>>.Value, allocator, NodeSize));

    /// <summary>Creates an empty list stored under <paramref name="name"/>.</summary>
    /// <param name="manager">The segment's manager.</param>
    /// <param name="name">The name.</param>
    /// <param name="allocator">Where the nodes come from.</param>
    /// <returns>The handle.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The name is taken, or the segment is full.</exception>
    public static SharedSList<T> Create(SegmentManager manager, string name, AllocatorKind allocator = AllocatorKind.General) =>
        NamedContainers.Create(manager, name, m => Create(m, allocator), c => c.Destroy());

    /// <summary>The list stored under <paramref name="name"/>, or a new empty one stored there (atomically).</summary>
    /// <param name="manager">The segment's manager.</param>
    /// <param name="name">The name.</param>
    /// <param name="allocator">Where the nodes come from, if the list is created.</param>
    /// <returns>The handle.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InterprocessException">The name holds an object of another type, or the segment is full.</exception>
    public static SharedSList<T> FindOrCreate(SegmentManager manager, string name, AllocatorKind allocator = AllocatorKind.General) =>
        NamedContainers.FindOrCreate(manager, name, m => Create(m, allocator));

    /// <summary>The list stored under <paramref name="name"/>.</summary>
    /// <param name="manager">The segment's manager.</param>
    /// <param name="name">The name.</param>
    /// <returns>The handle.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InterprocessException">No object has that name, or it has another type.</exception>
    public static SharedSList<T> Find(SegmentManager manager, string name) => NamedContainers.Find<SharedSList<T>>(manager, name);

    /// <summary>
    /// Destroys the list stored under <paramref name="name"/> (its elements too) and removes the name, in one step under the
    /// segment's lock (Boost's <c>destroy&lt;T&gt;(name)</c>; <see cref="SegmentManager.Destroy{T}(string)"/> alone only removes the name).
    /// </summary>
    /// <param name="manager">The segment's manager.</param>
    /// <param name="name">The name.</param>
    /// <returns>False when no object has that name.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="manager"/> or <paramref name="name"/> is null.</exception>
    /// <exception cref="InvalidCastException">The name holds an object of another type.</exception>
    /// <exception cref="InvalidOperationException">The stored handle is stale (the list was destroyed through another handle); the name is kept.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public static bool Destroy(SegmentManager manager, string name) => NamedContainers.Destroy<SharedSList<T>>(manager, name);

    /// <summary>Adds an element at the front.</summary>
    /// <param name="value">The element.</param>
    /// <returns>Its node.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The segment is full.</exception>
    public readonly SharedSListNode<T> AddFirst(T value)
    {
        var h = Write(out var m);
        return new(_h, LinkAfter(h, m, 0, value));
    }

    /// <summary>Adds an element at the back.</summary>
    /// <param name="value">The element.</param>
    /// <returns>Its node.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The segment is full, or the list is corrupted.</exception>
    public readonly SharedSListNode<T> AddLast(T value)
    {
        var h = Write(out var m);
        if (h->Tail != 0)
        {
            _ = NodeAt(h, m, h->Tail);
        }

        return new(_h, LinkAfter(h, m, h->Tail, value));
    }

    /// <summary>Adds an element after <paramref name="node"/> (Boost's <c>insert_after</c>).</summary>
    /// <param name="node">A node of this list.</param>
    /// <param name="value">The element.</param>
    /// <returns>The new node.</returns>
    /// <exception cref="ArgumentException">The node is null or not in this list.</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The segment is full.</exception>
    public readonly SharedSListNode<T> InsertAfter(SharedSListNode<T> node, T value)
    {
        var h = Write(out var m);
        CursorNode(h, m, node);
        return new(_h, LinkAfter(h, m, node.NodeHandle, value));
    }

    /// <summary>Removes the first element (destroying it if it owns segment memory).</summary>
    /// <exception cref="InvalidOperationException">The list is empty; a default or stale handle, or the segment is not open.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The list is corrupted.</exception>
    public readonly void RemoveFirst()
    {
        var h = Write(out var m);
        if (h->Count == 0)
        {
            throw new InvalidOperationException("The list is empty.");
        }

        UnlinkAfter(h, m, 0);
    }

    /// <summary>Removes the element after <paramref name="node"/> (Boost's <c>erase_after</c>).</summary>
    /// <param name="node">A node of this list.</param>
    /// <returns>False if <paramref name="node"/> is the last node.</returns>
    /// <exception cref="ArgumentException">The node is null or not in this list.</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The list is corrupted.</exception>
    public readonly bool RemoveAfter(SharedSListNode<T> node)
    {
        var h = Write(out var m);
        var p = CursorNode(h, m, node);
        if (p->Next == 0)
        {
            return false;
        }

        UnlinkAfter(h, m, node.NodeHandle);
        return true;
    }

    /// <summary>Removes the first element equal to <paramref name="value"/> (<see cref="EqualityComparer{T}.Default"/>).</summary>
    /// <param name="value">The value.</param>
    /// <returns>Whether one was removed.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The list is corrupted.</exception>
    public readonly bool Remove(T value)
    {
        var h = Write(out var m);
        long prev = 0, at = h->Head;
        for (long seen = 0, n = h->Count; at != 0; seen++)
        {
            CheckWalk(m, seen, n);
            var p = NodeAt(h, m, at);
            if (EqualityComparer<T>.Default.Equals(p->Value, value))
            {
                UnlinkAfter(h, m, prev);
                return true;
            }

            prev = at;
            at = p->Next;
        }

        return false;
    }

    /// <summary>Removes every element that matches (Boost's <c>remove_if</c>).</summary>
    /// <param name="match">The condition.</param>
    /// <returns>The number removed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="match"/> is null.</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The list is corrupted.</exception>
    public readonly int RemoveAll(Predicate<T> match)
    {
        ArgumentNullException.ThrowIfNull(match);
        var h = Write(out var m);
        int removed = 0;
        long prev = 0, at = h->Head;
        for (long seen = 0, n = h->Count; at != 0; seen++)
        {
            CheckWalk(m, seen, n);
            var p = NodeAt(h, m, at);
            long next = p->Next;
            if (match(p->Value))
            {
                UnlinkAfter(h, m, prev);
                removed++;
            }
            else
            {
                prev = at;
            }

            at = next;
        }

        return removed;
    }

    /// <summary>The first node whose element equals <paramref name="value"/>, or a null cursor.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The node.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open.</exception>
    /// <exception cref="InterprocessException">The list is corrupted.</exception>
    public readonly SharedSListNode<T> Find(T value)
    {
        var h = Read(out var m);
        long at = h->Head;
        for (long seen = 0, n = h->Count; at != 0; seen++)
        {
            CheckWalk(m, seen, n);
            var p = NodeAt(h, m, at);
            if (EqualityComparer<T>.Default.Equals(p->Value, value))
            {
                return new(_h, at);
            }

            at = p->Next;
        }

        return new(_h, 0);
    }

    /// <summary>Whether an element equals <paramref name="value"/>.</summary>
    /// <param name="value">The value.</param>
    /// <returns>True if one does.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open.</exception>
    /// <exception cref="InterprocessException">The list is corrupted.</exception>
    public readonly bool Contains(T value) => !Find(value).IsNull;

    /// <summary>Removes every element (destroying those that own segment memory).</summary>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The list is corrupted.</exception>
    public readonly void Clear()
    {
        var h = Write(out var m);
        ClearNodes(h, m);
    }

    /// <summary>Reverses the order of the elements (relinks; no element moves).</summary>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The list is corrupted.</exception>
    public readonly void Reverse()
    {
        var h = Write(out var m);
        ValidateAll(h, m);
        long prev = 0, at = h->Head;
        while (at != 0)
        {
            var p = (SListNode<T>*)(m.BasePointer + at);
            long next = p->Next;
            p->Next = prev;
            prev = at;
            at = next;
        }

        (h->Head, h->Tail) = (h->Tail, h->Head);
        h->Version++;
    }

    /// <summary>Sorts the elements with <see cref="Comparer{T}.Default"/> (stable merge sort on the links).</summary>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The list is corrupted.</exception>
    public readonly void Sort() => Sort(Comparer<T>.Default);

    /// <summary>Sorts the elements with <paramref name="comparer"/> (stable merge sort on the links).</summary>
    /// <param name="comparer">The order.</param>
    /// <exception cref="ArgumentNullException"><paramref name="comparer"/> is null.</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The list is corrupted.</exception>
    public readonly void Sort(IComparer<T> comparer)
    {
        ArgumentNullException.ThrowIfNull(comparer);
        var h = Write(out var m);
        ValidateAll(h, m);
        SListNode<T> probe = default;
        long head = LinkSort.Sort(m.BasePointer, h->Head, comparer, (int)((byte*)&probe.Value - (byte*)&probe));
        long last = 0;
        for (long at = head; at != 0; at = ((SListNode<T>*)(m.BasePointer + at))->Next)
        {
            last = at;
        }

        h->Head = head;
        h->Tail = last;
        h->Version++;
    }

    /// <summary>Frees the list and its elements; every handle to it becomes stale.</summary>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The list is corrupted.</exception>
    public readonly void Destroy()
    {
        var h = Write(out var m);
        ClearNodes(h, m);
        h->Allocator.Release(m);
        _h.FreeHeader(&h->Prefix, m);
    }

    /// <summary>A copy of the elements, front to back.</summary>
    /// <returns>The list.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open.</exception>
    public readonly List<T> ToList()
    {
        var l = new List<T>(Count);
        foreach (var x in this)
        {
            l.Add(x);
        }

        return l;
    }

    /// <summary>An enumerator front to back; the list must not change while it runs.</summary>
    /// <returns>The enumerator.</returns>
    public readonly Enumerator GetEnumerator() => new(_h);

    /// <inheritdoc />
    readonly IEnumerator<T> IEnumerable<T>.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    readonly IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Whether both handles refer to the same list.</summary>
    /// <param name="other">The other handle.</param>
    /// <returns>True for the same list.</returns>
    public readonly bool Equals(SharedSList<T> other) => _h.SegmentId == other._h.SegmentId && _h.Header == other._h.Header && _h.Stamp == other._h.Stamp;

    /// <inheritdoc />
    public override readonly bool Equals(object? obj) => obj is SharedSList<T> o && Equals(o);

    /// <inheritdoc />
    public override readonly int GetHashCode() => HashCode.Combine(_h.SegmentId, _h.Header, _h.Stamp);

    /// <inheritdoc />
    public override readonly string ToString() => $"SharedSList<{typeof(T).Name}> {_h}";

    /// <summary>Whether two handles refer to the same list.</summary>
    /// <param name="left">A handle.</param>
    /// <param name="right">A handle.</param>
    /// <returns>True for the same list.</returns>
    public static bool operator ==(SharedSList<T> left, SharedSList<T> right) => left.Equals(right);

    /// <summary>Whether two handles refer to different lists.</summary>
    /// <param name="left">A handle.</param>
    /// <param name="right">A handle.</param>
    /// <returns>True for different lists.</returns>
    public static bool operator !=(SharedSList<T> left, SharedSList<T> right) => !left.Equals(right);

    /// <summary>The header, validated, for reading.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal readonly LinkedHeader* Read(out SegmentManager m)
    {
        var h = _h.Resolve<LinkedHeader>(Magic, ContainerTypeCheck<SharedSList<T>>.Value, out m);
        if (h->NodeSize != NodeSize)
        {
            ThrowBadNodeSize(h, m);
        }

        return h;
    }

    /// <summary>A node reached through a link, checked.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static SListNode<T>* NodeAt(LinkedHeader* h, SegmentManager m, long handle)
    {
        var p = (SListNode<T>*)Links.At(m, handle, NodeSize, Kind);
        if (p->Tag != h->NodeTag)
        {
            ThrowForeignNode(m, handle);
        }

        return p;
    }

    /// <summary>The node of a cursor, checked (a cursor is caller input: a bad one is an argument error).</summary>
    internal readonly SListNode<T>* CursorNode(LinkedHeader* h, SegmentManager m, SharedSListNode<T> node)
    {
        if (node.NodeHandle == 0 || !node.ListHandleEquals(_h))
        {
            throw new ArgumentException("The node is null or belongs to another list.", nameof(node));
        }

        long at = node.NodeHandle;
        if ((ulong)(at - SegmentHeader.HeapStart) > (ulong)(m.MappedSize - NodeSize - SegmentHeader.HeapStart)
            || ((SListNode<T>*)(m.BasePointer + at))->Tag != h->NodeTag)
        {
            throw new ArgumentException("The node is no longer in this list (it was removed).", nameof(node));
        }

        return (SListNode<T>*)(m.BasePointer + at);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowBadNodeSize(LinkedHeader* h, SegmentManager m) =>
        Links.ThrowCorrupted(m, Kind, $"its node size is {h->NodeSize}, not {NodeSize}");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowForeignNode(SegmentManager m, long handle) =>
        Links.ThrowCorrupted(m, Kind, $"a link leads to offset {handle}, which is not a node of this list");

    /// <summary>Throws when a walk has seen more nodes than the list holds (a cycle in corrupted links).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void CheckWalk(SegmentManager m, long seen, long count)
    {
        if (seen >= count)
        {
            Links.ThrowCorrupted(m, Kind, "its links hold more nodes than its count (a cycle)");
        }
    }

    /// <summary>Allocates a node for <paramref name="value"/> and links it after <paramref name="after"/> (0 = at the front).</summary>
    private static long LinkAfter(LinkedHeader* h, SegmentManager m, long after, T value)
    {
        long at = h->Allocator.Allocate(m, NodeSize);
        var p = (SListNode<T>*)(m.BasePointer + at);
        p->Value = value;
        p->Tag = h->NodeTag;
        if (after == 0)
        {
            p->Next = h->Head;
            h->Head = at;
        }
        else
        {
            var a = (SListNode<T>*)(m.BasePointer + after);
            p->Next = a->Next;
            a->Next = at;
        }

        if (p->Next == 0)
        {
            h->Tail = at;
        }

        h->Count++;
        h->Version++;
        return at;
    }

    /// <summary>Unlinks and frees the node after <paramref name="after"/> (0 = the first node), destroying its element.</summary>
    private static void UnlinkAfter(LinkedHeader* h, SegmentManager m, long after)
    {
        long at = after == 0 ? h->Head : NodeAt(h, m, after)->Next;
        var p = NodeAt(h, m, at);
        if (after == 0)
        {
            h->Head = p->Next;
        }
        else
        {
            ((SListNode<T>*)(m.BasePointer + after))->Next = p->Next;
        }

        if (p->Next == 0)
        {
            h->Tail = after;
        }

        SegmentOwned<T>.Destroy(ref p->Value);
        p->Tag = 0;
        h->Allocator.Deallocate(m, at, NodeSize);
        h->Count--;
        h->Version++;
    }

    private static void ValidateAll(LinkedHeader* h, SegmentManager m)
    {
        long at = h->Head;
        long seen = 0;
        for (long n = h->Count; at != 0; seen++)
        {
            CheckWalk(m, seen, n);
            at = NodeAt(h, m, at)->Next;
        }

        if (seen != h->Count)
        {
            Links.ThrowCorrupted(m, Kind, $"its links hold {seen} nodes but its count is {h->Count}");
        }
    }

    private static void ClearNodes(LinkedHeader* h, SegmentManager m)
    {
        long at = h->Head;
        for (long seen = 0, n = h->Count; at != 0; seen++)
        {
            CheckWalk(m, seen, n);
            var p = NodeAt(h, m, at);
            long next = p->Next;
            SegmentOwned<T>.Destroy(ref p->Value);
            p->Tag = 0;
            h->Allocator.Deallocate(m, at, NodeSize);
            at = next;
        }

        h->Head = 0;
        h->Tail = 0;
        h->Count = 0;
        h->Version++;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly LinkedHeader* Write(out SegmentManager m)
    {
        var h = _h.ResolveForWrite<LinkedHeader>(Magic, ContainerTypeCheck<SharedSList<T>>.Value, out m);
        if (h->NodeSize != NodeSize)
        {
            ThrowBadNodeSize(h, m);
        }

        return h;
    }

    /// <summary>Enumerates a list's elements without allocating.</summary>
    public struct Enumerator : IEnumerator<T>
    {
        private readonly ContainerHandle _h;
        private long _next;
        private long _seen;
        private long _version;
        private bool _started;
        private T _current;

        internal Enumerator(ContainerHandle h) => _h = h;

        /// <summary>The current element.</summary>
        public readonly T Current => _current;

        /// <inheritdoc />
        readonly object IEnumerator.Current => _current;

        /// <summary>Moves to the next element.</summary>
        /// <returns>False at the end.</returns>
        /// <exception cref="InvalidOperationException">The list changed since the enumeration began, or the handle is stale.</exception>
        /// <exception cref="InterprocessException">The list is corrupted.</exception>
        public bool MoveNext()
        {
            var h = new SharedSList<T>(_h).Read(out var m);
            if (!_started)
            {
                _started = true;
                _version = h->Version;
                _next = h->Head;
            }
            else if (h->Version != _version)
            {
                throw new InvalidOperationException("The list was changed during the enumeration.");
            }

            if (_next == 0)
            {
                return false;
            }

            CheckWalk(m, _seen++, h->Count);
            var p = NodeAt(h, m, _next);
            _current = p->Value;
            _next = p->Next;
            return true;
        }

        /// <summary>Starts over.</summary>
        public void Reset()
        {
            _started = false;
            _seen = 0;
        }

        /// <summary>Nothing to release.</summary>
        public readonly void Dispose()
        {
        }
    }
}
