using System.Collections;
using System.Runtime.CompilerServices;
using Interprocess.Managed;

namespace Interprocess.Containers;

/// <summary>
/// An ordered set in a managed segment (Boost's <c>set</c>): a red-black tree of unique elements, usable from
/// every process that maps the segment. This struct is a handle: copying it gives another reference to the same set.
/// </summary>
/// <remarks>
/// <para>Elements are ordered by <see cref="Comparer{T}.Default"/> (devirtualized for structs); a custom ordering is
/// supplied per process with <see cref="WithComparer{TComparer}"/>, and every process must use the same one.</para>
/// <para>Not synchronized (as in Boost): guard a set shared by several processes with an
/// <see cref="Synchronization.InterprocessMutex"/>. Elements that own segment memory (<see cref="ISegmentOwned"/>)
/// are destroyed by <see cref="Remove"/>, <see cref="Clear"/> and <see cref="Destroy()"/>.</para>
/// </remarks>
/// <example>
/// <code>
/// // Process A
/// using var shm = ManagedSharedMemory.OpenOrCreate("app", 1 &lt;&lt; 20);
/// var mutex = shm.Manager.FindOrConstruct("ids-lock", new InterprocessMutex());
/// var ids = SharedSet&lt;long&gt;.FindOrCreate(shm.Manager, "ids");
/// mutex.Value.Lock();
/// try { ids.Add(7); } finally { mutex.Value.Unlock(); }
///
/// // Process B
/// using var shm = ManagedSharedMemory.OpenExisting("app");
/// var mutex = shm.Manager.Find&lt;InterprocessMutex&gt;("ids-lock");
/// var ids = SharedSet&lt;long&gt;.Find(shm.Manager, "ids");
/// mutex.Value.Lock();
/// try { Console.WriteLine(ids.Contains(7)); } finally { mutex.Value.Unlock(); }
/// </code>
/// </example>
/// <typeparam name="T">The element type (may be a container handle).</typeparam>
public struct SharedSet<T> : ISegmentOwned, IEquatable<SharedSet<T>>, IEnumerable<T>
    where T : unmanaged
{
    /// <summary>The container kind in the header: "OSET".</summary>
    internal const uint Magic = 'O' | ('S' << 8) | ('E' << 16) | ((uint)'T' << 24);

    /// <summary>The set's handle.</summary>
    private ContainerHandle _h;

    private SharedSet(ContainerHandle h) => _h = h;

    /// <summary>Whether this is a default handle (no set).</summary>
    public readonly bool IsDefault => _h.IsDefault;

    /// <summary>The segment's manager in this process.</summary>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    public readonly SegmentManager Manager => Tree.Read().Manager;

    /// <summary>The number of elements.</summary>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    public readonly int Count => Tree.Count;

    /// <summary>The smallest element.</summary>
    /// <exception cref="InvalidOperationException">The set is empty, or the handle is default or stale.</exception>
    public readonly unsafe T Min => Tree.End(Tree.Read(), max: false)->Key;

    /// <summary>The largest element.</summary>
    /// <exception cref="InvalidOperationException">The set is empty, or the handle is default or stale.</exception>
    public readonly unsafe T Max => Tree.End(Tree.Read(), max: true)->Key;

    /// <summary>The handle's fields.</summary>
    internal readonly ContainerHandle Handle => _h;

    internal static uint TypeCheck => ContainerTypeCheck<SharedSet<T>>.Value;

    internal readonly TreeRef<T, NoValue> Tree
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => new(_h, Magic, TypeCheck, multi: false);
    }

    /// <summary>Creates an empty set (anonymous: the caller keeps the handle and destroys the set).</summary>
    /// <param name="manager">The segment.</param>
    /// <param name="allocator">Where the nodes come from.</param>
    /// <returns>The set.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="manager"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An unknown allocator kind.</exception>
    /// <exception cref="InterprocessException">The segment is full.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public static SharedSet<T> Create(SegmentManager manager, AllocatorKind allocator = AllocatorKind.General) =>
        new(TreeRef<T, NoValue>.Create(manager, Magic, TypeCheck, allocator));

    /// <summary>Creates an empty set stored under <paramref name="name"/> in the segment.</summary>
    /// <param name="manager">The segment.</param>
    /// <param name="name">The name.</param>
    /// <param name="allocator">Where the nodes come from.</param>
    /// <returns>The set.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="manager"/> or <paramref name="name"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An unknown allocator kind.</exception>
    /// <exception cref="InterprocessException">The name is taken, or the segment is full.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public static SharedSet<T> Create(SegmentManager manager, string name, AllocatorKind allocator = AllocatorKind.General) =>
        NamedContainers.Create(manager, name, m => Create(m, allocator), c => c.Destroy());

    /// <summary>The set named <paramref name="name"/>, or a new empty one stored under that name (atomically).</summary>
    /// <param name="manager">The segment.</param>
    /// <param name="name">The name.</param>
    /// <param name="allocator">Where the nodes come from, if the set is created.</param>
    /// <returns>The set.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="manager"/> or <paramref name="name"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An unknown allocator kind.</exception>
    /// <exception cref="InvalidCastException">The name holds an object of another type.</exception>
    /// <exception cref="InterprocessException">The segment is full.</exception>
    /// <exception cref="NotSupportedException">The set must be created and the segment is read-only.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public static SharedSet<T> FindOrCreate(SegmentManager manager, string name, AllocatorKind allocator = AllocatorKind.General) =>
        NamedContainers.FindOrCreate(manager, name, m => Create(m, allocator));

    /// <summary>The set named <paramref name="name"/>.</summary>
    /// <param name="manager">The segment.</param>
    /// <param name="name">The name.</param>
    /// <returns>The set.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="manager"/> or <paramref name="name"/> is null.</exception>
    /// <exception cref="InvalidOperationException">No object has that name.</exception>
    /// <exception cref="InvalidCastException">The object with that name has another type.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public static SharedSet<T> Find(SegmentManager manager, string name) => NamedContainers.Find<SharedSet<T>>(manager, name);

    /// <summary>
    /// Destroys the set stored under <paramref name="name"/> (its elements too) and removes the name, in one step under the
    /// segment's lock (Boost's <c>destroy&lt;T&gt;(name)</c>; <see cref="SegmentManager.Destroy{T}(string)"/> alone only removes the name).
    /// </summary>
    /// <param name="manager">The segment's manager.</param>
    /// <param name="name">The name.</param>
    /// <returns>False when no object has that name.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="manager"/> or <paramref name="name"/> is null.</exception>
    /// <exception cref="InvalidCastException">The name holds an object of another type.</exception>
    /// <exception cref="InvalidOperationException">The stored handle is stale (the set was destroyed through another handle); the name is kept.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public static bool Destroy(SegmentManager manager, string name) => NamedContainers.Destroy<SharedSet<T>>(manager, name);

    /// <summary>Whether two handles refer to the same set.</summary>
    /// <param name="left">A handle.</param>
    /// <param name="right">A handle.</param>
    /// <returns>True for the same set (or two default handles).</returns>
    public static bool operator ==(SharedSet<T> left, SharedSet<T> right) => left.Equals(right);

    /// <summary>Whether two handles refer to different sets.</summary>
    /// <param name="left">A handle.</param>
    /// <param name="right">A handle.</param>
    /// <returns>True for different sets.</returns>
    public static bool operator !=(SharedSet<T> left, SharedSet<T> right) => !left.Equals(right);

    /// <summary>A view of this set that orders elements with <paramref name="comparer"/> (kept in this process).</summary>
    /// <remarks>The set is sorted by one ordering: every process and every call must use the same one.</remarks>
    /// <typeparam name="TComparer">The comparer type (a struct comparer is devirtualized).</typeparam>
    /// <param name="comparer">The ordering.</param>
    /// <returns>The view.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="comparer"/> is null.</exception>
    public readonly SharedSetView<T, TComparer> WithComparer<TComparer>(TComparer comparer)
        where TComparer : IComparer<T> => new(this, comparer);

    /// <summary>Adds an element unless an equal one is present.</summary>
    /// <param name="item">The element.</param>
    /// <returns>False (and nothing changed) when an equal element was present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The segment is full, or the set is corrupted.</exception>
    public readonly bool Add(T item) => Tree.TryAdd(item, default, default(DefaultKeyComparer<T>));

    /// <summary>Adds an element unless present, starting the search at <paramref name="hint"/> (Boost's <c>insert(hint, v)</c>): amortized O(1) when it belongs right after the previous hinted insertion.</summary>
    /// <param name="item">The element.</param>
    /// <param name="hint">Where the previous hinted insertion went (start with <c>default</c>); updated to this element.</param>
    /// <returns>False when it was present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The segment is full, or the container is corrupted.</exception>
    public readonly bool Add(T item, ref OrderedInsertHint hint) => Tree.TryAddHinted(item, default, default(DefaultKeyComparer<T>), ref hint);

    /// <summary>Removes the element equal to <paramref name="item"/>, destroying it if it owns segment memory.</summary>
    /// <param name="item">The element.</param>
    /// <returns>Whether it was present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The set is corrupted.</exception>
    public readonly bool Remove(T item) => Tree.Remove(item, default(DefaultKeyComparer<T>));

    /// <summary>Whether an element equal to <paramref name="item"/> is in the set.</summary>
    /// <param name="item">The element.</param>
    /// <returns>True when present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The set is corrupted.</exception>
    public readonly bool Contains(T item) => Tree.Contains(item, default(DefaultKeyComparer<T>));

    /// <summary>The stored element equal to <paramref name="equalValue"/>, if any (as <c>SortedSet.TryGetValue</c>).</summary>
    /// <param name="equalValue">The element to look for.</param>
    /// <param name="actualValue">The stored element, or default.</param>
    /// <returns>True when present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The set is corrupted.</exception>
    public readonly bool TryGetValue(T equalValue, out T actualValue) => Tree.TryGetKey(equalValue, default(DefaultKeyComparer<T>), out actualValue);

    /// <summary>The elements between <paramref name="lowerValue"/> and <paramref name="upperValue"/> inclusive, in order (as <c>SortedSet.GetViewBetween</c>, but a snapshot range).</summary>
    /// <param name="lowerValue">The lower bound (inclusive).</param>
    /// <param name="upperValue">The upper bound (inclusive).</param>
    /// <returns>The range.</returns>
    /// <exception cref="ArgumentException"><paramref name="lowerValue"/> is greater than <paramref name="upperValue"/>.</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The set is corrupted.</exception>
    public readonly OrderedSetRange<T> GetViewBetween(T lowerValue, T upperValue)
    {
        var t = Tree.Read();
        return new(_h, Magic, TypeCheck, t, Tree.Between(t, lowerValue, upperValue, default(DefaultKeyComparer<T>)), reverse: false);
    }

    /// <summary>The elements from the first that is not less than <paramref name="item"/> to the end (Boost's <c>lower_bound</c>).</summary>
    /// <param name="item">The bound.</param>
    /// <returns>The range.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The set is corrupted.</exception>
    public readonly OrderedSetRange<T> LowerBound(T item)
    {
        var t = Tree.Read();
        return new(_h, Magic, TypeCheck, t, Tree.FromLowerBound(t, item, default(DefaultKeyComparer<T>)), reverse: false);
    }

    /// <summary>The elements from the first that is greater than <paramref name="item"/> to the end (Boost's <c>upper_bound</c>).</summary>
    /// <param name="item">The bound.</param>
    /// <returns>The range.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The set is corrupted.</exception>
    public readonly OrderedSetRange<T> UpperBound(T item)
    {
        var t = Tree.Read();
        return new(_h, Magic, TypeCheck, t, Tree.FromUpperBound(t, item, default(DefaultKeyComparer<T>)), reverse: false);
    }

    /// <summary>All elements in descending order.</summary>
    /// <returns>The range.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    public readonly OrderedSetRange<T> Reverse()
    {
        var t = Tree.Read();
        return new(_h, Magic, TypeCheck, t, Tree.All(t), reverse: true);
    }

    /// <summary>Destroys and removes every element.</summary>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The set is corrupted.</exception>
    public readonly void Clear() => Tree.Clear();

    /// <summary>Destroys every element, then the set itself: every handle to it becomes stale. A named set's name stays until removed with <see cref="SegmentManager.Destroy{T}(string)"/>.</summary>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The set is corrupted.</exception>
    public readonly void Destroy() => Tree.Destroy();

    /// <summary>An enumerator in ascending order (used by <c>foreach</c>; no allocation).</summary>
    /// <returns>The enumerator.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    public readonly OrderedSetRange<T>.Enumerator GetEnumerator()
    {
        var t = Tree.Read();
        return new OrderedSetRange<T>(_h, Magic, TypeCheck, t, Tree.All(t), reverse: false).GetEnumerator();
    }

    /// <inheritdoc />
    readonly IEnumerator<T> IEnumerable<T>.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    readonly IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>A copy of the set in a new <see cref="SortedSet{T}"/>.</summary>
    /// <returns>The copy.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    public readonly SortedSet<T> ToSortedSet()
    {
        var s = new SortedSet<T>();
        foreach (var x in this)
        {
            s.Add(x);
        }

        return s;
    }

    /// <summary>A copy of the elements, in order, in a new <see cref="List{T}"/>.</summary>
    /// <returns>The copy.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    public readonly List<T> ToList()
    {
        var l = new List<T>(Count);
        foreach (var x in this)
        {
            l.Add(x);
        }

        return l;
    }

    /// <inheritdoc />
    public readonly bool Equals(SharedSet<T> other) =>
        _h.SegmentId == other._h.SegmentId && _h.Header == other._h.Header && _h.Stamp == other._h.Stamp;

    /// <inheritdoc />
    public override readonly bool Equals(object? obj) => obj is SharedSet<T> other && Equals(other);

    /// <inheritdoc />
    public override readonly int GetHashCode() => HashCode.Combine(_h.SegmentId, _h.Header, _h.Stamp);

    /// <inheritdoc />
    public override readonly string ToString() => $"SharedSet<{typeof(T).Name}> {_h}";

    /// <summary>Checks the tree's invariants (tests, debugging).</summary>
    internal readonly void CheckInvariants() => Tree.CheckInvariants(default(DefaultKeyComparer<T>));
}
