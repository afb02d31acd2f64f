using System.Runtime.InteropServices;

namespace Interprocess.Interop;

internal static partial class Libc
{
    /// <summary><c>int fstat(int fd, struct stat *buf)</c>.</summary>
    [LibraryImport(Name, EntryPoint = "fstat", SetLastError = true)]
    internal static partial int FStat(SafeFileDescriptor fd, out Stat buf);

    /// <summary><c>int fchmod(int fd, mode_t mode)</c>: sets the mode exactly, whatever the umask.</summary>
    [LibraryImport(Name, EntryPoint = "fchmod", SetLastError = true)]
    internal static partial int FChmod(SafeFileDescriptor fd, uint mode);
}
