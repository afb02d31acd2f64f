namespace Interprocess.Interop;

/// <summary>
/// Constants and object sizes of glibc's &lt;pthread.h&gt; on x86-64 (glibc ≥ 2.30 for the clock variants).
/// Checked against the C headers by <c>AbiTests</c>.
/// </summary>
internal static class PThread
{
    /// <summary>PTHREAD_PROCESS_SHARED.</summary>
    internal const int PTHREAD_PROCESS_SHARED = 1;

    /// <summary>PTHREAD_MUTEX_ROBUST.</summary>
    internal const int PTHREAD_MUTEX_ROBUST = 1;

    /// <summary>sizeof(pthread_mutex_t).</summary>
    internal const int SizeOfMutex = 40;

    /// <summary>sizeof(pthread_cond_t).</summary>
    internal const int SizeOfCond = 48;

    /// <summary>sizeof(pthread_mutexattr_t) and sizeof(pthread_condattr_t) (4 each; 8 bytes are reserved on the stack).</summary>
    internal const int SizeOfAttr = 4;
}
