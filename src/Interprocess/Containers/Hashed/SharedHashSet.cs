using System.Collections;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Interprocess.Managed;

namespace Interprocess.Containers;

/// <summary>
/// A hash set stored in a managed segment and usable from every process that maps it (Boost's
/// <c>unordered_set</c> with an interprocess allocator). The value of this type is a handle: copying it gives
/// another handle to the same set.
/// </summary>
/// <typeparam name="T">The element type; hashed as <see cref="SharedHashMap{TKey,TValue}"/> hashes keys.</typeparam>
/// <remarks>
/// The same table as <see cref="SharedHashMap{TKey,TValue}"/> (open addressing, Robin Hood order, one slot array).
/// Not synchronized: guard a set that several processes change with an <c>InterprocessMutex</c>.
/// </remarks>
/// <example>
/// <code>
/// // Process A
/// var seen = SharedHashSet&lt;long&gt;.FindOrCreate(shm.Manager, "seen");
/// mutex.Lock(); try { seen.Add(7); } finally { mutex.Unlock(); }
/// // Process B
/// var seen = SharedHashSet&lt;long&gt;.Find(shm.Manager, "seen");
/// mutex.Lock(); try { Console.WriteLine(seen.Contains(7)); } finally { mutex.Unlock(); }
/// </code>
/// </example>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct SharedHashSet<T> : ISegmentOwned, IEquatable<SharedHashSet<T>>, IEnumerable<T>
    where T : unmanaged
{
    /// <summary>The kind tag "HSET".</summary>
    private const uint Magic = 'H' | ('S' << 8) | ('E' << 16) | ((uint)'T' << 24);

    /// <summary>The handle.</summary>
    private ContainerHandle _h;

    private SharedHashSet(ContainerHandle h) => _h = h;

    /// <summary>Whether this is a default handle (no set).</summary>
    public readonly bool IsDefault => _h.IsDefault;

    /// <summary>The manager of the segment the set lives in.</summary>
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

    /// <summary>The number of slots in the table.</summary>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    public readonly int Capacity => (int)Read(out _)->Capacity;

    /// <summary>Creates an empty anonymous set; the caller owns it (<see cref="Destroy()"/>).</summary>
    /// <param name="manager">The segment's manager.</param>
    /// <param name="allocator">Where the table's memory comes from.</param>
    /// <param name="comparerName">A comparer registered with <see cref="SharedHashComparers.Register{T}"/> in every process, or null for the default hashing.</param>
    /// <returns>The handle.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="manager"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The comparer name is not registered in this process.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The segment is full.</exception>
    public static SharedHashSet<T> Create(SegmentManager manager, AllocatorKind allocator = AllocatorKind.General, string? comparerName = null)
    {
        ArgumentNullException.ThrowIfNull(manager);
        ulong id = comparerName is null ? 0 : SharedHashComparers.IdOf(comparerName);
        if (id != 0)
        {
            _ = SharedHashComparers.Resolve<T>(id);
        }

        var h = ContainerHandle.Create<HashHeader>(manager, Magic, ContainerTypeCheck<SharedHashSet<T>>.Value, out var header);
        HashCore<T, byte>.Initialize(header, allocator, id);
        return new SharedHashSet<T>(h);
    }

    /// <summary>Creates an empty set stored under <paramref name="name"/>.</summary>
    /// <param name="manager">The segment's manager.</param>
    /// <param name="name">The name.</param>
    /// <param name="allocator">Where the table's memory comes from.</param>
    /// <param name="comparerName">A registered comparer name, or null.</param>
    /// <returns>The handle.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidOperationException">The comparer name is not registered in this process.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The name is taken, or the segment is full.</exception>
    public static SharedHashSet<T> Create(SegmentManager manager, string name, AllocatorKind allocator = AllocatorKind.General, string? comparerName = null) =>
        NamedContainers.Create(manager, name, m => Create(m, allocator, comparerName), c => c.Destroy());

    /// <summary>The set stored under <paramref name="name"/>, or a new empty one stored there (atomically).</summary>
    /// <param name="manager">The segment's manager.</param>
    /// <param name="name">The name.</param>
    /// <param name="allocator">Where the table's memory comes from, if the set is created.</param>
    /// <param name="comparerName">A registered comparer name, or null, if the set is created.</param>
    /// <returns>The handle.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidOperationException">The comparer name is not registered in this process.</exception>
    /// <exception cref="InterprocessException">The name holds an object of another type, or the segment is full.</exception>
    public static SharedHashSet<T> FindOrCreate(SegmentManager manager, string name, AllocatorKind allocator = AllocatorKind.General, string? comparerName = null) =>
        NamedContainers.FindOrCreate(manager, name, m => Create(m, allocator, comparerName));

    /// <summary>The set stored under <paramref name="name"/>.</summary>
    /// <param name="manager">The segment's manager.</param>
    /// <param name="name">The name.</param>
    /// <returns>The handle.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InterprocessException">No object has that name, or it has another type.</exception>
    public static SharedHashSet<T> Find(SegmentManager manager, string name) => NamedContainers.Find<SharedHashSet<T>>(manager, name);

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
    public static bool Destroy(SegmentManager manager, string name) => NamedContainers.Destroy<SharedHashSet<T>>(manager, name);

    /// <summary>Adds an element unless it is already there.</summary>
    /// <param name="item">The element.</param>
    /// <returns>True if it was added.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle; the segment is not open; an unregistered comparer.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The segment is full, or the set is corrupted.</exception>
    public readonly bool Add(T item)
    {
        var h = Write(out var m);
        HashCore<T, byte>.FindOrInsert(h, m, in item, HashCore<T, byte>.Comparer(h, m), out bool found);
        return !found;
    }

    /// <summary>Removes an element (destroying the stored one if it owns segment memory).</summary>
    /// <param name="item">The element.</param>
    /// <returns>Whether it was there.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle; the segment is not open; an unregistered comparer.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The set is corrupted.</exception>
    public readonly bool Remove(T item)
    {
        var h = Write(out var m);
        var s = HashCore<T, byte>.Find(h, m, in item, HashCore<T, byte>.Comparer(h, m));
        if (s == null)
        {
            return false;
        }

        HashCore<T, byte>.RemoveSlot(h, m, s);
        return true;
    }

    /// <summary>Whether <paramref name="item"/> is in the set.</summary>
    /// <param name="item">The element.</param>
    /// <returns>True if it is.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle; the segment is not open; an unregistered comparer.</exception>
    /// <exception cref="InterprocessException">The set is corrupted.</exception>
    public readonly bool Contains(T item)
    {
        var h = Read(out var m);
        return HashCore<T, byte>.Find(h, m, in item, HashCore<T, byte>.Comparer(h, m)) != null;
    }

    /// <summary>The stored element equal to <paramref name="equalValue"/>, if any (useful when equality is not identity).</summary>
    /// <param name="equalValue">The value to look for.</param>
    /// <param name="actualValue">The stored element, or default.</param>
    /// <returns>Whether one was found.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle; the segment is not open; an unregistered comparer.</exception>
    /// <exception cref="InterprocessException">The set is corrupted.</exception>
    public readonly bool TryGetValue(T equalValue, out T actualValue)
    {
        var h = Read(out var m);
        var s = HashCore<T, byte>.Find(h, m, in equalValue, HashCore<T, byte>.Comparer(h, m));
        actualValue = s == null ? default : s->Key;
        return s != null;
    }

    /// <summary>Removes every element (destroying those that own segment memory); keeps the capacity.</summary>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    public readonly void Clear()
    {
        var h = Write(out var m);
        HashCore<T, byte>.Clear(h, m);
    }

    /// <summary>Makes room for <paramref name="capacity"/> elements without growing again.</summary>
    /// <param name="capacity">The number of elements.</param>
    /// <returns>The number of elements the set now holds before it grows.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is negative.</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The segment is full.</exception>
    public readonly int EnsureCapacity(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        var h = Write(out var m);
        _ = HashCore<T, byte>.Comparer(h, m);
        if (capacity > HashCore<T, byte>.Threshold(h, h->Capacity))
        {
            HashCore<T, byte>.Resize(h, m, capacity, grow: true);
        }

        return (int)HashCore<T, byte>.Threshold(h, h->Capacity);
    }

    /// <summary>Shrinks the table to the smallest capacity that holds <see cref="Count"/> elements.</summary>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The segment is full.</exception>
    public readonly void TrimExcess()
    {
        var h = Write(out var m);
        _ = HashCore<T, byte>.Comparer(h, m);
        HashCore<T, byte>.Resize(h, m, h->Count, grow: false);
    }

    /// <summary>Frees the set and its elements; every handle to it becomes stale.</summary>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    public readonly void Destroy()
    {
        var h = Write(out var m);
        HashCore<T, byte>.Free(h, m);
        _h.FreeHeader(&h->Prefix, m);
    }

    /// <summary>A copy of the contents in a <see cref="HashSet{T}"/>.</summary>
    /// <returns>The set.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open.</exception>
    public readonly HashSet<T> ToHashSet()
    {
        var s = new HashSet<T>(Count);
        foreach (var x in this)
        {
            s.Add(x);
        }

        return s;
    }

    /// <summary>An enumerator over the elements (in table order); the set must not change while it runs.</summary>
    /// <returns>The enumerator.</returns>
    public readonly Enumerator GetEnumerator() => new(_h);

    /// <inheritdoc />
    readonly IEnumerator<T> IEnumerable<T>.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    readonly IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Whether both handles refer to the same set.</summary>
    /// <param name="other">The other handle.</param>
    /// <returns>True for the same set.</returns>
    public readonly bool Equals(SharedHashSet<T> other) => _h.SegmentId == other._h.SegmentId && _h.Header == other._h.Header && _h.Stamp == other._h.Stamp;

    /// <inheritdoc />
    public override readonly bool Equals(object? obj) => obj is SharedHashSet<T> o && Equals(o);

    /// <inheritdoc />
    public override readonly int GetHashCode() => HashCode.Combine(_h.SegmentId, _h.Header, _h.Stamp);

    /// <inheritdoc />
    public override readonly string ToString() => $"SharedHashSet<{typeof(T).Name}> {_h}";

    /// <summary>Whether two handles refer to the same set.</summary>
    /// <param name="left">A handle.</param>
    /// <param name="right">A handle.</param>
    /// <returns>True for the same set.</returns>
    public static bool operator ==(SharedHashSet<T> left, SharedHashSet<T> right) => left.Equals(right);

    /// <summary>Whether two handles refer to different sets.</summary>
    /// <param name="left">A handle.</param>
    /// <param name="right">A handle.</param>
    /// <returns>True for different sets.</returns>
    public static bool operator !=(SharedHashSet<T> left, SharedHashSet<T> right) => !left.Equals(right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal readonly HashHeader* Read(out SegmentManager m) =>
        _h.Resolve<HashHeader>(Magic, ContainerTypeCheck<SharedHashSet<T>>.Value, out m);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal readonly HashHeader* Write(out SegmentManager m) =>
        _h.ResolveForWrite<HashHeader>(Magic, ContainerTypeCheck<SharedHashSet<T>>.Value, out m);

    /// <summary>Enumerates a set's elements without allocating.</summary>
    public struct Enumerator : IEnumerator<T>
    {
        private readonly ContainerHandle _h;
        private long _index;
        private long _version;
        private bool _started;
        private T _current;

        internal Enumerator(ContainerHandle h)
        {
            _h = h;
            _index = -1;
        }

        /// <summary>The current element.</summary>
        public readonly T Current => _current;

        /// <inheritdoc />
        readonly object IEnumerator.Current => _current;

        /// <summary>Moves to the next element.</summary>
        /// <returns>False at the end.</returns>
        /// <exception cref="InvalidOperationException">The set changed since the enumeration began, or the handle is stale.</exception>
        /// <exception cref="InterprocessException">The set is corrupted.</exception>
        public bool MoveNext()
        {
            var h = _h.Resolve<HashHeader>(Magic, ContainerTypeCheck<SharedHashSet<T>>.Value, out var m);
            if (!_started)
            {
                _started = true;
                _version = h->Version;
            }
            else if (h->Version != _version)
            {
                throw new InvalidOperationException("The set was changed during the enumeration.");
            }

            var t = HashCore<T, byte>.Table(h, m, out ulong mask);
            if (t == null)
            {
                return false;
            }

            while ((ulong)++_index <= mask)
            {
                if (t[_index].Meta != 0)
                {
                    _current = t[_index].Key;
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
