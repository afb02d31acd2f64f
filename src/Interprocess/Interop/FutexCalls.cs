namespace Interprocess.Interop;

/// <summary>The outcome of a futex wait.</summary>
internal enum FutexWaitResult
{
    /// <summary>Woken by a FUTEX_WAKE (or spuriously): re-check the word.</summary>
    Woken,
    /// <summary>The word did not hold the expected value when the call was made (EAGAIN).</summary>
    ValueChanged,
    /// <summary>The relative timeout passed.</summary>
    TimedOut,
    /// <summary>A signal interrupted the wait (EINTR): re-check the word and wait again.</summary>
    Interrupted,
}

/// <summary>
/// Shared (not private) futex wait and wake on a 32-bit word in shared memory: the only way the library's
/// synchronization enters the kernel. Timeouts are relative and measured by the kernel on CLOCK_MONOTONIC.
/// </summary>
internal static unsafe class FutexCalls
{
    /// <summary>Sleeps while <c>*word == expected</c>, for at most <paramref name="timeoutNs"/> (negative: no limit).</summary>
    internal static FutexWaitResult Wait(int* word, int expected, long timeoutNs)
    {
        long rc;
        if (timeoutNs < 0)
        {
            rc = Libc.FutexSyscall(Futex.SYS_futex, word, Futex.FUTEX_WAIT, expected, null, null, 0);
        }
        else
        {
            var ts = Timespec.FromNanoseconds(timeoutNs);
            rc = Libc.FutexSyscall(Futex.SYS_futex, word, Futex.FUTEX_WAIT, expected, &ts, null, 0);
        }

        return ToResult(rc, "futex(FUTEX_WAIT)");
    }

    /// <summary>
    /// Sleeps while <c>*word == expected</c>, for at most <paramref name="timeoutNs"/> (not negative), as a waiter of
    /// the classes in <paramref name="bitset"/> (FUTEX_WAIT_BITSET: waiters of several classes sleep on one word, and
    /// a wake reaches only the classes it names). FUTEX_WAIT_BITSET takes an absolute CLOCK_MONOTONIC deadline,
    /// computed here.
    /// </summary>
    internal static FutexWaitResult Wait(int* word, int expected, long timeoutNs, uint bitset)
    {
        long now = Libc.MonotonicNanoseconds();
        long at = timeoutNs > long.MaxValue - now ? long.MaxValue : now + timeoutNs;
        var ts = Timespec.FromNanoseconds(at);
        long rc = Libc.FutexSyscall(Futex.SYS_futex, word, Futex.FUTEX_WAIT_BITSET, expected, &ts, null, unchecked((int)bitset));
        return ToResult(rc, "futex(FUTEX_WAIT_BITSET)");
    }

    /// <summary>Wakes up to <paramref name="count"/> waiters on <paramref name="word"/>; returns how many were woken.</summary>
    internal static int Wake(int* word, int count)
    {
        long rc = Libc.FutexWakeSyscall(Futex.SYS_futex, word, Futex.FUTEX_WAKE, count, 0, null, 0);
        return rc < 0 ? 0 : (int)rc;
    }

    /// <summary>Wakes up to <paramref name="count"/> waiters on <paramref name="word"/> whose bitset shares a bit with <paramref name="bitset"/>.</summary>
    internal static int Wake(int* word, int count, uint bitset)
    {
        long rc = Libc.FutexWakeSyscall(Futex.SYS_futex, word, Futex.FUTEX_WAKE_BITSET, count, 0, null, unchecked((int)bitset));
        return rc < 0 ? 0 : (int)rc;
    }

    /// <summary>The outcome of a wait call from its return value and errno.</summary>
    private static FutexWaitResult ToResult(long rc, string operation)
    {
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
            _ => throw InterprocessException.FromErrno(errno, operation, null),
        };
    }
}
