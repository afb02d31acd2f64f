namespace Interprocess.Interop;

/// <summary>
/// Shared futex wait and wake with a bitset (FUTEX_WAIT_BITSET / FUTEX_WAKE_BITSET): waiters of several classes
/// sleep on one word, and a wake reaches only the classes it names.
/// </summary>
internal static unsafe class FutexBitsetCalls
{
    /// <summary>
    /// Sleeps while <c>*word == expected</c>, for at most <paramref name="timeoutNs"/> (not negative), as a waiter of
    /// the classes in <paramref name="bitset"/>. FUTEX_WAIT_BITSET takes an absolute CLOCK_MONOTONIC deadline,
    /// computed here.
    /// </summary>
    internal static FutexWaitResult Wait(int* word, int expected, long timeoutNs, uint bitset)
    {
        long now = Libc.MonotonicNanoseconds();
        long at = timeoutNs > long.MaxValue - now ? long.MaxValue : now + timeoutNs;
        var ts = Timespec.FromNanoseconds(at);
        long rc = Libc.FutexSyscall(Futex.SYS_futex, word, Futex.FUTEX_WAIT_BITSET, expected, &ts, null, unchecked((int)bitset));
        if (rc == 0)
        {
            return FutexWaitResult.Woken;
        }

        int errno = Errors.LastErrno;
        return (Errno)errno switch
        {
            Errno.EAGAIN => FutexWaitResult.ValueChanged,
            Errno.ETIMEDOUT => FutexWaitResult.TimedOut,
            Errno.EINTR => FutexWaitResult.Interrupted,
            _ => throw InterprocessException.FromErrno(errno, "futex(FUTEX_WAIT_BITSET)", null),
        };
    }

    /// <summary>Wakes up to <paramref name="count"/> waiters on <paramref name="word"/> whose bitset shares a bit with <paramref name="bitset"/>.</summary>
    internal static int Wake(int* word, int count, uint bitset)
    {
        long rc = Libc.FutexWakeSyscall(Futex.SYS_futex, word, Futex.FUTEX_WAKE_BITSET, count, 0, null, unchecked((int)bitset));
        return rc < 0 ? 0 : (int)rc;
    }
}
