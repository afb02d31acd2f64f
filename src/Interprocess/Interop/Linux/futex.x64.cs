namespace Interprocess.Interop;

/// <summary>
/// The futex system call (&lt;linux/futex.h&gt;) and the system call numbers of x86-64 the library uses
/// (&lt;sys/syscall.h&gt;). Checked against the C headers by <c>AbiTests</c>.
/// </summary>
internal static class Futex
{
    internal const long SYS_futex = 202;
    internal const long SYS_gettid = 186;

    internal const int FUTEX_WAIT = 0;
    internal const int FUTEX_WAKE = 1;
    internal const int FUTEX_WAIT_BITSET = 9;
    internal const int FUTEX_WAKE_BITSET = 10;

    /// <summary>
    /// Never set by this library: a futex in shared memory must be keyed by the physical page, not by
    /// this process's address, so that a waiter and a waker in different processes meet.
    /// </summary>
    internal const int FUTEX_PRIVATE_FLAG = 128;
    internal const int FUTEX_CLOCK_REALTIME = 256;

    internal const uint FUTEX_BITSET_MATCH_ANY = 0xFFFFFFFF;
}
