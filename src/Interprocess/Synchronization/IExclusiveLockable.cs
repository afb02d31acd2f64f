namespace Interprocess.Synchronization;

/// <summary>
/// A lock with exclusive ownership (Boost's Lockable concept): what <see cref="ScopedLock{TMutex}"/> needs.
/// Implemented by <see cref="InterprocessMutex"/>, <see cref="InterprocessRecursiveMutex"/>,
/// <see cref="InterprocessSharableMutex"/> and <see cref="InterprocessUpgradableMutex"/>.
/// </summary>
/// <remarks>
/// The mutexes are structs that live in shared memory: the guards call these members through a
/// <c>ref TMutex</c> with a constrained call, so the mutex is never boxed or copied.
/// </remarks>
public interface IExclusiveLockable
{
    /// <summary>Takes exclusive ownership, waiting as long as it takes.</summary>
    /// <exception cref="AbandonedLockException">The previous owner died; the caller now holds the lock.</exception>
    void Lock();

    /// <summary>Takes exclusive ownership, waiting until it is free or <paramref name="cancellationToken"/> is canceled.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="OperationCanceledException">The wait was canceled; the lock is not held.</exception>
    /// <exception cref="AbandonedLockException">The previous owner died; the caller now holds the lock.</exception>
    void Lock(CancellationToken cancellationToken);

    /// <summary>Takes exclusive ownership if that is possible without waiting.</summary>
    /// <returns>True if the caller now holds the lock.</returns>
    /// <exception cref="AbandonedLockException">The previous owner died; the caller now holds the lock.</exception>
    bool TryLock();

    /// <summary>Takes exclusive ownership, waiting at most <paramref name="timeout"/> (monotonic clock).</summary>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>True if the caller now holds the lock; false if the time ran out.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled; the lock is not held.</exception>
    /// <exception cref="AbandonedLockException">The previous owner died; the caller now holds the lock.</exception>
    bool TryLock(TimeSpan timeout, CancellationToken cancellationToken = default);

    /// <summary>Takes exclusive ownership, reporting a dead previous owner as a result instead of an exception.</summary>
    /// <param name="timeout">How long to wait; <see cref="TimeSpan.Zero"/> does not wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The outcome; see <see cref="LockStatus"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled; the lock is not held.</exception>
    LockStatus Acquire(TimeSpan timeout, CancellationToken cancellationToken = default);

    /// <summary>Gives up exclusive ownership.</summary>
    /// <exception cref="SynchronizationLockException">The calling thread does not hold the lock exclusively.</exception>
    void Unlock();
}
