using System.Runtime.InteropServices;

namespace Interprocess.Interop;

internal static partial class Libc
{
    /// <summary>
    /// <c>long syscall(SYS_futex, uint32_t *uaddr, int op, uint32_t val, const struct timespec *timeout,
    /// uint32_t *uaddr2, uint32_t val3)</c>. glibc has no futex wrapper. A wait blocks, so this import keeps
    /// the normal GC transition.
    /// </summary>
    [LibraryImport(Name, EntryPoint = "syscall", SetLastError = true)]
    internal static unsafe partial long FutexSyscall(long number, int* uaddr, int op, int val, Timespec* timeout, int* uaddr2, int val3);

    /// <summary>
    /// The same system call for FUTEX_WAKE only: it never blocks, so it skips the GC transition.
    /// </summary>
    [LibraryImport(Name, EntryPoint = "syscall")]
    [SuppressGCTransition]
    internal static unsafe partial long FutexWakeSyscall(long number, int* uaddr, int op, int val, nint timeout, int* uaddr2, int val3);
}
