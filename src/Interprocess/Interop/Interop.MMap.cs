using System.Runtime.InteropServices;

namespace Interprocess.Interop;

internal static partial class Libc
{
    /// <summary><c>void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset)</c>.</summary>
    [LibraryImport(Name, EntryPoint = "mmap", SetLastError = true)]
    internal static partial nint MMap(nint addr, nuint length, int prot, int flags, int fd, long offset);

    /// <summary><c>int munmap(void *addr, size_t length)</c>.</summary>
    [LibraryImport(Name, EntryPoint = "munmap", SetLastError = true)]
    internal static partial int MUnmap(nint addr, nuint length);

    /// <summary><c>int msync(void *addr, size_t length, int flags)</c>.</summary>
    [LibraryImport(Name, EntryPoint = "msync", SetLastError = true)]
    internal static partial int MSync(nint addr, nuint length, int flags);

    /// <summary><c>int madvise(void *addr, size_t length, int advice)</c>.</summary>
    [LibraryImport(Name, EntryPoint = "madvise", SetLastError = true)]
    internal static partial int MAdvise(nint addr, nuint length, int advice);

    /// <summary><c>int mprotect(void *addr, size_t length, int prot)</c>.</summary>
    [LibraryImport(Name, EntryPoint = "mprotect", SetLastError = true)]
    internal static partial int MProtect(nint addr, nuint length, int prot);

    /// <summary><c>long sysconf(int name)</c>.</summary>
    [LibraryImport(Name, EntryPoint = "sysconf", SetLastError = true)]
    internal static partial long SysConf(int name);

    /// <summary><c>_SC_PAGESIZE</c> for <see cref="SysConf"/>.</summary>
    internal const int SC_PAGESIZE = 30;

    /// <summary><c>_SC_NPROCESSORS_ONLN</c> for <see cref="SysConf"/>: the processors online in the system.</summary>
    internal const int SC_NPROCESSORS_ONLN = 84;
}
