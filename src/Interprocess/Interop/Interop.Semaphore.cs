using System.Runtime.InteropServices;

namespace Interprocess.Interop;

internal static partial class Libc
{
    /// <summary>
    /// <c>sem_t *sem_open(const char *name, int oflag, mode_t mode, unsigned int value)</c>; returns
    /// SEM_FAILED (null) on failure. The C function is variadic; on x86-64 and arm64 Linux a variadic call with
    /// integer arguments only is passed exactly like this fixed signature (no vector registers are used).
    /// </summary>
    [LibraryImport(Name, EntryPoint = "sem_open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial SafeSemaphoreHandle SemOpen(string name, int oflag, uint mode, uint value);

    /// <summary><c>int sem_close(sem_t *sem)</c>; used only by <see cref="SafeSemaphoreHandle"/>.</summary>
    [LibraryImport(Name, EntryPoint = "sem_close", SetLastError = true)]
    internal static partial int SemClose(nint sem);

    /// <summary><c>int sem_unlink(const char *name)</c>.</summary>
    [LibraryImport(Name, EntryPoint = "sem_unlink", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int SemUnlink(string name);

    /// <summary><c>int sem_post(sem_t *sem)</c>: never blocks (it may enter the kernel to wake a waiter).</summary>
    [LibraryImport(Name, EntryPoint = "sem_post", SetLastError = true)]
    internal static partial int SemPost(SafeSemaphoreHandle sem);

    /// <summary><c>int sem_wait(sem_t *sem)</c>: blocks until the count can be decremented.</summary>
    [LibraryImport(Name, EntryPoint = "sem_wait", SetLastError = true)]
    internal static partial int SemWait(SafeSemaphoreHandle sem);

    /// <summary><c>int sem_trywait(sem_t *sem)</c>: EAGAIN when the count is zero.</summary>
    [LibraryImport(Name, EntryPoint = "sem_trywait", SetLastError = true)]
    internal static partial int SemTryWait(SafeSemaphoreHandle sem);

    /// <summary>
    /// <c>int sem_clockwait(sem_t *sem, clockid_t clock, const struct timespec *abstime)</c> (glibc 2.30+):
    /// a timed wait whose absolute deadline is on <paramref name="clock"/> (CLOCK_MONOTONIC here), so a step of
    /// the wall clock neither fires nor stalls it. ETIMEDOUT when the deadline passes.
    /// </summary>
    [LibraryImport(Name, EntryPoint = "sem_clockwait", SetLastError = true)]
    internal static unsafe partial int SemClockWait(SafeSemaphoreHandle sem, int clock, Timespec* abstime);

    /// <summary><c>int sem_getvalue(sem_t *sem, int *sval)</c>: never blocks.</summary>
    [LibraryImport(Name, EntryPoint = "sem_getvalue", SetLastError = true)]
    internal static partial int SemGetValue(SafeSemaphoreHandle sem, out int value);
}
