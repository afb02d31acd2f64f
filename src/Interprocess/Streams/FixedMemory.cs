using Interprocess.Managed;
using Interprocess.Memory;

namespace Interprocess.Streams;

/// <summary>
/// Turns the places a stream or writer can sit on (a range of a mapped region, a block of a managed segment)
/// into a checked address and capacity, so <see cref="BufferStream"/> and <see cref="BufferWriter"/> share one
/// set of argument checks.
/// </summary>
internal static unsafe class FixedMemory
{
    /// <summary>The address of [<paramref name="offset"/>, +<paramref name="capacity"/>) in <paramref name="region"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="region"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The range is not inside the region.</exception>
    /// <exception cref="ArgumentException">Write access was asked for on a read-only region.</exception>
    /// <exception cref="ObjectDisposedException">The region was disposed.</exception>
    internal static byte* In(MappedRegion region, long offset, long capacity, bool writable)
    {
        ArgumentNullException.ThrowIfNull(region);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        if (offset > region.Size - capacity)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, $"[{offset}, +{capacity}) is not inside {region} ({region.Size} bytes).");
        }

        if (writable && region.IsReadOnly)
        {
            throw new ArgumentException($"{region} is read-only: only read access is possible.", nameof(region));
        }

        return (byte*)region.Address + offset;
    }

    /// <summary>The address of the first <paramref name="capacity"/> bytes of the block <paramref name="handle"/> in <paramref name="segment"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="segment"/> is null.</exception>
    /// <exception cref="ArgumentException">The handle is not an allocated block, or write access was asked for on a read-only segment.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The capacity is negative or larger than the block.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    internal static byte* In(SegmentManager segment, long handle, long capacity, bool writable)
    {
        ArgumentNullException.ThrowIfNull(segment);
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        long blockSize = segment.GetBlockSize(handle);
        if (capacity > blockSize)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, $"The block at {handle} in segment '{segment.Name}' has {blockSize} usable bytes.");
        }

        if (writable && segment.IsReadOnly)
        {
            throw new ArgumentException($"The segment '{segment.Name}' is open read-only: only read access is possible.", nameof(segment));
        }

        return (byte*)segment.GetAddress(handle);
    }

    /// <summary>Checks a caller's pointer and length.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="pointer"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The length is negative or the range wraps around the address space.</exception>
    internal static void CheckPointer(byte* pointer, long capacity)
    {
        ArgumentNullException.ThrowIfNull(pointer);
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        if ((nuint)pointer + (nuint)capacity < (nuint)pointer)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "The range wraps around the end of the address space.");
        }
    }
}
