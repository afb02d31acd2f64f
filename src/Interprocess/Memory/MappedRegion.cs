using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Interprocess.Interop;

namespace Interprocess.Memory;

/// <summary>
/// A view of a shared memory object, a file, anonymous or System V shared memory, mapped into this process
/// (Boost's <c>mapped_region</c>). Access is bounds-checked: spans, <c>ref T</c> at an offset, typed reads
/// and writes; the raw <see cref="Address"/> is there for those who need it.
/// </summary>
/// <remarks>
/// <para>The region maps at a different address in every process, and even in the same process each time, so
/// never store an address in shared memory: store offsets (<c>OffsetPtr</c> in <c>Interprocess.Pointers</c>).</para>
/// <para>A read-only region (<see cref="AccessMode.ReadOnly"/>, <see cref="AccessMode.ReadPrivate"/>) never hands
/// out writable memory: a write there would kill the process with a signal that .NET cannot catch, so the
/// writable accessors throw <see cref="NotSupportedException"/> instead.</para>
/// <para>Dispose unmaps the memory. Spans and references obtained from the region must not be used after
/// that; do not dispose a region while another thread is still using memory from it.</para>
/// <para>There is deliberately no finalizer: a span or <c>ref T</c> into the region does not keep the
/// <see cref="MappedRegion"/> object alive, so a finalizer could unmap memory that is still in use and crash
/// the process. A region that is never disposed stays mapped until the process exits.</para>
/// </remarks>
public sealed unsafe class MappedRegion : IDisposable
{
    /// <summary>How the mapping is undone.</summary>
    private enum Unmapper
    {
        /// <summary>munmap of [<see cref="_mapBase"/>, +<see cref="_mapLength"/>).</summary>
        Munmap,
        /// <summary>shmdt of <see cref="_mapBase"/> (System V).</summary>
        Shmdt,
    }

    private readonly Unmapper _unmapper;
    /// <summary>The page-aligned start of what was mapped (0 once disposed).</summary>
    private nint _mapBase;
    /// <summary>The length of what is still mapped, a multiple of the page size for munmap regions.</summary>
    private nuint _mapLength;
    /// <summary>The first byte the caller asked for (inside [_mapBase, _mapBase + _mapLength)).</summary>
    private nint _address;
    /// <summary>The number of bytes the caller may use from <see cref="_address"/>.</summary>
    private long _size;

    /// <summary>Maps a shared memory object.</summary>
    /// <param name="memory">The object to map.</param>
    /// <param name="access">How to map: ReadWrite (default), ReadOnly, CopyOnWrite or ReadPrivate. ReadWrite needs a read-write object.</param>
    /// <param name="offset">Where the region starts in the object; need not be page-aligned.</param>
    /// <param name="size">How many bytes to map; 0 maps from <paramref name="offset"/> to the end of the object.</param>
    /// <param name="addressHint">An address the OS should try to map at (0: let it choose). The region may still land elsewhere; see <see cref="Address"/>.</param>
    /// <exception cref="ArgumentException">The access does not fit the object's access, or the offset or size is negative or beyond the object.</exception>
    /// <exception cref="InterprocessException">The OS refused to map (permissions, address space).</exception>
    public MappedRegion(SharedMemoryObject memory, AccessMode access = AccessMode.ReadWrite, long offset = 0, long size = 0, nint addressHint = 0)
        : this(ArgumentNullCheck(memory).Descriptor, memory.Name, memory.Access, access, offset, size, addressHint)
    {
    }

    /// <summary>Maps a file.</summary>
    /// <param name="file">The file to map.</param>
    /// <param name="access">How to map: ReadWrite (default), ReadOnly, CopyOnWrite or ReadPrivate. ReadWrite needs a file opened read-write.</param>
    /// <param name="offset">Where the region starts in the file; need not be page-aligned.</param>
    /// <param name="size">How many bytes to map; 0 maps from <paramref name="offset"/> to the end of the file.</param>
    /// <param name="addressHint">An address the OS should try to map at (0: let it choose).</param>
    /// <exception cref="ArgumentException">The access does not fit the file's access, or the offset or size is negative or beyond the file.</exception>
    /// <exception cref="InterprocessException">The OS refused to map.</exception>
    public MappedRegion(FileMapping file, AccessMode access = AccessMode.ReadWrite, long offset = 0, long size = 0, nint addressHint = 0)
        : this(ArgumentNullCheck(file).Descriptor, file.Path, file.Access, access, offset, size, addressHint)
    {
    }

    /// <summary>Maps anonymous shared memory (this process's or another's, opened from its handle).</summary>
    /// <param name="memory">The memory to map.</param>
    /// <param name="access">How to map: ReadWrite (default), ReadOnly, CopyOnWrite or ReadPrivate. ReadWrite needs memory opened read-write.</param>
    /// <param name="offset">Where the region starts in the memory; need not be page-aligned.</param>
    /// <param name="size">How many bytes to map; 0 maps from <paramref name="offset"/> to the end of the memory.</param>
    /// <param name="addressHint">An address the OS should try to map at (0: let it choose).</param>
    /// <exception cref="ArgumentException">The access does not fit the memory's access, or the offset or size is negative or beyond the memory.</exception>
    /// <exception cref="InterprocessException">The OS refused to map.</exception>
    /// <exception cref="ObjectDisposedException">The memory was disposed.</exception>
    public MappedRegion(AnonymousSharedMemory memory, AccessMode access = AccessMode.ReadWrite, long offset = 0, long size = 0, nint addressHint = 0)
        : this(ArgumentNullCheck(memory).Descriptor, memory.DisplayName, memory.Access, access, offset, size, addressHint)
    {
    }

    /// <summary>
    /// Attaches a System V shared memory segment, whole (<c>shmat</c>). System V has no private mappings, so
    /// only <see cref="AccessMode.ReadWrite"/> and <see cref="AccessMode.ReadOnly"/> are possible, and the region
    /// cannot be shrunk.
    /// </summary>
    /// <param name="memory">The segment to attach.</param>
    /// <param name="access">ReadWrite (default) or ReadOnly.</param>
    /// <exception cref="ArgumentException">The access is CopyOnWrite or ReadPrivate, which System V does not support.</exception>
    /// <exception cref="InterprocessException">The segment is gone (<see cref="InterprocessErrorCode.NotFound"/>),
    /// no permission for that access (<see cref="InterprocessErrorCode.PermissionDenied"/>), or the OS refused.</exception>
    public MappedRegion(XsiSharedMemory memory, AccessMode access = AccessMode.ReadWrite)
        : this(Attach(memory, access), access, memory.DisplayName)
    {
    }

    /// <summary>Maps <paramref name="size"/> bytes of a descriptor at <paramref name="offset"/>.</summary>
    internal MappedRegion(SafeFileDescriptor fd, string name, AccessMode objectAccess, AccessMode access, long offset, long size, nint addressHint)
    {
        Name = name;
        Access = access;
        _unmapper = Unmapper.Munmap;
        ValidateAccess(objectAccess, access, name);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(size);

        long objectSize = FileDescriptorInfo.Stat(fd, "fstat", name).st_size;
        if (size == 0)
        {
            if (offset >= objectSize)
            {
                throw new ArgumentException(
                    objectSize == 0
                        ? $"'{name}' is empty (size 0): give it a size (Truncate) before mapping it whole."
                        : $"The offset {offset} is at or beyond the end of '{name}' ({objectSize} bytes).",
                    nameof(offset));
            }

            size = objectSize - offset;
        }
        else if (offset > objectSize || size > objectSize - offset)
        {
            throw new ArgumentException(
                $"The region [{offset}, {offset + size}) lies beyond the end of '{name}' ({objectSize} bytes); truncate the object first.",
                nameof(size));
        }

        long page = PageSize;
        long pageOffset = offset % page;
        long mapOffset = offset - pageOffset;

        // Whole pages are mapped (and later unmapped) whatever the size; keeping the length rounded keeps
        // ShrinkBy's arithmetic on page boundaries.
        nuint mapLength = (nuint)AlignUp((nint)(size + pageOffset));
        if (addressHint != 0 && addressHint % page != pageOffset)
        {
            throw new ArgumentException(
                $"The address hint 0x{addressHint:x} is {addressHint % page} bytes into a page but the offset {offset} is {pageOffset} bytes into one; a region can start at the hint only if both are the same.",
                nameof(addressHint));
        }

        nint hint = addressHint == 0 ? 0 : addressHint - (nint)pageOffset;

        nint result = Libc.MMap(hint, mapLength, Protection(access), MapFlags(access), fd.Value, mapOffset);
        GC.KeepAlive(fd);
        if (result == Mman.MAP_FAILED)
        {
            throw InterprocessException.FromLastError("mmap", name);
        }

        _mapBase = result;
        _mapLength = mapLength;
        _address = result + (nint)pageOffset;
        _size = size;
    }

    /// <summary>Wraps memory attached with shmat (System V).</summary>
    private MappedRegion((nint Address, long Size) attached, AccessMode access, string name)
    {
        Name = name;
        Access = access;
        _unmapper = Unmapper.Shmdt;
        _mapBase = attached.Address;
        _mapLength = (nuint)attached.Size;
        _address = attached.Address;
        _size = attached.Size;
    }

    /// <summary>The size of a memory page on this machine; mappings start and end on page boundaries.</summary>
    public static int PageSize => Environment.SystemPageSize;

    /// <summary>The name or path of what is mapped.</summary>
    public string Name { get; }

    /// <summary>How the region is mapped.</summary>
    public AccessMode Access { get; }

    /// <summary>True when the region's memory must not be written (ReadOnly, ReadPrivate).</summary>
    public bool IsReadOnly => Access is AccessMode.ReadOnly or AccessMode.ReadPrivate;

    /// <summary>The address of the first byte of the region in this process.</summary>
    /// <exception cref="ObjectDisposedException">The region was disposed.</exception>
    public nint Address
    {
        get
        {
            ThrowIfDisposed();
            return _address;
        }
    }

    /// <summary>The number of bytes in the region.</summary>
    public long Size => _size;

    /// <summary>A writable span over <paramref name="length"/> bytes at <paramref name="offset"/>.</summary>
    /// <param name="offset">The offset from the start of the region.</param>
    /// <param name="length">The number of bytes.</param>
    /// <returns>The bytes, in shared memory.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The range is not inside the region.</exception>
    /// <exception cref="NotSupportedException">The region is read-only.</exception>
    /// <exception cref="ObjectDisposedException">The region was disposed.</exception>
    public Span<byte> GetSpan(long offset, int length)
    {
        ThrowIfReadOnly();
        return new Span<byte>((void*)Checked(offset, length), length);
    }

    /// <summary>A writable span over the whole region (at most <see cref="int.MaxValue"/> bytes).</summary>
    /// <returns>The bytes, in shared memory.</returns>
    /// <exception cref="NotSupportedException">The region is read-only.</exception>
    /// <exception cref="InvalidOperationException">The region is larger than a span can cover.</exception>
    /// <exception cref="ObjectDisposedException">The region was disposed.</exception>
    public Span<byte> GetSpan() => GetSpan(0, WholeLength());

    /// <summary>A read-only span over <paramref name="length"/> bytes at <paramref name="offset"/>.</summary>
    /// <param name="offset">The offset from the start of the region.</param>
    /// <param name="length">The number of bytes.</param>
    /// <returns>The bytes, in shared memory.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The range is not inside the region.</exception>
    /// <exception cref="ObjectDisposedException">The region was disposed.</exception>
    public ReadOnlySpan<byte> GetReadOnlySpan(long offset, int length) =>
        new((void*)Checked(offset, length), length);

    /// <summary>A read-only span over the whole region (at most <see cref="int.MaxValue"/> bytes).</summary>
    /// <returns>The bytes, in shared memory.</returns>
    /// <exception cref="InvalidOperationException">The region is larger than a span can cover.</exception>
    /// <exception cref="ObjectDisposedException">The region was disposed.</exception>
    public ReadOnlySpan<byte> GetReadOnlySpan() => GetReadOnlySpan(0, WholeLength());

    /// <summary>A writable span of <paramref name="count"/> values of <typeparamref name="T"/> at <paramref name="offset"/>.</summary>
    /// <typeparam name="T">An unmanaged type.</typeparam>
    /// <param name="offset">The offset in bytes from the start of the region.</param>
    /// <param name="count">The number of elements.</param>
    /// <returns>The elements, in shared memory.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The range is not inside the region.</exception>
    /// <exception cref="NotSupportedException">The region is read-only.</exception>
    /// <exception cref="ObjectDisposedException">The region was disposed.</exception>
    public Span<T> GetSpan<T>(long offset, int count)
        where T : unmanaged
    {
        ThrowIfReadOnly();
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return new Span<T>((void*)Checked(offset, (long)count * sizeof(T)), count);
    }

    /// <summary>A reference to the <typeparamref name="T"/> stored at <paramref name="offset"/>, for reading and writing.</summary>
    /// <typeparam name="T">An unmanaged type.</typeparam>
    /// <param name="offset">The offset in bytes from the start of the region.</param>
    /// <returns>A reference into shared memory.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The value does not fit inside the region at that offset.</exception>
    /// <exception cref="NotSupportedException">The region is read-only.</exception>
    /// <exception cref="ObjectDisposedException">The region was disposed.</exception>
    public ref T GetRef<T>(long offset)
        where T : unmanaged
    {
        ThrowIfReadOnly();
        return ref Unsafe.AsRef<T>((void*)Checked(offset, sizeof(T)));
    }

    /// <summary>A read-only reference to the <typeparamref name="T"/> stored at <paramref name="offset"/>.</summary>
    /// <typeparam name="T">An unmanaged type.</typeparam>
    /// <param name="offset">The offset in bytes from the start of the region.</param>
    /// <returns>A reference into shared memory.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The value does not fit inside the region at that offset.</exception>
    /// <exception cref="ObjectDisposedException">The region was disposed.</exception>
    public ref readonly T GetReadOnlyRef<T>(long offset)
        where T : unmanaged =>
        ref Unsafe.AsRef<T>((void*)Checked(offset, sizeof(T)));

    /// <summary>Reads the <typeparamref name="T"/> stored at <paramref name="offset"/> (any alignment).</summary>
    /// <typeparam name="T">An unmanaged type.</typeparam>
    /// <param name="offset">The offset in bytes from the start of the region.</param>
    /// <returns>A copy of the value.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The value does not fit inside the region at that offset.</exception>
    /// <exception cref="ObjectDisposedException">The region was disposed.</exception>
    public T Read<T>(long offset)
        where T : unmanaged =>
        Unsafe.ReadUnaligned<T>((void*)Checked(offset, sizeof(T)));

    /// <summary>Writes <paramref name="value"/> at <paramref name="offset"/> (any alignment).</summary>
    /// <typeparam name="T">An unmanaged type.</typeparam>
    /// <param name="offset">The offset in bytes from the start of the region.</param>
    /// <param name="value">The value to store.</param>
    /// <exception cref="ArgumentOutOfRangeException">The value does not fit inside the region at that offset.</exception>
    /// <exception cref="NotSupportedException">The region is read-only.</exception>
    /// <exception cref="ObjectDisposedException">The region was disposed.</exception>
    public void Write<T>(long offset, in T value)
        where T : unmanaged
    {
        ThrowIfReadOnly();
        Unsafe.WriteUnaligned((void*)Checked(offset, sizeof(T)), value);
    }

    /// <summary>
    /// Writes changes in [<paramref name="offset"/>, +<paramref name="size"/>) back to the object (<c>msync</c>);
    /// for a file, to the disk. Shared memory objects need no flushing to be seen by other processes.
    /// </summary>
    /// <param name="offset">The offset from the start of the region.</param>
    /// <param name="size">The number of bytes; 0 flushes to the end of the region.</param>
    /// <param name="async">True to schedule the write and return at once (MS_ASYNC); false to wait for it (MS_SYNC).</param>
    /// <exception cref="ArgumentOutOfRangeException">The range is not inside the region.</exception>
    /// <exception cref="InterprocessException">The OS refused.</exception>
    /// <exception cref="ObjectDisposedException">The region was disposed.</exception>
    public void Flush(long offset = 0, long size = 0, bool async = false)
    {
        ThrowIfDisposed();
        if (size == 0)
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThan(offset, _size);
            size = _size - offset;
        }

        nint start = Checked(offset, size);
        if (size == 0)
        {
            return;
        }

        nint aligned = AlignDown(start);
        nuint length = (nuint)(size + (start - aligned));

        Errors.RetryCheck(() => Libc.MSync(aligned, length, async ? Mman.MS_ASYNC : Mman.MS_SYNC), "msync", Name);
    }

    /// <summary>Tells the OS how the region will be used (<c>madvise</c>).</summary>
    /// <param name="advice">The hint.</param>
    /// <exception cref="InterprocessException">The OS refused.</exception>
    /// <exception cref="ObjectDisposedException">The region was disposed.</exception>
    public void Advise(MemoryAdvice advice)
    {
        ThrowIfDisposed();
        int native = advice switch
        {
            MemoryAdvice.Normal => Mman.MADV_NORMAL,
            MemoryAdvice.Random => Mman.MADV_RANDOM,
            MemoryAdvice.Sequential => Mman.MADV_SEQUENTIAL,
            MemoryAdvice.WillNeed => Mman.MADV_WILLNEED,
            MemoryAdvice.DontNeed => Mman.MADV_DONTNEED,
            _ => throw new ArgumentOutOfRangeException(nameof(advice), advice, "Not a MemoryAdvice value."),
        };
        Errors.RetryCheck(() => Libc.MAdvise(_mapBase, _mapLength, native), "madvise", Name);
    }

    /// <summary>
    /// Makes the region <paramref name="bytes"/> smaller, from the back (the default) or from the front, and
    /// gives the whole pages that are no longer covered back to the OS (Boost's <c>shrink_by</c>).
    /// </summary>
    /// <param name="bytes">How many bytes to remove; at most <see cref="Size"/>.</param>
    /// <param name="fromBack">True to remove from the end, false from the start (the start then moves forward).</param>
    /// <exception cref="ArgumentOutOfRangeException">The count is negative or larger than the region.</exception>
    /// <exception cref="NotSupportedException">The region is System V shared memory, which is attached whole.</exception>
    /// <exception cref="ObjectDisposedException">The region was disposed.</exception>
    public void ShrinkBy(long bytes, bool fromBack = true)
    {
        ThrowIfDisposed();
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bytes, _size);
        if (_unmapper != Unmapper.Munmap)
        {
            throw new NotSupportedException("System V shared memory is attached whole and cannot be shrunk.");
        }

        nint mapEnd = _mapBase + (nint)_mapLength;
        if (fromBack)
        {
            _size -= bytes;
            nint keepEnd = AlignUp(_address + (nint)_size);
            if (keepEnd < mapEnd)
            {
                Errors.Check(Libc.MUnmap(keepEnd, (nuint)(mapEnd - keepEnd)), "munmap", Name);
                _mapLength = (nuint)(keepEnd - _mapBase);
            }
        }
        else
        {
            _address += (nint)bytes;
            _size -= bytes;
            nint keepStart = AlignDown(_address);
            if (keepStart > _mapBase)
            {
                Errors.Check(Libc.MUnmap(_mapBase, (nuint)(keepStart - _mapBase)), "munmap", Name);
                _mapLength -= (nuint)(keepStart - _mapBase);
                _mapBase = keepStart;
            }
        }
    }

    /// <summary>Unmaps the region (idempotent).</summary>
    public void Dispose()
    {
        nint mapBase = _mapBase;
        if (mapBase == 0)
        {
            return;
        }

        _mapBase = 0;
        _address = 0;
        if (_unmapper == Unmapper.Shmdt)
        {
            Libc.ShmDt(mapBase);
        }
        else if (_mapLength != 0)
        {
            Libc.MUnmap(mapBase, _mapLength);
        }

    }


    /// <inheritdoc />
    public override string ToString() => $"MappedRegion '{Name}' ({Access}, {_size} bytes)";

    /// <summary>shmat for the System V constructor: checks the access, attaches the whole segment.</summary>
    private static (nint Address, long Size) Attach(XsiSharedMemory memory, AccessMode access)
    {
        ArgumentNullException.ThrowIfNull(memory);
        if (!Enum.IsDefined(access))
        {
            throw new ArgumentOutOfRangeException(nameof(access), access, "Not an AccessMode value.");
        }

        if (access is AccessMode.CopyOnWrite or AccessMode.ReadPrivate)
        {
            throw new ArgumentException(
                $"System V shared memory has no private mappings: map '{memory.DisplayName}' ReadWrite or ReadOnly, not {access}.",
                nameof(access));
        }

        long size = (long)XsiSharedMemory.Stat(memory.Id).shm_segsz;
        nint attached = Libc.ShmAt(memory.Id, 0, access == AccessMode.ReadOnly ? Ipc.SHM_RDONLY : 0);
        if (attached == -1)
        {
            throw XsiSharedMemory.IdError(Errors.LastErrno, "shmat", memory.Id);
        }

        return (attached, size);
    }

    /// <summary>The address of [offset, offset + length) after checking it lies inside the region.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal nint Checked(long offset, long length)
    {
        ThrowIfDisposed();
        if ((ulong)offset > (ulong)_size || (ulong)length > (ulong)(_size - offset))
        {
            ThrowOutOfRange(offset, length);
        }

        return _address + (nint)offset;
    }

    private static T ArgumentNullCheck<T>(T value)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(value);
        return value;
    }

    private static void ValidateAccess(AccessMode objectAccess, AccessMode access, string name)
    {
        if (!Enum.IsDefined(access))
        {
            throw new ArgumentOutOfRangeException(nameof(access), access, "Not an AccessMode value.");
        }

        if (access == AccessMode.ReadWrite && objectAccess != AccessMode.ReadWrite)
        {
            throw new ArgumentException(
                $"'{name}' was opened {objectAccess}; a ReadWrite mapping needs it opened ReadWrite (CopyOnWrite gives private writable pages over a read-only object).",
                nameof(access));
        }
    }

    private static int Protection(AccessMode access) => access switch
    {
        AccessMode.ReadOnly or AccessMode.ReadPrivate => Mman.PROT_READ,
        _ => Mman.PROT_READ | Mman.PROT_WRITE,
    };

    private static int MapFlags(AccessMode access) => access switch
    {
        AccessMode.CopyOnWrite or AccessMode.ReadPrivate => Mman.MAP_PRIVATE,
        _ => Mman.MAP_SHARED,
    };

    private static nint AlignDown(nint address) => address & ~(nint)(PageSize - 1);

    private static nint AlignUp(nint address) => (address + PageSize - 1) & ~(nint)(PageSize - 1);

    private int WholeLength()
    {
        ThrowIfDisposed();
        if (_size > int.MaxValue)
        {
            throw new InvalidOperationException($"The region is {_size} bytes; a span covers at most {int.MaxValue}. Use GetSpan(offset, length).");
        }

        return (int)_size;
    }

    private void ThrowIfReadOnly()
    {
        if (IsReadOnly)
        {
            throw new NotSupportedException($"The region of '{Name}' is mapped {Access}: writable access is not available (a write would crash the process).");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ThrowIfDisposed()
    {
        if (_mapBase == 0)
        {
            ThrowDisposed();
        }
    }

    private void ThrowDisposed() => throw new ObjectDisposedException(nameof(MappedRegion), $"The region of '{Name}' was unmapped.");

    private void ThrowOutOfRange(long offset, long length) =>
        throw new ArgumentOutOfRangeException(nameof(offset), $"The range [{offset}, {offset}+{length}) is not inside the region of '{Name}' ({_size} bytes).");
}
