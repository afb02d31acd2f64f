using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Interprocess.Synchronization;

/// <summary>
/// A process-shared mutex that lives in shared memory (Boost's <c>interprocess_mutex</c>): place it in a
/// struct of yours inside a mapped region, a managed segment or a container, and lock it from any process.
/// </summary>
/// <remarks>
/// <para><b>In place only.</b> Use the mutex through a reference to shared memory, e.g.
/// <c>region.GetRef&lt;Shared&gt;(0).Mutex.Lock()</c>. A copy (<c>var m = shared.Mutex;</c>) is not a
/// mutex; the library refuses a copy on the stack and detects one made while locked.</para>
/// <para><b>Zero is unlocked.</b> Fresh shared memory (all zeros) holds a valid, unlocked mutex; no
/// initialization call is needed. <see cref="Size"/> is 40 bytes.</para>
/// <para><b>Speed.</b> An uncontended lock and unlock are a compare-exchange and an exchange on shared memory,
/// inline, with no system call; the kernel is entered only to sleep and to wake a sleeper.</para>
/// <para><b>A dead owner.</b> If a process dies (even by SIGKILL) or a thread exits while holding the mutex,
/// the next locker acquires it and is told: <see cref="Acquire(TimeSpan, CancellationToken)"/> returns
/// <see cref="LockStatus.AcquiredAbandoned"/>, and <see cref="Lock()"/> / <see cref="TryLock()"/> throw
/// <see cref="AbandonedLockException"/> with the lock held (as .NET's <see cref="AbandonedMutexException"/>).
/// The mutex stays usable (Boost's becomes permanently unusable instead).</para>
/// <para><b>Ownership.</b> The owner is a thread: the thread that locked must unlock; async code must not
/// hold the mutex across an <c>await</c> that may resume on another thread.</para>
/// </remarks>
/// <example>
/// <code>
/// struct Shared { public InterprocessMutex Mutex; public long Counter; }
///
/// // any process that maps the region:
/// ref Shared s = ref region.GetRef&lt;Shared&gt;(0);
/// s.Mutex.Lock();
/// try { s.Counter++; } finally { s.Mutex.Unlock(); }
/// </code>
/// </example>
[StructLayout(LayoutKind.Sequential, Size = RobustLock.Size)]
public struct InterprocessMutex : IExclusiveLockable
{
    /// <summary>The size of the mutex in shared memory, in bytes.</summary>
    public const int Size = RobustLock.Size;

    private RobustLock _lock;

    /// <summary>True when some thread holds the mutex (a snapshot that may change at once).</summary>
    public readonly bool IsLocked => _lock.OwnerTid != 0;

    /// <summary>The kernel thread id of the owner, or 0 when the mutex is free (a snapshot).</summary>
    public readonly int OwnerThreadId => _lock.OwnerTid;

    /// <summary>
    /// True when the last owner died holding the mutex and nobody has locked it since: the next locker takes it
    /// over and is told (<see cref="LockStatus.AcquiredAbandoned"/>). A snapshot, for diagnostics and tools that
    /// inspect a mutex through a read-only mapping.
    /// </summary>
    public readonly bool IsAbandoned => _lock.OwnerDied;

    /// <summary>Locks the mutex, waiting as long as it takes.</summary>
    /// <exception cref="AbandonedLockException">The previous owner died holding the mutex; the caller now holds it.</exception>
    /// <exception cref="LockRecursionException">The calling thread already holds the mutex.</exception>
    /// <exception cref="InvalidOperationException">The mutex is a copy on the stack, not the one in shared memory.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Lock()
    {
        var me = ThreadIdentity.Current;
        if (_lock.TryAcquireFast(me) != LockStatus.Acquired)
        {
            Throw.IfAbandoned(_lock.Acquire(me, Deadline.Infinite, default));
        }
    }

    /// <summary>Locks the mutex, waiting until it is free or <paramref name="cancellationToken"/> is canceled.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="OperationCanceledException">The wait was canceled; the mutex is not held.</exception>
    /// <exception cref="AbandonedLockException">The previous owner died holding the mutex; the caller now holds it.</exception>
    /// <exception cref="LockRecursionException">The calling thread already holds the mutex.</exception>
    /// <exception cref="InvalidOperationException">The mutex is a copy on the stack.</exception>
    public void Lock(CancellationToken cancellationToken) =>
        Throw.IfAbandoned(_lock.Acquire(ThreadIdentity.Current, Deadline.Infinite, cancellationToken));

    /// <summary>Locks the mutex if it is free, without waiting.</summary>
    /// <returns>True if the caller now holds the mutex.</returns>
    /// <exception cref="AbandonedLockException">The previous owner died holding the mutex; the caller now holds it.</exception>
    /// <exception cref="InvalidOperationException">The mutex is a copy on the stack.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryLock()
    {
        var me = ThreadIdentity.Current;
        return _lock.TryAcquireFast(me) == LockStatus.Acquired || TryLockSlow(me);
    }

    /// <summary>Locks the mutex, waiting at most <paramref name="timeout"/> (measured on the monotonic clock).</summary>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>True if the caller now holds the mutex; false if the time ran out.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled; the mutex is not held.</exception>
    /// <exception cref="AbandonedLockException">The previous owner died holding the mutex; the caller now holds it.</exception>
    /// <exception cref="LockRecursionException">The calling thread already holds the mutex.</exception>
    /// <exception cref="InvalidOperationException">The mutex is a copy on the stack.</exception>
    public bool TryLock(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        Throw.IfAbandoned(Acquire(timeout, cancellationToken));

    /// <summary>
    /// Locks the mutex, waiting at most <paramref name="timeout"/>, and reports a dead previous owner as a
    /// result instead of an exception.
    /// </summary>
    /// <param name="timeout">How long to wait; <see cref="TimeSpan.Zero"/> does not wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns><see cref="LockStatus.Acquired"/>, <see cref="LockStatus.AcquiredAbandoned"/> (held; the previous owner died), or <see cref="LockStatus.NotAcquired"/> (timed out).</returns>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled; the mutex is not held.</exception>
    /// <exception cref="LockRecursionException">The calling thread already holds the mutex.</exception>
    /// <exception cref="InvalidOperationException">The mutex is a copy on the stack.</exception>
    public LockStatus Acquire(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        _lock.Acquire(ThreadIdentity.Current, timeout, cancellationToken);

    /// <summary>Unlocks the mutex.</summary>
    /// <exception cref="SynchronizationLockException">The calling thread does not hold the mutex.</exception>
    /// <exception cref="InvalidOperationException">This is a copy of the mutex that was locked.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Unlock() => _lock.Release(ThreadIdentity.Current);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool TryLockSlow(ThreadIdentity.State me) => Throw.IfAbandoned(_lock.Acquire(me, Deadline.FromTimeout(TimeSpan.Zero), default));
}
