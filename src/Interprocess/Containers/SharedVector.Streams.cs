using Interprocess.Managed;

namespace Interprocess.Containers;

/// <summary>
/// What the byte streams over a vector (<see cref="Streams.VectorStream"/>, <see cref="Streams.VectorBufferWriter"/>)
/// need beyond the public API: the buffer beyond <see cref="Count"/>, growth without changing the count, and a count
/// published after the bytes. Every member resolves the handle and validates the header first, as the public ones do.
/// </summary>
public readonly unsafe partial struct SharedVector<T>
{
    /// <summary>The validated buffer (null when there is none) and the count, for reading (works in a read-only segment).</summary>
    /// <exception cref="InvalidOperationException">A default or stale handle.</exception>
    /// <exception cref="InterprocessException">The vector is corrupted.</exception>
    internal T* GetBuffer(out int count)
    {
        var h = Read(out var m);
        T* data = Data(h, m);
        count = h->Count;
        return data;
    }

    /// <summary>The validated buffer (null when there is none), the count and the capacity, for writing.</summary>
    /// <exception cref="InvalidOperationException">A default or stale handle.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The vector is corrupted.</exception>
    internal T* GetWritableBuffer(out int count, out int capacity)
    {
        var h = Write(out var m);
        T* data = Data(h, m);
        count = h->Count;
        capacity = h->Capacity;
        return data;
    }

    /// <summary>
    /// Makes the capacity at least <paramref name="min"/>, growing as <see cref="Add"/> does (doubling, in place when it
    /// can); the count and the elements are unchanged. When the segment is full it throws before anything changed.
    /// </summary>
    /// <returns>The (possibly moved) buffer; <paramref name="count"/> and <paramref name="capacity"/> as they are now.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The segment is full, or the vector is corrupted.</exception>
    internal T* EnsureCapacity(int min, out int count, out int capacity)
    {
        var h = Write(out var m);
        _ = Data(h, m);
        if (min > h->Capacity)
        {
            Grow(h, m, min);
        }

        T* data = Data(h, m);
        count = h->Count;
        capacity = h->Capacity;
        return data;
    }

    /// <summary>
    /// Sets the count to <paramref name="count"/> (at most the capacity) with a release store: the elements the caller
    /// wrote below it before this call are in the buffer before the new count is, for a reader in any process and
    /// for a process that finds the segment after this one was killed.
    /// </summary>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the count is beyond the capacity (the vector changed since the caller looked).</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The vector is corrupted.</exception>
    internal void PublishCount(int count)
    {
        var h = Write(out var m);
        _ = Data(h, m);
        if ((uint)count > (uint)h->Capacity)
        {
            throw new InvalidOperationException($"Cannot make the vector {count} elements long: its capacity is {h->Capacity} (it changed since the buffer was handed out).");
        }

        // Release: publishes the elements stored below the count before it.
        Volatile.Write(ref h->Count, count);
    }

    /// <summary>
    /// The one-resolve fast path of a single-element write at <paramref name="index"/>: stores <paramref name="value"/>
    /// when the index is below the count, or appends it (element first, then the count with a release store) when the
    /// index is the count and the capacity has room.
    /// </summary>
    /// <returns>False when the write needs growth or a zero-filled gap (nothing was changed): take the general path.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The vector is corrupted.</exception>
    internal bool TrySetOrAppend(long index, T value)
    {
        var h = Write(out var m);
        T* data = Data(h, m);
        int count = h->Count;
        if ((ulong)index < (ulong)count)
        {
            data[index] = value;
            return true;
        }

        if (index == count && count < h->Capacity)
        {
            data[count] = value;
            // Release: publishes the element stored above before the count that covers it.
            Volatile.Write(ref h->Count, count + 1);
            return true;
        }

        return false;
    }

    /// <summary>
    /// Exchanges the buffers (elements, count, capacity) of this vector and <paramref name="other"/> in O(1), as Boost's
    /// <c>swap</c>; the handles keep referring to their own headers (a name stays with its vector, and now names the
    /// other contents). Both must be in the same segment. The headers are rewritten in an order in which a buffer is
    /// never referenced by both at once: a crash in the middle can leak a buffer, never hand one to two vectors.
    /// </summary>
    /// <exception cref="ArgumentException">The vectors are in different segments.</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">A vector is corrupted.</exception>
    internal void SwapContents(SharedVector<T> other)
    {
        var a = Write(out var m);
        var b = other.Write(out var mo);
        if (!ReferenceEquals(m, mo))
        {
            throw new ArgumentException($"The vectors are in different segments ('{m.Name}' and '{mo.Name}'): their buffers cannot be exchanged.", nameof(other));
        }

        _ = Data(a, m);
        _ = Data(b, m);
        if (a == b)
        {
            return;
        }

        long aData = a->Data;
        int aCount = a->Count;
        int aCapacity = a->Capacity;
        long bData = b->Data;
        int bCount = b->Count;
        int bCapacity = b->Capacity;
        SetBuffer(b, 0, 0, 0);                          // b's buffer is now nobody's (a crash here leaks it)
        SetBuffer(a, bData, bCount, bCapacity);         // a's buffer is now nobody's
        SetBuffer(b, aData, aCount, aCapacity);
    }

    /// <summary>Points a header at a buffer, field by field in an order in which every intermediate state passes <see cref="Data"/>'s check.</summary>
    private static void SetBuffer(VectorHeader* h, long data, int count, int capacity)
    {
        Volatile.Write(ref h->Count, 0);
        Volatile.Write(ref h->Capacity, 0);
        Volatile.Write(ref h->Data, data);
        Volatile.Write(ref h->Capacity, capacity);
        Volatile.Write(ref h->Count, count);
    }
}
