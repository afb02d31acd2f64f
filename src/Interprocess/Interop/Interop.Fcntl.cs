using System.Runtime.InteropServices;

namespace Interprocess.Interop;

internal static partial class Libc
{
    /// <summary><c>int fcntl(int fd, int cmd, struct flock *lock)</c> (record and open-file-description locks).</summary>
    [LibraryImport(Name, EntryPoint = "fcntl", SetLastError = true)]
    internal static unsafe partial int FcntlLock(SafeFileDescriptor fd, int cmd, Flock* flock);

    /// <summary><c>int fcntl(int fd, int cmd, int arg)</c> (F_GETFD, F_SETFD).</summary>
    [LibraryImport(Name, EntryPoint = "fcntl", SetLastError = true)]
    internal static partial int FcntlInt(SafeFileDescriptor fd, int cmd, int arg);
}
