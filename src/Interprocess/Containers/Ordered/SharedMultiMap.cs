using System.Collections;
using System.Runtime.CompilerServices;
using Interprocess.Managed;

namespace Interprocess.Containers;

/// <summary>
/// An ordered map that keeps equal keys, in insertion order among equals, in a managed segment (Boost's <c>multimap</c>): a red-black tree whose nodes are
/// allocated by the container's allocator and linked by segment handles, usable from every process that maps the
/// segment. This struct is a handle: copying it gives another reference to the same multimap.
/// </summary>
/// <remarks>
/// <para>Keys are ordered by <see cref="Comparer{T}.Default"/> (devirtualized for struct keys). A custom ordering
/// is supplied per process with <see cref="WithComparer{TComparer}"/>; every process, and every call, must use the
/// same ordering, since the tree in the segment is sorted by it.</para>
/// <para>Not synchronized (as in Boost): guard a multimap shared by several processes with an
/// <see cref="Synchronization.InterprocessMutex"/> or a sharable lock. Values may be containers
/// (<see cref="ISegmentOwned"/>): <see cref="Remove(TKey)"/>, <see cref="Clear"/> and <see cref="Destroy()"/> destroy them;
/// overwriting a value through <see cref="GetValueRef"/> does not.</para>
/// <para>A reference returned by <see cref="GetValueRef"/> stays valid until that element is removed (nodes
/// never move) or the segment is closed.</para>
/// </remarks>
/// <example>
/// <code>
/// // Process A
/// using var shm = ManagedSharedMemory.OpenOrCreate("app", 1 &lt;&lt; 20);
/// var mutex = shm.Manager.FindOrConstruct("map-lock", new InterprocessMutex());
/// var prices = SharedMap&lt;int, double&gt;.FindOrCreate(shm.Manager, "prices");
/// mutex.Value.Lock();
/// try { prices.Add(42, 9.5); prices.Add(42, 9.75); } finally { mutex.Value.Unlock(); }
///
/// // Process B
/// using var shm = ManagedSharedMemory.OpenExisting("app");
/// var mutex = shm.Manager.Find&lt;InterprocessMutex&gt;("map-lock");
/// var prices = SharedMap&lt;int, double&gt;.Find(shm.Manager, "prices");
/// mutex.Value.Lock();
/// try { foreach (var (id, price) in prices) Console.WriteLine($"{id}: {price}"); } finally { mutex.Value.Unlock(); }
/// </code>
/// </example>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The multimapped type (may be a container handle).</typeparam>
public struct SharedMultiMap<TKey, TValue> : ISegmentOwned, IEquatable<SharedMultiMap<TKey, TValue>>, IEnumerable<KeyValuePair<TKey, TValue>>
    where TKey : unmanaged
    where TValue : unmanaged
{
    /// <summary>The container kind in the header: "OMMP".</summary>
    internal const uint Magic = 'O' | ('M' << 8) | ('M' << 16) | ((uint)'P' << 24);

    /// <summary>The multimap's handle.</summary>
    private ContainerHandle _h;

    private SharedMultiMap(ContainerHandle h) => _h = h;

    /// <summary>Whether this is a default handle (no multimap).</summary>
    public readonly bool IsDefault => _h.IsDefault;

    /// <summary>The segment's manager in this process.</summary>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    public readonly SegmentManager Manager => Tree.Read().Manager;

    /// <summary>The number of elements.</summary>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    public readonly int Count => Tree.Count;

    /// <summary>The element with the smallest key.</summary>
    /// <exception cref="InvalidOperationException">The multimultimap is empty, or the handle is default or stale.</exception>
    public readonly unsafe KeyValuePair<TKey, TValue> Min
    {
        get
        {
            var t = Tree.Read();
            var n = Tree.End(t, max: false);
            return new(n->Key, n->Value);
        }
    }

    /// <summary>The element with the largest key.</summary>
    /// <exception cref="InvalidOperationException">The multimultimap is empty, or the handle is default or stale.</exception>
    public readonly unsafe KeyValuePair<TKey, TValue> Max
    {
        get
        {
            var t = Tree.Read();
            var n = Tree.End(t, max: true);
            return new(n->Key, n->Value);
        }
    }

    /// <summary>The handle's fields.</summary>
    internal readonly ContainerHandle Handle => _h;

    internal static uint TypeCheck => ContainerTypeCheck<SharedMultiMap<TKey, TValue>>.Value;

    internal readonly TreeRef<TKey, TValue> Tree
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => new(_h, Magic, TypeCheck, multi: true);
    }

    /// <summary>Creates an empty multimap (anonymous: the caller keeps the handle and destroys the multimap).</summary>
    /// <param name="manager">The segment.</param>
    /// <param name="allocator">Where the nodes come from.</param>
    /// <returns>The multimap.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="manager"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An unknown allocator kind.</exception>
    /// <exception cref="InterprocessException">The segment is full.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public static SharedMultiMap<TKey, TValue> Create(SegmentManager manager, AllocatorKind allocator = AllocatorKind.General) =>
        new(TreeRef<TKey, TValue>.Create(manager, Magic, TypeCheck, allocator));

    /// <summary>Creates an empty multimap stored under <paramref name="name"/> in the segment.</summary>
    /// <param name="manager">The segment.</param>
    /// <param name="name">The name.</param>
    /// <param name="allocator">Where the nodes come from.</param>
    /// <returns>The multimap.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="manager"/> or <paramref name="name"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An unknown allocator kind.</exception>
    /// <exception cref="InterprocessException">The name is taken, or the segment is full.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public static SharedMultiMap<TKey, TValue> Create(SegmentManager manager, string name, AllocatorKind allocator = AllocatorKind.General) =>
        NamedContainers.Create(manager, name, m => Create(m, allocator), c => c.Destroy());

    /// <summary>The multimap named <paramref name="name"/>, or a new empty one stored under that name (atomically).</summary>
    /// <param name="manager">The segment.</param>
    /// <param name="name">The name.</param>
    /// <param name="allocator">Where the nodes come from, if the multimap is created.</param>
    /// <returns>The multimap.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="manager"/> or <paramref name="name"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An unknown allocator kind.</exception>
    /// <exception cref="InvalidCastException">The name holds an object of another type.</exception>
    /// <exception cref="InterprocessException">The segment is full.</exception>
    /// <exception cref="NotSupportedException">The multimap must be created and the segment is read-only.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public static SharedMultiMap<TKey, TValue> FindOrCreate(SegmentManager manager, string name, AllocatorKind allocator = AllocatorKind.General) =>
        NamedContainers.FindOrCreate(manager, name, m => Create(m, allocator));

    /// <summary>The multimap named <paramref name="name"/>.</summary>
    /// <param name="manager">The segment.</param>
    /// <param name="name">The name.</param>
    /// <returns>The multimap.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="manager"/> or <paramref name="name"/> is null.</exception>
    /// <exception cref="InvalidOperationException">No object has that name.</exception>
    /// <exception cref="InvalidCastException">The object with that name has another type.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public static SharedMultiMap<TKey, TValue> Find(SegmentManager manager, string name) => NamedContainers.Find<SharedMultiMap<TKey, TValue>>(manager, name);

    /// <summary>
    /// Destroys the multimap stored under <paramref name="name"/> (its keys and values too) and removes the name, in one step under the
    /// segment's lock (Boost's <c>destroy&lt;T&gt;(name)</c>; <see cref="SegmentManager.Destroy{T}(string)"/> alone only removes the name).
    /// </summary>
    /// <param name="manager">The segment's manager.</param>
    /// <param name="name">The name.</param>
    /// <returns>False when no object has that name.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="manager"/> or <paramref name="name"/> is null.</exception>
    /// <exception cref="InvalidCastException">The name holds an object of another type.</exception>
    /// <exception cref="InvalidOperationException">The stored handle is stale (the multimap was destroyed through another handle); the name is kept.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public static bool Destroy(SegmentManager manager, string name) => NamedContainers.Destroy<SharedMultiMap<TKey, TValue>>(manager, name);

    /// <summary>Whether two handles refer to the same multimap.</summary>
    /// <param name="left">A handle.</param>
    /// <param name="right">A handle.</param>
    /// <returns>True for the same multimap (or two default handles).</returns>
    public static bool operator ==(SharedMultiMap<TKey, TValue> left, SharedMultiMap<TKey, TValue> right) => left.Equals(right);

    /// <summary>Whether two handles refer to different multimaps.</summary>
    /// <param name="left">A handle.</param>
    /// <param name="right">A handle.</param>
    /// <returns>True for different multimaps.</returns>
    public static bool operator !=(SharedMultiMap<TKey, TValue> left, SharedMultiMap<TKey, TValue> right) => !left.Equals(right);

    /// <summary>A view of this multimap that orders keys with <paramref name="comparer"/> (kept in this process).</summary>
    /// <remarks>The multimultimap is sorted by one ordering: every process and every call must use the same one.</remarks>
    /// <typeparam name="TComparer">The comparer type (a struct comparer is devirtualized).</typeparam>
    /// <param name="comparer">The ordering.</param>
    /// <returns>The view.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="comparer"/> is null.</exception>
    public readonly SharedMultiMapView<TKey, TValue, TComparer> WithComparer<TComparer>(TComparer comparer)
        where TComparer : IComparer<TKey> => new(this, comparer);

    /// <summary>Adds an element after every element with an equal key.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The segment is full, or the multimap is corrupted.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Add(TKey key, TValue value) => Tree.TryAdd(key, value, default(DefaultKeyComparer<TKey>));

    /// <summary>Adds an element after its equals, starting the search at <paramref name="hint"/> (Boost's <c>insert(hint, v)</c>): amortized O(1) when the key belongs right after the previous hinted insertion; equal keys stay in insertion order whatever the hint.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <param name="hint">Where the previous hinted insertion went (start with <c>default</c>); updated to this element.</param>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The segment is full, or the container is corrupted.</exception>
    public readonly void Add(TKey key, TValue value, ref OrderedInsertHint hint) =>
        Tree.TryAddHinted(key, value, default(DefaultKeyComparer<TKey>), ref hint);

    /// <summary>Removes the first (earliest added) element with <paramref name="key"/>, destroying its key and value if they own segment memory.</summary>
    /// <param name="key">The key.</param>
    /// <returns>Whether the key was present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The multimultimap is corrupted.</exception>
    public readonly bool Remove(TKey key) => Tree.Remove(key, default(DefaultKeyComparer<TKey>));

    /// <summary>Removes the first (earliest added) element with <paramref name="key"/> and hands its value to the caller (not destroyed: it is yours now).</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The removed value, or default.</param>
    /// <returns>Whether the key was present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The multimultimap is corrupted.</exception>
    public readonly bool Remove(TKey key, out TValue value) => Tree.Remove(key, default(DefaultKeyComparer<TKey>), out value);

    /// <summary>Whether <paramref name="key"/> is in the multimap.</summary>
    /// <param name="key">The key.</param>
    /// <returns>True when present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The multimultimap is corrupted.</exception>
    public readonly bool ContainsKey(TKey key) => Tree.Contains(key, default(DefaultKeyComparer<TKey>));

    /// <summary>The value of the first (earliest added) element with <paramref name="key"/>, if any.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value, or default.</param>
    /// <returns>True when present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The multimultimap is corrupted.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly bool TryGetValue(TKey key, out TValue value) => Tree.TryGetValue(key, default(DefaultKeyComparer<TKey>), out value);

    /// <summary>A reference to the value of the first element with <paramref name="key"/> in the segment (valid until that element is removed).</summary>
    /// <param name="key">The key.</param>
    /// <returns>The reference.</returns>
    /// <exception cref="KeyNotFoundException">The key is not in the multimap.</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The multimultimap is corrupted.</exception>
    public readonly ref TValue GetValueRef(TKey key) => ref Tree.GetValueRef(key, default(DefaultKeyComparer<TKey>));

    /// <summary>Removes every element with <paramref name="key"/>, destroying keys and values that own segment memory.</summary>
    /// <param name="key">The key.</param>
    /// <returns>How many were removed.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The multimap is corrupted.</exception>
    public readonly int RemoveAll(TKey key) => Tree.RemoveAll(key, default(DefaultKeyComparer<TKey>));

    /// <summary>How many elements have <paramref name="key"/>.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The count.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The multimap is corrupted.</exception>
    public readonly int CountOf(TKey key) => Tree.CountOf(key, default(DefaultKeyComparer<TKey>));

    /// <summary>The elements with <paramref name="key"/>, in insertion order (Boost's <c>equal_range</c>).</summary>
    /// <param name="key">The key.</param>
    /// <returns>The range.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The multimap is corrupted.</exception>
    public readonly OrderedRange<TKey, TValue> EqualRange(TKey key)
    {
        var t = Tree.Read();
        return new(_h, Magic, TypeCheck, t, Tree.Equal(t, key, default(DefaultKeyComparer<TKey>)), reverse: false);
    }

    /// <summary>The elements with <paramref name="from"/> ≤ key ≤ <paramref name="to"/>, in order (like <c>SortedSet.GetViewBetween</c>).</summary>
    /// <param name="from">The lower bound (inclusive).</param>
    /// <param name="to">The upper bound (inclusive).</param>
    /// <returns>The range.</returns>
    /// <exception cref="ArgumentException"><paramref name="from"/> is greater than <paramref name="to"/>.</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The multimultimap is corrupted.</exception>
    public readonly OrderedRange<TKey, TValue> GetRange(TKey from, TKey to)
    {
        var t = Tree.Read();
        return new(_h, Magic, TypeCheck, t, Tree.Between(t, from, to, default(DefaultKeyComparer<TKey>)), reverse: false);
    }

    /// <summary>The elements from the first whose key is not less than <paramref name="key"/> to the end (Boost's <c>lower_bound</c>).</summary>
    /// <param name="key">The key.</param>
    /// <returns>The range.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The multimultimap is corrupted.</exception>
    public readonly OrderedRange<TKey, TValue> LowerBound(TKey key)
    {
        var t = Tree.Read();
        return new(_h, Magic, TypeCheck, t, Tree.FromLowerBound(t, key, default(DefaultKeyComparer<TKey>)), reverse: false);
    }

    /// <summary>The elements from the first whose key is greater than <paramref name="key"/> to the end (Boost's <c>upper_bound</c>).</summary>
    /// <param name="key">The key.</param>
    /// <returns>The range.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The multimultimap is corrupted.</exception>
    public readonly OrderedRange<TKey, TValue> UpperBound(TKey key)
    {
        var t = Tree.Read();
        return new(_h, Magic, TypeCheck, t, Tree.FromUpperBound(t, key, default(DefaultKeyComparer<TKey>)), reverse: false);
    }

    /// <summary>All elements in descending key order.</summary>
    /// <returns>The range.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    public readonly OrderedRange<TKey, TValue> Reverse()
    {
        var t = Tree.Read();
        return new(_h, Magic, TypeCheck, t, Tree.All(t), reverse: true);
    }

    /// <summary>Destroys and removes every element.</summary>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The multimultimap is corrupted.</exception>
    public readonly void Clear() => Tree.Clear();

    /// <summary>Destroys every element, then the multimap itself: every handle to it becomes stale. A named multimap's name stays until removed with <see cref="SegmentManager.Destroy{T}(string)"/>.</summary>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The multimultimap is corrupted.</exception>
    public readonly void Destroy() => Tree.Destroy();

    /// <summary>An enumerator in ascending key order (used by <c>foreach</c>; no allocation).</summary>
    /// <returns>The enumerator.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    public readonly OrderedRange<TKey, TValue>.Enumerator GetEnumerator()
    {
        var t = Tree.Read();
        return new OrderedRange<TKey, TValue>(_h, Magic, TypeCheck, t, Tree.All(t), reverse: false).GetEnumerator();
    }

    /// <inheritdoc />
    readonly IEnumerator<KeyValuePair<TKey, TValue>> IEnumerable<KeyValuePair<TKey, TValue>>.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    readonly IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>A copy of the elements, in order, in a new <see cref="List{T}"/>.</summary>
    /// <returns>The copy.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    public readonly List<KeyValuePair<TKey, TValue>> ToList()
    {
        var l = new List<KeyValuePair<TKey, TValue>>(Count);
        foreach (var kv in this)
        {
            l.Add(kv);
        }

        return l;
    }

    /// <inheritdoc />
    public readonly bool Equals(SharedMultiMap<TKey, TValue> other) =>
        _h.SegmentId == other._h.SegmentId && _h.Header == other._h.Header && _h.Stamp == other._h.Stamp;

    /// <inheritdoc />
    public override readonly bool Equals(object? obj) => obj is SharedMultiMap<TKey, TValue> other && Equals(other);

    /// <inheritdoc />
    public override readonly int GetHashCode() => HashCode.Combine(_h.SegmentId, _h.Header, _h.Stamp);

    /// <inheritdoc />
    public override readonly string ToString() => $"SharedMultiMap<{typeof(TKey).Name}, {typeof(TValue).Name}> {_h}";

    /// <summary>Checks the tree's invariants (tests, debugging).</summary>
    internal readonly void CheckInvariants() => Tree.CheckInvariants(default(DefaultKeyComparer<TKey>));

}
