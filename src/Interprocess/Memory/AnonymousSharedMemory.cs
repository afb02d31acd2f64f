using System.Globalization;
using Interprocess.Interop;

namespace Interprocess.Memory;

/// <summary>
/// Unnamed shared memory (<c>memfd_create</c>) that a process hands to the processes it starts, Boost's
/// <c>anonymous_shared_memory</c> for a runtime that cannot fork: nothing appears in <c>/dev/shm</c>, nothing
/// needs removing, and the memory goes away when the last process lets go of it.
/// </summary>
/// <remarks>
/// <para>The parent passes <see cref="Handle"/> (<c>"memfd:&lt;pid&gt;:&lt;fd&gt;"</c>) to the child, on the command
/// line or in an environment variable; the child calls <see cref="Open(string, AccessMode)"/>, which reopens the
/// parent's descriptor through <c>/proc/&lt;pid&gt;/fd/&lt;fd&gt;</c>.</para>
/// <para><b>The parent must keep its object open until the child has opened it</b> (have the child report back,
/// or keep the object for the child's lifetime): once the parent disposes it or exits, the handle refers to
/// nothing (<see cref="InterprocessErrorCode.NotFound"/>), or, if the descriptor number has been reused since,
/// to something else, which <see cref="Open(string, AccessMode)"/> refuses unless it is anonymous shared memory too.
/// After the child has opened, each side's object is independent and the memory lives while either has it open
/// or mapped.</para>
/// <para>Opening another process's descriptor needs the rights to inspect that process (same user, or root), as
/// for any <c>/proc/&lt;pid&gt;/fd</c> access.</para>
/// </remarks>
/// <example>
/// The parent creates the memory and starts the child with the handle:
/// <code>
/// using var memory = AnonymousSharedMemory.Create(4096);
/// using var region = memory.Map();
/// region.Write(0, 42L);
/// using var child = Process.Start("child", memory.Handle);
/// child.WaitForExit();                       // keep 'memory' open at least until the child has opened it
/// long reply = region.Read&lt;long&gt;(8);
/// </code>
/// the child opens it from the handle on its command line:
/// <code>
/// using var memory = AnonymousSharedMemory.Open(args[0]);
/// using var region = memory.Map();
/// region.Write(8, region.Read&lt;long&gt;(0) + 1);
/// </code>
/// </example>
public sealed class AnonymousSharedMemory : IDisposable
{
    /// <summary>The prefix of every handle.</summary>
    private const string HandlePrefix = "memfd:";

    /// <summary>The name given to memfd_create; it shows in <c>/proc/&lt;pid&gt;/fd</c> as <c>/memfd:interprocess-anonymous</c>.</summary>
    private const string MemfdName = "interprocess-anonymous";

    /// <summary>What the <c>/proc/&lt;pid&gt;/fd/&lt;fd&gt;</c> link of any memfd starts with.</summary>
    private const string MemfdLinkPrefix = "/memfd:";

    /// <summary>The descriptor of the memfd in this process.</summary>
    private readonly SafeFileDescriptor _fd;

    /// <summary>This process's handle, "memfd:&lt;our pid&gt;:&lt;our fd&gt;".</summary>
    private readonly string _handle;

    private AnonymousSharedMemory(SafeFileDescriptor fd, AccessMode access)
    {
        _fd = fd;
        Access = access;
        _handle = string.Create(CultureInfo.InvariantCulture, $"{HandlePrefix}{Environment.ProcessId}:{fd.Value}");
    }

    /// <summary>How this process's object was opened: <see cref="AccessMode.ReadWrite"/> for the creator, as asked for an opener.</summary>
    public AccessMode Access { get; }

    /// <summary>
    /// The token another process passes to <see cref="Open(string, AccessMode)"/>: <c>"memfd:&lt;pid&gt;:&lt;fd&gt;"</c>
    /// with this process's id and descriptor. It stays valid only while this object is open.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The object was disposed (the handle would refer to nothing).</exception>
    public string Handle
    {
        get
        {
            ObjectDisposedException.ThrowIf(_fd.IsClosed, this);
            return _handle;
        }
    }

    /// <summary>The size of the memory in bytes.</summary>
    /// <exception cref="ObjectDisposedException">The object was disposed.</exception>
    public long Size => FileDescriptorInfo.Stat(Descriptor, "fstat", _handle).st_size;

    /// <summary>The descriptor, for <see cref="MappedRegion"/>; throws once disposed.</summary>
    internal SafeFileDescriptor Descriptor
    {
        get
        {
            ObjectDisposedException.ThrowIf(_fd.IsClosed, this);
            return _fd;
        }
    }

    /// <summary>The name regions and errors show for this memory.</summary>
    internal string DisplayName => _handle;

    /// <summary>Creates anonymous shared memory of <paramref name="size"/> bytes, zero-filled.</summary>
    /// <param name="size">The size in bytes; more than zero.</param>
    /// <returns>The new memory, open read-write.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The size is zero or negative.</exception>
    /// <exception cref="InterprocessException">The OS refused (out of memory, descriptor limit, size too large).</exception>
    public static AnonymousSharedMemory Create(long size)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);

        // MFD_CLOEXEC: children reach the memory through the handle, never by inheriting the descriptor.
        var fd = Libc.MemfdCreate(MemfdName, Mman.MFD_CLOEXEC);
        if (fd.IsInvalid)
        {
            int errno = Errors.LastErrno;
            fd.Dispose();
            throw InterprocessException.FromErrno(errno, "memfd_create", MemfdName);
        }

        try
        {
            var memory = new AnonymousSharedMemory(fd, AccessMode.ReadWrite);
            FileDescriptorInfo.Truncate(fd, size, memory.DisplayName);
            return memory;
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens the anonymous shared memory another process created (or opened), from the <see cref="Handle"/> it
    /// passed. That process must still have its object open; see the remarks of <see cref="AnonymousSharedMemory"/>.
    /// </summary>
    /// <param name="handle">The token, <c>"memfd:&lt;pid&gt;:&lt;fd&gt;"</c>: decimal numbers, no signs, spaces or leading zeros.</param>
    /// <param name="access">Read-write (the default) or read-only.</param>
    /// <returns>This process's object for the same memory.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="handle"/> is null.</exception>
    /// <exception cref="ArgumentException">The handle is malformed, the access is not ReadOnly or ReadWrite, or the
    /// descriptor the handle names is not anonymous shared memory.</exception>
    /// <exception cref="InterprocessException">The process has exited or the descriptor is closed
    /// (<see cref="InterprocessErrorCode.NotFound"/>), no right to open it (<see cref="InterprocessErrorCode.PermissionDenied"/>),
    /// or the OS refused.</exception>
    public static AnonymousSharedMemory Open(string handle, AccessMode access = AccessMode.ReadWrite)
    {
        (int pid, int fdNumber) = ParseHandle(handle);
        if (access is not (AccessMode.ReadOnly or AccessMode.ReadWrite))
        {
            throw new ArgumentException($"Anonymous shared memory is opened ReadOnly or ReadWrite, not {access}; {access} applies to a MappedRegion.", nameof(access));
        }

        string path = string.Create(CultureInfo.InvariantCulture, $"/proc/{pid}/fd/{fdNumber}");
        int flags = (access == AccessMode.ReadOnly ? Fcntl.O_RDONLY : Fcntl.O_RDWR) | Fcntl.O_CLOEXEC;
        var fd = FileDescriptorInfo.Open(path, flags, 0, handle);
        try
        {
            // Check what was actually opened, not what the path named a moment before: the other process may
            // have closed the descriptor and reused its number in between.
            var st = FileDescriptorInfo.Stat(fd, "fstat", handle);
            string target = FileDescriptorInfo.ReadLink(
                string.Create(CultureInfo.InvariantCulture, $"/proc/self/fd/{fd.Value}"), handle);
            if ((st.st_mode & StatMode.S_IFMT) != StatMode.S_IFREG || !target.StartsWith(MemfdLinkPrefix, StringComparison.Ordinal))
            {
                throw new ArgumentException(
                    $"The handle '{handle}' does not refer to anonymous shared memory: {path} is '{target}'.", nameof(handle));
            }

            return new AnonymousSharedMemory(fd, access);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    /// <summary>Maps the memory into this process; the same as <c>new MappedRegion(this, ...)</c>.</summary>
    /// <param name="access">How to map: ReadWrite (default), ReadOnly, CopyOnWrite or ReadPrivate. ReadWrite needs an object opened read-write.</param>
    /// <param name="offset">Where the region starts; need not be page-aligned.</param>
    /// <param name="size">How many bytes to map; 0 maps from <paramref name="offset"/> to the end.</param>
    /// <returns>The region.</returns>
    /// <exception cref="ArgumentException">The access does not fit the object's access, or the offset or size is negative or beyond the memory.</exception>
    /// <exception cref="InterprocessException">The OS refused to map.</exception>
    /// <exception cref="ObjectDisposedException">The object was disposed.</exception>
    public MappedRegion Map(AccessMode access = AccessMode.ReadWrite, long offset = 0, long size = 0) =>
        new(this, access, offset, size);

    /// <summary>
    /// Closes this process's descriptor (idempotent). Regions mapped from it stay valid until disposed; the
    /// memory itself lives on while any process has it open or mapped. Children that have not opened it yet
    /// can no longer do so through this process's handle.
    /// </summary>
    public void Dispose() => _fd.Dispose();

    /// <inheritdoc />
    public override string ToString() => $"AnonymousSharedMemory '{_handle}' ({Access})";

    /// <summary>Parses "memfd:&lt;pid&gt;:&lt;fd&gt;" strictly: the exact form <see cref="Handle"/> produces.</summary>
    private static (int Pid, int Fd) ParseHandle(string handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        const string Expected = "it must be \"memfd:<pid>:<fd>\" with decimal numbers, as AnonymousSharedMemory.Handle gives it";
        if (!handle.StartsWith(HandlePrefix, StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{handle}' is not an anonymous shared memory handle: {Expected}.", nameof(handle));
        }

        string rest = handle[HandlePrefix.Length..];
        int colon = rest.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0
            || !TryParseNumber(rest.AsSpan(0, colon), out int pid)
            || !TryParseNumber(rest.AsSpan(colon + 1), out int fd))
        {
            throw new ArgumentException($"'{handle}' is not an anonymous shared memory handle: {Expected}.", nameof(handle));
        }

        if (pid == 0)
        {
            throw new ArgumentException($"'{handle}' names process id 0, which is not a process.", nameof(handle));
        }

        return (pid, fd);
    }

    /// <summary>A non-negative decimal int with digits only and no leading zero (except "0" itself).</summary>
    private static bool TryParseNumber(ReadOnlySpan<char> text, out int value)
    {
        value = 0;
        if (text.IsEmpty || (text.Length > 1 && text[0] == '0'))
        {
            return false;
        }

        foreach (char c in text)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}
