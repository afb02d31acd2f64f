using System.Runtime.InteropServices;

namespace Interprocess.Synchronization;

/// <summary>
/// A process-shared recursive mutex that lives in shared memory (Boost's <c>interprocess_recursive_mutex</c>):
/// the owning thread may lock it again, and must unlock it as many times as it locked it.
/// </summary>
/// <remarks>
/// Everything said of <see cref="InterprocessMutex"/> holds: use it in place, all-zero memory is an unlocked
/// mutex, and a dead owner's mutex is taken over by the next locker, who is told
/// (<see cref="LockStatus.AcquiredAbandoned"/> or <see cref="AbandonedLockException"/>); the recursion count
/// then starts again at one.
/// </remarks>
[StructLayout(LayoutKind.Sequential, Size = RobustLock.Size)]
public struct InterprocessRecursiveMutex : IExclusiveLockable
{
    /// <summary>The size of the mutex in shared memory, in bytes.</summary>
    public const int Size = RobustLock.Size;

    private RobustLock _lock;

    /// <summary>True when some thread holds the mutex (a snapshot).</summary>
    public readonly bool IsLocked => _lock.OwnerTid != 0;

    /// <summary>The kernel thread id of the owner, or 0 when the mutex is free (a snapshot).</summary>
    public readonly int OwnerThreadId => _lock.OwnerTid;

    /// <summary>
    /// True when the last owner died holding the mutex and nobody has locked it since: the next locker takes it
    /// over and is told (<see cref="LockStatus.AcquiredAbandoned"/>). A snapshot, for diagnostics and tools that
    /// inspect a mutex through a read-only mapping.
    /// </summary>
    public readonly bool IsAbandoned => _lock.OwnerDied;

    /// <summary>How many times the owner has locked the mutex (meaningful to the owner thread only).</summary>
    public readonly int RecursionCount => _lock.IsHeldByCurrentThread ? _lock.Recursion : 0;

    /// <summary>Locks the mutex (again, if the calling thread holds it), waiting as long as it takes.</summary>
    /// <exception cref="AbandonedLockException">The previous owner died holding the mutex; the caller now holds it.</exception>
    /// <exception cref="InvalidOperationException">The mutex is a copy on the stack.</exception>
    public void Lock() => Throw.IfAbandoned(Acquire(Timeout.InfiniteTimeSpan, default));

    /// <summary>Locks the mutex, waiting until it is free or <paramref name="cancellationToken"/> is canceled.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="OperationCanceledException">The wait was canceled.</exception>
    /// <exception cref="AbandonedLockException">The previous owner died holding the mutex; the caller now holds it.</exception>
    /// <exception cref="InvalidOperationException">The mutex is a copy on the stack.</exception>
    public void Lock(CancellationToken cancellationToken) => Throw.IfAbandoned(Acquire(Timeout.InfiniteTimeSpan, cancellationToken));

    /// <summary>Locks the mutex if it is free or already held by the calling thread, without waiting.</summary>
    /// <returns>True if the caller now holds the mutex.</returns>
    /// <exception cref="AbandonedLockException">The previous owner died holding the mutex; the caller now holds it.</exception>
    /// <exception cref="InvalidOperationException">The mutex is a copy on the stack.</exception>
    public bool TryLock() => Throw.IfAbandoned(Acquire(TimeSpan.Zero, default));

    /// <summary>Locks the mutex, waiting at most <paramref name="timeout"/> (monotonic clock).</summary>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>True if the caller now holds the mutex; false if the time ran out.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled.</exception>
    /// <exception cref="AbandonedLockException">The previous owner died holding the mutex; the caller now holds it.</exception>
    /// <exception cref="InvalidOperationException">The mutex is a copy on the stack.</exception>
    public bool TryLock(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        Throw.IfAbandoned(Acquire(timeout, cancellationToken));

    /// <summary>Locks the mutex, reporting a dead previous owner as a result instead of an exception.</summary>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The outcome; see <see cref="LockStatus"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled.</exception>
    /// <exception cref="InvalidOperationException">The mutex is a copy on the stack.</exception>
    /// <exception cref="OverflowException">The recursion count would overflow.</exception>
    public LockStatus Acquire(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Deadline.ThrowIfInvalid(timeout);
        var me = ThreadIdentity.Current;
        if (_lock.IsHeldByCurrentThread)
        {
            _lock.Recursion = checked(_lock.Recursion + 1);
            return LockStatus.Acquired;
        }

        var status = _lock.Acquire(me, timeout, cancellationToken);
        if (status != LockStatus.NotAcquired)
        {
            _lock.Recursion = 1;
        }

        return status;
    }

    /// <summary>Unlocks the mutex once; it is released when unlocked as many times as it was locked.</summary>
    /// <exception cref="SynchronizationLockException">The calling thread does not hold the mutex.</exception>
    /// <exception cref="InvalidOperationException">This is a copy of the mutex that was locked.</exception>
    public void Unlock()
    {
        if (!_lock.IsHeldByCurrentThread)
        {
            _lock.Release(ThreadIdentity.Current); // throws the not-owner error
        }

        if (--_lock.Recursion == 0)
        {
            _lock.Release(ThreadIdentity.Current);
        }
    }
}
