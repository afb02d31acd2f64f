namespace Interprocess.Synchronization;

/// <summary>
/// A lock with exclusive and sharable (reader) ownership (Boost's SharableLockable concept): what
/// <see cref="SharableLock{TMutex}"/> needs. Implemented by <see cref="InterprocessSharableMutex"/> and
/// <see cref="InterprocessUpgradableMutex"/>.
/// </summary>
public interface ISharableLockable : IExclusiveLockable
{
    /// <summary>Takes sharable ownership, waiting as long as it takes.</summary>
    /// <exception cref="AbandonedLockException">A writer died holding the lock; the caller now holds it shared.</exception>
    void LockSharable();

    /// <summary>Takes sharable ownership, waiting until possible or <paramref name="cancellationToken"/> is canceled.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="OperationCanceledException">The wait was canceled; the lock is not held.</exception>
    /// <exception cref="AbandonedLockException">A writer died holding the lock; the caller now holds it shared.</exception>
    void LockSharable(CancellationToken cancellationToken);

    /// <summary>Takes sharable ownership if that is possible without waiting.</summary>
    /// <returns>True if the caller now holds the lock shared.</returns>
    /// <exception cref="AbandonedLockException">A writer died holding the lock; the caller now holds it shared.</exception>
    bool TryLockSharable();

    /// <summary>Takes sharable ownership, waiting at most <paramref name="timeout"/> (monotonic clock).</summary>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>True if the caller now holds the lock shared; false if the time ran out.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled; the lock is not held.</exception>
    /// <exception cref="AbandonedLockException">A writer died holding the lock; the caller now holds it shared.</exception>
    bool TryLockSharable(TimeSpan timeout, CancellationToken cancellationToken = default);

    /// <summary>Takes sharable ownership, reporting a dead writer as a result instead of an exception.</summary>
    /// <param name="timeout">How long to wait; <see cref="TimeSpan.Zero"/> does not wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The outcome; see <see cref="LockStatus"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled; the lock is not held.</exception>
    LockStatus AcquireSharable(TimeSpan timeout, CancellationToken cancellationToken = default);

    /// <summary>Gives up one sharable ownership of the calling thread.</summary>
    /// <exception cref="SynchronizationLockException">The calling thread does not hold the lock shared.</exception>
    void UnlockSharable();
}
