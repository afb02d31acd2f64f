namespace Interprocess.Synchronization;

/// <summary>
/// A lock with exclusive, sharable and upgradable ownership and the transfers between them (Boost's
/// UpgradableLockable concept): what <see cref="UpgradableLock{TMutex}"/> and the lock conversions need.
/// Implemented by <see cref="InterprocessUpgradableMutex"/>.
/// </summary>
/// <remarks>
/// Upgradable ownership is sharable ownership that only one thread can have at a time and that can become
/// exclusive without letting another writer in between. It excludes exclusive and other upgradable owners,
/// and admits sharable owners.
/// </remarks>
public interface IUpgradableLockable : ISharableLockable
{
    /// <summary>Takes upgradable ownership, waiting as long as it takes.</summary>
    /// <exception cref="AbandonedLockException">The previous exclusive or upgradable owner died; the caller now holds the lock upgradable.</exception>
    void LockUpgradable();

    /// <summary>Takes upgradable ownership, waiting until possible or <paramref name="cancellationToken"/> is canceled.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="OperationCanceledException">The wait was canceled; the lock is not held.</exception>
    /// <exception cref="AbandonedLockException">The previous exclusive or upgradable owner died; the caller now holds the lock upgradable.</exception>
    void LockUpgradable(CancellationToken cancellationToken);

    /// <summary>Takes upgradable ownership if that is possible without waiting.</summary>
    /// <returns>True if the caller now holds the lock upgradable.</returns>
    /// <exception cref="AbandonedLockException">The previous exclusive or upgradable owner died; the caller now holds the lock upgradable.</exception>
    bool TryLockUpgradable();

    /// <summary>Takes upgradable ownership, waiting at most <paramref name="timeout"/> (monotonic clock).</summary>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>True if the caller now holds the lock upgradable; false if the time ran out.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled; the lock is not held.</exception>
    /// <exception cref="AbandonedLockException">The previous exclusive or upgradable owner died; the caller now holds the lock upgradable.</exception>
    bool TryLockUpgradable(TimeSpan timeout, CancellationToken cancellationToken = default);

    /// <summary>Takes upgradable ownership, reporting a dead previous owner as a result instead of an exception.</summary>
    /// <param name="timeout">How long to wait; <see cref="TimeSpan.Zero"/> does not wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The outcome; see <see cref="LockStatus"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled; the lock is not held.</exception>
    LockStatus AcquireUpgradable(TimeSpan timeout, CancellationToken cancellationToken = default);

    /// <summary>Gives up upgradable ownership.</summary>
    /// <exception cref="SynchronizationLockException">The calling thread does not hold the lock upgradable.</exception>
    void UnlockUpgradable();

    /// <summary>Exclusive → upgradable, atomically (no writer can get in between). Never waits for another owner.</summary>
    /// <exception cref="SynchronizationLockException">The calling thread does not hold the lock exclusively.</exception>
    void UnlockAndLockUpgradable();

    /// <summary>Exclusive → sharable, atomically. Never waits for another owner.</summary>
    /// <exception cref="SynchronizationLockException">The calling thread does not hold the lock exclusively.</exception>
    void UnlockAndLockSharable();

    /// <summary>Upgradable → sharable, atomically. Never waits.</summary>
    /// <exception cref="SynchronizationLockException">The calling thread does not hold the lock upgradable.</exception>
    void UnlockUpgradableAndLockSharable();

    /// <summary>Upgradable → exclusive: new readers are held back at once, then the call waits for the readers in to leave.</summary>
    /// <exception cref="SynchronizationLockException">The calling thread does not hold the lock upgradable.</exception>
    /// <exception cref="LockRecursionException">The calling thread also holds a sharable lock: it would wait for itself.</exception>
    /// <exception cref="AbandonedLockException">A reader died holding its lock and was recovered; the caller now holds the lock exclusively.</exception>
    void UnlockUpgradableAndLock();

    /// <summary>Upgradable → exclusive if no other reader holds the lock, without waiting; otherwise the caller keeps upgradable ownership.</summary>
    /// <returns>True if the caller now holds the lock exclusively; false if it still holds it upgradable.</returns>
    /// <exception cref="SynchronizationLockException">The calling thread does not hold the lock upgradable.</exception>
    /// <exception cref="AbandonedLockException">A reader died holding its lock and was recovered; the caller now holds the lock exclusively.</exception>
    bool TryUnlockUpgradableAndLock();

    /// <summary>Upgradable → exclusive, waiting at most <paramref name="timeout"/> for the readers to leave; on a timeout the caller keeps upgradable ownership.</summary>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Cancels the wait (the caller then keeps upgradable ownership).</param>
    /// <returns>True if the caller now holds the lock exclusively; false if it still holds it upgradable.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled; the caller still holds the lock upgradable.</exception>
    /// <exception cref="SynchronizationLockException">The calling thread does not hold the lock upgradable.</exception>
    /// <exception cref="LockRecursionException">The calling thread also holds a sharable lock: it would wait for itself.</exception>
    /// <exception cref="AbandonedLockException">A reader died holding its lock and was recovered; the caller now holds the lock exclusively.</exception>
    bool TryUnlockUpgradableAndLock(TimeSpan timeout, CancellationToken cancellationToken = default);

    /// <summary>Sharable → exclusive if the caller is the only owner of any kind, without waiting; otherwise the caller keeps its sharable lock.</summary>
    /// <returns>True if the caller now holds the lock exclusively; false if it still holds it shared.</returns>
    /// <exception cref="SynchronizationLockException">The calling thread does not hold the lock shared (or holds it upgradable or exclusive).</exception>
    /// <exception cref="AbandonedLockException">A dead owner was recovered; the caller now holds the lock exclusively.</exception>
    bool TryUnlockSharableAndLock();

    /// <summary>Sharable → upgradable if there is no exclusive or upgradable owner, without waiting; otherwise the caller keeps its sharable lock.</summary>
    /// <returns>True if the caller now holds the lock upgradable; false if it still holds it shared.</returns>
    /// <exception cref="SynchronizationLockException">The calling thread does not hold the lock shared (or holds it upgradable or exclusive).</exception>
    /// <exception cref="AbandonedLockException">A dead owner was recovered; the caller now holds the lock upgradable.</exception>
    bool TryUnlockSharableAndLockUpgradable();
}
