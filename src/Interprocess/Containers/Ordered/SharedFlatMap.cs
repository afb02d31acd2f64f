using System.Collections;
using System.Runtime.CompilerServices;
using Interprocess.Managed;

namespace Interprocess.Containers;

/// <summary>
/// A sorted-array map with unique keys in a managed segment (Boost's <c>flat_map</c>): binary search over a
/// contiguous key array, a parallel value array, insertion and removal by shifting. Less memory and faster lookups
/// and iteration than <see cref="SharedMap{TKey,TValue}"/>; insertion is O(n). This struct is a handle: copying it
/// gives another reference to the same map.
/// </summary>
/// <remarks>
/// <para>Keys and values are two arrays (not an array of pairs), so <see cref="Keys"/> and <see cref="Values"/> are
/// spans and a search touches keys only. Spans and references into the map are valid until the next insertion,
/// removal, <see cref="Reserve"/> or <see cref="ShrinkToFit"/> (the block may move, as with a <c>List&lt;T&gt;</c>).</para>
/// <para>Keys are ordered by <see cref="Comparer{T}.Default"/>; a custom ordering is supplied per process with
/// <see cref="WithComparer{TComparer}"/>, and every process must use the same one. Not synchronized: guard a map
/// shared by several processes with an <see cref="Synchronization.InterprocessMutex"/>.</para>
/// </remarks>
/// <example>
/// <code>
/// // Process A
/// using var shm = ManagedSharedMemory.OpenOrCreate("app", 1 &lt;&lt; 20);
/// var mutex = shm.Manager.FindOrConstruct("limits-lock", new InterprocessMutex());
/// var limits = SharedFlatMap&lt;int, long&gt;.FindOrCreate(shm.Manager, "limits");
/// mutex.Value.Lock();
/// try { limits.Reserve(100); limits[1] = 500; } finally { mutex.Value.Unlock(); }
///
/// // Process B
/// using var shm = ManagedSharedMemory.OpenExisting("app");
/// var mutex = shm.Manager.Find&lt;InterprocessMutex&gt;("limits-lock");
/// var limits = SharedFlatMap&lt;int, long&gt;.Find(shm.Manager, "limits");
/// mutex.Value.Lock();
/// try { long total = 0; foreach (long v in limits.Values) total += v; } finally { mutex.Value.Unlock(); }
/// </code>
/// </example>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The mapped type (may be a container handle).</typeparam>
public struct SharedFlatMap<TKey, TValue> : ISegmentOwned, IEquatable<SharedFlatMap<TKey, TValue>>, IEnumerable<KeyValuePair<TKey, TValue>>
    where TKey : unmanaged
    where TValue : unmanaged
{
    /// <summary>The container kind in the header: "FMAP".</summary>
    internal const uint Magic = 'F' | ('M' << 8) | ('A' << 16) | ((uint)'P' << 24);

    /// <summary>The map's handle.</summary>
    private ContainerHandle _h;

    private SharedFlatMap(ContainerHandle h) => _h = h;

    /// <summary>Whether this is a default handle (no map).</summary>
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

    /// <summary>The keys, ascending (valid until the map next changes shape).</summary>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    public readonly ReadOnlySpan<TKey> Keys => Flat.Read().Keys;

    /// <summary>The values, in key order; writable in place (valid until the map next changes shape).</summary>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    public readonly Span<TValue> Values => Flat.Read().Values;

    /// <summary>The element with the smallest key.</summary>
    /// <exception cref="InvalidOperationException">The map is empty, or the handle is default or stale.</exception>
    public readonly KeyValuePair<TKey, TValue> Min => At(0, fromEnd: false);

    /// <summary>The element with the largest key.</summary>
    /// <exception cref="InvalidOperationException">The map is empty, or the handle is default or stale.</exception>
    public readonly KeyValuePair<TKey, TValue> Max => At(0, fromEnd: true);

    /// <summary>The handle's fields.</summary>
    internal readonly ContainerHandle Handle => _h;

    internal static uint TypeCheck => ContainerTypeCheck<SharedFlatMap<TKey, TValue>>.Value;

    internal readonly FlatRef<TKey, TValue> Flat
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => new(_h, Magic, TypeCheck);
    }

    /// <summary>The value of <paramref name="key"/> (get); sets it, adding the key when absent (set; the old value is overwritten, not destroyed).</summary>
    /// <param name="key">The key.</param>
    /// <exception cref="KeyNotFoundException">Get: the key is not in the map.</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="NotSupportedException">Set: the segment is read-only.</exception>
    /// <exception cref="InterprocessException">Set: the segment is full; or the map is corrupted.</exception>
    public readonly TValue this[TKey key]
    {
        get
        {
            if (!Flat.TryGetValue(key, default(DefaultKeyComparer<TKey>), out var v))
            {
                TreeRef<TKey, TValue>.ThrowKeyNotFound(key);
            }

            return v;
        }

        set => Flat.Set(key, value, default(DefaultKeyComparer<TKey>));
    }

    /// <summary>Creates an empty map (anonymous: the caller keeps the handle and destroys the map).</summary>
    /// <param name="manager">The segment.</param>
    /// <param name="allocator">Where the array comes from.</param>
    /// <returns>The map.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="manager"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An unknown allocator kind.</exception>
    /// <exception cref="InterprocessException">The segment is full.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public static SharedFlatMap<TKey, TValue> Create(SegmentManager manager, AllocatorKind allocator = AllocatorKind.General) =>
        new(FlatStore<TKey, TValue>.Create(manager, Magic, TypeCheck, allocator));

    /// <summary>Creates an empty map stored under <paramref name="name"/> in the segment.</summary>
    /// <param name="manager">The segment.</param>
    /// <param name="name">The name.</param>
    /// <param name="allocator">Where the array comes from.</param>
    /// <returns>The map.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="manager"/> or <paramref name="name"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An unknown allocator kind.</exception>
    /// <exception cref="InterprocessException">The name is taken, or the segment is full.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public static SharedFlatMap<TKey, TValue> Create(SegmentManager manager, string name, AllocatorKind allocator = AllocatorKind.General) =>
        NamedContainers.Create(manager, name, m => Create(m, allocator), c => c.Destroy());

    /// <summary>The map named <paramref name="name"/>, or a new empty one stored under that name (atomically).</summary>
    /// <param name="manager">The segment.</param>
    /// <param name="name">The name.</param>
    /// <param name="allocator">Where the array comes from, if the map is created.</param>
    /// <returns>The map.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="manager"/> or <paramref name="name"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An unknown allocator kind.</exception>
    /// <exception cref="InvalidCastException">The name holds an object of another type.</exception>
    /// <exception cref="InterprocessException">The segment is full.</exception>
    /// <exception cref="NotSupportedException">The map must be created and the segment is read-only.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public static SharedFlatMap<TKey, TValue> FindOrCreate(SegmentManager manager, string name, AllocatorKind allocator = AllocatorKind.General) =>
        NamedContainers.FindOrCreate(manager, name, m => Create(m, allocator));

    /// <summary>The map named <paramref name="name"/>.</summary>
    /// <param name="manager">The segment.</param>
    /// <param name="name">The name.</param>
    /// <returns>The map.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="manager"/> or <paramref name="name"/> is null.</exception>
    /// <exception cref="InvalidOperationException">No object has that name.</exception>
    /// <exception cref="InvalidCastException">The object with that name has another type.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public static SharedFlatMap<TKey, TValue> Find(SegmentManager manager, string name) => NamedContainers.Find<SharedFlatMap<TKey, TValue>>(manager, name);

    /// <summary>
    /// Destroys the map stored under <paramref name="name"/> (its keys and values too) and removes the name, in one step under the
    /// segment's lock (Boost's <c>destroy&lt;T&gt;(name)</c>; <see cref="SegmentManager.Destroy{T}(string)"/> alone only removes the name).
    /// </summary>
    /// <param name="manager">The segment's manager.</param>
    /// <param name="name">The name.</param>
    /// <returns>False when no object has that name.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="manager"/> or <paramref name="name"/> is null.</exception>
    /// <exception cref="InvalidCastException">The name holds an object of another type.</exception>
    /// <exception cref="InvalidOperationException">The stored handle is stale (the map was destroyed through another handle); the name is kept.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public static bool Destroy(SegmentManager manager, string name) => NamedContainers.Destroy<SharedFlatMap<TKey, TValue>>(manager, name);

    /// <summary>Whether two handles refer to the same map.</summary>
    /// <param name="left">A handle.</param>
    /// <param name="right">A handle.</param>
    /// <returns>True for the same map (or two default handles).</returns>
    public static bool operator ==(SharedFlatMap<TKey, TValue> left, SharedFlatMap<TKey, TValue> right) => left.Equals(right);

    /// <summary>Whether two handles refer to different maps.</summary>
    /// <param name="left">A handle.</param>
    /// <param name="right">A handle.</param>
    /// <returns>True for different maps.</returns>
    public static bool operator !=(SharedFlatMap<TKey, TValue> left, SharedFlatMap<TKey, TValue> right) => !left.Equals(right);

    /// <summary>A view of this map that orders keys with <paramref name="comparer"/> (kept in this process).</summary>
    /// <remarks>The map is sorted by one ordering: every process and every call must use the same one.</remarks>
    /// <typeparam name="TComparer">The comparer type (a struct comparer is devirtualized).</typeparam>
    /// <param name="comparer">The ordering.</param>
    /// <returns>The view.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="comparer"/> is null.</exception>
    public readonly SharedFlatMapView<TKey, TValue, TComparer> WithComparer<TComparer>(TComparer comparer)
        where TComparer : IComparer<TKey> => new(this, comparer);

    /// <summary>Adds an element.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <exception cref="ArgumentException">The key is already in the map.</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The segment is full, or the map is corrupted.</exception>
    public readonly void Add(TKey key, TValue value)
    {
        if (!Flat.TryAdd(key, value, default(DefaultKeyComparer<TKey>)))
        {
            throw new ArgumentException($"An element with the key '{key}' is already in the map.", nameof(key));
        }
    }

    /// <summary>Adds an element unless the key is present.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <returns>False (and nothing changed) when the key was present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The segment is full, or the map is corrupted.</exception>
    public readonly bool TryAdd(TKey key, TValue value) => Flat.TryAdd(key, value, default(DefaultKeyComparer<TKey>));

    /// <summary>Adds an element unless the key is present, starting at <paramref name="hint"/> (Boost's <c>insert(hint, v)</c>): no binary search when the key belongs right after the previous hinted insertion (the end for a default hint), so sorted input is appended in O(1) each.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <param name="hint">Where the previous hinted insertion went (start with <c>default</c>); updated to this element.</param>
    /// <returns>False when the key was present (nothing changed).</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The segment is full, or the container is corrupted.</exception>
    public readonly bool TryAdd(TKey key, TValue value, ref OrderedInsertHint hint) =>
        Flat.TryAddHinted(key, value, default(DefaultKeyComparer<TKey>), ref hint);

    /// <summary>Removes the element with <paramref name="key"/>, destroying its key and value if they own segment memory.</summary>
    /// <param name="key">The key.</param>
    /// <returns>Whether the key was present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The map is corrupted.</exception>
    public readonly bool Remove(TKey key) => Flat.Remove(key, default(DefaultKeyComparer<TKey>));

    /// <summary>Removes the element with <paramref name="key"/> and hands its value to the caller (not destroyed: it is yours now).</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The removed value, or default.</param>
    /// <returns>Whether the key was present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The map is corrupted.</exception>
    public readonly bool Remove(TKey key, out TValue value) => Flat.Remove(key, default(DefaultKeyComparer<TKey>), out value);

    /// <summary>Removes the element at <paramref name="index"/> (in key order), destroying its key and value if they own segment memory.</summary>
    /// <param name="index">The index.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not in [0, Count).</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    public readonly void RemoveAt(int index) => Flat.RemoveAt(index);

    /// <summary>Whether <paramref name="key"/> is in the map.</summary>
    /// <param name="key">The key.</param>
    /// <returns>True when present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    public readonly bool ContainsKey(TKey key) => Flat.IndexOf(key, default(DefaultKeyComparer<TKey>)) >= 0;

    /// <summary>The index of <paramref name="key"/> in <see cref="Keys"/>, or -1 (as <c>SortedList.IndexOfKey</c>).</summary>
    /// <param name="key">The key.</param>
    /// <returns>The index, or -1.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    public readonly int IndexOfKey(TKey key) => Flat.IndexOf(key, default(DefaultKeyComparer<TKey>));

    /// <summary>The value of <paramref name="key"/>, if present.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value, or default.</param>
    /// <returns>True when present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    public readonly bool TryGetValue(TKey key, out TValue value) => Flat.TryGetValue(key, default(DefaultKeyComparer<TKey>), out value);

    /// <summary>A reference to the value of <paramref name="key"/> in the segment (valid until the map next changes shape).</summary>
    /// <param name="key">The key.</param>
    /// <returns>The reference.</returns>
    /// <exception cref="KeyNotFoundException">The key is not in the map.</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    public readonly ref TValue GetValueRef(TKey key) => ref Flat.GetValueRef(key, default(DefaultKeyComparer<TKey>));

    /// <summary>A reference to the value of <paramref name="key"/>, adding the key with a default (zeroed) value when absent.</summary>
    /// <param name="key">The key.</param>
    /// <param name="exists">Whether the key was already present.</param>
    /// <returns>The reference (valid until the map next changes shape).</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The segment is full, or the map is corrupted.</exception>
    public readonly ref TValue GetValueRefOrAddDefault(TKey key, out bool exists) =>
        ref Flat.GetValueRefOrAddDefault(key, default(DefaultKeyComparer<TKey>), out exists);

    /// <summary>The index of the first key not less than <paramref name="key"/> (Count when none; Boost's <c>lower_bound</c>).</summary>
    /// <param name="key">The key.</param>
    /// <returns>The index.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    public readonly int LowerBound(TKey key) => Flat.LowerBound(key, default(DefaultKeyComparer<TKey>));

    /// <summary>The index of the first key greater than <paramref name="key"/> (Count when none; Boost's <c>upper_bound</c>).</summary>
    /// <param name="key">The key.</param>
    /// <returns>The index.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    public readonly int UpperBound(TKey key) => Flat.UpperBound(key, default(DefaultKeyComparer<TKey>));

    /// <summary>The indices of the keys with <paramref name="from"/> ≤ key ≤ <paramref name="to"/>: slice <see cref="Keys"/> and <see cref="Values"/> with it.</summary>
    /// <param name="from">The lower bound (inclusive).</param>
    /// <param name="to">The upper bound (inclusive).</param>
    /// <returns>The index range.</returns>
    /// <exception cref="ArgumentException"><paramref name="from"/> is greater than <paramref name="to"/>.</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    public readonly Range GetRange(TKey from, TKey to) => Flat.Between(from, to, default(DefaultKeyComparer<TKey>));

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

    /// <summary>Destroys every element, then the map itself: every handle to it becomes stale. A named map's name stays until removed with <see cref="SegmentManager.Destroy{T}(string)"/>.</summary>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    public readonly void Destroy() => Flat.Destroy();

    /// <summary>An enumerator in ascending key order (used by <c>foreach</c>; no allocation).</summary>
    /// <returns>The enumerator.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    public readonly unsafe Enumerator GetEnumerator() => new(_h, Flat.Read().Header->Version);

    /// <inheritdoc />
    readonly IEnumerator<KeyValuePair<TKey, TValue>> IEnumerable<KeyValuePair<TKey, TValue>>.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    readonly IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>A copy of the map in a new <see cref="Dictionary{TKey,TValue}"/>.</summary>
    /// <returns>The copy.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    public readonly Dictionary<TKey, TValue> ToDictionary()
    {
        var s = Flat.Read();
        var d = new Dictionary<TKey, TValue>(s.Count);
        var keys = s.Keys;
        var values = s.Values;
        for (int i = 0; i < keys.Length; i++)
        {
            d.Add(keys[i], values[i]);
        }

        return d;
    }

    /// <summary>A copy of the map in a new <see cref="SortedDictionary{TKey,TValue}"/>.</summary>
    /// <returns>The copy.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    public readonly SortedDictionary<TKey, TValue> ToSortedDictionary()
    {
        var s = Flat.Read();
        var d = new SortedDictionary<TKey, TValue>();
        var keys = s.Keys;
        var values = s.Values;
        for (int i = 0; i < keys.Length; i++)
        {
            d.Add(keys[i], values[i]);
        }

        return d;
    }

    /// <inheritdoc />
    public readonly bool Equals(SharedFlatMap<TKey, TValue> other) =>
        _h.SegmentId == other._h.SegmentId && _h.Header == other._h.Header && _h.Stamp == other._h.Stamp;

    /// <inheritdoc />
    public override readonly bool Equals(object? obj) => obj is SharedFlatMap<TKey, TValue> other && Equals(other);

    /// <inheritdoc />
    public override readonly int GetHashCode() => HashCode.Combine(_h.SegmentId, _h.Header, _h.Stamp);

    /// <inheritdoc />
    public override readonly string ToString() => $"SharedFlatMap<{typeof(TKey).Name}, {typeof(TValue).Name}> {_h}";

    /// <summary>Checks that the keys ascend strictly (tests, debugging).</summary>
    internal readonly void CheckInvariants() => Flat.CheckInvariants(default(DefaultKeyComparer<TKey>));

    private readonly KeyValuePair<TKey, TValue> At(int index, bool fromEnd)
    {
        var s = Flat.Read();
        if (s.Count == 0)
        {
            throw new InvalidOperationException("The container is empty.");
        }

        int i = fromEnd ? s.Count - 1 - index : index;
        return new(s.Keys[i], s.Values[i]);
    }

    /// <summary>Enumerates a flat map in key order; <see cref="Current"/> is a copy of the current pair.</summary>
    public struct Enumerator : IEnumerator<KeyValuePair<TKey, TValue>>
    {
        private readonly ContainerHandle _h;
        private readonly long _version;
        private int _index;
        private KeyValuePair<TKey, TValue> _current;

        internal Enumerator(in ContainerHandle h, long version)
        {
            _h = h;
            _version = version;
            _index = -1;
            _current = default;
        }

        /// <summary>The current pair.</summary>
        public readonly KeyValuePair<TKey, TValue> Current => _current;

        /// <inheritdoc />
        readonly object IEnumerator.Current => _current;

        /// <summary>Moves to the next pair.</summary>
        /// <returns>False at the end.</returns>
        /// <exception cref="InvalidOperationException">The map was changed or destroyed since the enumeration began.</exception>
        public unsafe bool MoveNext()
        {
            var s = FlatStore<TKey, TValue>.Open(_h, Magic, TypeCheck, write: false);
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
            _current = new(s.Keys[_index], s.Values[_index]);
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
