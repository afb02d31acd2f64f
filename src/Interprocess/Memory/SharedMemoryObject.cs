using Interprocess.Interop;

namespace Interprocess.Memory;

/// <summary>
/// A POSIX shared memory object (<c>shm_open</c>): a named, sizable piece of memory that persists until it is
/// removed, and that any process can open by name and map with <see cref="MappedRegion"/>.
/// </summary>
/// <remarks>
/// <para>The object is the one Boost.Interprocess's <c>shared_memory_object</c> uses: the name <c>"x"</c> is
/// <c>/dev/shm/x</c> on Linux, so a C++ process using Boost and a .NET process using this class open the same
/// object by the same name.</para>
/// <para>Disposing closes this process's handle; the object and its contents live on until
/// <see cref="Remove(string)"/> is called (and, after that, until the last mapping of it is gone).</para>
/// <para>Names follow one set of rules everywhere in the library: not empty; no '/', no NUL; not "." or "..";
/// at most 255 bytes of UTF-8.</para>
/// </remarks>
/// <example>
/// One process creates and writes:
/// <code>
/// using var shm = SharedMemoryObject.CreateNew("quotes", size: 4096);
/// using var region = new MappedRegion(shm);
/// region.Write(0, 42L);
/// </code>
/// another opens and reads:
/// <code>
/// using var shm = SharedMemoryObject.OpenExisting("quotes", AccessMode.ReadOnly);
/// using var region = new MappedRegion(shm, AccessMode.ReadOnly);
/// long answer = region.Read&lt;long&gt;(0);
/// </code>
/// and, when no one needs it any more, <c>SharedMemoryObject.Remove("quotes")</c>.
/// </example>
public sealed class SharedMemoryObject : IDisposable
{
    /// <summary>The descriptor from shm_open.</summary>
    private readonly SafeFileDescriptor _fd;

    private SharedMemoryObject(SafeFileDescriptor fd, string name, AccessMode access, bool created)
    {
        _fd = fd;
        Name = name;
        Access = access;
        Created = created;
    }

    /// <summary>The name the object was created or opened with (without the leading '/').</summary>
    public string Name { get; }

    /// <summary>How this handle was opened: <see cref="AccessMode.ReadOnly"/> or <see cref="AccessMode.ReadWrite"/>.</summary>
    public AccessMode Access { get; }

    /// <summary>True when this handle created the object; false when it opened an existing one.</summary>
    public bool Created { get; }

    /// <summary>The current size of the object in bytes.</summary>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    public long Size => FileDescriptorInfo.Stat(Descriptor, "fstat", Name).st_size;

    /// <summary>The permission bits the object has now.</summary>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    public Permissions Permissions => new((UnixFileMode)(FileDescriptorInfo.Stat(Descriptor, "fstat", Name).st_mode & 0x1FF));

    /// <summary>The user id of the object's owner.</summary>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    public int OwnerUserId => (int)FileDescriptorInfo.Stat(Descriptor, "fstat", Name).st_uid;

    /// <summary>The descriptor, for <see cref="MappedRegion"/>; throws once disposed.</summary>
    internal SafeFileDescriptor Descriptor
    {
        get
        {
            ObjectDisposedException.ThrowIf(_fd.IsClosed, this);
            return _fd;
        }
    }

    /// <summary>Creates a new shared memory object; fails if one with that name exists.</summary>
    /// <param name="name">The object's name (see the remarks of <see cref="SharedMemoryObject"/> for the rules).</param>
    /// <param name="size">The size to give the new object, in bytes; 0 leaves it empty (set it later with <see cref="Truncate"/>).</param>
    /// <param name="access">Read-write (the default) or read-only. A read-only creator cannot set a size.</param>
    /// <param name="permissions">The permissions of the new object; <see cref="Permissions.OwnerOnly"/> when null.</param>
    /// <returns>A handle to the new object; <see cref="Created"/> is true.</returns>
    /// <exception cref="ArgumentException">The name breaks a naming rule, the access is not ReadOnly or ReadWrite, or the size is negative.</exception>
    /// <exception cref="InterprocessException">The object exists (<see cref="InterprocessErrorCode.AlreadyExists"/>) or the OS refused.</exception>
    public static SharedMemoryObject CreateNew(string name, long size = 0, AccessMode access = AccessMode.ReadWrite, Permissions? permissions = null)
    {
        ValidateArguments(name, access, size);
        var perms = permissions ?? Permissions.OwnerOnly;
        var fd = ShmOpenRetry(name, OpenFlags(access) | Fcntl.O_CREAT | Fcntl.O_EXCL, perms.Bits);
        if (fd is null)
        {
            throw InterprocessException.FromLastError("shm_open", name);
        }

        return Initialize(fd, name, access, perms, size);
    }

    /// <summary>Opens an existing shared memory object.</summary>
    /// <param name="name">The object's name.</param>
    /// <param name="access">Read-write (the default) or read-only.</param>
    /// <returns>A handle to the object; <see cref="Created"/> is false.</returns>
    /// <exception cref="ArgumentException">The name breaks a naming rule, or the access is not ReadOnly or ReadWrite.</exception>
    /// <exception cref="InterprocessException">No such object (<see cref="InterprocessErrorCode.NotFound"/>), or the OS refused.</exception>
    public static SharedMemoryObject OpenExisting(string name, AccessMode access = AccessMode.ReadWrite)
    {
        ValidateArguments(name, access, 0);
        var fd = ShmOpenRetry(name, OpenFlags(access), 0);
        if (fd is null)
        {
            throw InterprocessException.FromLastError("shm_open", name);
        }

        return new SharedMemoryObject(fd, name, access, created: false);
    }

    /// <summary>
    /// Opens the object if it exists, or creates it; <see cref="Created"/> tells which happened. When many
    /// processes race, exactly one of them creates.
    /// </summary>
    /// <param name="name">The object's name.</param>
    /// <param name="size">The size the creator gives the object (an opener leaves the size as it is).</param>
    /// <param name="access">Read-write (the default) or read-only.</param>
    /// <param name="permissions">The permissions if this call creates the object; <see cref="Permissions.OwnerOnly"/> when null.</param>
    /// <returns>A handle to the object.</returns>
    /// <exception cref="ArgumentException">The name breaks a naming rule, the access is not ReadOnly or ReadWrite, or the size is negative.</exception>
    /// <exception cref="InterprocessException">The OS refused.</exception>
    public static SharedMemoryObject OpenOrCreate(string name, long size = 0, AccessMode access = AccessMode.ReadWrite, Permissions? permissions = null)
    {
        ValidateArguments(name, access, size);
        var perms = permissions ?? Permissions.OwnerOnly;
        while (true)
        {
            var fd = ShmOpenRetry(name, OpenFlags(access) | Fcntl.O_CREAT | Fcntl.O_EXCL, perms.Bits);
            if (fd is not null)
            {
                return Initialize(fd, name, access, perms, size);
            }

            if (Errors.LastErrno != (int)Errno.EEXIST)
            {
                throw InterprocessException.FromLastError("shm_open", name);
            }

            fd = ShmOpenRetry(name, OpenFlags(access), 0);
            if (fd is not null)
            {
                return new SharedMemoryObject(fd, name, access, created: false);
            }

            // Removed between our two calls: try to create it again.
            if (Errors.LastErrno != (int)Errno.ENOENT)
            {
                throw InterprocessException.FromLastError("shm_open", name);
            }
        }
    }

    /// <summary>Removes the object's name. Processes that have it open or mapped keep using it until they let go.</summary>
    /// <param name="name">The object's name.</param>
    /// <returns>True if an object was removed; false if there was none.</returns>
    /// <exception cref="ArgumentException">The name breaks a naming rule.</exception>
    /// <exception cref="InterprocessException">The OS refused (for example, no permission).</exception>
    public static bool Remove(string name)
    {
        ObjectName.Validate(name);
        if (Libc.ShmUnlink("/" + name) == 0)
        {
            return true;
        }

        if (Errors.LastErrno == (int)Errno.ENOENT)
        {
            return false;
        }

        throw InterprocessException.FromLastError("shm_unlink", name);
    }

    /// <summary>Whether an object with this name exists now (another process may create or remove it at any time).</summary>
    /// <param name="name">The object's name.</param>
    /// <returns>True if it exists.</returns>
    /// <exception cref="ArgumentException">The name breaks a naming rule.</exception>
    public static bool Exists(string name)
    {
        ObjectName.Validate(name);
        return File.Exists("/dev/shm/" + name);
    }

    /// <summary>Sets the size of the object. Growing fills with zeros; shrinking discards the tail.</summary>
    /// <param name="size">The new size in bytes.</param>
    /// <exception cref="ArgumentOutOfRangeException">The size is negative.</exception>
    /// <exception cref="InterprocessException">The handle is read-only (<see cref="InterprocessErrorCode.ReadOnly"/>), or the OS refused.</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    public void Truncate(long size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        if (Access == AccessMode.ReadOnly)
        {
            throw new InterprocessException(InterprocessErrorCode.ReadOnly, $"Cannot truncate shared memory object '{Name}': it was opened read-only.")
            {
                ObjectName = Name,
                Operation = "ftruncate",
            };
        }

        FileDescriptorInfo.Truncate(Descriptor, size, Name);
    }

    /// <summary>Closes this handle (idempotent). The object itself lives on until removed.</summary>
    public void Dispose() => _fd.Dispose();

    /// <inheritdoc />
    public override string ToString() => $"SharedMemoryObject '{Name}' ({Access})";

    private static SharedMemoryObject Initialize(SafeFileDescriptor fd, string name, AccessMode access, Permissions perms, long size)
    {
        try
        {
            // The mode passed to shm_open is filtered by the umask; fchmod makes it exactly what was asked.
            Errors.RetryCheck(() => Libc.FChmod(fd, perms.Bits), "fchmod", name);
            if (size > 0)
            {
                if (access == AccessMode.ReadOnly)
                {
                    throw new ArgumentException("A shared memory object created read-only cannot be given a size.", nameof(size));
                }

                FileDescriptorInfo.Truncate(fd, size, name);
            }

            return new SharedMemoryObject(fd, name, access, created: true);
        }
        catch
        {
            // Leave nothing half-made behind: the name goes with the failed creation.
            fd.Dispose();
            Libc.ShmUnlink("/" + name);
            throw;
        }
    }

    private static void ValidateArguments(string name, AccessMode access, long size)
    {
        ObjectName.Validate(name);
        if (access is not (AccessMode.ReadOnly or AccessMode.ReadWrite))
        {
            throw new ArgumentException($"A shared memory object is opened ReadOnly or ReadWrite, not {access}; {access} applies to a MappedRegion.", nameof(access));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(size);
    }

    private static int OpenFlags(AccessMode access) =>
        (access == AccessMode.ReadOnly ? Fcntl.O_RDONLY : Fcntl.O_RDWR) | Fcntl.O_CLOEXEC | Fcntl.O_NOFOLLOW;

    /// <summary>shm_open with EINTR retried; null on any other failure (errno is left for the caller).</summary>
    private static SafeFileDescriptor? ShmOpenRetry(string name, int flags, uint mode)
    {
        while (true)
        {
            var fd = Libc.ShmOpen("/" + name, flags, mode);
            if (!fd.IsInvalid)
            {
                return fd;
            }

            int errno = Errors.LastErrno;
            fd.Dispose();
            if (errno != (int)Errno.EINTR)
            {
                System.Runtime.InteropServices.Marshal.SetLastPInvokeError(errno);
                return null;
            }
        }
    }
}
