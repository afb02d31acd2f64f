using System.Runtime.InteropServices;

namespace Interprocess.Interop;

internal static partial class Libc
{
    /// <summary><c>int pthread_condattr_init(pthread_condattr_t *attr)</c>.</summary>
    [LibraryImport(Name, EntryPoint = "pthread_condattr_init")]
    internal static unsafe partial int PThreadCondAttrInit(void* attr);

    /// <summary><c>int pthread_condattr_setpshared(pthread_condattr_t *attr, int pshared)</c>.</summary>
    [LibraryImport(Name, EntryPoint = "pthread_condattr_setpshared")]
    internal static unsafe partial int PThreadCondAttrSetPShared(void* attr, int pshared);

    /// <summary><c>int pthread_condattr_destroy(pthread_condattr_t *attr)</c>.</summary>
    [LibraryImport(Name, EntryPoint = "pthread_condattr_destroy")]
    internal static unsafe partial int PThreadCondAttrDestroy(void* attr);

    /// <summary><c>int pthread_cond_init(pthread_cond_t *cond, const pthread_condattr_t *attr)</c>.</summary>
    [LibraryImport(Name, EntryPoint = "pthread_cond_init")]
    internal static unsafe partial int PThreadCondInit(void* cond, void* attr);

    /// <summary>
    /// <c>int pthread_cond_clockwait(pthread_cond_t *cond, pthread_mutex_t *mutex, clockid_t clock, const struct
    /// timespec *abstime)</c> (glibc 2.30): the clock is given by the caller, whatever clock attribute the
    /// condition was created with. Blocks; returns 0, ETIMEDOUT, EOWNERDEAD or an error.
    /// </summary>
    [LibraryImport(Name, EntryPoint = "pthread_cond_clockwait")]
    internal static unsafe partial int PThreadCondClockWait(void* cond, void* mutex, int clock, Timespec* abstime);

    // signal and broadcast keep the GC transition: glibc's implementation takes the condition's internal lock
    // and, when it switches waiter groups, futex-waits for the old group's waiters to leave, so it can block.

    /// <summary><c>int pthread_cond_signal(pthread_cond_t *cond)</c>.</summary>
    [LibraryImport(Name, EntryPoint = "pthread_cond_signal")]
    internal static unsafe partial int PThreadCondSignal(void* cond);

    /// <summary><c>int pthread_cond_broadcast(pthread_cond_t *cond)</c>.</summary>
    [LibraryImport(Name, EntryPoint = "pthread_cond_broadcast")]
    internal static unsafe partial int PThreadCondBroadcast(void* cond);
}
