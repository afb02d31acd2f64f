using Interprocess.Interop;

namespace Interprocess.Memory;

/// <summary>Operations on a descriptor that every file-backed object shares (size, truncation).</summary>
internal static class FileDescriptorInfo
{
    /// <summary>fstat, throwing on failure.</summary>
    internal static Stat Stat(SafeFileDescriptor fd, string operation, string? name)
    {
        Errors.Check(Libc.FStat(fd, out var st), operation, name);
        return st;
    }

    /// <summary>ftruncate with EINTR retried.</summary>
    internal static void Truncate(SafeFileDescriptor fd, long size, string? name) =>
        Errors.RetryCheck(() => Libc.FTruncate(fd, size), "ftruncate", name);
}
