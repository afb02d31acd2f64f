using Interprocess.Managed;
using Interprocess.Memory;

namespace Interprocess.Streams;

/// <summary>
/// A <see cref="Stream"/> over a fixed range of memory: a range of a <see cref="MappedRegion"/>, a block of a
/// managed segment, or any pointer and length (Boost's <c>bufferstream</c>, <c>ibufferstream</c> and
/// <c>obufferstream</c>). It reads, writes and seeks in place; it never allocates and never grows.
/// </summary>
/// <remarks>
/// <para>The stream follows <see cref="UnmanagedMemoryStream"/>: it has a <see cref="Capacity"/> (the memory it may
/// use, fixed at construction) and a <see cref="Length"/> (how much of it holds data, at most the capacity).
/// Reads stop at the length. A write that would end beyond the capacity throws <see cref="NotSupportedException"/>
/// and writes nothing (Boost's <c>obufferstream</c> sets <c>badbit</c> instead); check
/// <see cref="Capacity"/> minus <see cref="Position"/> first if you want to write only what fits. A write
/// that starts beyond the length zero-fills the gap. <see cref="SetLength(long)"/> beyond the capacity throws
/// <see cref="IOException"/>.</para>
/// <para>The length and position belong to this object, not to the shared memory: another process that reads
/// what this one wrote must be told the length (store it next to the data, published with
/// <see cref="Volatile.Write(ref long, long)"/> after the bytes, or hand it over in a message). Nothing in the
/// stream orders its stores for other processes; the synchronization that hands the memory over does.</para>
/// <para>The stream does not own the memory: disposing it leaves the region or segment mapped, and the region
/// or segment must stay open while the stream is used (as for a span taken from it). Like
/// <see cref="MemoryStream"/>, it is not safe for concurrent use by several threads.</para>
/// </remarks>
/// <example>
/// One process writes a document into a shared region and publishes its length:
/// <code>
/// using var shm = SharedMemoryObject.CreateNew(name, 64 * 1024);
/// using var region = new MappedRegion(shm);
/// using (var stream = new BufferStream(region, offset: 8, length: 0, capacity: region.Size - 8, FileAccess.Write))
/// using (var writer = new StreamWriter(stream))
/// {
///     writer.Write("hello from the writer");
///     writer.Flush();
///     Volatile.Write(ref region.GetRef&lt;long&gt;(0), stream.Length);   // publishes the bytes written before it
/// }
/// </code>
/// another process reads it back:
/// <code>
/// using var shm = SharedMemoryObject.OpenExisting(name, AccessMode.ReadOnly);
/// using var region = new MappedRegion(shm, AccessMode.ReadOnly);
/// long length = Volatile.Read(in region.GetReadOnlyRef&lt;long&gt;(0));
/// using var stream = new BufferStream(region, offset: 8, length);
/// string text = new StreamReader(stream).ReadToEnd();
/// </code>
/// </example>
public sealed unsafe class BufferStream : Stream
{
    /// <summary>The first byte of the memory.</summary>
    private readonly byte* _pointer;
    /// <summary>How many bytes from <see cref="_pointer"/> the stream may use.</summary>
    private readonly long _capacity;
    /// <summary>What the stream was opened for.</summary>
    private readonly FileAccess _access;
    /// <summary>How many bytes hold data (0 ≤ length ≤ capacity).</summary>
    private long _length;
    /// <summary>Where the next read or write starts (≥ 0; may lie beyond the length and even the capacity).</summary>
    private long _position;
    /// <summary>False once disposed.</summary>
    private bool _isOpen;

    /// <summary>
    /// A read-only stream over <paramref name="length"/> bytes of a region from <paramref name="offset"/> (Boost's
    /// <c>ibufferstream</c>): the length and the capacity are both <paramref name="length"/>.
    /// </summary>
    /// <param name="region">The mapped region.</param>
    /// <param name="offset">Where the stream's memory starts in the region.</param>
    /// <param name="length">How many bytes to read.</param>
    /// <exception cref="ArgumentNullException"><paramref name="region"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The range is not inside the region.</exception>
    /// <exception cref="ObjectDisposedException">The region was disposed.</exception>
    public BufferStream(MappedRegion region, long offset, long length)
        : this(FixedMemory.In(region, offset, length, writable: false), length, length, FileAccess.Read)
    {
    }

    /// <summary>A stream over <paramref name="capacity"/> bytes of a region from <paramref name="offset"/>, of which the first <paramref name="length"/> hold data.</summary>
    /// <param name="region">The mapped region.</param>
    /// <param name="offset">Where the stream's memory starts in the region.</param>
    /// <param name="length">How many bytes already hold data (0 for a stream to write into).</param>
    /// <param name="capacity">How many bytes the stream may use.</param>
    /// <param name="access">Read, Write or ReadWrite; a read-only region allows only Read.</param>
    /// <exception cref="ArgumentNullException"><paramref name="region"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The range is not inside the region, the length is negative or beyond the capacity, or the access is not a <see cref="FileAccess"/> value.</exception>
    /// <exception cref="ArgumentException">Write access on a read-only region.</exception>
    /// <exception cref="ObjectDisposedException">The region was disposed.</exception>
    public BufferStream(MappedRegion region, long offset, long length, long capacity, FileAccess access)
        : this(FixedMemory.In(region, offset, capacity, writable: (access & FileAccess.Write) != 0), length, capacity, access)
    {
    }

    /// <summary>A read-only stream over the first <paramref name="length"/> bytes of a block allocated in a managed segment.</summary>
    /// <param name="segment">The segment's manager (<c>ManagedSharedMemory.Manager</c>, ...).</param>
    /// <param name="handle">The block's handle, as returned by <see cref="SegmentManager.Allocate(long)"/>.</param>
    /// <param name="length">How many bytes to read; at most the block's size.</param>
    /// <exception cref="ArgumentNullException"><paramref name="segment"/> is null.</exception>
    /// <exception cref="ArgumentException">The handle is not an allocated block.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The length is negative or larger than the block.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public BufferStream(SegmentManager segment, long handle, long length)
        : this(FixedMemory.In(segment, handle, length, writable: false), length, length, FileAccess.Read)
    {
    }

    /// <summary>A stream over the first <paramref name="capacity"/> bytes of a block allocated in a managed segment, of which the first <paramref name="length"/> hold data.</summary>
    /// <param name="segment">The segment's manager.</param>
    /// <param name="handle">The block's handle.</param>
    /// <param name="length">How many bytes already hold data (0 for a stream to write into).</param>
    /// <param name="capacity">How many bytes the stream may use; at most the block's size.</param>
    /// <param name="access">Read, Write or ReadWrite; a read-only segment allows only Read.</param>
    /// <exception cref="ArgumentNullException"><paramref name="segment"/> is null.</exception>
    /// <exception cref="ArgumentException">The handle is not an allocated block, or write access on a read-only segment.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The capacity is larger than the block, the length is negative or beyond the capacity, or the access is not a <see cref="FileAccess"/> value.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public BufferStream(SegmentManager segment, long handle, long length, long capacity, FileAccess access)
        : this(FixedMemory.In(segment, handle, capacity, writable: (access & FileAccess.Write) != 0), length, capacity, access)
    {
    }

    /// <summary>A read-only stream over <paramref name="length"/> bytes at <paramref name="pointer"/>.</summary>
    /// <param name="pointer">The first byte; the caller keeps the memory valid while the stream is used.</param>
    /// <param name="length">How many bytes to read.</param>
    /// <exception cref="ArgumentNullException"><paramref name="pointer"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The length is negative.</exception>
    public BufferStream(byte* pointer, long length)
        : this(pointer, length, length, FileAccess.Read)
    {
    }

    /// <summary>A stream over <paramref name="capacity"/> bytes at <paramref name="pointer"/>, of which the first <paramref name="length"/> hold data.</summary>
    /// <param name="pointer">The first byte; the caller keeps the memory valid (and writable, for write access) while the stream is used.</param>
    /// <param name="length">How many bytes already hold data.</param>
    /// <param name="capacity">How many bytes the stream may use.</param>
    /// <param name="access">Read, Write or ReadWrite.</param>
    /// <exception cref="ArgumentNullException"><paramref name="pointer"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The capacity is negative, the length is negative or beyond the capacity, or the access is not a <see cref="FileAccess"/> value.</exception>
    public BufferStream(byte* pointer, long length, long capacity, FileAccess access)
    {
        FixedMemory.CheckPointer(pointer, capacity);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, capacity);
        if (access is < FileAccess.Read or > FileAccess.ReadWrite)
        {
            throw new ArgumentOutOfRangeException(nameof(access), access, "Read, Write or ReadWrite.");
        }

        _pointer = pointer;
        _length = length;
        _capacity = capacity;
        _access = access;
        _isOpen = true;
    }

    /// <inheritdoc />
    public override bool CanRead => _isOpen && (_access & FileAccess.Read) != 0;

    /// <inheritdoc />
    public override bool CanSeek => _isOpen;

    /// <inheritdoc />
    public override bool CanWrite => _isOpen && (_access & FileAccess.Write) != 0;

    /// <summary>How many bytes the stream may use; fixed at construction.</summary>
    /// <exception cref="ObjectDisposedException">The stream was disposed.</exception>
    public long Capacity
    {
        get
        {
            ThrowIfClosed();
            return _capacity;
        }
    }

    /// <summary>How many bytes hold data: what was there at construction, extended by writes and <see cref="SetLength(long)"/>.</summary>
    /// <exception cref="ObjectDisposedException">The stream was disposed.</exception>
    public override long Length
    {
        get
        {
            ThrowIfClosed();
            return _length;
        }
    }

    /// <summary>Where the next read or write starts. It may be set beyond the length (a write there zero-fills the gap) and beyond the capacity (a write there throws).</summary>
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

    /// <summary>The bytes that hold data, [0, <see cref="Length"/>), without copying (Boost's <c>buffer()</c>).</summary>
    /// <returns>The data, in the stream's memory; valid while that memory is.</returns>
    /// <exception cref="NotSupportedException">The stream was not opened for reading.</exception>
    /// <exception cref="InvalidOperationException">The length is beyond what a span can cover.</exception>
    /// <exception cref="ObjectDisposedException">The stream was disposed.</exception>
    public ReadOnlySpan<byte> GetReadOnlySpan()
    {
        ThrowIfNotReadable();
        if (_length > int.MaxValue)
        {
            throw new InvalidOperationException($"The stream holds {_length} bytes, more than a span can cover.");
        }

        return new ReadOnlySpan<byte>(_pointer, (int)_length);
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
    public override int Read(Span<byte> buffer)
    {
        ThrowIfNotReadable();
        long available = _length - _position;
        if (available <= 0)
        {
            return 0;
        }

        int n = (int)Math.Min(available, buffer.Length);
        new ReadOnlySpan<byte>(_pointer + _position, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    /// <summary>Reads one byte.</summary>
    /// <returns>The byte, or -1 at or beyond the length.</returns>
    /// <exception cref="NotSupportedException">The stream was not opened for reading.</exception>
    /// <exception cref="ObjectDisposedException">The stream was disposed.</exception>
    public override int ReadByte()
    {
        ThrowIfNotReadable();
        if (_position >= _length)
        {
            return -1;
        }

        return _pointer[_position++];
    }

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        Write(new ReadOnlySpan<byte>(buffer, offset, count));
    }

    /// <summary>Copies <c>buffer</c> to the current position, extending the length if it ends beyond it.</summary>
    /// <param name="buffer">The bytes to write.</param>
    /// <exception cref="NotSupportedException">The stream was not opened for writing, or the write would end beyond the capacity (nothing is written).</exception>
    /// <exception cref="ObjectDisposedException">The stream was disposed.</exception>
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ThrowIfNotWritable();
        long end = PrepareWrite(buffer.Length);
        buffer.CopyTo(new Span<byte>(_pointer + _position, buffer.Length));
        _position = end;
    }

    /// <summary>Writes one byte.</summary>
    /// <param name="value">The byte.</param>
    /// <exception cref="NotSupportedException">The stream was not opened for writing, or the position is at or beyond the capacity.</exception>
    /// <exception cref="ObjectDisposedException">The stream was disposed.</exception>
    public override void WriteByte(byte value)
    {
        ThrowIfNotWritable();
        long end = PrepareWrite(1);
        _pointer[_position] = value;
        _position = end;
    }

    /// <summary>Moves the position.</summary>
    /// <param name="offset">The offset from <paramref name="origin"/>.</param>
    /// <param name="origin">Begin, Current or End (the length).</param>
    /// <returns>The new position.</returns>
    /// <exception cref="IOException">The new position would be before the beginning.</exception>
    /// <exception cref="ArgumentException"><paramref name="origin"/> is not a <see cref="SeekOrigin"/> value.</exception>
    /// <exception cref="ObjectDisposedException">The stream was disposed.</exception>
    public override long Seek(long offset, SeekOrigin origin)
    {
        ThrowIfClosed();
        long start = origin switch
        {
            SeekOrigin.Begin => 0,
            SeekOrigin.Current => _position,
            SeekOrigin.End => _length,
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

    /// <summary>Sets the length; bytes added between the old and the new length are zeroed.</summary>
    /// <param name="value">The new length, at most the capacity.</param>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    /// <exception cref="IOException">The value is beyond the capacity.</exception>
    /// <exception cref="NotSupportedException">The stream was not opened for writing.</exception>
    /// <exception cref="ObjectDisposedException">The stream was disposed.</exception>
    public override void SetLength(long value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        ThrowIfNotWritable();
        if (value > _capacity)
        {
            throw new IOException($"The stream's capacity is fixed at {_capacity} bytes; it cannot be {value} long.");
        }

        if (value > _length)
        {
            Clear(_length, value);
        }

        _length = value;
        _position = Math.Min(_position, value);
    }

    /// <summary>Does nothing: the bytes are already in the memory. Use <see cref="MappedRegion.Flush(long, long, bool)"/> to write a mapped file to disk.</summary>
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
    /// <exception cref="NotSupportedException">Not writable, or beyond the capacity (in the task).</exception>
    /// <exception cref="ObjectDisposedException">The stream was disposed (in the task).</exception>
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        CompletedStreamTasks.Write(this, buffer, cancellationToken);

    /// <inheritdoc />
    public override string ToString() =>
        _isOpen ? $"BufferStream ({_access}, position {_position}, length {_length}, capacity {_capacity})" : "BufferStream (disposed)";

    /// <summary>Closes the stream; the memory is left as it is.</summary>
    /// <param name="disposing">True from <see cref="Stream.Dispose()"/>.</param>
    protected override void Dispose(bool disposing)
    {
        _isOpen = false;
        base.Dispose(disposing);
    }

    /// <summary>Checks that <paramref name="count"/> bytes fit at the position, zero-fills any gap after the length, and extends the length.</summary>
    /// <returns>The position after the write.</returns>
    private long PrepareWrite(int count)
    {
        long end = _position + count;
        if (end > _capacity || end < 0)
        {
            throw new NotSupportedException(
                $"Writing {count} bytes at position {_position} would go beyond the stream's fixed capacity of {_capacity} bytes; nothing was written.");
        }

        if (_position > _length)
        {
            Clear(_length, _position);
        }

        if (end > _length)
        {
            _length = end;
        }

        return end;
    }

    /// <summary>Zeroes [<paramref name="from"/>, <paramref name="to"/>).</summary>
    private void Clear(long from, long to)
    {
        for (long at = from; at < to;)
        {
            int n = (int)Math.Min(to - at, int.MaxValue);
            new Span<byte>(_pointer + at, n).Clear();
            at += n;
        }
    }

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
