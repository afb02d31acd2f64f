using Interprocess.Memory;

namespace Interprocess.Managed;

/// <summary>
/// A managed segment in System V shared memory (Boost's <c>managed_xsi_shared_memory</c>), found by an
/// <see cref="XsiKey"/> or by its id. Everything else is as <see cref="ManagedSharedMemory"/>.
/// </summary>
/// <remarks>A System V segment lives until it is removed (<see cref="Remove(int)"/>) and the last process
/// detaches. It has no read-only-or-copy-on-write private mappings beyond <see cref="OpenReadOnly"/>.</remarks>
public sealed unsafe class ManagedXsiSharedMemory : IDisposable
{
    private readonly MappedRegion _region;

    private ManagedXsiSharedMemory(XsiSharedMemory memory, MappedRegion region, SegmentManager manager)
    {
        Memory = memory;
        _region = region;
        Manager = manager;
        manager.Register(privateMapping: region.Access == AccessMode.CopyOnWrite);
    }

    /// <summary>The segment manager.</summary>
    public SegmentManager Manager { get; }

    /// <summary>The System V segment (its id and key).</summary>
    public XsiSharedMemory Memory { get; }

    /// <summary>True when this call created the segment.</summary>
    public bool Created => Memory.Created;

    /// <summary>Creates a new System V segment holding an empty managed segment.</summary>
    /// <param name="key">The key; <see cref="XsiKey.Private"/> makes a segment found only by its id.</param>
    /// <param name="size">The size in bytes, at least 16 KiB.</param>
    /// <param name="permissions">The permissions; owner-only when null.</param>
    /// <param name="options">The allocation algorithm and name index; <see cref="ManagedSegmentOptions.Default"/> when null.</param>
    /// <returns>The open segment.</returns>
    /// <exception cref="ArgumentException">The permissions or options are invalid.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The size is too small or too large.</exception>
    /// <exception cref="InterprocessException">A segment with that key exists (<see cref="InterprocessErrorCode.AlreadyExists"/>), or the OS refused.</exception>
    public static ManagedXsiSharedMemory CreateNew(XsiKey key, long size, Permissions? permissions = null, ManagedSegmentOptions? options = null)
    {
        SegmentManager.ValidateSize(size);
        options?.Validate();
        var memory = XsiSharedMemory.CreateNew(key, size, permissions);
        MappedRegion? region = null;
        try
        {
            region = new MappedRegion(memory);
            var manager = SegmentManager.Format((byte*)region.Address, size, memory.ToString(), options);
            return new ManagedXsiSharedMemory(memory, region, manager);
        }
        catch
        {
            region?.Dispose();
            memory.Remove();
            throw;
        }
    }

    /// <summary>Opens the managed segment in the System V segment with this key.</summary>
    /// <param name="key">The key.</param>
    /// <param name="initializationTimeout">How long to wait for a creator still initializing; <see cref="ManagedSharedMemory.DefaultInitializationTimeout"/> when null.</param>
    /// <returns>The open segment.</returns>
    /// <exception cref="ArgumentException">The key is <see cref="XsiKey.Private"/>.</exception>
    /// <exception cref="InterprocessException">No such segment; not a managed segment, truncated, corrupted or incomplete (<see cref="InterprocessErrorCode.Corrupted"/>); or the OS refused.</exception>
    public static ManagedXsiSharedMemory OpenExisting(XsiKey key, TimeSpan? initializationTimeout = null) =>
        Open(XsiSharedMemory.OpenExisting(key), AccessMode.ReadWrite, initializationTimeout);

    /// <summary>Opens the managed segment in the System V segment with this id.</summary>
    /// <param name="shmId">The segment id.</param>
    /// <param name="initializationTimeout">How long to wait for a creator still initializing.</param>
    /// <returns>The open segment.</returns>
    /// <exception cref="InterprocessException">No such segment; not a managed segment, truncated, corrupted or incomplete; or the OS refused.</exception>
    public static ManagedXsiSharedMemory OpenById(int shmId, TimeSpan? initializationTimeout = null) =>
        Open(XsiSharedMemory.OpenById(shmId), AccessMode.ReadWrite, initializationTimeout);

    /// <summary>Opens the managed segment with this key read-only: finds work (without the lock), changes throw <see cref="NotSupportedException"/>.</summary>
    /// <param name="key">The key.</param>
    /// <param name="initializationTimeout">How long to wait for a creator still initializing.</param>
    /// <returns>The open segment.</returns>
    /// <exception cref="ArgumentException">The key is <see cref="XsiKey.Private"/>.</exception>
    /// <exception cref="InterprocessException">No such segment; not a managed segment, truncated, corrupted or incomplete; or the OS refused.</exception>
    public static ManagedXsiSharedMemory OpenReadOnly(XsiKey key, TimeSpan? initializationTimeout = null) =>
        Open(XsiSharedMemory.OpenExisting(key), AccessMode.ReadOnly, initializationTimeout);

    /// <summary>Removes a System V segment (it goes when the last process detaches).</summary>
    /// <param name="shmId">The segment id.</param>
    /// <returns>False when there was no such segment.</returns>
    /// <exception cref="InterprocessException">The OS refused.</exception>
    public static bool Remove(int shmId) => XsiSharedMemory.Remove(shmId);

    private static ManagedXsiSharedMemory Open(XsiSharedMemory memory, AccessMode access, TimeSpan? initializationTimeout)
    {
        var region = new MappedRegion(memory, access);
        try
        {
            var manager = SegmentManager.Attach((byte*)region.Address, region.Size, memory.ToString(), access == AccessMode.ReadOnly, initializationTimeout ?? ManagedSharedMemory.DefaultInitializationTimeout);
            return new ManagedXsiSharedMemory(memory, region, manager);
        }
        catch
        {
            region.Dispose();
            throw;
        }
    }

    /// <summary>Detaches the segment (it stays until removed).</summary>
    public void Dispose()
    {
        Manager.Detach();
        _region.Dispose();
    }
}
