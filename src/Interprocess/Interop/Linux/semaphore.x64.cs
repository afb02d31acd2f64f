namespace Interprocess.Interop;

/// <summary>
/// POSIX named semaphores of glibc on Linux x86-64 (&lt;semaphore.h&gt;, &lt;bits/semaphore.h&gt;).
/// </summary>
internal static class PosixSemaphore
{
    /// <summary><c>sizeof(sem_t)</c> on x86-64 (<c>__SIZEOF_SEM_T</c>): the least size of a semaphore file.</summary>
    internal const int SizeOfSemT = 32;

    /// <summary><c>SEM_VALUE_MAX</c>: the largest count a semaphore holds (INT_MAX).</summary>
    internal const int SEM_VALUE_MAX = int.MaxValue;

    /// <summary>
    /// Where glibc (and musl) keep the semaphore named "x": <c>/dev/shm/sem.x</c>. The prefix is why a
    /// semaphore's name may be at most NAME_MAX - 4 bytes.
    /// </summary>
    internal const string FilePrefix = "/dev/shm/sem.";

    /// <summary>The length in bytes of the "sem." that glibc puts before the name.</summary>
    internal const int NamePrefixBytes = 4;
}
