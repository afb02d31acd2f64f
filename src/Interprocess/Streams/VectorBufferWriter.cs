using System.Buffers;
using Interprocess.Containers;

namespace Interprocess.Streams;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> of bytes that appends to a growable <see cref="SharedVector{T}"/> of bytes in a
/// managed segment: serializers (<c>Utf8JsonWriter</c>, protobuf, MessagePack, <c>System.IO.Pipelines</c> code) write
/// straight into the vector's buffer, which grows as needed. The shared counterpart of <see cref="ArrayBufferWriter{T}"/>.
/// </summary>
/// <remarks>
/// <para>What is written is the vector's contents: <see cref="WrittenCount"/> is the vector's count (including what it
/// held before), and <see cref="Advance(int)"/> raises the count, with a release store, after the caller wrote the
/// bytes: a reader that sees the new count sees the bytes, and a writer killed before <see cref="Advance(int)"/>
/// leaves the vector as it was.</para>
/// <para><see cref="GetSpan(int)"/> and <see cref="GetMemory(int)"/> hand out the free part of the buffer (at least
/// the hinted size, at least one byte), growing it by doubling when it is too small; its bytes are not cleared.
/// <see cref="Advance(int)"/> accepts at most what the last span handed out has left, and refuses when the vector was
/// changed by anyone else in between (its length or buffer moved): get a new span then. A span or memory is valid
/// until the next <see cref="GetSpan(int)"/>, <see cref="GetMemory(int)"/> or change of the vector.</para>
/// <para>Not synchronized: guard the vector with an <see cref="Synchronization.InterprocessMutex"/> when other
/// processes use it. The writer does not own the vector.</para>
/// </remarks>
/// <example>
/// One process serializes JSON into a named vector; another reads it:
/// <code>
/// // process A
/// var json = SharedVector&lt;byte&gt;.Create(segment.Manager, "order-json");
/// mutex.Lock();
/// using (var writer = new Utf8JsonWriter(new VectorBufferWriter(json)))
/// {
///     JsonSerializer.Serialize(writer, order);
/// }
/// mutex.Unlock();
///
/// // process B
/// var json = SharedVector&lt;byte&gt;.Find(segment.Manager, "order-json");
/// mutex.Lock();
/// var order = JsonSerializer.Deserialize&lt;Order&gt;(json.AsReadOnlySpan());
/// mutex.Unlock();
/// </code>
/// </example>
public sealed unsafe class VectorBufferWriter : IBufferWriter<byte>
{
    /// <summary>The vector appended to.</summary>
    private readonly SharedVector<byte> _vector;
    /// <summary>The buffer of the vector when the last span was handed out (null: none handed out).</summary>
    private byte* _data;
    /// <summary>Where the next <see cref="Advance(int)"/> starts: the count at the last hand-out plus what was advanced since.</summary>
    private int _next;
    /// <summary>Where the last span handed out ends (the capacity then); <see cref="Advance(int)"/> stops there.</summary>
    private int _end;
    /// <summary>Made on the first <see cref="GetMemory(int)"/> over the whole buffer; made again when the buffer moves.</summary>
    private UnmanagedMemoryManager? _manager;
    /// <summary>The buffer <see cref="_manager"/> covers.</summary>
    private byte* _managerData;
    /// <summary>How many bytes <see cref="_manager"/> covers.</summary>
    private int _managerLength;

    /// <summary>A writer that appends to <paramref name="vector"/> (what it holds stays).</summary>
    /// <param name="vector">A vector of bytes in a segment open for writing.</param>
    /// <exception cref="ArgumentException"><paramref name="vector"/> is a default handle, or its segment is open read-only.</exception>
    /// <exception cref="InvalidOperationException">The vector was destroyed, or its segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The vector is corrupted.</exception>
    public VectorBufferWriter(SharedVector<byte> vector)
    {
        if (vector.IsDefault)
        {
            throw new ArgumentException("A default vector handle refers to no vector.", nameof(vector));
        }

        _ = vector.GetBuffer(out _);   // throws for a destroyed or corrupted vector
        var manager = vector.Manager;
        if (manager.IsReadOnly)
        {
            throw new ArgumentException($"The segment '{manager.Name}' is open read-only: the vector cannot be written.", nameof(vector));
        }

        _vector = vector;
    }

    /// <summary>The vector appended to.</summary>
    public SharedVector<byte> Vector => _vector;

    /// <summary>How many bytes the vector holds (its count): what it held before and what was committed with <see cref="Advance(int)"/>.</summary>
    /// <exception cref="InvalidOperationException">The vector was destroyed.</exception>
    /// <exception cref="InterprocessException">The vector is corrupted.</exception>
    public int WrittenCount => _vector.Count;

    /// <summary>How many bytes the vector's buffer holds before it must grow.</summary>
    /// <exception cref="InvalidOperationException">The vector was destroyed.</exception>
    /// <exception cref="InterprocessException">The vector is corrupted.</exception>
    public int Capacity => _vector.Capacity;

    /// <summary>How many bytes can be written before the buffer must grow.</summary>
    /// <exception cref="InvalidOperationException">The vector was destroyed.</exception>
    /// <exception cref="InterprocessException">The vector is corrupted.</exception>
    public int FreeCapacity
    {
        get
        {
            _ = _vector.GetWritableBuffer(out int count, out int capacity);
            return capacity - count;
        }
    }

    /// <summary>The bytes written so far (the vector's contents), in place; valid until the vector changes.</summary>
    /// <exception cref="InvalidOperationException">The vector was destroyed.</exception>
    /// <exception cref="InterprocessException">The vector is corrupted.</exception>
    public ReadOnlySpan<byte> WrittenSpan => _vector.AsReadOnlySpan();

    /// <summary>Commits <paramref name="count"/> bytes written at the start of the last span or memory handed out: the vector's count grows by that much.</summary>
    /// <param name="count">How many bytes were written.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    /// <exception cref="InvalidOperationException">That is more than the last span handed out has left, or the vector changed since it was handed out, or was destroyed.</exception>
    /// <exception cref="InterprocessException">The vector is corrupted.</exception>
    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count == 0)
        {
            return;
        }

        if (count > _end - _next)
        {
            throw new InvalidOperationException(
                $"Cannot advance by {count} bytes: the last span handed out has {_end - _next} left. Call GetSpan or GetMemory first.");
        }

        byte* data = _vector.GetWritableBuffer(out int now, out _);
        if (data != _data || now != _next)
        {
            _end = _next;
            throw new InvalidOperationException(
                $"The vector changed since the span was handed out (its length is {now}, not {_next}, or its buffer moved); nothing was committed. Get a new span.");
        }

        // Publishes the bytes the caller wrote into [_next, _next + count) before the new count.
        _vector.PublishCount(_next + count);
        _next += count;
    }

    /// <summary>The free memory after the vector's contents, at least <paramref name="sizeHint"/> bytes long (at least 1 when the hint is 0); the vector grows when it has less.</summary>
    /// <param name="sizeHint">How many bytes the caller needs at least.</param>
    /// <returns>All the free memory of the buffer (not cleared).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="sizeHint"/> is negative.</exception>
    /// <exception cref="InterprocessException">The segment is full (the vector is unchanged), the vector would exceed <see cref="Array.MaxLength"/> bytes, or it is corrupted.</exception>
    /// <exception cref="InvalidOperationException">The vector was destroyed.</exception>
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        byte* data = Prepare(sizeHint, out int count, out int capacity);
        if (_manager is null || _managerData != data || _managerLength != capacity)
        {
            _manager = new UnmanagedMemoryManager(data, capacity);
            _managerData = data;
            _managerLength = capacity;
        }

        return _manager.Memory[count..capacity];
    }

    /// <summary>The free span after the vector's contents, at least <paramref name="sizeHint"/> bytes long (at least 1 when the hint is 0); the vector grows when it has less.</summary>
    /// <param name="sizeHint">How many bytes the caller needs at least.</param>
    /// <returns>All the free memory of the buffer (not cleared).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="sizeHint"/> is negative.</exception>
    /// <exception cref="InterprocessException">The segment is full (the vector is unchanged), the vector would exceed <see cref="Array.MaxLength"/> bytes, or it is corrupted.</exception>
    /// <exception cref="InvalidOperationException">The vector was destroyed.</exception>
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        byte* data = Prepare(sizeHint, out int count, out int capacity);
        return new Span<byte>(data + count, capacity - count);
    }

    /// <summary>Empties the vector (its capacity stays); spans handed out before can no longer be committed.</summary>
    /// <exception cref="InvalidOperationException">The vector was destroyed.</exception>
    /// <exception cref="InterprocessException">The vector is corrupted.</exception>
    public void Clear()
    {
        _vector.Clear();
        _data = null;
        _next = 0;
        _end = 0;
    }

    /// <inheritdoc />
    public override string ToString() => $"VectorBufferWriter ({_vector})";

    /// <summary>Grows the vector so that at least max(<paramref name="sizeHint"/>, 1) bytes are free and remembers where the span handed out starts and ends.</summary>
    private byte* Prepare(int sizeHint, out int count, out int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sizeHint);
        int needed = Math.Max(sizeHint, 1);
        byte* data = _vector.GetWritableBuffer(out count, out capacity);
        if (needed > capacity - count)
        {
            if (needed > Array.MaxLength - count)
            {
                throw new InterprocessException(InterprocessErrorCode.OutOfMemory,
                    $"The vector holds {count} bytes; {needed} more would make it longer than {Array.MaxLength}.");
            }

            data = _vector.EnsureCapacity(count + needed, out count, out capacity);
        }

        _data = data;
        _next = count;
        _end = capacity;
        return data;
    }
}
