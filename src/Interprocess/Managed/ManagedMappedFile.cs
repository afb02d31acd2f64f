using System.Diagnostics;
using Interprocess.Interop;
using Interprocess.Memory;

namespace Interprocess.Managed;

/// <summary>
/// A managed segment in a memory-mapped file (Boost's <c>managed_mapped_file</c>): the same
/// <see cref="SegmentManager"/> and layout as <see cref="ManagedSharedMemory"/>, persisted in a file, so the
/// heap and its named objects survive the processes (and reboots, after <see cref="Flush"/>).
/// </summary>
/// <remarks>Initialization, waiting and the refusal of foreign, truncated or incomplete files work as for
/// <see cref="ManagedSharedMemory"/>. Delete the file with <see cref="Remove"/>.</remarks>
/// <example>
/// <code>
/// // process A
/// using (var file = ManagedMappedFile.CreateNew("/var/tmp/app.seg", 16 &lt;&lt; 20))
/// {
///     file.Manager.Construct("runs", 1L);
///     file.Flush();
/// }
/// // process B, later
/// using var again = ManagedMappedFile.OpenExisting("/var/tmp/app.seg");
/// again.Manager.Find&lt;long&gt;("runs").Value++;
/// </code>
/// </example>
public sealed unsafe class ManagedMappedFile : IDisposable
{
    private readonly FileMapping _file;
    private readonly MappedRegion _region;

    private ManagedMappedFile(FileMapping file, MappedRegion region, SegmentManager manager, bool created)
    {
        _file = file;
        _region = region;
        Manager = manager;
        manager.Register(privateMapping: region.Access == AccessMode.CopyOnWrite);
        Created = created;
    }

    /// <summary>The segment manager.</summary>
    public SegmentManager Manager { get; }

    /// <summary>The file's path.</summary>
    public string Path => _file.Path;

    /// <summary>True when this call created the file.</summary>
    public bool Created { get; }

    /// <summary>How the file is mapped.</summary>
    public AccessMode Access => _region.Access;

    /// <summary>Creates a new file holding an empty managed segment.</summary>
    /// <param name="path">The file's path.</param>
    /// <param name="size">The segment's (and file's) size in bytes, at least 16 KiB.</param>
    /// <param name="permissions">The file's permissions; owner-only (0600) when null (applied whatever the umask).</param>
    /// <param name="options">The allocation algorithm and name index; <see cref="ManagedSegmentOptions.Default"/> when null.</param>
    /// <returns>The open segment.</returns>
    /// <exception cref="ArgumentException">The path is empty or invalid, or the options name no known algorithm or index.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The size is too small or too large.</exception>
    /// <exception cref="InterprocessException">The file exists (<see cref="InterprocessErrorCode.AlreadyExists"/>), or cannot be created, sized or mapped.</exception>
    public static ManagedMappedFile CreateNew(string path, long size, Permissions? permissions = null, ManagedSegmentOptions? options = null)
    {
        SegmentManager.ValidateSize(size);
        options?.Validate();
        var perms = permissions ?? Permissions.OwnerOnly;
        FileDescriptorInfo.ValidatePath(path, nameof(path));
        using (var fd = FileDescriptorInfo.Open(path, Fcntl.O_RDWR | Fcntl.O_CREAT | Fcntl.O_EXCL | Fcntl.O_CLOEXEC, perms.Bits, path))
        {
            try
            {
                // The mode given to open is filtered by the umask; fchmod makes it exactly what was asked.
                Errors.RetryCheck(() => Libc.FChmod(fd, perms.Bits), "fchmod", path);
                FileDescriptorInfo.Truncate(fd, size, path);
            }
            catch
            {
                File.Delete(path);
                throw;
            }
        }

        FileMapping? file = null;
        MappedRegion? region = null;
        try
        {
            file = new FileMapping(path);
            region = new MappedRegion(file);
            var manager = SegmentManager.Format((byte*)region.Address, size, path, options);
            return new ManagedMappedFile(file, region, manager, created: true);
        }
        catch
        {
            region?.Dispose();
            file?.Dispose();
            File.Delete(path);
            throw;
        }
    }

    /// <summary>Opens a file holding a managed segment, for reading and writing.</summary>
    /// <param name="path">The file's path.</param>
    /// <param name="initializationTimeout">How long to wait for a creator still initializing; <see cref="ManagedSharedMemory.DefaultInitializationTimeout"/> when null.</param>
    /// <returns>The open segment.</returns>
    /// <exception cref="ArgumentException">The path is empty or invalid.</exception>
    /// <exception cref="InterprocessException">No such file (<see cref="InterprocessErrorCode.NotFound"/>); not a managed segment, truncated, corrupted or incomplete (<see cref="InterprocessErrorCode.Corrupted"/>); or it cannot be mapped.</exception>
    public static ManagedMappedFile OpenExisting(string path, TimeSpan? initializationTimeout = null) =>
        Open(path, AccessMode.ReadWrite, AccessMode.ReadWrite, initializationTimeout);

    /// <summary>Opens a file holding a managed segment read-only: finds work (without the lock), changes throw <see cref="NotSupportedException"/>.</summary>
    /// <param name="path">The file's path.</param>
    /// <param name="initializationTimeout">How long to wait for a creator still initializing.</param>
    /// <returns>The open segment.</returns>
    /// <exception cref="ArgumentException">The path is empty or invalid.</exception>
    /// <exception cref="InterprocessException">No such file; not a managed segment, truncated, corrupted or incomplete; or it cannot be mapped.</exception>
    public static ManagedMappedFile OpenReadOnly(string path, TimeSpan? initializationTimeout = null) =>
        Open(path, AccessMode.ReadOnly, AccessMode.ReadOnly, initializationTimeout);

    /// <summary>Opens a file holding a managed segment copy-on-write: changes stay private to this mapping and never reach the file.</summary>
    /// <param name="path">The file's path.</param>
    /// <param name="initializationTimeout">How long to wait for a creator still initializing.</param>
    /// <returns>The open segment.</returns>
    /// <exception cref="ArgumentException">The path is empty or invalid.</exception>
    /// <exception cref="InterprocessException">No such file; not a managed segment, truncated, corrupted or incomplete; or it cannot be mapped.</exception>
    public static ManagedMappedFile OpenCopyOnWrite(string path, TimeSpan? initializationTimeout = null) =>
        Open(path, AccessMode.ReadOnly, AccessMode.CopyOnWrite, initializationTimeout);

    /// <summary>Opens the file if it exists, or creates it; <see cref="Created"/> tells which.</summary>
    /// <param name="path">The file's path.</param>
    /// <param name="size">The size if this call creates it.</param>
    /// <param name="permissions">The permissions if this call creates it.</param>
    /// <param name="initializationTimeout">How long to wait for another creator still initializing.</param>
    /// <param name="options">The allocation algorithm and name index if this call creates it.</param>
    /// <returns>The open segment.</returns>
    /// <exception cref="ArgumentException">The path is empty or invalid, or the options name no known algorithm or index.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The size is too small or too large.</exception>
    /// <exception cref="InterprocessException">The file cannot be created, or the existing file is not a managed segment, truncated, corrupted or incomplete; or it cannot be mapped.</exception>
    public static ManagedMappedFile OpenOrCreate(string path, long size, Permissions? permissions = null, TimeSpan? initializationTimeout = null, ManagedSegmentOptions? options = null)
    {
        SegmentManager.ValidateSize(size);
        while (true)
        {
            try
            {
                return CreateNew(path, size, permissions, options);
            }
            catch (InterprocessException e) when (e.ErrorCode == InterprocessErrorCode.AlreadyExists)
            {
            }

            try
            {
                return OpenExisting(path, initializationTimeout);
            }
            catch (InterprocessException e) when (e.ErrorCode == InterprocessErrorCode.NotFound)
            {
                // Deleted between the two calls: try to create it again.
            }
        }
    }

    /// <summary>Deletes the file.</summary>
    /// <param name="path">The file's path.</param>
    /// <returns>False when there was no such file.</returns>
    /// <exception cref="ArgumentException">The path is empty or invalid.</exception>
    /// <exception cref="InterprocessException">The file cannot be deleted.</exception>
    public static bool Remove(string path) => FileMapping.Remove(path);

    /// <summary>
    /// Makes the segment (and the file) <paramref name="extraBytes"/> larger, the new bytes becoming free memory
    /// (Boost's offline <c>grow</c>). <b>Offline:</b> no process may have the file open meanwhile (openers wait
    /// for it). <b>Crash-safe</b> against the process being killed, as <see cref="ManagedSharedMemory.Grow"/>: the
    /// next read-write opener completes or rolls back an interrupted grow. (Not against a system crash: the
    /// file's pages reach the disk in the kernel's order.)
    /// </summary>
    /// <param name="path">The file's path.</param>
    /// <param name="extraBytes">How many bytes to add (at least 64).</param>
    /// <returns>The new size.</returns>
    /// <exception cref="ArgumentOutOfRangeException">Too few or too many bytes.</exception>
    /// <exception cref="InterprocessException">No such file, not a valid segment, another process is resizing it (<see cref="InterprocessErrorCode.Busy"/>), or the OS refused.</exception>
    public static long Grow(string path, long extraBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(extraBytes, 64);
        using var file = new FileMapping(path);
        long newSize;
        using (var region = new MappedRegion(file))
        {
            var manager = SegmentManager.Attach((byte*)region.Address, region.Size, path, readOnly: false, TimeSpan.Zero);
            newSize = checked(manager.Size + extraBytes);
            manager.BeginGrow(newSize);
        }

        try
        {
            FileDescriptorInfo.Truncate(file.Descriptor, newSize, path);
        }
        catch
        {
            using var region = new MappedRegion(file);
            SegmentManager.CompleteResize((byte*)region.Address, region.Size, path);
            throw;
        }

        SegmentManager.ResizeStep("grow-truncated");
        using (var region = new MappedRegion(file))
        {
            SegmentManager.CompleteResize((byte*)region.Address, region.Size, path);
            region.Flush();
        }

        return newSize;
    }

    /// <summary>
    /// Cuts the free memory at the end of the segment off and shrinks the file to match (offline and crash-safe,
    /// like <see cref="Grow"/>; the file is cut only after the header records the smaller size).
    /// </summary>
    /// <param name="path">The file's path.</param>
    /// <returns>The new size (the old one when the last block is in use).</returns>
    /// <exception cref="InterprocessException">No such file, not a valid segment, another process is resizing it (<see cref="InterprocessErrorCode.Busy"/>), or the OS refused.</exception>
    public static long ShrinkToFit(string path)
    {
        using var file = new FileMapping(path);
        using var region = new MappedRegion(file);
        var segmentBase = (byte*)region.Address;
        long newSize = SegmentManager.Attach(segmentBase, region.Size, path, readOnly: false, TimeSpan.Zero).BeginShrink(out bool journaled);
        if (journaled)
        {
            SegmentManager.RollResize(segmentBase, region.Size, path, preferBack: false);
            region.Flush();
        }

        FileDescriptorInfo.Truncate(file.Descriptor, newSize, path);
        if (journaled)
        {
            SegmentManager.ResizeStep("shrink-truncated");
            SegmentManager.EndResize(segmentBase);
            // Only the header's first page is dirty now (the rest is past the end of the file).
            region.Flush(0, SegmentHeader.Size);
        }

        return newSize;
    }

    /// <summary>Writes the segment's changed pages to the file (Boost's <c>flush</c>).</summary>
    /// <exception cref="InterprocessException">The OS refused.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public void Flush() => _region.Flush();

    private static ManagedMappedFile Open(string path, AccessMode fileAccess, AccessMode access, TimeSpan? initializationTimeout)
    {
        var file = new FileMapping(path, fileAccess);
        MappedRegion? region = null;
        try
        {
            var timeout = initializationTimeout ?? ManagedSharedMemory.DefaultInitializationTimeout;
            var started = Stopwatch.StartNew();
            SegmentManager.WaitForCreatorToSize(() => file.Size, path, timeout, started);
            region = new MappedRegion(file, access);
            var manager = SegmentManager.Attach((byte*)region.Address, region.Size, path, access == AccessMode.ReadOnly, SegmentManager.Remaining(timeout, started));
            return new ManagedMappedFile(file, region, manager, created: false);
        }
        catch
        {
            region?.Dispose();
            file.Dispose();
            throw;
        }
    }

    /// <summary>Unmaps the segment and closes the file (without flushing: the kernel writes dirty pages back in its own time).</summary>
    public void Dispose()
    {
        Manager.Detach();
        _region.Dispose();
        _file.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => $"ManagedMappedFile '{Path}' ({Access})";
}
