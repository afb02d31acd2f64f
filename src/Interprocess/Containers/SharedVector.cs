using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Interprocess.Managed;

namespace Interprocess.Containers;

/// <summary>
/// A growable array of <typeparamref name="T"/> stored in a managed segment and usable from every process that
/// maps it (Boost's <c>boost::interprocess::vector</c>, .NET's <see cref="List{T}"/>).
/// </summary>
/// <typeparam name="T">An unmanaged element type; it may itself be a container handle (a vector of
/// <see cref="SharedString"/>), whose memory <see cref="Destroy()"/>, <see cref="RemoveAt"/> and <see cref="Clear"/> free.</typeparam>
/// <remarks>
/// <para><b>A handle.</b> This struct is a reference to the vector, like a variable of a class type: copying it
/// (to a field, another container, shared memory) gives another handle to the same vector, never a second vector
/// and never a corrupted one. It holds no address, so it works in every process that has the segment open. Every
/// operation checks the handle first; a default handle, a destroyed vector or a segment that is not open throw
/// <see cref="InvalidOperationException"/>.</para>
/// <para><b>Not synchronized</b> (as in Boost): guard a vector used by several threads or processes with an
/// <see cref="Synchronization.InterprocessMutex"/> or a sharable lock. References and spans into the vector
/// (<see cref="this[int]"/>, <see cref="AsSpan"/>) are valid until the next change of its size or capacity.</para>
/// <para><b>Growth.</b> The capacity doubles (at least 4), as in <see cref="List{T}"/>; the buffer first tries to grow
/// in place (<see cref="SegmentManager.TryExpandInPlace"/>, Boost's <c>expand_fwd</c>) and moves only when it cannot.</para>
/// </remarks>
/// <example>
/// <code>
/// // process A
/// using var shm = ManagedSharedMemory.CreateNew("prices", 64 &lt;&lt; 20);
/// ref var mutex = ref shm.Manager.Construct("prices-lock", new InterprocessMutex());
/// var prices = SharedVector&lt;double&gt;.Create(shm.Manager, "prices");
/// mutex.Lock();
/// prices.Add(101.5);
/// mutex.Unlock();
///
/// // process B
/// using var shm = ManagedSharedMemory.OpenExisting("prices");
/// ref var mutex = ref shm.Manager.Find&lt;InterprocessMutex&gt;("prices-lock").Value;
/// var prices = SharedVector&lt;double&gt;.Find(shm.Manager, "prices");
/// mutex.Lock();
/// prices[0] *= 2;            // process A sees 203
/// mutex.Unlock();
/// </code>
/// </example>
[StructLayout(LayoutKind.Sequential)]
public readonly unsafe partial struct SharedVector<T> : ISegmentOwned, IEquatable<SharedVector<T>>
    where T : unmanaged
{
    private readonly ContainerHandle _h;

    private SharedVector(ContainerHandle h) => _h = h;

    /// <summary>Whether this is a default handle (no vector).</summary>
    public bool IsDefault => _h.IsDefault;

    /// <summary>The manager of the vector's segment in this process.</summary>
    /// <exception cref="InvalidOperationException">A default handle, or the segment is not open in this process.</exception>
    public SegmentManager Manager => SegmentRegistry.Resolve(_h.SegmentId);

    /// <summary>The number of elements.</summary>
    /// <exception cref="InvalidOperationException">A default or stale handle.</exception>
    /// <exception cref="InterprocessException">The vector is corrupted.</exception>
    public int Count
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Read(out _)->Count;
    }

    /// <summary>The number of elements the buffer holds before it must grow.</summary>
    /// <exception cref="InvalidOperationException">A default or stale handle.</exception>
    public int Capacity => Read(out _)->Capacity;

    /// <summary>A reference to the element at <paramref name="index"/>, valid until the vector's size or capacity changes.</summary>
    /// <param name="index">0 to <see cref="Count"/> - 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is out of range.</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only (read with <see cref="Get"/> or <see cref="AsReadOnlySpan"/>).</exception>
    /// <exception cref="InterprocessException">The vector is corrupted.</exception>
    public ref T this[int index]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            var h = Write(out var m);
            T* data = Data(h, m);
            if ((uint)index >= (uint)h->Count)
            {
                ThrowIndex(index, h->Count);
            }

            return ref data[index];
        }
    }

    /// <summary>Creates an empty vector (anonymous: keep the handle, or store it in another container).</summary>
    /// <param name="manager">The segment's manager.</param>
    /// <param name="allocator">The allocator kind (a vector's buffer always takes the general path; see <see cref="AllocatorKind"/>).</param>
    /// <returns>The handle.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="manager"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An unknown allocator kind.</exception>
    /// <exception cref="InterprocessException">The segment is full.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public static SharedVector<T> Create(SegmentManager manager, AllocatorKind allocator = AllocatorKind.General)
    {
        ArgumentNullException.ThrowIfNull(manager);
        if ((uint)allocator > (uint)AllocatorKind.CachedAdaptivePool)
        {
            throw new ArgumentOutOfRangeException(nameof(allocator), allocator, "Unknown allocator kind.");
        }

        var h = ContainerHandle.Create<VectorHeader>(manager, VectorHeader.MagicValue, ContainerTypeCheck<SharedVector<T>>.Value, out var header);
        header->Alloc.Initialize(allocator, 0);
        return new SharedVector<T>(h);
    }

    /// <summary>Creates an empty vector stored under <paramref name="name"/>.</summary>
    /// <param name="manager">The segment's manager.</param>
    /// <param name="name">The name.</param>
    /// <param name="allocator">The allocator kind.</param>
    /// <returns>The handle.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="manager"/> or <paramref name="name"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An unknown allocator kind.</exception>
    /// <exception cref="InterprocessException">The name is taken, or the segment is full.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only or has no name index.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public static SharedVector<T> Create(SegmentManager manager, string name, AllocatorKind allocator = AllocatorKind.General) =>
        NamedContainers.Create(manager, name, m => Create(m, allocator), v => v.Destroy());

    /// <summary>The vector stored under <paramref name="name"/>, or a new empty one stored under it (atomically: two processes racing get the same vector).</summary>
    /// <param name="manager">The segment's manager.</param>
    /// <param name="name">The name.</param>
    /// <param name="allocator">The allocator kind of a new vector.</param>
    /// <returns>The handle.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="manager"/> or <paramref name="name"/> is null.</exception>
    /// <exception cref="InvalidCastException">The name holds an object of another type.</exception>
    /// <exception cref="InterprocessException">The segment is full.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only or has no name index.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public static SharedVector<T> FindOrCreate(SegmentManager manager, string name, AllocatorKind allocator = AllocatorKind.General) =>
        NamedContainers.FindOrCreate(manager, name, m => Create(m, allocator));

    /// <summary>The vector stored under <paramref name="name"/>.</summary>
    /// <param name="manager">The segment's manager.</param>
    /// <param name="name">The name.</param>
    /// <returns>The handle.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="manager"/> or <paramref name="name"/> is null.</exception>
    /// <exception cref="InterprocessException">No object has that name.</exception>
    /// <exception cref="InvalidCastException">The name holds an object of another type.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public static SharedVector<T> Find(SegmentManager manager, string name) => NamedContainers.Find<SharedVector<T>>(manager, name);

    /// <summary>Destroys the vector stored under <paramref name="name"/> and removes the name.</summary>
    /// <param name="manager">The segment's manager.</param>
    /// <param name="name">The name.</param>
    /// <returns>False when no object has that name.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="manager"/> or <paramref name="name"/> is null.</exception>
    /// <exception cref="InvalidCastException">The name holds an object of another type.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public static bool Destroy(SegmentManager manager, string name)
    {
        ArgumentNullException.ThrowIfNull(manager);
        if (!manager.TryFind<SharedVector<T>>(name, out var found))
        {
            return false;
        }

        var v = found.Value;
        if (!v.IsDefault)
        {
            v.Destroy();
        }

        return manager.Destroy<SharedVector<T>>(name);
    }

    /// <summary>Frees the buffer, the elements' own memory (nested containers) and the header; every handle to the vector becomes stale.</summary>
    /// <exception cref="InvalidOperationException">A default or stale handle.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The vector is corrupted.</exception>
    public void Destroy()
    {
        var h = Write(out var m);
        if (h->Data != 0)
        {
            T* data = Data(h, m);
            SegmentOwned<T>.DestroyAll(new Span<T>(data, h->Count));
            ReleaseBuffer(h, m);
        }

        h->Count = 0;
        h->Capacity = 0;
        h->Alloc.Release(m);
        _h.FreeHeader(&h->Prefix, m);
    }

    /// <summary>Adds an element at the end (Boost's <c>push_back</c>).</summary>
    /// <param name="item">The element.</param>
    /// <exception cref="InvalidOperationException">A default or stale handle.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The segment is full, or the vector is corrupted.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(T item)
    {
        var h = Write(out var m);
        int count = h->Count;
        if ((uint)count < (uint)h->Capacity)
        {
            // Only the slot written is checked against the mapping (one unsigned compare): the buffer handle and the
            // count come from shared memory, and a damaged pair must not reach outside it. A slot that fails the
            // fast bound (a damaged buffer, a large element, or the heap's last bytes) goes to AddGrow, which checks
            // the whole buffer exactly.
            long inHeap = h->Data - SegmentHeader.HeapStart + ((long)(uint)count * sizeof(T));
            if (sizeof(T) <= SegmentManager.MaxSmallElementSize
                ? (ulong)inHeap < (ulong)m.SmallElementLimit
                : (ulong)inHeap <= (ulong)(m.HeapLimit - sizeof(T)))
            {
                *(T*)(m.BasePointer + SegmentHeader.HeapStart + inHeap) = item;
                h->Count = count + 1;
                return;
            }
        }

        AddGrow(h, m, item);
    }

    /// <summary>Adds every element of <paramref name="items"/> at the end.</summary>
    /// <param name="items">The elements (may be a span of this very vector).</param>
    /// <exception cref="InvalidOperationException">A default or stale handle.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The segment is full, or the vector is corrupted.</exception>
    public void AddRange(ReadOnlySpan<T> items) => InsertRange(Count, items);

    /// <summary>Inserts an element at <paramref name="index"/>, moving the following ones up.</summary>
    /// <param name="index">0 to <see cref="Count"/>.</param>
    /// <param name="item">The element.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is out of range.</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The segment is full, or the vector is corrupted.</exception>
    public void Insert(int index, T item) => InsertRange(index, new ReadOnlySpan<T>(in item));

    /// <summary>Inserts the elements of <paramref name="items"/> at <paramref name="index"/>.</summary>
    /// <param name="index">0 to <see cref="Count"/>.</param>
    /// <param name="items">The elements (may be a span of this very vector).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is out of range.</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The segment is full, or the vector is corrupted.</exception>
    public void InsertRange(int index, ReadOnlySpan<T> items)
    {
        var h = Write(out var m);
        T* data = Data(h, m);
        int count = h->Count;
        if ((uint)index > (uint)count)
        {
            ThrowIndex(index, count + 1);
        }

        if (items.IsEmpty)
        {
            return;
        }

        if (data != null && Overlaps(items, data, h->Capacity))
        {
            // The source is this vector: copy it out before the buffer moves or shifts.
            T[] copy = items.ToArray();
            InsertRange(index, copy);
            return;
        }

        long needed = (long)count + items.Length;
        if (needed > Array.MaxLength)
        {
            throw new InterprocessException(InterprocessErrorCode.OutOfMemory, $"A vector cannot hold more than {Array.MaxLength} elements.");
        }

        if (needed > h->Capacity)
        {
            Grow(h, m, (int)needed);
            data = Data(h, m);
        }

        new Span<T>(data + index, count - index).CopyTo(new Span<T>(data + index + items.Length, count - index));
        items.CopyTo(new Span<T>(data + index, items.Length));
        h->Count = (int)needed;
    }

    /// <summary>Removes the element at <paramref name="index"/> (destroying it if it owns segment memory), moving the following ones down.</summary>
    /// <param name="index">0 to <see cref="Count"/> - 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is out of range.</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The vector is corrupted.</exception>
    public void RemoveAt(int index) => RemoveRange(index, 1);

    /// <summary>Removes <paramref name="count"/> elements from <paramref name="index"/> (destroying them if they own segment memory).</summary>
    /// <param name="index">The first element to remove.</param>
    /// <param name="count">How many.</param>
    /// <exception cref="ArgumentOutOfRangeException">The range is not inside the vector.</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The vector is corrupted.</exception>
    public void RemoveRange(int index, int count)
    {
        var h = Write(out var m);
        int size = h->Count;
        if (index < 0 || count < 0 || index > size - count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), $"The range [{index}, +{count}) is not inside the vector of {size} elements.");
        }

        if (count == 0)
        {
            return;
        }

        T* data = Data(h, m);
        SegmentOwned<T>.DestroyAll(new Span<T>(data + index, count));
        new Span<T>(data + index + count, size - index - count).CopyTo(new Span<T>(data + index, size - index - count));
        h->Count = size - count;
    }

    /// <summary>Removes the first element equal to <paramref name="item"/> (<see cref="EqualityComparer{T}.Default"/>).</summary>
    /// <param name="item">The value.</param>
    /// <returns>Whether an element was removed.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The vector is corrupted.</exception>
    public bool Remove(T item)
    {
        int i = IndexOf(item);
        if (i < 0)
        {
            return false;
        }

        RemoveAt(i);
        return true;
    }

    /// <summary>Removes every element (destroying them if they own segment memory); the capacity stays.</summary>
    /// <exception cref="InvalidOperationException">A default or stale handle.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The vector is corrupted.</exception>
    public void Clear()
    {
        var h = Write(out var m);
        if (SegmentOwned<T>.IsOwned && h->Count > 0)
        {
            SegmentOwned<T>.DestroyAll(new Span<T>(Data(h, m), h->Count));
        }

        h->Count = 0;
    }

    /// <summary>Makes the capacity at least <paramref name="capacity"/> (Boost's <c>reserve</c>).</summary>
    /// <param name="capacity">The least capacity.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is negative or too large.</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The segment is full, or the vector is corrupted.</exception>
    public void Reserve(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, Array.MaxLength);
        var h = Write(out var m);
        _ = Data(h, m);
        if (capacity > h->Capacity)
        {
            Reallocate(h, m, capacity, capacity);
        }
    }

    /// <summary>Gives unused capacity back to the segment (Boost's <c>shrink_to_fit</c>): in place when it can.</summary>
    /// <exception cref="InvalidOperationException">A default or stale handle.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The vector is corrupted.</exception>
    public void ShrinkToFit()
    {
        var h = Write(out var m);
        _ = Data(h, m);
        if (h->Count == h->Capacity)
        {
            return;
        }

        if (h->Count == 0)
        {
            ReleaseBuffer(h, m);
            return;
        }

        // The capacity comes down before the block does: a crash in between leaves a block larger than the capacity
        // (its tail leaks), never a capacity that reaches into freed memory.
        h->Capacity = h->Count;
        long received = m.ShrinkInPlace(h->Data, (long)h->Count * sizeof(T));
        h->Capacity = (int)Math.Min(received / sizeof(T), Array.MaxLength);
    }

    /// <summary>Makes the vector <paramref name="count"/> elements long: new elements are <c>default</c>; removed ones are destroyed if they own segment memory.</summary>
    /// <param name="count">The new length.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative or too large.</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The segment is full, or the vector is corrupted.</exception>
    public void Resize(int count) => Resize(count, default);

    /// <summary>Makes the vector <paramref name="count"/> elements long, filling new ones with <paramref name="value"/>.</summary>
    /// <param name="count">The new length.</param>
    /// <param name="value">The value of added elements.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative or too large.</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The segment is full, or the vector is corrupted.</exception>
    public void Resize(int count, T value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Array.MaxLength);
        var h = Write(out var m);
        T* data = Data(h, m);
        int size = h->Count;
        if (count <= size)
        {
            SegmentOwned<T>.DestroyAll(new Span<T>(data + count, size - count));
            h->Count = count;
            return;
        }

        if (count > h->Capacity)
        {
            Grow(h, m, count);
            data = Data(h, m);
        }

        new Span<T>(data + size, count - size).Fill(value);
        h->Count = count;
    }

    /// <summary>The element at <paramref name="index"/> by value (works in a read-only segment).</summary>
    /// <param name="index">0 to <see cref="Count"/> - 1.</param>
    /// <returns>The element.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is out of range.</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle.</exception>
    /// <exception cref="InterprocessException">The vector is corrupted.</exception>
    public T Get(int index)
    {
        var h = Read(out var m);
        T* data = Data(h, m);
        if ((uint)index >= (uint)h->Count)
        {
            ThrowIndex(index, h->Count);
        }

        return data[index];
    }

    /// <summary>The elements as a span, valid until the vector's size or capacity changes.</summary>
    /// <returns>The span (<see cref="Count"/> elements).</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only (use <see cref="AsReadOnlySpan"/>).</exception>
    /// <exception cref="InterprocessException">The vector is corrupted.</exception>
    public Span<T> AsSpan()
    {
        var h = Write(out var m);
        return new Span<T>(Data(h, m), h->Count);
    }

    /// <summary>The elements as a read-only span (works in a read-only segment), valid until the vector's size or capacity changes.</summary>
    /// <returns>The span.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle.</exception>
    /// <exception cref="InterprocessException">The vector is corrupted.</exception>
    public ReadOnlySpan<T> AsReadOnlySpan()
    {
        var h = Read(out var m);
        return new ReadOnlySpan<T>(Data(h, m), h->Count);
    }

    /// <summary>Copies the elements to <paramref name="destination"/>.</summary>
    /// <param name="destination">At least <see cref="Count"/> elements long.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too short.</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle.</exception>
    /// <exception cref="InterprocessException">The vector is corrupted.</exception>
    public void CopyTo(Span<T> destination) => AsReadOnlySpan().CopyTo(destination);

    /// <summary>Whether an element equals <paramref name="item"/> (<see cref="EqualityComparer{T}.Default"/>).</summary>
    /// <param name="item">The value.</param>
    /// <returns>True when found.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle.</exception>
    /// <exception cref="InterprocessException">The vector is corrupted.</exception>
    public bool Contains(T item) => IndexOf(item) >= 0;

    /// <summary>The index of the first element equal to <paramref name="item"/> (<see cref="EqualityComparer{T}.Default"/>), or -1.</summary>
    /// <param name="item">The value.</param>
    /// <returns>The index, or -1.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle.</exception>
    /// <exception cref="InterprocessException">The vector is corrupted.</exception>
    public int IndexOf(T item)
    {
        var span = AsReadOnlySpan();
        for (int i = 0; i < span.Length; i++)
        {
            if (EqualityComparer<T>.Default.Equals(span[i], item))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>A copy of the elements in a new array.</summary>
    /// <returns>The array.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle.</exception>
    /// <exception cref="InterprocessException">The vector is corrupted.</exception>
    public T[] ToArray() => AsReadOnlySpan().ToArray();

    /// <summary>A copy of the elements in a new <see cref="List{T}"/>.</summary>
    /// <returns>The list.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle.</exception>
    /// <exception cref="InterprocessException">The vector is corrupted.</exception>
    public List<T> ToList()
    {
        var span = AsReadOnlySpan();
        var list = new List<T>(span.Length);
        list.AddRange(span);
        return list;
    }

    /// <summary>An enumerator of the elements (a struct: <c>foreach</c> allocates nothing). Each step checks the handle again and reads the element at its index in the vector as it is then.</summary>
    /// <returns>The enumerator.</returns>
    public Enumerator GetEnumerator() => new(this);

    /// <summary>Gives the vector's memory back (ISegmentOwned); the same as <see cref="Destroy()"/>.</summary>
    void ISegmentOwned.Destroy() => Destroy();

    /// <summary>Whether both handles refer to the same vector.</summary>
    /// <param name="other">Another handle.</param>
    /// <returns>True for the same vector.</returns>
    public bool Equals(SharedVector<T> other) =>
        _h.SegmentId == other._h.SegmentId && _h.Header == other._h.Header && _h.Stamp == other._h.Stamp;

    /// <inheritdoc />
    public override bool Equals([NotNullWhen(true)] object? obj) => obj is SharedVector<T> v && Equals(v);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(_h.SegmentId, _h.Header, _h.Stamp);

    /// <summary>The handle's text (segment and header position), not the contents.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => $"SharedVector<{typeof(T).Name}>({_h})";

    /// <summary>Whether both handles refer to the same vector.</summary>
    /// <param name="left">A handle.</param>
    /// <param name="right">A handle.</param>
    /// <returns>True for the same vector.</returns>
    public static bool operator ==(SharedVector<T> left, SharedVector<T> right) => left.Equals(right);

    /// <summary>Whether the handles refer to different vectors.</summary>
    /// <param name="left">A handle.</param>
    /// <param name="right">A handle.</param>
    /// <returns>True for different vectors.</returns>
    public static bool operator !=(SharedVector<T> left, SharedVector<T> right) => !left.Equals(right);

    // ---------------------------------------------------------------- internals

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private VectorHeader* Read(out SegmentManager m) =>
        _h.Resolve<VectorHeader>(VectorHeader.MagicValue, ContainerTypeCheck<SharedVector<T>>.Value, out m);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private VectorHeader* Write(out SegmentManager m) =>
        _h.ResolveForWrite<VectorHeader>(VectorHeader.MagicValue, ContainerTypeCheck<SharedVector<T>>.Value, out m);

    /// <summary>The buffer's address after checking the header's buffer fields (null when there is no buffer).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T* Data(VectorHeader* h, SegmentManager m)
    {
        long data = h->Data;
        int capacity = h->Capacity;
        long bytes = (long)(uint)capacity * sizeof(T);
        if ((uint)h->Count > (uint)capacity
            || (ulong)bytes > (ulong)m.HeapLimit
            || (ulong)(data - SegmentHeader.HeapStart) > (ulong)(m.HeapLimit - bytes))
        {
            if (data == 0 && capacity == 0 && h->Count == 0)
            {
                return null;
            }

            ThrowCorrupted(m, h);
        }

        return (T*)(m.BasePointer + data);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AddGrow(VectorHeader* h, SegmentManager m, T item)
    {
        var data = Data(h, m);
        int count = h->Count;
        if (count < h->Capacity)
        {
            // The fast path's conservative bound refused a slot that Data has now checked exactly.
            data[count] = item;
            h->Count = count + 1;
            return;
        }

        if (count == Array.MaxLength)
        {
            throw new InterprocessException(InterprocessErrorCode.OutOfMemory, $"A vector cannot hold more than {Array.MaxLength} elements.");
        }

        Grow(h, m, count + 1);
        ((T*)(m.BasePointer + h->Data))[count] = item;
        h->Count = count + 1;
    }

    /// <summary>Grows the capacity to at least <paramref name="min"/>: doubling (at least 4).</summary>
    private static void Grow(VectorHeader* h, SegmentManager m, int min)
    {
        long preferred = Math.Max(Math.Max(4L, 2L * h->Capacity), min);
        Reallocate(h, m, min, (int)Math.Min(preferred, Array.MaxLength));
    }

    /// <summary>Makes the capacity at least <paramref name="min"/> (aiming at <paramref name="preferred"/>), in place when the block can grow, else by moving.</summary>
    private static void Reallocate(VectorHeader* h, SegmentManager m, int min, int preferred)
    {
        long data = h->Data;
        if (data != 0 && m.TryExpandInPlace(data, (long)min * sizeof(T), (long)preferred * sizeof(T), out long received))
        {
            h->Capacity = (int)Math.Min(received / sizeof(T), Array.MaxLength);
            return;
        }

        long bytes = (long)preferred * sizeof(T);
        long fresh = h->Alloc.Allocate(m, bytes);
        if (data != 0)
        {
            Buffer.MemoryCopy(m.BasePointer + data, m.BasePointer + fresh, bytes, (long)h->Count * sizeof(T));
        }

        long old = data;
        long oldBytes = (long)h->Capacity * sizeof(T);
        // The header switches to the new buffer before the old one is freed: a crash in between leaks, never dangles.
        h->Data = fresh;
        h->Capacity = preferred;
        if (old != 0)
        {
            h->Alloc.Deallocate(m, old, oldBytes);
        }
    }

    /// <summary>
    /// Empties the header's buffer fields, then frees the buffer: a crash in between leaks the buffer, never leaves the
    /// header pointing at freed memory (which the next Add would write into). Every intermediate state of the header
    /// passes <see cref="Data"/>'s check.
    /// </summary>
    private static void ReleaseBuffer(VectorHeader* h, SegmentManager m)
    {
        long data = h->Data;
        long bytes = (long)h->Capacity * sizeof(T);
        h->Count = 0;
        h->Capacity = 0;
        h->Data = 0;
        h->Alloc.Deallocate(m, data, bytes);
    }

    private static bool Overlaps(ReadOnlySpan<T> items, T* data, int capacity)
    {
        nuint start = (nuint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(items));
        nuint lo = (nuint)data;
        nuint hi = lo + ((nuint)capacity * (nuint)sizeof(T));
        nuint end = start + ((nuint)items.Length * (nuint)sizeof(T));
        return start < hi && end > lo;
    }

    [DoesNotReturn]
    private static void ThrowIndex(int index, int count) =>
        throw new ArgumentOutOfRangeException(nameof(index), index, $"The index must be at least 0 and less than the count ({count}).");

    [DoesNotReturn]
    private static void ThrowCorrupted(SegmentManager m, VectorHeader* h) =>
        throw InterprocessException.Corrupted(m.Name, $"a vector's header is damaged (buffer {h->Data}, count {h->Count}, capacity {h->Capacity}).");

    /// <summary>Enumerates a <see cref="SharedVector{T}"/> without allocating.</summary>
    public struct Enumerator
    {
        private readonly SharedVector<T> _vector;
        private int _index;
        private T _current;

        internal Enumerator(SharedVector<T> vector)
        {
            _vector = vector;
            _index = -1;
            _current = default;
        }

        /// <summary>The current element.</summary>
        public readonly T Current => _current;

        /// <summary>Moves to the next element.</summary>
        /// <returns>False at the end.</returns>
        /// <exception cref="InvalidOperationException">The handle became stale.</exception>
        /// <exception cref="InterprocessException">The vector is corrupted.</exception>
        public bool MoveNext()
        {
            var h = _vector.Read(out var m);
            T* data = Data(h, m);
            int next = _index + 1;
            if (next >= h->Count)
            {
                _index = h->Count;
                return false;
            }

            _index = next;
            _current = data[next];
            return true;
        }
    }
}
