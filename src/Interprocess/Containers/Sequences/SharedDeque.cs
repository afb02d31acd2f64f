using System.Collections;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Interprocess.Managed;

namespace Interprocess.Containers;

/// <summary>
/// A double-ended queue stored in a managed segment and usable from every process that maps it (Boost's
/// <c>deque</c>): O(1) insertion and removal at both ends, O(1) indexing, elements in fixed-size blocks that
/// never move when the deque grows at either end. The value of this type is a handle: copying it gives another
/// handle to the same deque.
/// </summary>
/// <typeparam name="T">The element type; it may be a container handle (removed elements are destroyed).</typeparam>
/// <remarks>
/// <para>Blocks of about 1 KiB (at least 8 elements) from the header's allocator, found through a map: a ring of
/// block handles that doubles when full (only the handles are copied). Every block handle is checked against the
/// mapping before use. A <c>ref</c> from the indexer stays valid until that element is removed (growth at the
/// ends never moves elements; <see cref="Insert"/> and <see cref="RemoveAt"/> shift them).</para>
/// <para>Not synchronized: guard a deque that several processes change with an <c>InterprocessMutex</c>.</para>
/// </remarks>
/// <example>
/// <code>
/// // Process A (producer)
/// var q = SharedDeque&lt;long&gt;.FindOrCreate(shm.Manager, "work");
/// mutex.Lock(); try { q.AddLast(42); } finally { mutex.Unlock(); }
/// // Process B (consumer)
/// var q = SharedDeque&lt;long&gt;.Find(shm.Manager, "work");
/// mutex.Lock(); try { if (q.TryTakeFirst(out long job)) Run(job); } finally { mutex.Unlock(); }
/// </code>
/// </example>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct SharedDeque<T> : ISegmentOwned, IEquatable<SharedDeque<T>>, IEnumerable<T>
    where T : unmanaged
{
    /// <summary>The kind tag "DEQU".</summary>
    private const uint Magic = 'D' | ('E' << 8) | ('Q' << 16) | ((uint)'U' << 24);

    private const string Kind = "deque";

    /// <summary>log2 of the elements per block: about 1 KiB per block, at least 8 elements.</summary>
    private static readonly int s_shift = Math.Max(3, BitOperations.Log2((uint)Math.Max(1, 1024 / sizeof(T))));

    /// <summary>The handle.</summary>
    private ContainerHandle _h;

    private SharedDeque(ContainerHandle h) => _h = h;

    /// <summary>Whether this is a default handle (no deque).</summary>
    public readonly bool IsDefault => _h.IsDefault;

    /// <summary>The manager of the segment the deque lives in.</summary>
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

    private static long BlockBytes => (long)sizeof(T) << s_shift;

    /// <summary>A reference to element <paramref name="index"/>, in the segment.</summary>
    /// <param name="index">0 is the front.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not in [0, Count).</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open.</exception>
    /// <exception cref="InterprocessException">The deque is corrupted.</exception>
    public readonly ref T this[int index]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            var h = Read(out var m);
            if ((ulong)index >= (ulong)h->Count)
            {
                ThrowIndex(index, h->Count);
            }

            return ref *At(h, m, index);
        }
    }

    /// <summary>Creates an empty anonymous deque; the caller owns it (<see cref="Destroy()"/>).</summary>
    /// <param name="manager">The segment's manager.</param>
    /// <param name="allocator">Where blocks come from.</param>
    /// <returns>The handle.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="manager"/> is null.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The segment is full.</exception>
    public static SharedDeque<T> Create(SegmentManager manager, AllocatorKind allocator = AllocatorKind.General)
    {
        var h = ContainerHandle.Create<DequeHeader>(manager, Magic, ContainerTypeCheck<SharedDeque<T>>.Value, out var header);
        header->Allocator.Initialize(allocator, (int)BlockBytes);
        header->BlockShift = s_shift;
        return new SharedDeque<T>(h);
    }

    /// <summary>Creates an empty deque stored under <paramref name="name"/>.</summary>
    /// <param name="manager">The segment's manager.</param>
    /// <param name="name">The name.</param>
    /// <param name="allocator">Where blocks come from.</param>
    /// <returns>The handle.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The name is taken, or the segment is full.</exception>
    public static SharedDeque<T> Create(SegmentManager manager, string name, AllocatorKind allocator = AllocatorKind.General) =>
        NamedContainers.Create(manager, name, m => Create(m, allocator), c => c.Destroy());

    /// <summary>The deque stored under <paramref name="name"/>, or a new empty one stored there (atomically).</summary>
    /// <param name="manager">The segment's manager.</param>
    /// <param name="name">The name.</param>
    /// <param name="allocator">Where blocks come from, if the deque is created.</param>
    /// <returns>The handle.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InterprocessException">The name holds an object of another type, or the segment is full.</exception>
    public static SharedDeque<T> FindOrCreate(SegmentManager manager, string name, AllocatorKind allocator = AllocatorKind.General) =>
        NamedContainers.FindOrCreate(manager, name, m => Create(m, allocator));

    /// <summary>The deque stored under <paramref name="name"/>.</summary>
    /// <param name="manager">The segment's manager.</param>
    /// <param name="name">The name.</param>
    /// <returns>The handle.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InterprocessException">No object has that name, or it has another type.</exception>
    public static SharedDeque<T> Find(SegmentManager manager, string name) => NamedContainers.Find<SharedDeque<T>>(manager, name);

    /// <summary>
    /// Destroys the deque stored under <paramref name="name"/> (its elements too) and removes the name, in one step under the
    /// segment's lock (Boost's <c>destroy&lt;T&gt;(name)</c>; <see cref="SegmentManager.Destroy{T}(string)"/> alone only removes the name).
    /// </summary>
    /// <param name="manager">The segment's manager.</param>
    /// <param name="name">The name.</param>
    /// <returns>False when no object has that name.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="manager"/> or <paramref name="name"/> is null.</exception>
    /// <exception cref="InvalidCastException">The name holds an object of another type.</exception>
    /// <exception cref="InvalidOperationException">The stored handle is stale (the deque was destroyed through another handle); the name is kept.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public static bool Destroy(SegmentManager manager, string name) => NamedContainers.Destroy<SharedDeque<T>>(manager, name);

    /// <summary>Adds an element at the back (Boost's <c>push_back</c>).</summary>
    /// <param name="value">The element.</param>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The segment is full, or the deque is corrupted.</exception>
    public readonly void AddLast(T value)
    {
        var h = Write(out var m);
        PushBack(h, m, value);
    }

    /// <summary>Adds an element at the front (Boost's <c>push_front</c>).</summary>
    /// <param name="value">The element.</param>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The segment is full, or the deque is corrupted.</exception>
    public readonly void AddFirst(T value)
    {
        var h = Write(out var m);
        PushFront(h, m, value);
    }

    /// <summary>Removes the first element (destroying it if it owns segment memory).</summary>
    /// <exception cref="InvalidOperationException">The deque is empty; a default or stale handle, or the segment is not open.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The deque is corrupted.</exception>
    public readonly void RemoveFirst()
    {
        var h = Write(out var m);
        ThrowIfEmpty(h);
        SegmentOwned<T>.Destroy(ref *At(h, m, 0));
        PopFront(h, m);
    }

    /// <summary>Removes the last element (destroying it if it owns segment memory).</summary>
    /// <exception cref="InvalidOperationException">The deque is empty; a default or stale handle, or the segment is not open.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The deque is corrupted.</exception>
    public readonly void RemoveLast()
    {
        var h = Write(out var m);
        ThrowIfEmpty(h);
        SegmentOwned<T>.Destroy(ref *At(h, m, h->Count - 1));
        PopBack(h, m);
    }

    /// <summary>Removes the first element and gives it to the caller (not destroyed: the caller owns it now).</summary>
    /// <param name="value">The element, or default.</param>
    /// <returns>False if the deque was empty.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The deque is corrupted.</exception>
    public readonly bool TryTakeFirst(out T value)
    {
        var h = Write(out var m);
        if (h->Count == 0)
        {
            value = default;
            return false;
        }

        value = *At(h, m, 0);
        PopFront(h, m);
        return true;
    }

    /// <summary>Removes the last element and gives it to the caller (not destroyed: the caller owns it now).</summary>
    /// <param name="value">The element, or default.</param>
    /// <returns>False if the deque was empty.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The deque is corrupted.</exception>
    public readonly bool TryTakeLast(out T value)
    {
        var h = Write(out var m);
        if (h->Count == 0)
        {
            value = default;
            return false;
        }

        value = *At(h, m, h->Count - 1);
        PopBack(h, m);
        return true;
    }

    /// <summary>Inserts an element at <paramref name="index"/>, shifting the shorter side by one.</summary>
    /// <param name="index">0 to Count.</param>
    /// <param name="value">The element.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not in [0, Count].</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The segment is full, or the deque is corrupted.</exception>
    public readonly void Insert(int index, T value)
    {
        var h = Write(out var m);
        long n = h->Count;
        if ((ulong)index > (ulong)n)
        {
            ThrowIndex(index, n + 1);
        }

        if (index < n / 2)
        {
            PushFront(h, m, index == 0 ? value : *At(h, m, 0));
            for (long k = 1; k < index; k++)
            {
                *At(h, m, k) = *At(h, m, k + 1);
            }
        }
        else
        {
            PushBack(h, m, index == n ? value : *At(h, m, n - 1));
            for (long k = n - 1; k > index; k--)
            {
                *At(h, m, k) = *At(h, m, k - 1);
            }
        }

        *At(h, m, index) = value;
    }

    /// <summary>Removes the element at <paramref name="index"/> (destroying it if it owns segment memory), shifting the shorter side.</summary>
    /// <param name="index">0 to Count - 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not in [0, Count).</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The deque is corrupted.</exception>
    public readonly void RemoveAt(int index)
    {
        var h = Write(out var m);
        long n = h->Count;
        if ((ulong)index >= (ulong)n)
        {
            ThrowIndex(index, n);
        }

        SegmentOwned<T>.Destroy(ref *At(h, m, index));
        if (index < n / 2)
        {
            for (long k = index; k > 0; k--)
            {
                *At(h, m, k) = *At(h, m, k - 1);
            }

            PopFront(h, m);
        }
        else
        {
            for (long k = index; k < n - 1; k++)
            {
                *At(h, m, k) = *At(h, m, k + 1);
            }

            PopBack(h, m);
        }
    }

    /// <summary>Removes every element (destroying those that own segment memory) and frees the blocks.</summary>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The deque is corrupted.</exception>
    public readonly void Clear()
    {
        var h = Write(out var m);
        ClearAll(h, m);
    }

    /// <summary>Frees the deque and its elements; every handle to it becomes stale.</summary>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The deque is corrupted.</exception>
    public readonly void Destroy()
    {
        var h = Write(out var m);
        ClearAll(h, m);
        if (h->Map != 0)
        {
            h->Allocator.Deallocate(m, h->Map, h->MapCapacity * sizeof(long));
            h->Map = 0;
            h->MapCapacity = 0;
        }

        h->Allocator.Release(m);
        _h.FreeHeader(&h->Prefix, m);
    }

    /// <summary>Copies the elements, front to back, into <paramref name="destination"/>.</summary>
    /// <param name="destination">At least <see cref="Count"/> long.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too short.</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open.</exception>
    /// <exception cref="InterprocessException">The deque is corrupted.</exception>
    public readonly void CopyTo(Span<T> destination)
    {
        var h = Read(out var m);
        long n = h->Count;
        if (destination.Length < n)
        {
            throw new ArgumentException($"The destination holds {destination.Length} elements; the deque has {n}.", nameof(destination));
        }

        long i = 0;
        while (i < n)
        {
            // One block at a time: the run from element i to the end of its block.
            long q = h->Start + i;
            long inBlock = Math.Min(n - i, (1L << s_shift) - (q & ((1L << s_shift) - 1)));
            new ReadOnlySpan<T>(At(h, m, i), (int)inBlock).CopyTo(destination[(int)i..]);
            i += inBlock;
        }
    }

    /// <summary>A copy of the elements, front to back.</summary>
    /// <returns>The array.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open.</exception>
    public readonly T[] ToArray()
    {
        var a = new T[Count];
        CopyTo(a);
        return a;
    }

    /// <summary>A copy of the elements, front to back.</summary>
    /// <returns>The list.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open.</exception>
    public readonly List<T> ToList() => [.. ToArray()];

    /// <summary>An enumerator front to back; the deque must not change while it runs.</summary>
    /// <returns>The enumerator.</returns>
    public readonly Enumerator GetEnumerator() => new(_h);

    /// <inheritdoc />
    readonly IEnumerator<T> IEnumerable<T>.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    readonly IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Whether both handles refer to the same deque.</summary>
    /// <param name="other">The other handle.</param>
    /// <returns>True for the same deque.</returns>
    public readonly bool Equals(SharedDeque<T> other) => _h.SegmentId == other._h.SegmentId && _h.Header == other._h.Header && _h.Stamp == other._h.Stamp;

    /// <inheritdoc />
    public override readonly bool Equals(object? obj) => obj is SharedDeque<T> o && Equals(o);

    /// <inheritdoc />
    public override readonly int GetHashCode() => HashCode.Combine(_h.SegmentId, _h.Header, _h.Stamp);

    /// <inheritdoc />
    public override readonly string ToString() => $"SharedDeque<{typeof(T).Name}> {_h}";

    /// <summary>Whether two handles refer to the same deque.</summary>
    /// <param name="left">A handle.</param>
    /// <param name="right">A handle.</param>
    /// <returns>True for the same deque.</returns>
    public static bool operator ==(SharedDeque<T> left, SharedDeque<T> right) => left.Equals(right);

    /// <summary>Whether two handles refer to different deques.</summary>
    /// <param name="left">A handle.</param>
    /// <param name="right">A handle.</param>
    /// <returns>True for different deques.</returns>
    public static bool operator !=(SharedDeque<T> left, SharedDeque<T> right) => !left.Equals(right);

    /// <summary>The address of element <paramref name="i"/> (0 &lt;= i &lt; Count, or the slot just past either end when its block exists).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T* At(DequeHeader* h, SegmentManager m, long i)
    {
        long q = h->Start + i;
        long* map = MapOf(h, m);
        long block = map[(h->FirstBlock + (q >> s_shift)) & (h->MapCapacity - 1)];
        return (T*)Links.At(m, block, BlockBytes, Kind) + (q & ((1L << s_shift) - 1));
    }

    /// <summary>The map, checked against the mapping.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long* MapOf(DequeHeader* h, SegmentManager m)
    {
        long cap = h->MapCapacity;
        if (cap <= 0 || (cap & (cap - 1)) != 0 || cap > (1L << 40) || (ulong)h->BlockCount > (ulong)cap)
        {
            ThrowBadMap(h, m);
        }

        return (long*)Links.At(m, h->Map, cap * sizeof(long), Kind);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowBadMap(DequeHeader* h, SegmentManager m) =>
        Links.ThrowCorrupted(m, Kind, $"its map capacity is {h->MapCapacity} with {h->BlockCount} blocks");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowBadHeader(DequeHeader* h, SegmentManager m) =>
        Links.ThrowCorrupted(m, Kind, $"its header does not add up (block shift {h->BlockShift}, start {h->Start}, count {h->Count}, blocks {h->BlockCount})");

    private static void ThrowIfEmpty(DequeHeader* h)
    {
        if (h->Count == 0)
        {
            throw new InvalidOperationException("The deque is empty.");
        }
    }

    private static void ThrowIndex(long index, long count) =>
        throw new ArgumentOutOfRangeException(nameof(index), index, $"The index must be at least 0 and less than {count}.");

    private static void PushBack(DequeHeader* h, SegmentManager m, T value)
    {
        if (h->Start + h->Count == h->BlockCount << s_shift)
        {
            // The last block is full (or there is none): one more at the end of the ring.
            EnsureMapRoom(h, m);
            long block = NewBlock(h, m);
            MapOf(h, m)[(h->FirstBlock + h->BlockCount) & (h->MapCapacity - 1)] = block;
            h->BlockCount++;
        }

        *At(h, m, h->Count) = value;
        h->Count++;
        h->Version++;
    }

    private static void PushFront(DequeHeader* h, SegmentManager m, T value)
    {
        if (h->Start == 0)
        {
            // The first block is full at its front (or there is none): one more before it.
            EnsureMapRoom(h, m);
            long block = NewBlock(h, m);
            h->FirstBlock = (h->FirstBlock - 1) & (h->MapCapacity - 1);
            MapOf(h, m)[h->FirstBlock] = block;
            h->BlockCount++;
            h->Start = 1L << s_shift;
        }

        h->Start--;
        h->Count++;
        *At(h, m, 0) = value;
        h->Version++;
    }

    private static void PopFront(DequeHeader* h, SegmentManager m)
    {
        h->Start++;
        h->Count--;
        h->Version++;
        if (h->Start == 1L << s_shift || h->Count == 0)
        {
            // The first block is empty now.
            long* map = MapOf(h, m);
            if (h->Count == 0)
            {
                ReleaseBlocks(h, m);
                return;
            }

            FreeBlock(h, m, map[h->FirstBlock]);
            h->FirstBlock = (h->FirstBlock + 1) & (h->MapCapacity - 1);
            h->BlockCount--;
            h->Start = 0;
        }
    }

    private static void PopBack(DequeHeader* h, SegmentManager m)
    {
        h->Count--;
        h->Version++;
        if (h->Count == 0)
        {
            ReleaseBlocks(h, m);
            return;
        }

        if (h->Start + h->Count <= (h->BlockCount - 1) << s_shift)
        {
            // The last block is empty now.
            long* map = MapOf(h, m);
            long last = (h->FirstBlock + h->BlockCount - 1) & (h->MapCapacity - 1);
            FreeBlock(h, m, map[last]);
            h->BlockCount--;
        }
    }

    /// <summary>Frees every block in use (the deque is empty); keeps one as the spare and the map.</summary>
    private static void ReleaseBlocks(DequeHeader* h, SegmentManager m)
    {
        if (h->BlockCount > 0)
        {
            long* map = MapOf(h, m);
            for (long b = 0; b < h->BlockCount; b++)
            {
                FreeBlock(h, m, map[(h->FirstBlock + b) & (h->MapCapacity - 1)]);
            }
        }

        h->BlockCount = 0;
        h->FirstBlock = 0;
        h->Start = 0;
    }

    private static void ClearAll(DequeHeader* h, SegmentManager m)
    {
        if (SegmentOwned<T>.IsOwned)
        {
            for (long i = 0; i < h->Count; i++)
            {
                SegmentOwned<T>.Destroy(ref *At(h, m, i));
            }
        }

        h->Count = 0;
        h->Version++;
        ReleaseBlocks(h, m);
        if (h->Spare != 0)
        {
            h->Allocator.Deallocate(m, h->Spare, BlockBytes);
            h->Spare = 0;
        }
    }

    private static long NewBlock(DequeHeader* h, SegmentManager m)
    {
        long spare = h->Spare;
        if (spare != 0)
        {
            _ = Links.At(m, spare, BlockBytes, Kind);
            h->Spare = 0;
            return spare;
        }

        return h->Allocator.Allocate(m, BlockBytes);
    }

    private static void FreeBlock(DequeHeader* h, SegmentManager m, long block)
    {
        _ = Links.At(m, block, BlockBytes, Kind);
        if (h->Spare == 0)
        {
            h->Spare = block;
        }
        else
        {
            h->Allocator.Deallocate(m, block, BlockBytes);
        }
    }

    /// <summary>Makes sure the map ring has a free entry, doubling it (copying block handles in order) when full.</summary>
    private static void EnsureMapRoom(DequeHeader* h, SegmentManager m)
    {
        long cap = h->MapCapacity;
        if (cap != 0 && h->BlockCount < cap)
        {
            return;
        }

        long newCap = Math.Max(8, cap * 2);
        long map = h->Allocator.Allocate(m, newCap * sizeof(long));
        long* dst = (long*)(m.BasePointer + map);
        NativeMemory.Clear(dst, (nuint)(newCap * sizeof(long)));
        if (cap != 0)
        {
            long* src = MapOf(h, m);
            for (long b = 0; b < h->BlockCount; b++)
            {
                dst[b] = src[(h->FirstBlock + b) & (cap - 1)];
            }

            h->Allocator.Deallocate(m, h->Map, cap * sizeof(long));
        }

        h->Map = map;
        h->MapCapacity = newCap;
        h->FirstBlock = 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly DequeHeader* Read(out SegmentManager m)
    {
        var h = _h.Resolve<DequeHeader>(Magic, ContainerTypeCheck<SharedDeque<T>>.Value, out m);
        Check(h, m);
        return h;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly DequeHeader* Write(out SegmentManager m)
    {
        var h = _h.ResolveForWrite<DequeHeader>(Magic, ContainerTypeCheck<SharedDeque<T>>.Value, out m);
        Check(h, m);
        return h;
    }

    /// <summary>The header's sizes agree with each other: every element index maps to a block in use.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Check(DequeHeader* h, SegmentManager m)
    {
        if (h->BlockShift != s_shift || (ulong)h->Start > (1UL << s_shift) || (ulong)h->Count > (ulong)((h->BlockCount << s_shift) - h->Start))
        {
            ThrowBadHeader(h, m);
        }
    }

    /// <summary>Enumerates a deque's elements front to back without allocating.</summary>
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
        /// <exception cref="InvalidOperationException">The deque changed since the enumeration began, or the handle is stale.</exception>
        /// <exception cref="InterprocessException">The deque is corrupted.</exception>
        public bool MoveNext()
        {
            var h = new SharedDeque<T>(_h).Read(out var m);
            if (!_started)
            {
                _started = true;
                _version = h->Version;
            }
            else if (h->Version != _version)
            {
                throw new InvalidOperationException("The deque was changed during the enumeration.");
            }

            if (_index + 1 >= h->Count)
            {
                _index = h->Count;
                return false;
            }

            _current = *At(h, m, ++_index);
            return true;
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
