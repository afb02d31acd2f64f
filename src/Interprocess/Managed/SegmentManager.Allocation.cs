using System.Runtime.CompilerServices;

namespace Interprocess.Managed;

/// <summary>Raw memory: allocation, handles and addresses, statistics.</summary>
public sealed unsafe partial class SegmentManager
{
    /// <summary>Allocates <paramref name="size"/> bytes, 16-byte aligned (Boost's <c>allocate</c>).</summary>
    /// <param name="size">Bytes to allocate; 0 gives a minimal block.</param>
    /// <returns>The block's handle (its offset from the segment base), valid in every process.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is negative.</exception>
    /// <exception cref="InterprocessException">No free block is large enough (<see cref="InterprocessErrorCode.OutOfMemory"/>), or the heap is corrupted (<see cref="InterprocessErrorCode.Corrupted"/>).</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public long Allocate(long size)
    {
        if (!TryAllocate(size, out long handle))
        {
            ThrowOutOfMemory(size);
        }

        return handle;
    }

    /// <summary>Allocates <paramref name="size"/> bytes, 16-byte aligned, or reports that there is no room (Boost's nothrow <c>allocate</c>).</summary>
    /// <param name="size">Bytes to allocate.</param>
    /// <param name="handle">The block's handle, or 0.</param>
    /// <returns>False when no free block is large enough.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is negative.</exception>
    /// <exception cref="InterprocessException">The heap is corrupted (<see cref="InterprocessErrorCode.Corrupted"/>).</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryAllocate(long size, out long handle)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        Enter(OpAllocate);
        try
        {
            handle = _heap.Allocate(size, objectBlock: false);
        }
        finally
        {
            Exit();
        }

        return handle != 0;
    }

    /// <summary>
    /// Allocates a block for each of <paramref name="sizes"/>, all or none, under one lock acquisition (Boost's
    /// <c>allocate_many</c>).
    /// </summary>
    /// <param name="sizes">The size of each block.</param>
    /// <param name="handles">Receives the handles (at least as long as <paramref name="sizes"/>).</param>
    /// <returns>False (and nothing allocated) when not all fit.</returns>
    /// <exception cref="ArgumentException"><paramref name="handles"/> is shorter than <paramref name="sizes"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative.</exception>
    /// <exception cref="InterprocessException">The heap is corrupted.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public bool TryAllocateMany(ReadOnlySpan<long> sizes, Span<long> handles)
    {
        if (handles.Length < sizes.Length)
        {
            throw new ArgumentException("There must be a handle slot for every size.", nameof(handles));
        }

        foreach (long size in sizes)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(size, nameof(sizes));
        }

        Enter(OpAllocate);
        try
        {
            for (int i = 0; i < sizes.Length; i++)
            {
                handles[i] = _heap.Allocate(sizes[i], objectBlock: false);
                if (handles[i] == 0)
                {
                    for (int j = 0; j < i; j++)
                    {
                        _heap.Deallocate(handles[j]);
                        handles[j] = 0;
                    }

                    return false;
                }
            }

            return true;
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Frees many blocks under one lock acquisition (Boost's <c>deallocate_many</c>).</summary>
    /// <param name="handles">The blocks' handles.</param>
    /// <exception cref="ArgumentException">A handle is not an allocated block (the ones before it are freed).</exception>
    /// <exception cref="InterprocessException">The heap is corrupted.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public void DeallocateMany(ReadOnlySpan<long> handles)
    {
        Enter(OpDeallocate);
        try
        {
            foreach (long handle in handles)
            {
                if (_heap.IsAllocated(handle, out bool objectBlock) && objectBlock)
                {
                    throw new ArgumentException($"The handle {handle} is the block of an object in '{Name}'; destroy it with Destroy.", nameof(handles));
                }

                _heap.Deallocate(handle);
            }
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Allocates <paramref name="size"/> bytes at an address that is a multiple of <paramref name="alignment"/> (Boost's <c>allocate_aligned</c>).</summary>
    /// <param name="size">Bytes to allocate.</param>
    /// <param name="alignment">A power of two. The address in this process is aligned; the handle is too up to the page size (the base is page-aligned, so every process sees the same alignment up to that).</param>
    /// <returns>The block's handle.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is negative or <paramref name="alignment"/> is not a positive power of two.</exception>
    /// <exception cref="InterprocessException">No room (<see cref="InterprocessErrorCode.OutOfMemory"/>), or the heap is corrupted.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public long AllocateAligned(long size, int alignment)
    {
        if (!TryAllocateAligned(size, alignment, out long handle))
        {
            ThrowOutOfMemory(size);
        }

        return handle;
    }

    /// <summary>As <see cref="AllocateAligned(long, int)"/>, reporting no room as false.</summary>
    /// <param name="size">Bytes to allocate.</param>
    /// <param name="alignment">A power of two.</param>
    /// <param name="handle">The block's handle, or 0.</param>
    /// <returns>False when no free block is large enough.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is negative or <paramref name="alignment"/> is not a positive power of two.</exception>
    /// <exception cref="InterprocessException">The heap is corrupted.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public bool TryAllocateAligned(long size, int alignment, out long handle)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        if (alignment <= 0 || (alignment & (alignment - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(alignment), alignment, "The alignment must be a positive power of two.");
        }

        Enter(OpAllocate);
        try
        {
            handle = _heap.AllocateAligned(size, alignment, objectBlock: false);
        }
        finally
        {
            Exit();
        }

        return handle != 0;
    }

    /// <summary>Frees a block returned by one of the Allocate methods (in any process).</summary>
    /// <param name="handle">The block's handle.</param>
    /// <exception cref="ArgumentException">The handle is not an allocated block of this segment (freed twice, never allocated, or an object's block: destroy objects with Destroy).</exception>
    /// <exception cref="InterprocessException">The heap is corrupted (<see cref="InterprocessErrorCode.Corrupted"/>).</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Deallocate(long handle)
    {
        Enter(OpDeallocate);
        try
        {
            if (_heap.IsAllocated(handle, out bool objectBlock) && objectBlock)
            {
                throw new ArgumentException($"The handle {handle} is the block of an object in '{Name}'; destroy it with Destroy.", nameof(handle));
            }

            _heap.Deallocate(handle);
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>
    /// Grows an allocated block in place, into the free memory right after it (Boost's
    /// <c>allocation_command</c> with <c>expand_fwd</c>): to at least <paramref name="minSize"/> usable bytes and,
    /// if there is room, up to <paramref name="preferredSize"/>. The block does not move and keeps its contents.
    /// </summary>
    /// <param name="handle">The block's handle.</param>
    /// <param name="minSize">The least usable size that helps the caller.</param>
    /// <param name="preferredSize">The usable size the caller would like.</param>
    /// <param name="receivedSize">The block's usable size afterwards (unchanged when false).</param>
    /// <returns>False when the block cannot grow to <paramref name="minSize"/> where it is.</returns>
    /// <exception cref="ArgumentException">The handle is not an allocated raw block.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative.</exception>
    /// <exception cref="InterprocessException">The heap is corrupted.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public bool TryExpandInPlace(long handle, long minSize, long preferredSize, out long receivedSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minSize);
        ArgumentOutOfRangeException.ThrowIfNegative(preferredSize);
        Enter(OpAllocate);
        try
        {
            CheckRawBlock(handle);
            long size = _heap.ExpandInPlace(handle, minSize, preferredSize);
            receivedSize = size < 0 ? _heap.GetUsableSize(handle) : size;
            return size >= 0;
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Gives the tail of an allocated block back to the heap (Boost's <c>allocation_command</c> with <c>shrink_in_place</c>).</summary>
    /// <param name="handle">The block's handle.</param>
    /// <param name="newSize">The usable size to keep (its first bytes keep their contents).</param>
    /// <returns>The block's usable size afterwards (at least <paramref name="newSize"/>; a tail too small to be a block stays).</returns>
    /// <exception cref="ArgumentException">The handle is not an allocated raw block.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="newSize"/> is negative or larger than the block.</exception>
    /// <exception cref="InterprocessException">The heap is corrupted.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public long ShrinkInPlace(long handle, long newSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(newSize);
        Enter(OpDeallocate);
        try
        {
            CheckRawBlock(handle);
            return _heap.ShrinkInPlace(handle, newSize);
        }
        finally
        {
            Exit();
        }
    }

    private void CheckRawBlock(long handle)
    {
        if (_heap.IsAllocated(handle, out bool objectBlock) && objectBlock)
        {
            throw new ArgumentException($"The handle {handle} is the block of an object in '{Name}', not a raw block.", nameof(handle));
        }
    }

    /// <summary>Frees a block given by its address in this process.</summary>
    /// <param name="pointer">The block's address (<see cref="GetAddress(long)"/> of its handle).</param>
    /// <exception cref="ArgumentException">The address is not in the segment, or not an allocated block.</exception>
    /// <exception cref="InterprocessException">The heap is corrupted.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public void Deallocate(void* pointer) => Deallocate(GetHandle((nint)pointer));

    /// <summary>The bytes usable in an allocated block (at least what was asked for; Boost's <c>size</c> of a block).</summary>
    /// <param name="handle">The block's handle.</param>
    /// <returns>The usable size in bytes.</returns>
    /// <exception cref="ArgumentException">The handle is not an allocated block.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public long GetBlockSize(long handle)
    {
        bool locked = EnterRead();
        try
        {
            return _heap.GetUsableSize(handle);
        }
        finally
        {
            ExitRead(locked);
        }
    }

    /// <summary>The address in this process of a handle.</summary>
    /// <param name="handle">An offset inside the segment.</param>
    /// <returns>The address.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The handle is outside the segment.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public nint GetAddress(long handle)
    {
        ThrowIfDetached();
        if ((ulong)handle >= (ulong)Header.SegmentSize)
        {
            throw new ArgumentOutOfRangeException(nameof(handle), handle, $"The handle is outside the segment '{Name}' ({Header.SegmentSize} bytes).");
        }

        return (nint)(_base + handle);
    }

    /// <summary>The handle (offset from the segment base) of an address in this process.</summary>
    /// <param name="address">An address inside the segment.</param>
    /// <returns>The handle.</returns>
    /// <exception cref="ArgumentException">The address is not in the segment.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public long GetHandle(nint address)
    {
        if (!BelongsToSegment(address))
        {
            throw new ArgumentException($"The address 0x{address:x} is not inside the segment '{Name}'.", nameof(address));
        }

        return (long)((byte*)address - _base);
    }

    /// <summary>Whether an address lies inside the segment as mapped in this process (Boost's <c>belongs_to_segment</c>).</summary>
    /// <param name="address">Any address.</param>
    /// <returns>True when inside.</returns>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public bool BelongsToSegment(nint address)
    {
        ThrowIfDetached();
        return (ulong)((byte*)address - _base) < (ulong)Header.SegmentSize;
    }

    /// <summary>A reference to a <typeparamref name="T"/> at a handle (bounds-checked against the segment).</summary>
    /// <typeparam name="T">An unmanaged type.</typeparam>
    /// <param name="handle">The offset.</param>
    /// <returns>The reference; valid while the segment is open.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The value would not lie inside the segment.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public ref T GetRef<T>(long handle)
        where T : unmanaged
    {
        CheckRange(handle, sizeof(T));
        return ref *(T*)(_base + handle);
    }

    /// <summary>The bytes at a handle (bounds-checked against the segment).</summary>
    /// <param name="handle">The offset.</param>
    /// <param name="length">How many bytes.</param>
    /// <returns>The span; valid while the segment is open.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The range would not lie inside the segment.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public Span<byte> GetSpan(long handle, int length)
    {
        CheckRange(handle, length);
        if (IsReadOnly)
        {
            ThrowReadOnly();
        }

        return new Span<byte>(_base + handle, length);
    }

    private void CheckRange(long handle, long length)
    {
        ThrowIfDetached();
        long size = Header.SegmentSize;
        if (handle < 0 || length < 0 || handle > size - length)
        {
            throw new ArgumentOutOfRangeException(nameof(handle), handle, $"[{handle}, +{length}) is not inside the segment '{Name}' ({size} bytes).");
        }
    }

    /// <summary>The bytes not allocated (Boost's <c>get_free_memory</c>); some are needed for block headers.</summary>
    /// <returns>Free bytes.</returns>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public long GetFreeMemory()
    {
        bool locked = EnterRead();
        try
        {
            return _heap.FreeBytes;
        }
        finally
        {
            ExitRead(locked);
        }
    }

    /// <summary>
    /// True when nothing is allocated: no raw block, no object (Boost's <c>all_memory_deallocated</c>). The
    /// name index's own table does not count.
    /// </summary>
    /// <returns>Whether all memory is free.</returns>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public bool AllMemoryDeallocated()
    {
        bool locked = EnterRead();
        try
        {
            return _heap.AllocatedBlocks == _index.OwnBlocks;
        }
        finally
        {
            ExitRead(locked);
        }
    }

    /// <summary>Writes zeros over all free memory (Boost's <c>zero_free_memory</c>).</summary>
    /// <exception cref="InterprocessException">The heap is corrupted.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public void ZeroFreeMemory()
    {
        Enter(OpZeroFree);
        try
        {
            _heap.ZeroFreeMemory();
        }
        finally
        {
            Exit();
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowOutOfMemory(long size) => throw new InterprocessException(
        InterprocessErrorCode.OutOfMemory,
        $"The managed segment '{Name}' has no free block for {size} bytes ({GetFreeMemory()} bytes free in all).") { ObjectName = Name };
}
