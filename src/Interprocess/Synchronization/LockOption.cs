namespace Interprocess.Synchronization;

/// <summary>
/// How a lock guard (<see cref="ScopedLock{TMutex}"/>, <see cref="SharableLock{TMutex}"/>,
/// <see cref="UpgradableLock{TMutex}"/>) starts out: Boost's <c>defer_lock</c>, <c>try_to_lock</c> and
/// <c>accept_ownership</c> tags.
/// </summary>
public enum LockOption
{
    /// <summary>Do not lock: the guard starts without ownership (lock it later with its <c>Lock</c> or <c>TryLock</c>).</summary>
    DeferLock = 1,

    /// <summary>Try to lock without waiting; <c>Owns</c> tells whether it worked.</summary>
    TryToLock = 2,

    /// <summary>
    /// The calling thread already holds the mutex in the guard's mode (for example after <c>Acquire</c>
    /// reported <see cref="LockStatus.AcquiredAbandoned"/>): the guard takes that ownership over and will
    /// unlock it.
    /// </summary>
    AcceptOwnership = 3,
}
