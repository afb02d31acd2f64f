using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Interprocess.Containers;

namespace Interprocess.Streams;

/// <summary>
/// A <see cref="Stream"/> over a growable <see cref="SharedVector{T}"/> of bytes in a managed segment (Boost's
/// <c>basic_vectorstream</c>: <c>vectorstream</c>, <c>ivectorstream</c>, <c>ovectorstream</c>). It reads, writes and
/// seeks in the vector's buffer in place; a write past the end grows the vector (doubling, like
/// <see cref="MemoryStream"/>).
/// </summary>
/// <remarks>
/// <para><b>Length is the vector's <see cref="SharedVector{T}.Count"/></b>, read from the segment on every call: what
/// another process appended (under the lock that guards the vector) is visible to this stream. The position belongs
/// to this object. The semantics are <see cref="MemoryStream"/>'s: reads stop at the length; a write that starts
/// beyond the length zero-fills the gap; <see cref="SetLength(long)"/> zero-fills what it adds and pulls the position
/// back when it shrinks; seeking before the beginning throws <see cref="IOException"/>.</para>
/// <para><b>Nothing half-written.</b> A write grows the buffer first (when the segment is full it throws
/// <see cref="InterprocessException"/> before any byte, the length or the position changed), then copies the bytes,
/// then publishes the new count with a release store. A process killed in the middle of a write leaves the vector at
/// its old length, with the old bytes below it unchanged unless the write overwrote them in place.</para>
/// <para><b>Not synchronized</b>, like the vector and <see cref="MemoryStream"/>: guard the vector with an
/// <see cref="Synchronization.InterprocessMutex"/> when several processes use it. The stream does not own the vector:
/// disposing it leaves the vector as it is. A vector destroyed under the stream makes every later call throw
/// <see cref="InvalidOperationException"/>.</para>
/// </remarks>
/// <example>
/// One process formats records into a named vector under a mutex:
/// <code>
/// using var segment = ManagedSharedMemory.CreateNew("orders", 1 &lt;&lt; 20);
/// ref var mutex = ref segment.Manager.Construct("orders-lock", new InterprocessMutex());
/// var bytes = SharedVector&lt;byte&gt;.Create(segment.Manager, "orders-text");
/// mutex.Lock();
/// using (var writer = new StreamWriter(new VectorStream(bytes)))
/// {
///     writer.WriteLine("order 1: 100 x ACME");
/// }
/// mutex.Unlock();
/// </code>
/// another finds it by name and reads it back:
/// <code>
/// using var segment = ManagedSharedMemory.OpenExisting("orders");
/// ref var mutex = ref segment.Manager.Find&lt;InterprocessMutex&gt;("orders-lock").Value;
/// mutex.Lock();
/// using var reader = new StreamReader(new VectorStream(SharedVector&lt;byte&gt;.Find(segment.Manager, "orders-text"), FileAccess.Read));
/// string text = reader.ReadToEnd();
/// mutex.Unlock();
/// </code>
/// </example>
public sealed unsafe class VectorStream : Stream
{
    /// <summary>The vector the stream reads and writes.</summary>
    private readonly SharedVector<byte> _vector;
    /// <summary>What the stream was opened for (Write is dropped for a vector in a read-only segment by the one-argument constructor).</summary>
    private readonly FileAccess _access;
    /// <summary>Where the next read or write starts (≥ 0; may lie beyond the length).</summary>
    private long _position;
    /// <summary>False once disposed.</summary>
    private bool _isOpen;

    /// <summary>
    /// A stream over <paramref name="vector"/> (Boost's <c>vectorstream</c>), positioned at its beginning: readable and
    /// writable, or only readable when the vector's segment is open read-only (Boost's <c>ivectorstream</c>).
    /// </summary>
    /// <param name="vector">The vector of bytes; it keeps its contents (seek to the end to append).</param>
    /// <exception cref="ArgumentException"><paramref name="vector"/> is a default handle.</exception>
    /// <exception cref="InvalidOperationException">The vector was destroyed, or its segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The vector is corrupted.</exception>
    public VectorStream(SharedVector<byte> vector)
        : this(vector, CheckVector(vector).IsReadOnly ? FileAccess.Read : FileAccess.ReadWrite)
    {
    }

    /// <summary>A stream over <paramref name="vector"/> for <paramref name="access"/>, positioned at its beginning (Read: Boost's <c>ivectorstream</c>; Write: <c>ovectorstream</c>).</summary>
    /// <param name="vector">The vector of bytes; it keeps its contents.</param>
    /// <param name="access">Read, Write or ReadWrite; a vector in a read-only segment allows only Read.</param>
    /// <exception cref="ArgumentException"><paramref name="vector"/> is a default handle, or write access to a vector in a read-only segment.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="access"/> is not a <see cref="FileAccess"/> value.</exception>
    /// <exception cref="InvalidOperationException">The vector was destroyed, or its segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The vector is corrupted.</exception>
    public VectorStream(SharedVector<byte> vector, FileAccess access)
    {
        if (access is < FileAccess.Read or > FileAccess.ReadWrite)
        {
            throw new ArgumentOutOfRangeException(nameof(access), access, "Read, Write or ReadWrite.");
        }

        var manager = CheckVector(vector);
        if ((access & FileAccess.Write) != 0 && manager.IsReadOnly)
        {
            throw new ArgumentException($"The segment '{manager.Name}' is open read-only: only read access to the vector is possible.", nameof(access));
        }

        _vector = vector;
        _access = access;
        _isOpen = true;
    }

    /// <inheritdoc />
    public override bool CanRead => _isOpen && (_access & FileAccess.Read) != 0;

    /// <inheritdoc />
    public override bool CanSeek => _isOpen;

    /// <inheritdoc />
    public override bool CanWrite => _isOpen && (_access & FileAccess.Write) != 0;

    /// <summary>The vector the stream reads and writes (Boost's <c>vector()</c>); a handle, so the vector itself, not a copy.</summary>
    /// <exception cref="ObjectDisposedException">The stream was disposed.</exception>
    public SharedVector<byte> Vector
    {
        get
        {
            ThrowIfClosed();
            return _vector;
        }
    }

    /// <summary>The vector's count: how many bytes hold data.</summary>
    /// <exception cref="ObjectDisposedException">The stream was disposed.</exception>
    /// <exception cref="InvalidOperationException">The vector was destroyed.</exception>
    /// <exception cref="InterprocessException">The vector is corrupted.</exception>
    public override long Length
    {
        get
        {
            ThrowIfClosed();
            return _vector.Count;
        }
    }

    /// <summary>The vector's capacity: how many bytes it holds before it must grow.</summary>
    /// <exception cref="ObjectDisposedException">The stream was disposed.</exception>
    /// <exception cref="InvalidOperationException">The vector was destroyed.</exception>
    /// <exception cref="InterprocessException">The vector is corrupted.</exception>
    public int Capacity
    {
        get
        {
            ThrowIfClosed();
            return _vector.Capacity;
        }
    }

    /// <summary>Where the next read or write starts. It may be set beyond the length (a write there zero-fills the gap).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    /// <exception cref="ObjectDisposedException">The stream was disposed.</exception>
    public override long Position
    {
        get
        {
            ThrowIfClosed();
            return _position;
        }

        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            ThrowIfClosed();
            _position = value;
        }
    }

    /// <summary>The bytes that hold data, [0, <see cref="Length"/>), in place; valid until the vector's length or capacity changes.</summary>
    /// <returns>The data.</returns>
    /// <exception cref="NotSupportedException">The stream was not opened for reading.</exception>
    /// <exception cref="ObjectDisposedException">The stream was disposed.</exception>
    /// <exception cref="InvalidOperationException">The vector was destroyed.</exception>
    /// <exception cref="InterprocessException">The vector is corrupted.</exception>
    public ReadOnlySpan<byte> GetReadOnlySpan()
    {
        ThrowIfNotReadable();
        return _vector.AsReadOnlySpan();
    }

    /// <summary>A copy of the bytes that hold data in a new array (as <see cref="MemoryStream.ToArray"/>).</summary>
    /// <returns>The array.</returns>
    /// <exception cref="NotSupportedException">The stream was not opened for reading.</exception>
    /// <exception cref="ObjectDisposedException">The stream was disposed.</exception>
    /// <exception cref="InvalidOperationException">The vector was destroyed.</exception>
    /// <exception cref="InterprocessException">The vector is corrupted.</exception>
    public byte[] ToArray()
    {
        ThrowIfNotReadable();
        return _vector.ToArray();
    }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        return Read(buffer.AsSpan(offset, count));
    }

    /// <summary>Copies up to <c>buffer.Length</c> bytes from the current position, stopping at the length.</summary>
    /// <param name="buffer">Where the bytes go.</param>
    /// <returns>How many bytes were read; 0 at or beyond the length.</returns>
    /// <exception cref="NotSupportedException">The stream was not opened for reading.</exception>
    /// <exception cref="ObjectDisposedException">The stream was disposed.</exception>
    /// <exception cref="InvalidOperationException">The vector was destroyed.</exception>
    /// <exception cref="InterprocessException">The vector is corrupted.</exception>
    public override int Read(Span<byte> buffer)
    {
        ThrowIfNotReadable();
        byte* data = _vector.GetBuffer(out int count);
        long available = count - _position;
        if (available <= 0)
        {
            return 0;
        }

        int n = (int)Math.Min(available, buffer.Length);
        new ReadOnlySpan<byte>(data + _position, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    /// <summary>Reads one byte.</summary>
    /// <returns>The byte, or -1 at or beyond the length.</returns>
    /// <exception cref="NotSupportedException">The stream was not opened for reading.</exception>
    /// <exception cref="ObjectDisposedException">The stream was disposed.</exception>
    /// <exception cref="InvalidOperationException">The vector was destroyed.</exception>
    /// <exception cref="InterprocessException">The vector is corrupted.</exception>
    public override int ReadByte()
    {
        ThrowIfNotReadable();
        byte* data = _vector.GetBuffer(out int count);
        if (_position >= count)
        {
            return -1;
        }

        return data[_position++];
    }

    /// <summary>Writes everything from the position to the length to <paramref name="destination"/> in one call, straight from the vector's buffer, and moves the position to the length.</summary>
    /// <param name="destination">The stream to write to.</param>
    /// <param name="bufferSize">Checked as <see cref="Stream.CopyTo(Stream, int)"/> does; no buffer is used.</param>
    /// <exception cref="ArgumentNullException"><paramref name="destination"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bufferSize"/> is not positive.</exception>
    /// <exception cref="NotSupportedException">This stream cannot read or <paramref name="destination"/> cannot write.</exception>
    /// <exception cref="ObjectDisposedException">Either stream was disposed.</exception>
    /// <exception cref="InvalidOperationException">The vector was destroyed.</exception>
    /// <exception cref="InterprocessException">The vector is corrupted.</exception>
    public override void CopyTo(Stream destination, int bufferSize)
    {
        ValidateCopyToArguments(destination, bufferSize);
        ThrowIfNotReadable();
        byte* data = _vector.GetBuffer(out int count);
        if (_position >= count)
        {
            return;
        }

        int start = (int)_position;
        destination.Write(new ReadOnlySpan<byte>(data + start, count - start));

        _position = Math.Max(_position, count);
    }

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        Write(new ReadOnlySpan<byte>(buffer, offset, count));
    }

    /// <summary>
    /// Copies <paramref name="buffer"/> to the current position, growing the vector when it ends beyond the capacity and
    /// extending the length when it ends beyond it (a gap between the length and the position is zero-filled first).
    /// </summary>
    /// <param name="buffer">The bytes to write (may lie in this very vector).</param>
    /// <exception cref="NotSupportedException">The stream was not opened for writing.</exception>
    /// <exception cref="IOException">The vector would become longer than <see cref="Array.MaxLength"/> bytes (nothing is written).</exception>
    /// <exception cref="InterprocessException">The segment is full (nothing is written; the length, the position and the bytes are unchanged), or the vector is corrupted.</exception>
    /// <exception cref="ObjectDisposedException">The stream was disposed.</exception>
    /// <exception cref="InvalidOperationException">The vector was destroyed.</exception>
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ThrowIfNotWritable();
        long position = _position;
        long end = position + buffer.Length;
        if (end > Array.MaxLength)
        {
            ThrowTooLong(position, buffer.Length);
        }

        byte* data = _vector.GetWritableBuffer(out int count, out int capacity);
        if (end > capacity || position > count)
        {
            if (!buffer.IsEmpty && Overlaps(buffer, data, capacity))
            {
                // The source is this vector's buffer, which growing may move and zero-filling may overwrite.
                Write(buffer.ToArray());
                return;
            }

            if (end > capacity)
            {
                // 1. Grow (may throw: nothing has changed yet).
                data = _vector.EnsureCapacity((int)end, out count, out capacity);
            }

            if (position > count)
            {
                // 2. Zero the gap between the length and the position (beyond the count: invisible until step 4).
                new Span<byte>(data + count, (int)(position - count)).Clear();
            }
        }

        // 3. The bytes.
        buffer.CopyTo(new Span<byte>(data + position, buffer.Length));
        if (end > count)
        {
            // 4. The new length, with a release store: a reader (or a process that finds the vector after this one
            // was killed) that sees it sees the bytes of steps 2 and 3.
            _vector.PublishCount((int)end);
        }

        _position = end;
    }

    /// <summary>Writes one byte, growing the vector when needed.</summary>
    /// <param name="value">The byte.</param>
    /// <exception cref="NotSupportedException">The stream was not opened for writing.</exception>
    /// <exception cref="IOException">The vector would become longer than <see cref="Array.MaxLength"/> bytes.</exception>
    /// <exception cref="InterprocessException">The segment is full (nothing changed), or the vector is corrupted.</exception>
    /// <exception cref="ObjectDisposedException">The stream was disposed.</exception>
    /// <exception cref="InvalidOperationException">The vector was destroyed.</exception>
    public override void WriteByte(byte value)
    {
        ThrowIfNotWritable();
        if (_vector.TrySetOrAppend(_position, value))
        {
            _position++;
            return;
        }

        Write(new ReadOnlySpan<byte>(in value));   // growth or a gap to zero-fill
    }

    /// <summary>Moves the position.</summary>
    /// <param name="offset">The offset from <paramref name="origin"/>.</param>
    /// <param name="origin">Begin, Current or End (the length).</param>
    /// <returns>The new position.</returns>
    /// <exception cref="IOException">The new position would be before the beginning.</exception>
    /// <exception cref="ArgumentException"><paramref name="origin"/> is not a <see cref="SeekOrigin"/> value.</exception>
    /// <exception cref="ObjectDisposedException">The stream was disposed.</exception>
    /// <exception cref="InvalidOperationException">The vector was destroyed (seeking from the end).</exception>
    /// <exception cref="InterprocessException">The vector is corrupted.</exception>
    public override long Seek(long offset, SeekOrigin origin)
    {
        ThrowIfClosed();
        long start = origin switch
        {
            SeekOrigin.Begin => 0,
            SeekOrigin.Current => _position,
            SeekOrigin.End => _vector.Count,
            _ => throw new ArgumentException($"Unknown origin {origin}.", nameof(origin)),
        };
        long position = unchecked(start + offset);
        if (position < 0 || (offset > 0 && position < start))
        {
            throw new IOException($"Seeking to {offset} from {origin} would move before the beginning of the stream (or overflow).");
        }

        _position = position;
        return position;
    }

    /// <summary>Sets the length (the vector's count): bytes added are zeroed; a position beyond a shorter length moves back to it.</summary>
    /// <param name="value">The new length.</param>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or larger than <see cref="Array.MaxLength"/>.</exception>
    /// <exception cref="NotSupportedException">The stream was not opened for writing.</exception>
    /// <exception cref="InterprocessException">The segment is full (nothing changed), or the vector is corrupted.</exception>
    /// <exception cref="ObjectDisposedException">The stream was disposed.</exception>
    /// <exception cref="InvalidOperationException">The vector was destroyed.</exception>
    public override void SetLength(long value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, Array.MaxLength);
        ThrowIfNotWritable();
        int length = (int)value;
        byte* data = _vector.GetWritableBuffer(out int count, out int capacity);
        if (length > count)
        {
            if (length > capacity)
            {
                data = _vector.EnsureCapacity(length, out count, out capacity);
            }

            new Span<byte>(data + count, length - count).Clear();
        }

        _vector.PublishCount(length);
        if (_position > length)
        {
            _position = length;
        }
    }

    /// <summary>Makes the vector's capacity at least <paramref name="capacity"/> bytes (Boost's <c>reserve</c>), so that writes up to it do not grow it.</summary>
    /// <param name="capacity">The least capacity.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is negative or too large.</exception>
    /// <exception cref="NotSupportedException">The stream was not opened for writing.</exception>
    /// <exception cref="InterprocessException">The segment is full, or the vector is corrupted.</exception>
    /// <exception cref="ObjectDisposedException">The stream was disposed.</exception>
    /// <exception cref="InvalidOperationException">The vector was destroyed.</exception>
    public void Reserve(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        ThrowIfNotWritable();
        _vector.Reserve(capacity);
    }

    /// <summary>Empties the vector (its capacity stays) and moves the position to the beginning.</summary>
    /// <exception cref="NotSupportedException">The stream was not opened for writing.</exception>
    /// <exception cref="ObjectDisposedException">The stream was disposed.</exception>
    /// <exception cref="InvalidOperationException">The vector was destroyed.</exception>
    /// <exception cref="InterprocessException">The vector is corrupted.</exception>
    public void Clear()
    {
        ThrowIfNotWritable();
        _vector.Clear();
        _position = 0;
    }

    /// <summary>
    /// Exchanges the contents of the stream's vector and <paramref name="other"/> in O(1), without copying a byte (Boost's
    /// <c>swap_vector</c>): afterwards <paramref name="other"/> holds what was written through the stream, and the stream
    /// reads and writes what <paramref name="other"/> held, from the beginning. The handles do not move: a named vector
    /// keeps its name and now holds the other contents.
    /// </summary>
    /// <param name="other">A vector of bytes in the same segment (the same vector: only the position is reset).</param>
    /// <exception cref="ArgumentException"><paramref name="other"/> is a default handle or in another segment.</exception>
    /// <exception cref="NotSupportedException">The stream was not opened for writing.</exception>
    /// <exception cref="ObjectDisposedException">The stream was disposed.</exception>
    /// <exception cref="InvalidOperationException">A vector was destroyed.</exception>
    /// <exception cref="InterprocessException">A vector is corrupted.</exception>
    public void SwapVector(SharedVector<byte> other)
    {
        ThrowIfNotWritable();
        if (other.IsDefault)
        {
            throw new ArgumentException("A default vector handle refers to no vector.", nameof(other));
        }

        _vector.SwapContents(other);
        _position = 0;
    }

    /// <summary>Does nothing: the bytes are already in the segment.</summary>
    /// <exception cref="ObjectDisposedException">The stream was disposed.</exception>
    public override void Flush() => ThrowIfClosed();

    /// <inheritdoc />
    public override Task FlushAsync(CancellationToken cancellationToken) =>
        CompletedStreamTasks.Flush(this, cancellationToken);

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return ReadAsync(new Memory<byte>(buffer, offset, count), cancellationToken).AsTask();
    }

    /// <summary>Reads synchronously (the memory is already there) and returns a completed task.</summary>
    /// <param name="buffer">Where the bytes go.</param>
    /// <param name="cancellationToken">Checked before reading.</param>
    /// <returns>How many bytes were read.</returns>
    /// <exception cref="NotSupportedException">The stream was not opened for reading (in the task).</exception>
    /// <exception cref="ObjectDisposedException">The stream was disposed (in the task).</exception>
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        CompletedStreamTasks.Read(this, buffer, cancellationToken);

    /// <inheritdoc />
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return WriteAsync(new ReadOnlyMemory<byte>(buffer, offset, count), cancellationToken).AsTask();
    }

    /// <summary>Writes synchronously (it is a copy into memory) and returns a completed task.</summary>
    /// <param name="buffer">The bytes to write.</param>
    /// <param name="cancellationToken">Checked before writing.</param>
    /// <returns>A completed task.</returns>
    /// <exception cref="NotSupportedException">The stream was not opened for writing (in the task).</exception>
    /// <exception cref="InterprocessException">The segment is full (in the task).</exception>
    /// <exception cref="ObjectDisposedException">The stream was disposed (in the task).</exception>
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        CompletedStreamTasks.Write(this, buffer, cancellationToken);

    /// <inheritdoc />
    public override string ToString() =>
        _isOpen ? $"VectorStream ({_access}, position {_position}, {_vector})" : "VectorStream (disposed)";

    /// <summary>Closes the stream; the vector is left as it is.</summary>
    /// <param name="disposing">True from <see cref="Stream.Dispose()"/>.</param>
    protected override void Dispose(bool disposing)
    {
        _isOpen = false;
        base.Dispose(disposing);
    }

    /// <summary>Checks the handle (not default, not stale) and returns its segment's manager.</summary>
    private static Managed.SegmentManager CheckVector(SharedVector<byte> vector)
    {
        if (vector.IsDefault)
        {
            throw new ArgumentException("A default vector handle refers to no vector.", nameof(vector));
        }

        _ = vector.GetBuffer(out _);   // throws for a destroyed or corrupted vector
        return vector.Manager;
    }

    /// <summary>Whether <paramref name="source"/> lies (partly) in the <paramref name="capacity"/> bytes at <paramref name="data"/>.</summary>
    private static bool Overlaps(ReadOnlySpan<byte> source, byte* data, int capacity)
    {
        if (data == null)
        {
            return false;
        }

        nuint start = (nuint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(source));
        nuint end = start + (nuint)source.Length;
        return start < (nuint)data + (nuint)capacity && end > (nuint)data;
    }

    [DoesNotReturn]
    private static void ThrowTooLong(long position, int count) =>
        throw new IOException($"Writing {count} bytes at position {position} would make the vector longer than {Array.MaxLength} bytes; nothing was written.");

    private void ThrowIfClosed() => ObjectDisposedException.ThrowIf(!_isOpen, this);

    private void ThrowIfNotReadable()
    {
        ThrowIfClosed();
        if ((_access & FileAccess.Read) == 0)
        {
            throw new NotSupportedException("The stream was not opened for reading.");
        }
    }

    private void ThrowIfNotWritable()
    {
        ThrowIfClosed();
        if ((_access & FileAccess.Write) == 0)
        {
            throw new NotSupportedException("The stream was not opened for writing.");
        }
    }
}
