using System.Runtime.InteropServices;

namespace Interprocess.Managed;

/// <summary>
/// A managed segment in this process's own memory (Boost's <c>managed_heap_memory</c>): the same
/// <see cref="SegmentManager"/> and the same layout as shared segments, for building data structures that can
/// later be copied as bytes into shared memory or a file, or for tests.
/// </summary>
/// <remarks>The memory is page-aligned and zero-filled; <see cref="Dispose"/> frees it.</remarks>
public sealed unsafe class ManagedHeapMemory : IDisposable
{
    private byte* _memory;
    private long _size;

    /// <summary>Allocates <paramref name="size"/> bytes and lays out an empty segment in them.</summary>
    /// <param name="size">The segment's size (at least 16 KiB).</param>
    /// <param name="options">The allocation algorithm and name index; <see cref="ManagedSegmentOptions.Default"/> when null.</param>
    /// <exception cref="ArgumentException">The options name no known algorithm or index.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The size is too small or too large.</exception>
    /// <exception cref="OutOfMemoryException">The process could not allocate the memory.</exception>
    public ManagedHeapMemory(long size, ManagedSegmentOptions? options = null)
    {
        SegmentManager.ValidateSize(size);
        options?.Validate();
        _memory = (byte*)NativeMemory.AlignedAlloc((nuint)size, (nuint)Environment.SystemPageSize);
        NativeMemory.Clear(_memory, (nuint)size);
        _size = size;
        Manager = SegmentManager.Format(_memory, size, "heap segment", options);
        Manager.Register(privateMapping: true);
    }

    /// <summary>The segment manager (a new one after <see cref="Grow"/>).</summary>
    public SegmentManager Manager { get; private set; }

    /// <summary>
    /// Makes the segment <paramref name="extraBytes"/> larger (Boost's <c>managed_heap_memory::grow</c>): the
    /// memory is reallocated, so it moves. Handles stay valid; addresses, references and spans obtained before
    /// do not, and <see cref="Manager"/> is a new object (the old one is disposed).
    /// </summary>
    /// <param name="extraBytes">How many bytes to add (at least 64).</param>
    /// <exception cref="ArgumentOutOfRangeException">Too few or too many bytes.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    /// <exception cref="OutOfMemoryException">The process could not allocate the memory.</exception>
    public void Grow(long extraBytes)
    {
        ObjectDisposedException.ThrowIf(_memory == null, this);
        ArgumentOutOfRangeException.ThrowIfLessThan(extraBytes, 64);
        long newSize = checked(_size + extraBytes);
        SegmentManager.ValidateSize(newSize);
        var bigger = (byte*)NativeMemory.AlignedAlloc((nuint)newSize, (nuint)Environment.SystemPageSize);
        Buffer.MemoryCopy(_memory, bigger, newSize, _size);
        NativeMemory.Clear(bigger + _size, (nuint)extraBytes);
        Manager.Detach();
        NativeMemory.AlignedFree(_memory);
        _memory = bigger;
        var moved = SegmentManager.Attach(bigger, newSize, "heap segment", readOnly: false, TimeSpan.Zero);
        Manager = moved.GrowTo(newSize, newSize);
        Manager.Register(privateMapping: true);
        _size = newSize;
    }

    /// <summary>Frees the memory; references into it must not be used afterwards.</summary>
    public void Dispose()
    {
        if (_memory != null)
        {
            Manager.Detach();
            NativeMemory.AlignedFree(_memory);
            _memory = null;
        }
    }
}
