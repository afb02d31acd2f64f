using Interprocess.Interop;

namespace Interprocess.Memory;

/// <summary>
/// An existing file opened so that it can be mapped into memory with <see cref="MappedRegion"/> (Boost's
/// <c>file_mapping</c>). Changes made through a read-write mapping reach the file; <see cref="MappedRegion.Flush"/>
/// writes them out.
/// </summary>
/// <example>
/// <code>
/// File.WriteAllBytes(path, new byte[4096]);
/// using var file = new FileMapping(path);
/// using var region = new MappedRegion(file);
/// region.GetSpan(0, 5).Fill((byte)'x');
/// region.Flush();
/// </code>
/// </example>
public sealed class FileMapping : IDisposable
{
    /// <summary>The descriptor of the open file.</summary>
    private readonly SafeFileDescriptor _fd;

    /// <summary>Opens an existing file for mapping.</summary>
    /// <param name="path">The file's path.</param>
    /// <param name="access">Read-write (the default) or read-only.</param>
    /// <exception cref="ArgumentNullException">The path is null.</exception>
    /// <exception cref="ArgumentException">The path is empty or contains a NUL, or the access is not ReadOnly or ReadWrite.</exception>
    /// <exception cref="InterprocessException">The file does not exist (<see cref="InterprocessErrorCode.NotFound"/>), is a directory
    /// or not a regular file (<see cref="InterprocessErrorCode.InvalidPath"/>), or cannot be opened.</exception>
    public FileMapping(string path, AccessMode access = AccessMode.ReadWrite)
    {
        FileDescriptorInfo.ValidatePath(path, nameof(path));
        if (access is not (AccessMode.ReadOnly or AccessMode.ReadWrite))
        {
            throw new ArgumentException($"A file is opened ReadOnly or ReadWrite, not {access}; {access} applies to a MappedRegion.", nameof(access));
        }

        int flags = (access == AccessMode.ReadOnly ? Fcntl.O_RDONLY : Fcntl.O_RDWR) | Fcntl.O_CLOEXEC;
        var fd = FileDescriptorInfo.Open(path, flags, 0, path);
        try
        {
            var st = FileDescriptorInfo.Stat(fd, "fstat", path);
            if ((st.st_mode & StatMode.S_IFMT) != StatMode.S_IFREG)
            {
                string what = (st.st_mode & StatMode.S_IFMT) == StatMode.S_IFDIR ? "a directory" : "not a regular file";
                throw new InterprocessException(InterprocessErrorCode.InvalidPath, $"'{path}' is {what} and cannot be mapped.")
                {
                    ObjectName = path,
                    Operation = "open",
                };
            }
        }
        catch
        {
            fd.Dispose();
            throw;
        }

        _fd = fd;
        Path = path;
        Access = access;
    }

    /// <summary>The path of the file.</summary>
    public string Path { get; }

    /// <summary>How the file was opened.</summary>
    public AccessMode Access { get; }

    /// <summary>The current size of the file in bytes.</summary>
    /// <exception cref="ObjectDisposedException">The mapping was disposed.</exception>
    public long Size => FileDescriptorInfo.Stat(Descriptor, "fstat", Path).st_size;

    /// <summary>The descriptor, for <see cref="MappedRegion"/>; throws once disposed.</summary>
    internal SafeFileDescriptor Descriptor
    {
        get
        {
            ObjectDisposedException.ThrowIf(_fd.IsClosed, this);
            return _fd;
        }
    }

    /// <summary>Deletes a file (the counterpart of Boost's <c>file_mapping::remove</c>).</summary>
    /// <param name="path">The file's path.</param>
    /// <returns>True if a file was deleted; false if there was none.</returns>
    /// <exception cref="ArgumentNullException">The path is null.</exception>
    /// <exception cref="ArgumentException">The path is empty or contains a NUL.</exception>
    /// <exception cref="InterprocessException">The OS refused (a directory is <see cref="InterprocessErrorCode.InvalidPath"/> or <see cref="InterprocessErrorCode.PermissionDenied"/>).</exception>
    public static bool Remove(string path)
    {
        FileDescriptorInfo.ValidatePath(path, nameof(path));
        if (Libc.Unlink(path) == 0)
        {
            return true;
        }

        if (Errors.LastErrno == (int)Errno.ENOENT)
        {
            return false;
        }

        throw InterprocessException.FromLastError("unlink", path);
    }

    /// <summary>Closes the file (idempotent). Regions mapped from it stay valid until they are disposed.</summary>
    public void Dispose() => _fd.Dispose();

    /// <inheritdoc />
    public override string ToString() => $"FileMapping '{Path}' ({Access})";
}
