using System.Runtime.InteropServices;

namespace Interprocess.Interop;

internal static partial class Libc
{
    /// <summary>
    /// <c>int pthread_mutex_trylock(pthread_mutex_t *mutex)</c> without the GC transition, for fast paths: it never
    /// blocks and, on the robust non-PI mutexes it is used on, makes no system call (0, EBUSY, EOWNERDEAD,
    /// ENOTRECOVERABLE).
    /// </summary>
    [LibraryImport(Name, EntryPoint = "pthread_mutex_trylock")]
    [SuppressGCTransition]
    internal static unsafe partial int PThreadMutexTryLockNoTransition(void* mutex);
}
