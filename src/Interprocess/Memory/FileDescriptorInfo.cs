using System.Text;
using Interprocess.Interop;

namespace Interprocess.Memory;

/// <summary>Operations on a descriptor that every file-backed object shares (open, size, truncation, link target).</summary>
internal static class FileDescriptorInfo
{
    /// <summary>open with EINTR retried, throwing for any other failure (the message names <paramref name="name"/>).</summary>
    internal static SafeFileDescriptor Open(string path, int flags, uint mode, string name)
    {
        while (true)
        {
            var fd = Libc.Open(path, flags, mode);
            if (!fd.IsInvalid)
            {
                return fd;
            }

            int errno = Errors.LastErrno;
            fd.Dispose();
            if (errno != (int)Errno.EINTR)
            {
                throw InterprocessException.FromErrno(errno, "open", name);
            }
        }
    }

    /// <summary>fstat, throwing on failure.</summary>
    internal static Stat Stat(SafeFileDescriptor fd, string operation, string? name)
    {
        Errors.Check(Libc.FStat(fd, out var st), operation, name);
        return st;
    }

    /// <summary>ftruncate with EINTR retried.</summary>
    internal static void Truncate(SafeFileDescriptor fd, long size, string? name) =>
        Errors.RetryCheck(() => Libc.FTruncate(fd, size), "ftruncate", name);

    /// <summary>The target of the symbolic link at <paramref name="path"/> (a <c>/proc</c> magic link included), throwing on failure.</summary>
    internal static unsafe string ReadLink(string path, string? name)
    {
        // PATH_MAX bytes hold any target the kernel reports; one more byte tells truncation apart from a fit.
        const int PathMax = 4096;
        byte* buffer = stackalloc byte[PathMax + 1];
        nint length = Libc.ReadLink(path, buffer, PathMax + 1);
        if (length < 0)
        {
            throw InterprocessException.FromLastError("readlink", name);
        }

        return Encoding.UTF8.GetString(buffer, (int)Math.Min(length, PathMax));
    }

    /// <summary>Throws <see cref="ArgumentException"/> for an empty path or one with a NUL (which would silently cut it short in C).</summary>
    internal static void ValidatePath(string path, string paramName)
    {
        ArgumentException.ThrowIfNullOrEmpty(path, paramName);
        if (path.Contains('\0'))
        {
            throw new ArgumentException("The path must not contain a NUL character (the operating system would see only the part before it).", paramName);
        }
    }
}
