using System.Globalization;
using Interprocess.Interop;

namespace Interprocess.Memory;

/// <summary>
/// A System V (XSI) shared memory segment (<c>shmget</c>, Boost's <c>xsi_shared_memory</c>): found by an
/// <see cref="XsiKey"/> or by its id, fixed in size at creation, mapped whole with
/// <see cref="MappedRegion(XsiSharedMemory, AccessMode)"/>.
/// </summary>
/// <remarks>
/// <para>A segment is a kernel object, not a file: this class holds only its id, so there is nothing to close
/// and it is not <see cref="IDisposable"/>. The segment lives until <see cref="Remove()"/> is called and the
/// last region attached to it is disposed, even when no process uses it any more; <c>ipcs -m</c> lists the
/// segments, <c>ipcrm -m &lt;id&gt;</c> removes one.</para>
/// <para>Prefer <see cref="SharedMemoryObject"/> for new designs; this class is for talking to programs that use
/// System V shared memory.</para>
/// </remarks>
/// <example>
/// One process creates and writes:
/// <code>
/// var key = new XsiKey("/var/run/myapp", 1);
/// var shm = XsiSharedMemory.CreateNew(key, 4096);
/// using (var region = new MappedRegion(shm))
/// {
///     region.Write(0, 42L);
/// }
/// </code>
/// another opens by the same key and reads; when no one needs it any more, <c>shm.Remove()</c>:
/// <code>
/// var shm = XsiSharedMemory.OpenExisting(new XsiKey("/var/run/myapp", 1));
/// using var region = new MappedRegion(shm, AccessMode.ReadOnly);
/// long answer = region.Read&lt;long&gt;(0);
/// </code>
/// </example>
public sealed class XsiSharedMemory
{
    private XsiSharedMemory(int id, XsiKey key, bool created)
    {
        Id = id;
        Key = key;
        Created = created;
    }

    /// <summary>The segment's id (<c>shmid</c>), which any process may use with <see cref="OpenById"/>.</summary>
    public int Id { get; }

    /// <summary>The key the segment was created or opened with (<see cref="XsiKey.Private"/> when it has none).</summary>
    public XsiKey Key { get; }

    /// <summary>True when this call created the segment; false when it opened an existing one.</summary>
    public bool Created { get; }

    /// <summary>The segment's size in bytes, fixed at creation.</summary>
    /// <exception cref="InterprocessException">The segment is gone (<see cref="InterprocessErrorCode.NotFound"/>) or the OS refused.</exception>
    public long Size => (long)Stat(Id).shm_segsz;

    /// <summary>The segment's permission bits now.</summary>
    /// <exception cref="InterprocessException">The segment is gone (<see cref="InterprocessErrorCode.NotFound"/>) or the OS refused.</exception>
    public Permissions Permissions => new((UnixFileMode)(Stat(Id).shm_perm_mode & 0x1FF));

    /// <summary>The name regions and errors show for this segment.</summary>
    internal string DisplayName => DescribeId(Id);

    /// <summary>Creates a new segment; fails if one with that key exists. <see cref="XsiKey.Private"/> always makes a new one.</summary>
    /// <param name="key">The key.</param>
    /// <param name="size">The size in bytes; more than zero. It cannot be changed later.</param>
    /// <param name="permissions">The segment's permissions; <see cref="Permissions.OwnerOnly"/> when null. System V applies them exactly (no umask).</param>
    /// <returns>The segment; <see cref="Created"/> is true.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The size is zero or negative.</exception>
    /// <exception cref="ArgumentException">The permissions set bits other than 0777.</exception>
    /// <exception cref="InterprocessException">A segment with that key exists (<see cref="InterprocessErrorCode.AlreadyExists"/>),
    /// the size is beyond the system's limits (<see cref="InterprocessErrorCode.Size"/>), or the OS refused.</exception>
    public static XsiSharedMemory CreateNew(XsiKey key, long size, Permissions? permissions = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        uint mode = (permissions ?? Permissions.OwnerOnly).Bits;
        int id = Libc.ShmGet(key.Value, (nuint)size, Ipc.IPC_CREAT | Ipc.IPC_EXCL | (int)mode);
        if (id == -1)
        {
            throw CreateError(Errors.LastErrno, key, size);
        }

        return new XsiSharedMemory(id, key, created: true);
    }

    /// <summary>Opens the existing segment with this key.</summary>
    /// <param name="key">The key; not <see cref="XsiKey.Private"/>.</param>
    /// <returns>The segment; <see cref="Created"/> is false.</returns>
    /// <exception cref="ArgumentException">The key is <see cref="XsiKey.Private"/>, which names no existing segment (use <see cref="OpenById"/>).</exception>
    /// <exception cref="InterprocessException">No segment has that key (<see cref="InterprocessErrorCode.NotFound"/>), or the OS refused.</exception>
    public static XsiSharedMemory OpenExisting(XsiKey key)
    {
        ThrowIfPrivate(key);
        int id = Libc.ShmGet(key.Value, 0, 0);
        if (id == -1)
        {
            throw InterprocessException.FromLastError("shmget", DescribeKey(key));
        }

        return new XsiSharedMemory(id, key, created: false);
    }

    /// <summary>
    /// Opens the segment with this key if it exists, or creates it; <see cref="Created"/> tells which happened.
    /// When many processes race, exactly one of them creates.
    /// </summary>
    /// <param name="key">The key; not <see cref="XsiKey.Private"/>.</param>
    /// <param name="size">The size the creator gives the segment (an opener gets the segment as it is).</param>
    /// <param name="permissions">The permissions if this call creates the segment; <see cref="Permissions.OwnerOnly"/> when null.</param>
    /// <returns>The segment.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The size is zero or negative.</exception>
    /// <exception cref="ArgumentException">The key is <see cref="XsiKey.Private"/> (use <see cref="CreateNew"/>), or the permissions set bits other than 0777.</exception>
    /// <exception cref="InterprocessException">The size is beyond the system's limits, or the OS refused.</exception>
    public static XsiSharedMemory OpenOrCreate(XsiKey key, long size, Permissions? permissions = null)
    {
        ThrowIfPrivate(key);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        uint mode = (permissions ?? Permissions.OwnerOnly).Bits;
        while (true)
        {
            int id = Libc.ShmGet(key.Value, (nuint)size, Ipc.IPC_CREAT | Ipc.IPC_EXCL | (int)mode);
            if (id != -1)
            {
                return new XsiSharedMemory(id, key, created: true);
            }

            if (Errors.LastErrno != (int)Errno.EEXIST)
            {
                throw CreateError(Errors.LastErrno, key, size);
            }

            id = Libc.ShmGet(key.Value, 0, 0);
            if (id != -1)
            {
                return new XsiSharedMemory(id, key, created: false);
            }

            // Removed between our two calls: try to create it again.
            if (Errors.LastErrno != (int)Errno.ENOENT)
            {
                throw InterprocessException.FromLastError("shmget", DescribeKey(key));
            }
        }
    }

    /// <summary>Opens a segment by its id (from <see cref="Id"/> in another process, or from <c>ipcs</c>).</summary>
    /// <param name="shmId">The segment's id.</param>
    /// <returns>The segment; <see cref="Key"/> is read from the kernel, <see cref="Created"/> is false.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The id is negative.</exception>
    /// <exception cref="InterprocessException">No segment has that id (<see cref="InterprocessErrorCode.NotFound"/>),
    /// no permission to read it (<see cref="InterprocessErrorCode.PermissionDenied"/>), or the OS refused.</exception>
    public static XsiSharedMemory OpenById(int shmId)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(shmId);
        var ds = Stat(shmId);
        return new XsiSharedMemory(shmId, XsiKey.FromValue(ds.shm_perm_key), created: false);
    }

    /// <summary>
    /// Marks a segment for removal (<c>IPC_RMID</c>): its key is freed at once, and the memory goes when the
    /// last region attached to it is disposed. Until then, on Linux, the id stays valid and removing it again
    /// returns true again.
    /// </summary>
    /// <param name="shmId">The segment's id.</param>
    /// <returns>True if a segment was removed; false if no segment had that id.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The id is negative.</exception>
    /// <exception cref="InterprocessException">The OS refused (<see cref="InterprocessErrorCode.PermissionDenied"/> when not the owner).</exception>
    public static unsafe bool Remove(int shmId)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(shmId);
        if (Libc.ShmCtl(shmId, Ipc.IPC_RMID, null) == 0)
        {
            return true;
        }

        int errno = Errors.LastErrno;
        if (errno is (int)Errno.EINVAL or (int)Errno.EIDRM)
        {
            return false;
        }

        throw InterprocessException.FromErrno(errno, "shmctl(IPC_RMID)", DescribeId(shmId));
    }

    /// <summary>Marks this segment for removal; see <see cref="Remove(int)"/>.</summary>
    /// <returns>True if the segment was removed; false if it was already gone.</returns>
    /// <exception cref="InterprocessException">The OS refused (<see cref="InterprocessErrorCode.PermissionDenied"/> when not the owner).</exception>
    public bool Remove() => Remove(Id);

    /// <inheritdoc />
    public override string ToString() => $"XsiSharedMemory {Id} (key {Key})";

    /// <summary>shmctl(IPC_STAT); an id that names no segment is <see cref="InterprocessErrorCode.NotFound"/>.</summary>
    internal static unsafe ShmidDs Stat(int shmId)
    {
        ShmidDs ds;
        if (Libc.ShmCtl(shmId, Ipc.IPC_STAT, &ds) == -1)
        {
            throw IdError(Errors.LastErrno, "shmctl(IPC_STAT)", shmId);
        }

        return ds;
    }

    /// <summary>
    /// The exception for a call on an id: System V reports an id that names no segment as EINVAL, which here
    /// means <see cref="InterprocessErrorCode.NotFound"/>.
    /// </summary>
    internal static InterprocessException IdError(int errno, string operation, int shmId) =>
        errno == (int)Errno.EINVAL
            ? InterprocessException.FromErrno(errno, operation, DescribeId(shmId), InterprocessErrorCode.NotFound)
            : InterprocessException.FromErrno(errno, operation, DescribeId(shmId));

    private static string DescribeId(int shmId) =>
        string.Create(CultureInfo.InvariantCulture, $"System V shared memory id {shmId}");

    private static string DescribeKey(XsiKey key) => $"System V shared memory key {key}";

    /// <summary>shmget with IPC_CREAT failed: EINVAL there means the size is outside SHMMIN..SHMMAX.</summary>
    private static InterprocessException CreateError(int errno, XsiKey key, long size) =>
        errno == (int)Errno.EINVAL
            ? InterprocessException.FromErrno(errno, string.Create(CultureInfo.InvariantCulture, $"shmget(size {size})"), DescribeKey(key), InterprocessErrorCode.Size)
            : InterprocessException.FromErrno(errno, "shmget", DescribeKey(key));

    private static void ThrowIfPrivate(XsiKey key)
    {
        if (key.IsPrivate)
        {
            throw new ArgumentException(
                "XsiKey.Private names no existing segment: every use creates a new one. Use CreateNew to create, OpenById to open.",
                nameof(key));
        }
    }
}
