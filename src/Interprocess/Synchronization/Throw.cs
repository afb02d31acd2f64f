namespace Interprocess.Synchronization;

/// <summary>Turns lock results into the exceptions of the throwing API.</summary>
internal static class Throw
{
    /// <summary>
    /// True for an acquired lock, false for one not acquired; throws <see cref="AbandonedLockException"/>
    /// (with the lock held) for one taken over from a dead owner.
    /// </summary>
    internal static bool IfAbandoned(LockStatus status) => status switch
    {
        LockStatus.Acquired => true,
        LockStatus.NotAcquired => false,
        _ => throw new AbandonedLockException(),
    };
}
