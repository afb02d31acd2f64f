namespace Interprocess.Synchronization;

/// <summary>
/// The outcome of a timed condition wait that reports a dead lock owner as a result
/// (<see cref="InterprocessCondition.WaitWithStatus"/>, <see cref="InterprocessConditionAny.WaitWithStatus{TLock}"/>).
/// In every case the caller holds the lock again when the wait returns.
/// </summary>
public enum ConditionWaitStatus
{
    /// <summary>The timeout passed without a notification; the lock is held again.</summary>
    TimedOut = 0,

    /// <summary>The waiter was notified; the lock is held again.</summary>
    Notified = 1,

    /// <summary>
    /// The timeout passed, and while re-taking the lock the caller found that the lock's previous owner had
    /// died holding it: the lock is held, and the data it protects may be half-updated.
    /// </summary>
    TimedOutAbandoned = 2,

    /// <summary>
    /// The waiter was notified, and while re-taking the lock it found that the lock's previous owner had died
    /// holding it: the lock is held, and the data it protects may be half-updated.
    /// </summary>
    NotifiedAbandoned = 3,
}
