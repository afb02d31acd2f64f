namespace Interprocess.Synchronization;

/// <summary>
/// An exclusive lock that lives in shared memory and can be used with <see cref="InterprocessConditionAny"/>
/// (Boost's <i>Lockable</i> concept): <see cref="InterprocessMutex"/>, <see cref="InterprocessRecursiveMutex"/>
/// and the exclusive side of the other locks of the library implement it.
/// </summary>
/// <remarks>
/// The locks are structs used in place, so code that takes "any lock" takes it as a generic <c>ref</c>
/// parameter constrained to a struct, e.g. <c>Wait&lt;TLock&gt;(ref TLock lock) where TLock : struct,
/// IInterprocessLockable</c>: the calls then go straight to the lock in shared memory, with no copy and no
/// boxing. Never convert a lock to this interface (that boxes a copy, which is not the lock).
/// </remarks>
public interface IInterprocessLockable
{
    /// <summary>Takes the lock, waiting as long as it takes.</summary>
    /// <exception cref="AbandonedLockException">The previous owner died holding the lock; the caller now holds it.</exception>
    void Lock();

    /// <summary>Takes the lock if it is free, without waiting.</summary>
    /// <returns>True if the caller now holds the lock.</returns>
    /// <exception cref="AbandonedLockException">The previous owner died holding the lock; the caller now holds it.</exception>
    bool TryLock();

    /// <summary>
    /// Takes the lock, waiting at most <paramref name="timeout"/>, and reports a dead previous owner as a
    /// result instead of an exception.
    /// </summary>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The outcome; see <see cref="LockStatus"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled; the lock is not held.</exception>
    LockStatus Acquire(TimeSpan timeout, CancellationToken cancellationToken = default);

    /// <summary>Releases the lock.</summary>
    /// <exception cref="SynchronizationLockException">The caller does not hold the lock.</exception>
    void Unlock();
}
