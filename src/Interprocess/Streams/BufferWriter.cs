using System.Buffers;
using Interprocess.Managed;
using Interprocess.Memory;

namespace Interprocess.Streams;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> of bytes over a fixed range of memory: a range of a <see cref="MappedRegion"/>,
/// a block of a managed segment, or any pointer and length. Serializers (<c>Utf8JsonWriter</c>, protobuf,
/// MessagePack, <c>System.IO.Pipelines</c> code) write straight into shared memory through it, with no copy.
/// </summary>
/// <remarks>
/// <para>Like <see cref="ArrayBufferWriter{T}"/>, but it cannot grow: <see cref="GetSpan(int)"/> and
/// <see cref="GetMemory(int)"/> throw <see cref="InvalidOperationException"/> when fewer than the hinted bytes
/// (at least one) are free, rather than hand out a buffer shorter than the caller asked for.</para>
/// <para><see cref="WrittenCount"/> belongs to this object: another process that reads what was written must be
/// told the count (store it next to the data after the bytes, with <see cref="Volatile"/>, or send it in a
/// message). The writer does not own the memory; the region or segment must stay open while it and any span
/// or memory it handed out are used. It is not safe for concurrent use by several threads.</para>
/// </remarks>
/// <example>
/// <code>
/// using var region = new MappedRegion(shm);
/// var writer = new BufferWriter(region, offset: 8, capacity: 4096);
/// using (var json = new Utf8JsonWriter(writer))
/// {
///     JsonSerializer.Serialize(json, order);
/// }
/// Volatile.Write(ref region.GetRef&lt;long&gt;(0), writer.WrittenCount);   // the reader learns the length after the bytes
/// </code>
/// </example>
public sealed unsafe class BufferWriter : IBufferWriter<byte>
{
    /// <summary>The first byte of the memory.</summary>
    private readonly byte* _pointer;
    /// <summary>How many bytes the writer may fill.</summary>
    private readonly int _capacity;
    /// <summary>How many bytes have been committed with <see cref="Advance(int)"/>.</summary>
    private int _written;
    /// <summary>Made on the first <see cref="GetMemory(int)"/>: the memory as a <see cref="Memory{T}"/>.</summary>
    private UnmanagedMemoryManager? _manager;

    /// <summary>A writer over <paramref name="capacity"/> bytes of a region from <paramref name="offset"/>.</summary>
    /// <param name="region">A writable mapped region.</param>
    /// <param name="offset">Where the memory starts in the region.</param>
    /// <param name="capacity">How many bytes the writer may fill.</param>
    /// <exception cref="ArgumentNullException"><paramref name="region"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The range is not inside the region.</exception>
    /// <exception cref="ArgumentException">The region is read-only.</exception>
    /// <exception cref="ObjectDisposedException">The region was disposed.</exception>
    public BufferWriter(MappedRegion region, long offset, int capacity)
        : this(FixedMemory.In(region, offset, capacity, writable: true), capacity)
    {
    }

    /// <summary>A writer over the first <paramref name="capacity"/> bytes of a block allocated in a managed segment.</summary>
    /// <param name="segment">The segment's manager, open for writing.</param>
    /// <param name="handle">The block's handle, as returned by <see cref="SegmentManager.Allocate(long)"/>.</param>
    /// <param name="capacity">How many bytes the writer may fill; at most the block's size.</param>
    /// <exception cref="ArgumentNullException"><paramref name="segment"/> is null.</exception>
    /// <exception cref="ArgumentException">The handle is not an allocated block, or the segment is read-only.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The capacity is negative or larger than the block.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public BufferWriter(SegmentManager segment, long handle, int capacity)
        : this(FixedMemory.In(segment, handle, capacity, writable: true), capacity)
    {
    }

    /// <summary>A writer over <paramref name="capacity"/> bytes at <paramref name="pointer"/>.</summary>
    /// <param name="pointer">The first byte; the caller keeps the memory valid and writable while the writer is used.</param>
    /// <param name="capacity">How many bytes the writer may fill.</param>
    /// <exception cref="ArgumentNullException"><paramref name="pointer"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The capacity is negative.</exception>
    public BufferWriter(byte* pointer, int capacity)
    {
        FixedMemory.CheckPointer(pointer, capacity);
        _pointer = pointer;
        _capacity = capacity;
    }

    /// <summary>How many bytes the writer may fill in all.</summary>
    public int Capacity => _capacity;

    /// <summary>How many bytes have been written (committed with <see cref="Advance(int)"/>).</summary>
    public int WrittenCount => _written;

    /// <summary>How many bytes are still free.</summary>
    public int FreeCapacity => _capacity - _written;

    /// <summary>The bytes written so far, in place.</summary>
    public ReadOnlySpan<byte> WrittenSpan => new(_pointer, _written);

    /// <summary>The bytes written so far, in place, as memory.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => Manager.Memory[.._written];

    private UnmanagedMemoryManager Manager => _manager ??= new UnmanagedMemoryManager(_pointer, _capacity);

    /// <summary>Commits <paramref name="count"/> bytes written into the last span or memory handed out.</summary>
    /// <param name="count">How many bytes were written.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    /// <exception cref="InvalidOperationException">That would go beyond the capacity.</exception>
    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count > _capacity - _written)
        {
            throw new InvalidOperationException($"Cannot advance by {count} bytes: only {_capacity - _written} of the writer's {_capacity} are free.");
        }

        _written += count;
    }

    /// <summary>The free memory after what was written, at least <paramref name="sizeHint"/> bytes long (at least 1 when the hint is 0).</summary>
    /// <param name="sizeHint">How many bytes the caller needs at least.</param>
    /// <returns>All the free memory.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="sizeHint"/> is negative.</exception>
    /// <exception cref="InvalidOperationException">Fewer bytes than that are free: the capacity is fixed.</exception>
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        CheckFree(sizeHint);
        return Manager.Memory[_written..];
    }

    /// <summary>The free span after what was written, at least <paramref name="sizeHint"/> bytes long (at least 1 when the hint is 0).</summary>
    /// <param name="sizeHint">How many bytes the caller needs at least.</param>
    /// <returns>All the free memory.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="sizeHint"/> is negative.</exception>
    /// <exception cref="InvalidOperationException">Fewer bytes than that are free: the capacity is fixed.</exception>
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        CheckFree(sizeHint);
        return new Span<byte>(_pointer + _written, _capacity - _written);
    }

    /// <summary>Starts again at the beginning; the bytes already written are left in the memory, not cleared.</summary>
    public void ResetWrittenCount() => _written = 0;

    /// <inheritdoc />
    public override string ToString() => $"BufferWriter ({_written} of {_capacity} bytes written)";

    private void CheckFree(int sizeHint)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sizeHint);
        int needed = Math.Max(sizeHint, 1);
        if (needed > _capacity - _written)
        {
            throw new InvalidOperationException(
                $"The writer's fixed capacity of {_capacity} bytes has {_capacity - _written} free; {needed} were asked for.");
        }
    }
}
