using Interprocess.Memory;

namespace Interprocess.Managed;

/// <summary>
/// A managed segment in a POSIX shared memory object (Boost's <c>managed_shared_memory</c>): a heap and a
/// directory of named objects that any process can open by name. Everything is done through
/// <see cref="Manager"/>.
/// </summary>
/// <remarks>
/// <para>The segment maps at a different address in every process; everything in it is stored as offsets
/// (handles), so what one process constructs another finds by name or by handle.</para>
/// <para><b>Initialization.</b> The creator marks the header "initializing" (with its process id) before it
/// writes anything else and "ready" when it is done. An opener waits for "ready" at most the initialization
/// timeout (<see cref="DefaultInitializationTimeout"/> unless given), and fails at once when the creator is
/// known to be dead, with an <see cref="InterprocessException"/> (<see cref="InterprocessErrorCode.Corrupted"/>)
/// saying the segment is incomplete; <see cref="Remove"/> it and create it again. (Boost's openers wait forever.)</para>
/// <para>Dispose unmaps the segment; the object stays until <see cref="Remove"/> and the last process lets go.</para>
/// </remarks>
/// <example>
/// <code>
/// // process A
/// using var segment = ManagedSharedMemory.CreateNew("orders", 64 &lt;&lt; 20);
/// segment.Manager.ConstructArray&lt;int&gt;("totals", 100, 0);
///
/// // process B
/// using var segment = ManagedSharedMemory.OpenExisting("orders");
/// Span&lt;int&gt; totals = segment.Manager.Find&lt;int&gt;("totals").AsSpan();
/// segment.Manager.AtomicFunc(() =&gt; totals[3]++);
/// </code>
/// </example>
public sealed unsafe class ManagedSharedMemory : IDisposable
{
    /// <summary>How long an opener waits for a creator that has not finished initializing: 5 seconds.</summary>
    public static readonly TimeSpan DefaultInitializationTimeout = TimeSpan.FromSeconds(5);

    private readonly SharedMemoryObject _shm;
    private readonly MappedRegion _region;

    private ManagedSharedMemory(SharedMemoryObject shm, MappedRegion region, SegmentManager manager)
    {
        _shm = shm;
        _region = region;
        Manager = manager;
        manager.Register(privateMapping: region.Access == AccessMode.CopyOnWrite);
    }

    /// <summary>The segment manager: allocation, named objects, the segment's lock.</summary>
    public SegmentManager Manager { get; }

    /// <summary>The shared memory object's name.</summary>
    public string Name => _shm.Name;

    /// <summary>True when this process created the segment (always for <see cref="CreateNew"/>; for <see cref="OpenOrCreate"/>, whichever happened).</summary>
    public bool Created => _shm.Created;

    /// <summary>How the segment is mapped.</summary>
    public AccessMode Access => _region.Access;

    /// <summary>Creates a new managed segment.</summary>
    /// <param name="name">The shared memory object's name (the rules of <see cref="SharedMemoryObject"/>).</param>
    /// <param name="size">The segment's size in bytes (at least 16 KiB; Boost's <c>segment size</c>).</param>
    /// <param name="permissions">The object's permissions; owner-only (0600) when null.</param>
    /// <param name="options">The allocation algorithm and name index; <see cref="ManagedSegmentOptions.Default"/> when null.</param>
    /// <returns>The open segment.</returns>
    /// <exception cref="ArgumentException">The name breaks a naming rule, or the options name no known algorithm or index.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The size is too small or too large.</exception>
    /// <exception cref="InterprocessException">An object with that name exists (<see cref="InterprocessErrorCode.AlreadyExists"/>), or the OS refused.</exception>
    public static ManagedSharedMemory CreateNew(string name, long size, Permissions? permissions = null, ManagedSegmentOptions? options = null)
    {
        SegmentManager.ValidateSize(size);
        options?.Validate();
        var shm = SharedMemoryObject.CreateNew(name, size, AccessMode.ReadWrite, permissions);
        return Create(shm, size, options);
    }

    /// <summary>Opens an existing managed segment for reading and writing.</summary>
    /// <param name="name">The shared memory object's name.</param>
    /// <param name="initializationTimeout">How long to wait for a creator still initializing; <see cref="DefaultInitializationTimeout"/> when null.</param>
    /// <returns>The open segment.</returns>
    /// <exception cref="ArgumentException">The name breaks a naming rule.</exception>
    /// <exception cref="InterprocessException">No such object (<see cref="InterprocessErrorCode.NotFound"/>); not a managed segment, truncated, corrupted or incomplete (<see cref="InterprocessErrorCode.Corrupted"/>); or the OS refused.</exception>
    public static ManagedSharedMemory OpenExisting(string name, TimeSpan? initializationTimeout = null) =>
        Open(SharedMemoryObject.OpenExisting(name, AccessMode.ReadWrite), AccessMode.ReadWrite, initializationTimeout);

    /// <summary>
    /// Opens an existing managed segment read-only (Boost's <c>open_read_only</c>): finds work, without taking
    /// the lock (the mapping cannot be written), so they must not race with writers; changes throw
    /// <see cref="NotSupportedException"/>.
    /// </summary>
    /// <param name="name">The shared memory object's name.</param>
    /// <param name="initializationTimeout">How long to wait for a creator still initializing.</param>
    /// <returns>The open segment.</returns>
    /// <exception cref="ArgumentException">The name breaks a naming rule.</exception>
    /// <exception cref="InterprocessException">No such object; not a managed segment, truncated, corrupted or incomplete; or the OS refused.</exception>
    public static ManagedSharedMemory OpenReadOnly(string name, TimeSpan? initializationTimeout = null) =>
        Open(SharedMemoryObject.OpenExisting(name, AccessMode.ReadOnly), AccessMode.ReadOnly, initializationTimeout);

    /// <summary>
    /// Opens an existing managed segment copy-on-write (Boost's <c>open_copy_on_write</c>): this process may
    /// change everything, but its changes stay private to its mapping and never reach the object.
    /// </summary>
    /// <param name="name">The shared memory object's name.</param>
    /// <param name="initializationTimeout">How long to wait for a creator still initializing.</param>
    /// <returns>The open segment.</returns>
    /// <exception cref="ArgumentException">The name breaks a naming rule.</exception>
    /// <exception cref="InterprocessException">No such object; not a managed segment, truncated, corrupted or incomplete; or the OS refused.</exception>
    public static ManagedSharedMemory OpenCopyOnWrite(string name, TimeSpan? initializationTimeout = null) =>
        Open(SharedMemoryObject.OpenExisting(name, AccessMode.ReadOnly), AccessMode.CopyOnWrite, initializationTimeout);

    /// <summary>Opens the segment if it exists, or creates it; <see cref="Created"/> tells which. Exactly one of racing processes creates.</summary>
    /// <param name="name">The shared memory object's name.</param>
    /// <param name="size">The size if this call creates it.</param>
    /// <param name="permissions">The permissions if this call creates it; owner-only when null.</param>
    /// <param name="initializationTimeout">How long to wait for another creator still initializing.</param>
    /// <param name="options">The allocation algorithm and name index if this call creates it (an existing segment keeps its own).</param>
    /// <returns>The open segment.</returns>
    /// <exception cref="ArgumentException">The name breaks a naming rule, or the options name no known algorithm or index.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The size is too small or too large.</exception>
    /// <exception cref="InterprocessException">The existing object is not a managed segment, truncated, corrupted or incomplete (<see cref="InterprocessErrorCode.Corrupted"/>); or the OS refused.</exception>
    public static ManagedSharedMemory OpenOrCreate(string name, long size, Permissions? permissions = null, TimeSpan? initializationTimeout = null, ManagedSegmentOptions? options = null)
    {
        SegmentManager.ValidateSize(size);
        options?.Validate();
        var shm = SharedMemoryObject.OpenOrCreate(name, size, AccessMode.ReadWrite, permissions);
        return shm.Created ? Create(shm, size, options) : Open(shm, AccessMode.ReadWrite, initializationTimeout);
    }

    /// <summary>Removes the shared memory object's name (Boost's <c>shared_memory_object::remove</c>); processes that have it open keep it.</summary>
    /// <param name="name">The name.</param>
    /// <returns>False when there was no such object.</returns>
    /// <exception cref="ArgumentException">The name breaks a naming rule.</exception>
    /// <exception cref="InterprocessException">The OS refused.</exception>
    public static bool Remove(string name) => SharedMemoryObject.Remove(name);

    /// <summary>
    /// Makes the segment <paramref name="extraBytes"/> larger, the new bytes becoming free memory (Boost's offline
    /// <c>grow</c>). <b>Offline:</b> no process may have the segment open meanwhile (openers wait for it, as for a
    /// creator). <b>Crash-safe:</b> the change is journaled in the header first, and a process killed at any point
    /// leaves a segment that the next read-write opener completes (the object was grown) or rolls back (it was not).
    /// </summary>
    /// <param name="name">The segment's name.</param>
    /// <param name="extraBytes">How many bytes to add (at least 64).</param>
    /// <returns>The new size.</returns>
    /// <exception cref="ArgumentOutOfRangeException">Too few or too many bytes.</exception>
    /// <exception cref="InterprocessException">No such segment, not a valid one, another process is resizing it (<see cref="InterprocessErrorCode.Busy"/>), or the OS refused.</exception>
    public static long Grow(string name, long extraBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(extraBytes, 64);
        using var shm = SharedMemoryObject.OpenExisting(name);
        long newSize;
        using (var region = new MappedRegion(shm))
        {
            var manager = SegmentManager.Attach((byte*)region.Address, region.Size, name, readOnly: false, TimeSpan.Zero);
            newSize = checked(manager.Size + extraBytes);
            manager.BeginGrow(newSize);
        }

        // The journal says "grow to newSize"; until the object has that size, an interrupted grow rolls back.
        try
        {
            shm.Truncate(newSize);
        }
        catch
        {
            using var region = new MappedRegion(shm);
            SegmentManager.CompleteResize((byte*)region.Address, region.Size, name);
            throw;
        }

        SegmentManager.ResizeStep("grow-truncated");
        using (var region = new MappedRegion(shm))
        {
            SegmentManager.CompleteResize((byte*)region.Address, region.Size, name);
        }

        return newSize;
    }

    /// <summary>
    /// Cuts the free memory at the end of the segment off and shrinks the object to match (Boost's offline
    /// <c>shrink_to_fit</c>). Offline and crash-safe, like <see cref="Grow"/>: the object is cut only after the
    /// header records the smaller size, so it is never smaller than what the segment uses.
    /// </summary>
    /// <param name="name">The segment's name.</param>
    /// <returns>The new size (the old one when the last block is in use).</returns>
    /// <exception cref="InterprocessException">No such segment, not a valid one, another process is resizing it (<see cref="InterprocessErrorCode.Busy"/>), or the OS refused.</exception>
    public static long ShrinkToFit(string name)
    {
        using var shm = SharedMemoryObject.OpenExisting(name);
        using var region = new MappedRegion(shm);
        var segmentBase = (byte*)region.Address;
        long newSize = SegmentManager.Attach(segmentBase, region.Size, name, readOnly: false, TimeSpan.Zero).BeginShrink(out bool journaled);
        if (journaled)
        {
            SegmentManager.RollResize(segmentBase, region.Size, name, preferBack: false);
        }

        // The header records newSize now: cutting the object there leaves it holding the whole segment.
        // (Nothing beyond newSize is touched after this, so the larger mapping is safe.)
        shm.Truncate(newSize);
        if (journaled)
        {
            SegmentManager.ResizeStep("shrink-truncated");
            SegmentManager.EndResize(segmentBase);
        }

        return newSize;
    }

    private static ManagedSharedMemory Create(SharedMemoryObject shm, long size, ManagedSegmentOptions? options)
    {
        MappedRegion? region = null;
        try
        {
            region = new MappedRegion(shm);
            var manager = SegmentManager.Format((byte*)region.Address, size, shm.Name, options);
            return new ManagedSharedMemory(shm, region, manager);
        }
        catch
        {
            region?.Dispose();
            shm.Dispose();
            throw;
        }
    }

    private static ManagedSharedMemory Open(SharedMemoryObject shm, AccessMode access, TimeSpan? initializationTimeout)
    {
        MappedRegion? region = null;
        try
        {
            var timeout = initializationTimeout ?? DefaultInitializationTimeout;
            var started = System.Diagnostics.Stopwatch.StartNew();
            SegmentManager.WaitForCreatorToSize(() => shm.Size, shm.Name, timeout, started);
            region = new MappedRegion(shm, access);
            var manager = SegmentManager.Attach((byte*)region.Address, region.Size, shm.Name, access == AccessMode.ReadOnly, SegmentManager.Remaining(timeout, started));
            return new ManagedSharedMemory(shm, region, manager);
        }
        catch
        {
            region?.Dispose();
            shm.Dispose();
            throw;
        }
    }

    /// <summary>Unmaps the segment and closes the object; references into it must not be used afterwards.</summary>
    public void Dispose()
    {
        Manager.Detach();
        _region.Dispose();
        _shm.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => $"ManagedSharedMemory '{Name}' ({Access})";
}
