using System.Collections;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Interprocess.Managed;

namespace Interprocess.Containers;

/// <summary>
/// A hash map stored in a managed segment and usable from every process that maps it (Boost's
/// <c>unordered_map</c> with an interprocess allocator). The value of this type is a handle: copying it gives
/// another handle to the same map.
/// </summary>
/// <typeparam name="TKey">The key type. The default hashing is the same in every process (see <see cref="IStableHash{TSelf}"/> and <see cref="SharedHashComparers"/>).</typeparam>
/// <typeparam name="TValue">The value type; it may be a container handle (nested containers are destroyed with their entry).</typeparam>
/// <remarks>
/// <para>Open addressing with linear probing in Robin Hood order; keys and values are stored in one slot array
/// (no allocation per entry). The table grows by doubling when it passes its <see cref="MaxLoadFactor"/>.</para>
/// <para>Hashing: keys are hashed by their bytes (a fixed 64-bit mix), except <see cref="float"/>/<see cref="double"/>
/// (by value) and keys that implement <see cref="IStableHash{TSelf}"/> (their own stable hash). A map created with
/// a comparer name hashes with the comparer registered under that name in each process
/// (<see cref="SharedHashComparers"/>); the header records which, so a process that hashes differently is refused.</para>
/// <para>Not synchronized (as in Boost): guard a map that several processes change with an
/// <c>InterprocessMutex</c>. A <c>ref</c> returned by <see cref="GetValueRef"/> is valid until the next insertion or
/// removal.</para>
/// </remarks>
/// <example>
/// <code>
/// // Process A
/// using var shm = ManagedSharedMemory.OpenOrCreate("demo", 64 &lt;&lt; 20);
/// ref var mutex = ref shm.Manager.FindOrConstruct("lock", new InterprocessMutex()).Value;
/// var prices = SharedHashMap&lt;long, double&gt;.FindOrCreate(shm.Manager, "prices");
/// mutex.Lock();
/// try { prices[42] = 9.5; } finally { mutex.Unlock(); }
///
/// // Process B
/// using var shm = ManagedSharedMemory.OpenExisting("demo");
/// ref var mutex = ref shm.Manager.Find&lt;InterprocessMutex&gt;("lock").Value;
/// var prices = SharedHashMap&lt;long, double&gt;.Find(shm.Manager, "prices");
/// mutex.Lock();
/// try { if (prices.TryGetValue(42, out double p)) Console.WriteLine(p); } finally { mutex.Unlock(); }
/// </code>
/// </example>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct SharedHashMap<TKey, TValue> : ISegmentOwned, IEquatable<SharedHashMap<TKey, TValue>>, IEnumerable<KeyValuePair<TKey, TValue>>
    where TKey : unmanaged
    where TValue : unmanaged
{
    /// <summary>The kind tag "HMAP".</summary>
    private const uint Magic = 'H' | ('M' << 8) | ('A' << 16) | ((uint)'P' << 24);

    /// <summary>The handle.</summary>
    private ContainerHandle _h;

    private SharedHashMap(ContainerHandle h) => _h = h;

    /// <summary>Whether this is a default handle (no map).</summary>
    public readonly bool IsDefault => _h.IsDefault;

    /// <summary>The manager of the segment the map lives in.</summary>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    public readonly SegmentManager Manager
    {
        get
        {
            _ = Read(out var m);
            return m;
        }
    }

    /// <summary>The number of keys.</summary>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The map is corrupted.</exception>
    public readonly int Count => (int)Read(out _)->Count;

    /// <summary>The number of slots in the table (0 before the first insertion).</summary>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    public readonly int Capacity => (int)Read(out _)->Capacity;

    /// <summary><see cref="Count"/> / <see cref="Capacity"/> (0 when there is no table).</summary>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    public readonly double LoadFactor
    {
        get
        {
            var h = Read(out _);
            return h->Capacity == 0 ? 0 : (double)h->Count / h->Capacity;
        }
    }

    /// <summary>The load factor past which the table doubles (default 0.875; from 0.25 to 0.95); setting it re-lays the table if needed.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside [0.25, 0.95].</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="NotSupportedException">(set) The segment is read-only.</exception>
    /// <exception cref="InterprocessException">(set) The segment is full.</exception>
    public readonly double MaxLoadFactor
    {
        get
        {
            int p = Read(out _)->MaxLoadPermille;
            return (p == 0 ? HashCore<TKey, TValue>.DefaultMaxLoadPermille : p) / 1000.0;
        }

        set
        {
            if (!(value >= 0.25 && value <= 0.95))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "The maximum load factor must be between 0.25 and 0.95.");
            }

            var h = Write(out var m);
            _ = HashCore<TKey, TValue>.Comparer(h, m);
            h->MaxLoadPermille = (int)Math.Round(value * 1000);
            if (h->Count > HashCore<TKey, TValue>.Threshold(h, h->Capacity))
            {
                HashCore<TKey, TValue>.Resize(h, m, h->Count, grow: true);
            }
        }
    }

    /// <summary>The value stored under <paramref name="key"/>; setting adds or overwrites (an overwritten value is not destroyed).</summary>
    /// <param name="key">The key.</param>
    /// <exception cref="KeyNotFoundException">(get) The key is not in the map.</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle; the segment is not open; an unregistered comparer.</exception>
    /// <exception cref="NotSupportedException">(set) The segment is read-only.</exception>
    /// <exception cref="InterprocessException">(set) The segment is full, or the map is corrupted.</exception>
    public readonly TValue this[TKey key]
    {
        get => GetValueRef(key);
        set
        {
            var h = Write(out var m);
            HashCore<TKey, TValue>.FindOrInsert(h, m, in key, HashCore<TKey, TValue>.Comparer(h, m), out _)->Value = value;
        }
    }

    /// <summary>Creates an empty anonymous map; the caller owns it (<see cref="Destroy()"/>).</summary>
    /// <param name="manager">The segment's manager.</param>
    /// <param name="allocator">Where the table's memory comes from.</param>
    /// <param name="comparerName">A comparer registered with <see cref="SharedHashComparers.Register{T}"/> in every process that uses the map, or null for the default hashing.</param>
    /// <returns>The handle.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="manager"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The comparer name is not registered in this process.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The segment is full.</exception>
    public static SharedHashMap<TKey, TValue> Create(SegmentManager manager, AllocatorKind allocator = AllocatorKind.General, string? comparerName = null)
    {
        ArgumentNullException.ThrowIfNull(manager);
        ulong id = comparerName is null ? 0 : SharedHashComparers.IdOf(comparerName);
        if (id != 0)
        {
            _ = SharedHashComparers.Resolve<TKey>(id);
        }

        var h = ContainerHandle.Create<HashHeader>(manager, Magic, ContainerTypeCheck<SharedHashMap<TKey, TValue>>.Value, out var header);
        HashCore<TKey, TValue>.Initialize(header, allocator, id);
        return new SharedHashMap<TKey, TValue>(h);
    }

    /// <summary>Creates an empty map stored under <paramref name="name"/>.</summary>
    /// <param name="manager">The segment's manager.</param>
    /// <param name="name">The name.</param>
    /// <param name="allocator">Where the table's memory comes from.</param>
    /// <param name="comparerName">A registered comparer name, or null for the default hashing.</param>
    /// <returns>The handle.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidOperationException">The comparer name is not registered in this process.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The name is taken, or the segment is full.</exception>
    public static SharedHashMap<TKey, TValue> Create(SegmentManager manager, string name, AllocatorKind allocator = AllocatorKind.General, string? comparerName = null) =>
        NamedContainers.Create(manager, name, m => Create(m, allocator, comparerName), c => c.Destroy());

    /// <summary>The map stored under <paramref name="name"/>, or a new empty one stored there (atomically).</summary>
    /// <param name="manager">The segment's manager.</param>
    /// <param name="name">The name.</param>
    /// <param name="allocator">Where the table's memory comes from, if the map is created.</param>
    /// <param name="comparerName">A registered comparer name, or null for the default hashing, if the map is created.</param>
    /// <returns>The handle.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidOperationException">The comparer name is not registered in this process.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only and the map does not exist.</exception>
    /// <exception cref="InterprocessException">The name holds an object of another type, or the segment is full.</exception>
    public static SharedHashMap<TKey, TValue> FindOrCreate(SegmentManager manager, string name, AllocatorKind allocator = AllocatorKind.General, string? comparerName = null) =>
        NamedContainers.FindOrCreate(manager, name, m => Create(m, allocator, comparerName));

    /// <summary>The map stored under <paramref name="name"/>.</summary>
    /// <param name="manager">The segment's manager.</param>
    /// <param name="name">The name.</param>
    /// <returns>The handle.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InterprocessException">No object has that name, or it has another type.</exception>
    public static SharedHashMap<TKey, TValue> Find(SegmentManager manager, string name) =>
        NamedContainers.Find<SharedHashMap<TKey, TValue>>(manager, name);

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
    public static bool Destroy(SegmentManager manager, string name) => NamedContainers.Destroy<SharedHashMap<TKey, TValue>>(manager, name);

    /// <summary>Adds a key.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">Its value.</param>
    /// <exception cref="ArgumentException">The key is already in the map.</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle; the segment is not open; an unregistered comparer.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The segment is full, or the map is corrupted.</exception>
    public readonly void Add(TKey key, TValue value)
    {
        if (!TryAdd(key, value))
        {
            throw new ArgumentException($"The key {key} is already in the map.", nameof(key));
        }
    }

    /// <summary>Adds a key unless it is already there.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">Its value.</param>
    /// <returns>False if the key was already there (its value is unchanged).</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle; the segment is not open; an unregistered comparer.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The segment is full, or the map is corrupted.</exception>
    public readonly bool TryAdd(TKey key, TValue value)
    {
        var h = Write(out var m);
        var s = HashCore<TKey, TValue>.FindOrInsert(h, m, in key, HashCore<TKey, TValue>.Comparer(h, m), out bool found);
        if (found)
        {
            return false;
        }

        s->Value = value;
        return true;
    }

    /// <summary>Removes a key, destroying the stored key and value if they own segment memory.</summary>
    /// <param name="key">The key.</param>
    /// <returns>Whether the key was there.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle; the segment is not open; an unregistered comparer.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The map is corrupted.</exception>
    public readonly bool Remove(TKey key)
    {
        var h = Write(out var m);
        var s = HashCore<TKey, TValue>.Find(h, m, in key, HashCore<TKey, TValue>.Comparer(h, m));
        if (s == null)
        {
            return false;
        }

        HashCore<TKey, TValue>.RemoveSlot(h, m, s);
        return true;
    }

    /// <summary>Whether <paramref name="key"/> is in the map.</summary>
    /// <param name="key">The key.</param>
    /// <returns>True if it is.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle; the segment is not open; an unregistered comparer.</exception>
    /// <exception cref="InterprocessException">The map is corrupted.</exception>
    public readonly bool ContainsKey(TKey key)
    {
        var h = Read(out var m);
        return HashCore<TKey, TValue>.Find(h, m, in key, HashCore<TKey, TValue>.Comparer(h, m)) != null;
    }

    /// <summary>The value stored under <paramref name="key"/>, if it is there.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value, or default.</param>
    /// <returns>Whether the key was there.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle; the segment is not open; an unregistered comparer.</exception>
    /// <exception cref="InterprocessException">The map is corrupted.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly bool TryGetValue(TKey key, out TValue value)
    {
        var h = Read(out var m);
        var s = HashCore<TKey, TValue>.Find(h, m, in key, HashCore<TKey, TValue>.Comparer(h, m));
        if (s == null)
        {
            value = default;
            return false;
        }

        value = s->Value;
        return true;
    }

    /// <summary>A reference to the value stored under <paramref name="key"/>, in the segment (valid until the next insertion or removal).</summary>
    /// <param name="key">The key.</param>
    /// <returns>The reference.</returns>
    /// <exception cref="KeyNotFoundException">The key is not in the map.</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle; the segment is not open; an unregistered comparer.</exception>
    /// <exception cref="InterprocessException">The map is corrupted.</exception>
    public readonly ref TValue GetValueRef(TKey key)
    {
        var h = Read(out var m);
        var s = HashCore<TKey, TValue>.Find(h, m, in key, HashCore<TKey, TValue>.Comparer(h, m));
        if (s == null)
        {
            throw new KeyNotFoundException($"The key {key} is not in the map.");
        }

        return ref s->Value;
    }

    /// <summary>A reference to the value stored under <paramref name="key"/>, or a null reference (test with <see cref="Unsafe.IsNullRef{T}(ref readonly T)"/>).</summary>
    /// <param name="key">The key.</param>
    /// <returns>The reference, or a null reference.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle; the segment is not open; an unregistered comparer.</exception>
    /// <exception cref="InterprocessException">The map is corrupted.</exception>
    public readonly ref TValue GetValueRefOrNullRef(TKey key)
    {
        var h = Read(out var m);
        var s = HashCore<TKey, TValue>.Find(h, m, in key, HashCore<TKey, TValue>.Comparer(h, m));
        return ref s == null ? ref Unsafe.NullRef<TValue>() : ref s->Value;
    }

    /// <summary>A reference to the value stored under <paramref name="key"/>, adding the key with a default value first if it is not there.</summary>
    /// <param name="key">The key.</param>
    /// <param name="exists">Whether the key was already there.</param>
    /// <returns>The reference (valid until the next insertion or removal).</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle; the segment is not open; an unregistered comparer.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The segment is full, or the map is corrupted.</exception>
    public readonly ref TValue GetValueRefOrAddDefault(TKey key, out bool exists)
    {
        var h = Write(out var m);
        return ref HashCore<TKey, TValue>.FindOrInsert(h, m, in key, HashCore<TKey, TValue>.Comparer(h, m), out exists)->Value;
    }

    /// <summary>Removes every key, destroying keys and values that own segment memory; keeps the table's capacity.</summary>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The map is corrupted.</exception>
    public readonly void Clear()
    {
        var h = Write(out var m);
        HashCore<TKey, TValue>.Clear(h, m);
    }

    /// <summary>Makes room for <paramref name="capacity"/> keys without growing again (Boost's <c>reserve</c>).</summary>
    /// <param name="capacity">The number of keys.</param>
    /// <returns>The number of keys the map now holds before it grows.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is negative.</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open; the capacity is beyond the largest table.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The segment is full.</exception>
    public readonly int EnsureCapacity(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        var h = Write(out var m);
        _ = HashCore<TKey, TValue>.Comparer(h, m);
        if (capacity > HashCore<TKey, TValue>.Threshold(h, h->Capacity))
        {
            HashCore<TKey, TValue>.Resize(h, m, capacity, grow: true);
        }

        return (int)HashCore<TKey, TValue>.Threshold(h, h->Capacity);
    }

    /// <summary>Shrinks the table to the smallest capacity that holds <see cref="Count"/> keys (Boost's <c>rehash(0)</c>).</summary>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The segment is full.</exception>
    public readonly void TrimExcess()
    {
        var h = Write(out var m);
        _ = HashCore<TKey, TValue>.Comparer(h, m);
        HashCore<TKey, TValue>.Resize(h, m, h->Count, grow: false);
    }

    /// <summary>Frees the map and everything in it (nested containers too); every handle to it becomes stale.</summary>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The map is corrupted.</exception>
    public readonly void Destroy()
    {
        var h = Write(out var m);
        HashCore<TKey, TValue>.Free(h, m);
        _h.FreeHeader(&h->Prefix, m);
    }

    /// <summary>A copy of the contents in a <see cref="Dictionary{TKey,TValue}"/>.</summary>
    /// <returns>The dictionary.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open.</exception>
    public readonly Dictionary<TKey, TValue> ToDictionary()
    {
        var d = new Dictionary<TKey, TValue>(Count);
        foreach (var kv in this)
        {
            d.Add(kv.Key, kv.Value);
        }

        return d;
    }

    /// <summary>An enumerator over the entries (in table order); the map must not change while it runs.</summary>
    /// <returns>The enumerator.</returns>
    public readonly Enumerator GetEnumerator() => new(_h);

    /// <inheritdoc />
    readonly IEnumerator<KeyValuePair<TKey, TValue>> IEnumerable<KeyValuePair<TKey, TValue>>.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    readonly IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Whether both handles refer to the same map.</summary>
    /// <param name="other">The other handle.</param>
    /// <returns>True for the same map.</returns>
    public readonly bool Equals(SharedHashMap<TKey, TValue> other) => _h.SegmentId == other._h.SegmentId && _h.Header == other._h.Header && _h.Stamp == other._h.Stamp;

    /// <inheritdoc />
    public override readonly bool Equals(object? obj) => obj is SharedHashMap<TKey, TValue> o && Equals(o);

    /// <inheritdoc />
    public override readonly int GetHashCode() => HashCode.Combine(_h.SegmentId, _h.Header, _h.Stamp);

    /// <inheritdoc />
    public override readonly string ToString() => $"SharedHashMap<{typeof(TKey).Name}, {typeof(TValue).Name}> {_h}";

    /// <summary>Whether two handles refer to the same map.</summary>
    /// <param name="left">A handle.</param>
    /// <param name="right">A handle.</param>
    /// <returns>True for the same map.</returns>
    public static bool operator ==(SharedHashMap<TKey, TValue> left, SharedHashMap<TKey, TValue> right) => left.Equals(right);

    /// <summary>Whether two handles refer to different maps.</summary>
    /// <param name="left">A handle.</param>
    /// <param name="right">A handle.</param>
    /// <returns>True for different maps.</returns>
    public static bool operator !=(SharedHashMap<TKey, TValue> left, SharedHashMap<TKey, TValue> right) => !left.Equals(right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal readonly HashHeader* Read(out SegmentManager m) =>
        _h.Resolve<HashHeader>(Magic, ContainerTypeCheck<SharedHashMap<TKey, TValue>>.Value, out m);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal readonly HashHeader* Write(out SegmentManager m) =>
        _h.ResolveForWrite<HashHeader>(Magic, ContainerTypeCheck<SharedHashMap<TKey, TValue>>.Value, out m);

    /// <summary>Enumerates a map's entries without allocating.</summary>
    public struct Enumerator : IEnumerator<KeyValuePair<TKey, TValue>>
    {
        private readonly ContainerHandle _h;
        private long _index;
        private long _version;
        private bool _started;
        private KeyValuePair<TKey, TValue> _current;

        internal Enumerator(ContainerHandle h)
        {
            _h = h;
            _index = -1;
        }

        /// <summary>The current entry.</summary>
        public readonly KeyValuePair<TKey, TValue> Current => _current;

        /// <inheritdoc />
        readonly object IEnumerator.Current => _current;

        /// <summary>Moves to the next entry.</summary>
        /// <returns>False at the end.</returns>
        /// <exception cref="InvalidOperationException">The map changed since the enumeration began, or the handle is stale.</exception>
        /// <exception cref="InterprocessException">The map is corrupted.</exception>
        public bool MoveNext()
        {
            var h = _h.Resolve<HashHeader>(Magic, ContainerTypeCheck<SharedHashMap<TKey, TValue>>.Value, out var m);
            if (!_started)
            {
                _started = true;
                _version = h->Version;
            }
            else if (h->Version != _version)
            {
                throw new InvalidOperationException("The map was changed during the enumeration.");
            }

            var t = HashCore<TKey, TValue>.Table(h, m, out ulong mask);
            if (t == null)
            {
                return false;
            }

            while ((ulong)++_index <= mask)
            {
                var s = t + _index;
                if (s->Meta != 0)
                {
                    _current = new KeyValuePair<TKey, TValue>(s->Key, s->Value);
                    return true;
                }
            }

            _index = (long)mask;
            return false;
        }

        /// <summary>Starts over.</summary>
        public void Reset()
        {
            _index = -1;
            _started = false;
        }

        /// <summary>Nothing to release.</summary>
        public readonly void Dispose()
        {
        }
    }
}
