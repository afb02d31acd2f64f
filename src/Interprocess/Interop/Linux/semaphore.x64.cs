namespace Interprocess.Interop;

/// <summary>
/// POSIX semaphores of glibc on Linux x86-64 (&lt;semaphore.h&gt;, &lt;bits/semaphore.h&gt;). Checked against the C
/// headers by <c>AbiTests</c> (C name of <see cref="SizeOfSemT"/>: <c>sizeof(sem_t)</c>).
/// </summary>
internal static class PosixSemaphore
{
    /// <summary><c>sizeof(sem_t)</c> on x86-64 (<c>__SIZEOF_SEM_T</c>): the least size of a semaphore file.</summary>
    internal const int SizeOfSemT = 32;
}
