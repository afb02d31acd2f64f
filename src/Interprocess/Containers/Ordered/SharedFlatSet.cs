using System.Collections;
using System.Runtime.CompilerServices;
using Interprocess.Managed;

namespace Interprocess.Containers;

/// <summary>
/// A sorted-array set in a managed segment (Boost's <c>flat_set</c>): unique elements in one contiguous ascending
/// array, binary search, insertion and removal by shifting. This struct is a handle: copying it gives another
/// reference to the same set.
/// </summary>
/// <remarks>
/// <para><see cref="AsSpan"/> is valid until the next insertion, removal, <see cref="Reserve"/> or
/// <see cref="ShrinkToFit"/> (the block may move). Elements are ordered by <see cref="Comparer{T}.Default"/>; a
/// custom ordering is supplied per process with <see cref="WithComparer{TComparer}"/>, and every process must use
/// the same one. Not synchronized: guard a set shared by several processes with an
/// <see cref="Synchronization.InterprocessMutex"/>.</para>
/// </remarks>
/// <example>
/// <code>
/// // Process A
/// using var shm = ManagedSharedMemory.OpenOrCreate("app", 1 &lt;&lt; 20);
/// var mutex = shm.Manager.FindOrConstruct("ports-lock", new InterprocessMutex());
/// var ports = SharedFlatSet&lt;int&gt;.FindOrCreate(shm.Manager, "ports");
/// mutex.Value.Lock();
/// try { ports.Add(8080); } finally { mutex.Value.Unlock(); }
///
/// // Process B
/// using var shm = ManagedSharedMemory.OpenExisting("app");
/// var mutex = shm.Manager.Find&lt;InterprocessMutex&gt;("ports-lock");
/// var ports = SharedFlatSet&lt;int&gt;.Find(shm.Manager, "ports");
/// mutex.Value.Lock();
/// try { Console.WriteLine(string.Join(",", ports.AsSpan().ToArray())); } finally { mutex.Value.Unlock(); }
/// </code>
/// </example>
/// <typeparam name="T">The element type (may be a container handle).</typeparam>
public struct SharedFlatSet<T> : ISegmentOwned, IEquatable<SharedFlatSet<T>>, IEnumerable<T>
    where T : unmanaged
{
    /// <summary>The container kind in the header: "FSET".</summary>
    internal const uint Magic = 'F' | ('S' << 8) | ('E' << 16) | ((uint)'T' << 24);

    /// <summary>The set's handle.</summary>
    private ContainerHandle _h;

    private SharedFlatSet(ContainerHandle h) => _h = h;

    /// <summary>Whether this is a default handle (no set).</summary>
    public readonly bool IsDefault => _h.IsDefault;

    /// <summary>The segment's manager in this process.</summary>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    public readonly SegmentManager Manager => Flat.Read().Manager;

    /// <summary>The number of elements.</summary>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    public readonly int Count => Flat.Read().Count;

    /// <summary>How many elements fit before the array is reallocated.</summary>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    public readonly unsafe int Capacity => (int)Flat.Read().Header->Capacity;

    /// <summary>The smallest element.</summary>
    /// <exception cref="InvalidOperationException">The set is empty, or the handle is default or stale.</exception>
    public readonly T Min => End(fromEnd: false);

    /// <summary>The largest element.</summary>
    /// <exception cref="InvalidOperationException">The set is empty, or the handle is default or stale.</exception>
    public readonly T Max => End(fromEnd: true);

    /// <summary>The handle's fields.</summary>
    internal readonly ContainerHandle Handle => _h;

    internal static uint TypeCheck => ContainerTypeCheck<SharedFlatSet<T>>.Value;

    internal readonly FlatRef<T, NoValue> Flat
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => new(_h, Magic, TypeCheck);
    }

    /// <summary>Creates an empty set (anonymous: the caller keeps the handle and destroys the set).</summary>
    /// <param name="manager">The segment.</param>
    /// <param name="allocator">Where the array comes from.</param>
    /// <returns>The set.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="manager"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An unknown allocator kind.</exception>
    /// <exception cref="InterprocessException">The segment is full.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public static SharedFlatSet<T> Create(SegmentManager manager, AllocatorKind allocator = AllocatorKind.General) =>
        new(FlatStore<T, NoValue>.Create(manager, Magic, TypeCheck, allocator));

    /// <summary>Creates an empty set stored under <paramref name="name"/> in the segment.</summary>
    /// <param name="manager">The segment.</param>
    /// <param name="name">The name.</param>
    /// <param name="allocator">Where the array comes from.</param>
    /// <returns>The set.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="manager"/> or <paramref name="name"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An unknown allocator kind.</exception>
    /// <exception cref="InterprocessException">The name is taken, or the segment is full.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public static SharedFlatSet<T> Create(SegmentManager manager, string name, AllocatorKind allocator = AllocatorKind.General) =>
        NamedContainers.Create(manager, name, m => Create(m, allocator), c => c.Destroy());

    /// <summary>The set named <paramref name="name"/>, or a new empty one stored under that name (atomically).</summary>
    /// <param name="manager">The segment.</param>
    /// <param name="name">The name.</param>
    /// <param name="allocator">Where the array comes from, if the set is created.</param>
    /// <returns>The set.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="manager"/> or <paramref name="name"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An unknown allocator kind.</exception>
    /// <exception cref="InvalidCastException">The name holds an object of another type.</exception>
    /// <exception cref="InterprocessException">The segment is full.</exception>
    /// <exception cref="NotSupportedException">The set must be created and the segment is read-only.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public static SharedFlatSet<T> FindOrCreate(SegmentManager manager, string name, AllocatorKind allocator = AllocatorKind.General) =>
        NamedContainers.FindOrCreate(manager, name, m => Create(m, allocator));

    /// <summary>The set named <paramref name="name"/>.</summary>
    /// <param name="manager">The segment.</param>
    /// <param name="name">The name.</param>
    /// <returns>The set.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="manager"/> or <paramref name="name"/> is null.</exception>
    /// <exception cref="InvalidOperationException">No object has that name.</exception>
    /// <exception cref="InvalidCastException">The object with that name has another type.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public static SharedFlatSet<T> Find(SegmentManager manager, string name) => NamedContainers.Find<SharedFlatSet<T>>(manager, name);

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
    public static bool Destroy(SegmentManager manager, string name) => NamedContainers.Destroy<SharedFlatSet<T>>(manager, name);

    /// <summary>Whether two handles refer to the same set.</summary>
    /// <param name="left">A handle.</param>
    /// <param name="right">A handle.</param>
    /// <returns>True for the same set (or two default handles).</returns>
    public static bool operator ==(SharedFlatSet<T> left, SharedFlatSet<T> right) => left.Equals(right);

    /// <summary>Whether two handles refer to different sets.</summary>
    /// <param name="left">A handle.</param>
    /// <param name="right">A handle.</param>
    /// <returns>True for different sets.</returns>
    public static bool operator !=(SharedFlatSet<T> left, SharedFlatSet<T> right) => !left.Equals(right);

    /// <summary>A view of this set that orders elements with <paramref name="comparer"/> (kept in this process).</summary>
    /// <remarks>The set is sorted by one ordering: every process and every call must use the same one.</remarks>
    /// <typeparam name="TComparer">The comparer type (a struct comparer is devirtualized).</typeparam>
    /// <param name="comparer">The ordering.</param>
    /// <returns>The view.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="comparer"/> is null.</exception>
    public readonly SharedFlatSetView<T, TComparer> WithComparer<TComparer>(TComparer comparer)
        where TComparer : IComparer<T> => new(this, comparer);

    /// <summary>The elements, ascending (valid until the set next changes shape).</summary>
    /// <returns>The span.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    public readonly ReadOnlySpan<T> AsSpan() => Flat.Read().Keys;

    /// <summary>Adds an element unless an equal one is present.</summary>
    /// <param name="item">The element.</param>
    /// <returns>False (and nothing changed) when an equal element was present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The segment is full, or the set is corrupted.</exception>
    public readonly bool Add(T item) => Flat.TryAdd(item, default, default(DefaultKeyComparer<T>));

    /// <summary>Adds an element unless present, starting at <paramref name="hint"/> (Boost's <c>insert(hint, v)</c>): no binary search when it belongs right after the previous hinted insertion (the end for a default hint).</summary>
    /// <param name="item">The element.</param>
    /// <param name="hint">Where the previous hinted insertion went (start with <c>default</c>); updated to this element.</param>
    /// <returns>False when it was present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The segment is full, or the container is corrupted.</exception>
    public readonly bool Add(T item, ref OrderedInsertHint hint) => Flat.TryAddHinted(item, default, default(DefaultKeyComparer<T>), ref hint);

    /// <summary>Removes the element equal to <paramref name="item"/>, destroying it if it owns segment memory.</summary>
    /// <param name="item">The element.</param>
    /// <returns>Whether it was present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    public readonly bool Remove(T item) => Flat.Remove(item, default(DefaultKeyComparer<T>));

    /// <summary>Removes the element at <paramref name="index"/>, destroying it if it owns segment memory.</summary>
    /// <param name="index">The index.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not in [0, Count).</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    public readonly void RemoveAt(int index) => Flat.RemoveAt(index);

    /// <summary>Whether an element equal to <paramref name="item"/> is in the set.</summary>
    /// <param name="item">The element.</param>
    /// <returns>True when present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    public readonly bool Contains(T item) => Flat.IndexOf(item, default(DefaultKeyComparer<T>)) >= 0;

    /// <summary>The index of <paramref name="item"/> in <see cref="AsSpan"/>, or -1.</summary>
    /// <param name="item">The element.</param>
    /// <returns>The index, or -1.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    public readonly int IndexOf(T item) => Flat.IndexOf(item, default(DefaultKeyComparer<T>));

    /// <summary>The stored element equal to <paramref name="equalValue"/>, if any.</summary>
    /// <param name="equalValue">The element to look for.</param>
    /// <param name="actualValue">The stored element, or default.</param>
    /// <returns>True when present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    public readonly bool TryGetValue(T equalValue, out T actualValue) => Flat.TryGetKey(equalValue, default(DefaultKeyComparer<T>), out actualValue);

    /// <summary>The index of the first element not less than <paramref name="item"/> (Count when none; Boost's <c>lower_bound</c>).</summary>
    /// <param name="item">The bound.</param>
    /// <returns>The index.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    public readonly int LowerBound(T item) => Flat.LowerBound(item, default(DefaultKeyComparer<T>));

    /// <summary>The index of the first element greater than <paramref name="item"/> (Count when none; Boost's <c>upper_bound</c>).</summary>
    /// <param name="item">The bound.</param>
    /// <returns>The index.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    public readonly int UpperBound(T item) => Flat.UpperBound(item, default(DefaultKeyComparer<T>));

    /// <summary>The indices of the elements between <paramref name="lowerValue"/> and <paramref name="upperValue"/> inclusive: slice <see cref="AsSpan"/> with it.</summary>
    /// <param name="lowerValue">The lower bound (inclusive).</param>
    /// <param name="upperValue">The upper bound (inclusive).</param>
    /// <returns>The index range.</returns>
    /// <exception cref="ArgumentException"><paramref name="lowerValue"/> is greater than <paramref name="upperValue"/>.</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    public readonly Range GetViewBetween(T lowerValue, T upperValue) => Flat.Between(lowerValue, upperValue, default(DefaultKeyComparer<T>));

    /// <summary>Makes room for at least <paramref name="capacity"/> elements.</summary>
    /// <param name="capacity">The capacity.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is negative or too large.</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The segment is full.</exception>
    public readonly void Reserve(int capacity) => Flat.Reserve(capacity);

    /// <summary>Reallocates the array to hold exactly <see cref="Count"/> elements.</summary>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The segment is full.</exception>
    public readonly void ShrinkToFit() => Flat.ShrinkToFit();

    /// <summary>Destroys and removes every element (the capacity stays).</summary>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    public readonly void Clear() => Flat.Clear();

    /// <summary>Destroys every element, then the set itself: every handle to it becomes stale. A named set's name stays until removed with <see cref="SegmentManager.Destroy{T}(string)"/>.</summary>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    public readonly void Destroy() => Flat.Destroy();

    /// <summary>An enumerator in ascending order (used by <c>foreach</c>; no allocation).</summary>
    /// <returns>The enumerator.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    public readonly unsafe Enumerator GetEnumerator() => new(_h, Flat.Read().Header->Version);

    /// <inheritdoc />
    readonly IEnumerator<T> IEnumerable<T>.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    readonly IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>A copy of the set in a new <see cref="SortedSet{T}"/>.</summary>
    /// <returns>The copy.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    public readonly SortedSet<T> ToSortedSet() => new(AsSpan().ToArray());

    /// <summary>A copy of the elements, in order, in a new <see cref="List{T}"/>.</summary>
    /// <returns>The copy.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    public readonly List<T> ToList() => [.. AsSpan()];

    /// <inheritdoc />
    public readonly bool Equals(SharedFlatSet<T> other) =>
        _h.SegmentId == other._h.SegmentId && _h.Header == other._h.Header && _h.Stamp == other._h.Stamp;

    /// <inheritdoc />
    public override readonly bool Equals(object? obj) => obj is SharedFlatSet<T> other && Equals(other);

    /// <inheritdoc />
    public override readonly int GetHashCode() => HashCode.Combine(_h.SegmentId, _h.Header, _h.Stamp);

    /// <inheritdoc />
    public override readonly string ToString() => $"SharedFlatSet<{typeof(T).Name}> {_h}";

    /// <summary>Checks that the elements ascend strictly (tests, debugging).</summary>
    internal readonly void CheckInvariants() => Flat.CheckInvariants(default(DefaultKeyComparer<T>));

    private readonly T End(bool fromEnd)
    {
        var keys = Flat.Read().Keys;
        if (keys.Length == 0)
        {
            throw new InvalidOperationException("The container is empty.");
        }

        return fromEnd ? keys[^1] : keys[0];
    }

    /// <summary>Enumerates a flat set in order; <see cref="Current"/> is a copy of the current element.</summary>
    public struct Enumerator : IEnumerator<T>
    {
        private readonly ContainerHandle _h;
        private readonly long _version;
        private int _index;
        private T _current;

        internal Enumerator(in ContainerHandle h, long version)
        {
            _h = h;
            _version = version;
            _index = -1;
            _current = default;
        }

        /// <summary>The current element.</summary>
        public readonly T Current => _current;

        /// <inheritdoc />
        readonly object IEnumerator.Current => _current;

        /// <summary>Moves to the next element.</summary>
        /// <returns>False at the end.</returns>
        /// <exception cref="InvalidOperationException">The set was changed or destroyed since the enumeration began.</exception>
        public unsafe bool MoveNext()
        {
            var s = FlatStore<T, NoValue>.Open(_h, Magic, TypeCheck, write: false);
            if (s.Header->Version != _version)
            {
                throw new InvalidOperationException("The container was changed during the enumeration (or destroyed): the enumeration cannot continue.");
            }

            if (_index + 1 >= s.Count)
            {
                _index = s.Count;
                return false;
            }

            _index++;
            _current = s.Keys[_index];
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
