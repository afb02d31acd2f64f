namespace Interprocess.Managed;

/// <summary>
/// A managed segment over memory the caller provides (Boost's <c>managed_external_buffer</c>): any buffer, for
/// example part of a region the caller mapped itself, or native memory. The buffer must stay allocated (and
/// pinned) while the segment is used; disposing the segment does not free it.
/// </summary>
/// <example>
/// <code>
/// // process A: a segment in the second half of a region it shares
/// var segment = ManagedExternalBuffer.Create(region.Address + (nint)half, half);
/// segment.Manager.Construct("x", 1);
/// // process B, which maps the same region (at any address)
/// var same = ManagedExternalBuffer.Open(region.Address + (nint)half, half);
/// int x = same.Manager.Find&lt;int&gt;("x").Value;
/// </code>
/// </example>
public sealed unsafe class ManagedExternalBuffer : IDisposable
{
    private ManagedExternalBuffer(SegmentManager manager)
    {
        Manager = manager;
        manager.Register(privateMapping: true);
    }

    /// <summary>The segment manager (a new one after <see cref="Grow"/>).</summary>
    public SegmentManager Manager { get; private set; }

    /// <summary>
    /// Extends the segment over more of the caller's buffer (Boost's <c>managed_external_buffer::grow</c>): the
    /// buffer must already be at least the new size. Nothing moves; <see cref="Manager"/> is a new object.
    /// No other user may use the segment meanwhile.
    /// </summary>
    /// <param name="extraBytes">How many bytes to add (at least 64).</param>
    /// <exception cref="ArgumentOutOfRangeException">Too few or too many bytes.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public void Grow(long extraBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(extraBytes, 64);
        long newSize = checked(Manager.Size + extraBytes);
        SegmentManager.ValidateSize(newSize);
        Manager = Manager.GrowTo(newSize, newSize);
        Manager.Register(privateMapping: true);
    }

    /// <summary>Lays out an empty segment in the buffer (its previous contents are overwritten).</summary>
    /// <param name="address">The buffer's start; 16-byte aligned.</param>
    /// <param name="size">The buffer's size in bytes, at least 16 KiB.</param>
    /// <param name="options">The allocation algorithm and name index; <see cref="ManagedSegmentOptions.Default"/> when null.</param>
    /// <returns>The segment.</returns>
    /// <exception cref="ArgumentException">The address is null or not 16-byte aligned, or the options name no known algorithm or index.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The size is too small or too large.</exception>
    public static ManagedExternalBuffer Create(nint address, long size, ManagedSegmentOptions? options = null)
    {
        CheckAddress(address);
        SegmentManager.ValidateSize(size);
        options?.Validate();
        new Span<byte>((void*)address, Interprocess.Managed.SegmentHeader.Size).Clear();
        return new ManagedExternalBuffer(SegmentManager.Format((byte*)address, size, $"external buffer 0x{address:x}", options));
    }

    /// <summary>Opens the segment a <see cref="Create"/> laid out in this buffer (possibly another process's mapping of the same memory).</summary>
    /// <param name="address">The buffer's start; 16-byte aligned.</param>
    /// <param name="size">The buffer's size in bytes.</param>
    /// <returns>The segment.</returns>
    /// <exception cref="ArgumentException">The address is null or not 16-byte aligned.</exception>
    /// <exception cref="InterprocessException">The buffer does not hold a managed segment, or a damaged or incomplete one (<see cref="InterprocessErrorCode.Corrupted"/>).</exception>
    public static ManagedExternalBuffer Open(nint address, long size)
    {
        CheckAddress(address);
        return new ManagedExternalBuffer(SegmentManager.Attach((byte*)address, size, $"external buffer 0x{address:x}", readOnly: false, TimeSpan.Zero));
    }

    /// <summary>Detaches from the buffer (which is left as it is).</summary>
    public void Dispose() => Manager.Detach();

    private static void CheckAddress(nint address)
    {
        if (address == 0 || (address & 15) != 0)
        {
            throw new ArgumentException($"The buffer address 0x{address:x} must be non-null and 16-byte aligned.", nameof(address));
        }
    }
}
