using System.Runtime.InteropServices;

namespace Interprocess.Interop;

internal static partial class Libc
{
    // The pthread_* functions return an error number instead of setting errno, so none of these imports needs
    // SetLastError. Calls that can block keep the normal GC transition; only unlock and consistent, which never
    // block, suppress it.

    /// <summary><c>int pthread_mutexattr_init(pthread_mutexattr_t *attr)</c>.</summary>
    [LibraryImport(Name, EntryPoint = "pthread_mutexattr_init")]
    internal static unsafe partial int PThreadMutexAttrInit(void* attr);

    /// <summary><c>int pthread_mutexattr_setpshared(pthread_mutexattr_t *attr, int pshared)</c>.</summary>
    [LibraryImport(Name, EntryPoint = "pthread_mutexattr_setpshared")]
    internal static unsafe partial int PThreadMutexAttrSetPShared(void* attr, int pshared);

    /// <summary><c>int pthread_mutexattr_setrobust(pthread_mutexattr_t *attr, int robust)</c>.</summary>
    [LibraryImport(Name, EntryPoint = "pthread_mutexattr_setrobust")]
    internal static unsafe partial int PThreadMutexAttrSetRobust(void* attr, int robust);

    /// <summary><c>int pthread_mutexattr_destroy(pthread_mutexattr_t *attr)</c>.</summary>
    [LibraryImport(Name, EntryPoint = "pthread_mutexattr_destroy")]
    internal static unsafe partial int PThreadMutexAttrDestroy(void* attr);

    /// <summary><c>int pthread_mutex_init(pthread_mutex_t *mutex, const pthread_mutexattr_t *attr)</c>.</summary>
    [LibraryImport(Name, EntryPoint = "pthread_mutex_init")]
    internal static unsafe partial int PThreadMutexInit(void* mutex, void* attr);

    /// <summary><c>int pthread_mutex_lock(pthread_mutex_t *mutex)</c>: blocks; 0, EOWNERDEAD, ENOTRECOVERABLE or an error.</summary>
    [LibraryImport(Name, EntryPoint = "pthread_mutex_lock")]
    internal static unsafe partial int PThreadMutexLock(void* mutex);

    /// <summary><c>int pthread_mutex_trylock(pthread_mutex_t *mutex)</c>: 0, EBUSY, EOWNERDEAD, ENOTRECOVERABLE.</summary>
    [LibraryImport(Name, EntryPoint = "pthread_mutex_trylock")]
    internal static unsafe partial int PThreadMutexTryLock(void* mutex);

    /// <summary>
    /// <c>int pthread_mutex_clocklock(pthread_mutex_t *mutex, clockid_t clock, const struct timespec *abstime)</c>
    /// (glibc 2.30): a lock with an absolute deadline on the clock given, here CLOCK_MONOTONIC.
    /// </summary>
    [LibraryImport(Name, EntryPoint = "pthread_mutex_clocklock")]
    internal static unsafe partial int PThreadMutexClockLock(void* mutex, int clock, Timespec* abstime);

    /// <summary><c>int pthread_mutex_unlock(pthread_mutex_t *mutex)</c>: never blocks (a futex wake at most).</summary>
    [LibraryImport(Name, EntryPoint = "pthread_mutex_unlock")]
    [SuppressGCTransition]
    internal static unsafe partial int PThreadMutexUnlock(void* mutex);

    /// <summary><c>int pthread_mutex_consistent(pthread_mutex_t *mutex)</c>: marks a robust mutex recovered after EOWNERDEAD.</summary>
    [LibraryImport(Name, EntryPoint = "pthread_mutex_consistent")]
    [SuppressGCTransition]
    internal static unsafe partial int PThreadMutexConsistent(void* mutex);
}
