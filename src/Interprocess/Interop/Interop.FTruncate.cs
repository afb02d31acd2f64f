using System.Runtime.InteropServices;

namespace Interprocess.Interop;

internal static partial class Libc
{
    /// <summary><c>int ftruncate(int fd, off_t length)</c>.</summary>
    [LibraryImport(Name, EntryPoint = "ftruncate", SetLastError = true)]
    internal static partial int FTruncate(SafeFileDescriptor fd, long length);

    /// <summary><c>int posix_fallocate(int fd, off_t offset, off_t len)</c>: returns the error number, not -1.</summary>
    [LibraryImport(Name, EntryPoint = "posix_fallocate")]
    internal static partial int PosixFAllocate(SafeFileDescriptor fd, long offset, long len);
}
