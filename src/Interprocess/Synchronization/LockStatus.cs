namespace Interprocess.Synchronization;

/// <summary>The outcome of an attempt to take a lock that can be abandoned by a dead owner.</summary>
public enum LockStatus
{
    /// <summary>The lock was not acquired: it was busy (a try) or the timeout passed (a timed lock).</summary>
    NotAcquired = 0,
    /// <summary>The lock was acquired.</summary>
    Acquired = 1,
    /// <summary>
    /// The lock was acquired, but its previous owner died (or its thread exited) while holding it: the data it
    /// protects may be half-updated. The lock itself is fully usable; check or repair the data, then unlock.
    /// </summary>
    AcquiredAbandoned = 2,
}
