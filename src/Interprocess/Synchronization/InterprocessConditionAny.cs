using System.Runtime.InteropServices;

namespace Interprocess.Synchronization;

/// <summary>
/// A process-shared condition variable that lives in shared memory and works with any lock of the library
/// (Boost's <c>interprocess_condition_any</c>): <see cref="InterprocessMutex"/>, <see cref="InterprocessRecursiveMutex"/>
/// (held once), or any other struct lock implementing <see cref="IExclusiveLockable"/>.
/// </summary>
/// <remarks>
/// <para>It behaves exactly as <see cref="InterprocessCondition"/> (read its remarks: zero memory is ready,
/// spurious wake-ups, timeouts, cancellation, a dead lock owner, a dead waiter); only the lock is generic. The
/// lock is passed by reference to a generic method constrained to a struct, so the wait unlocks and re-locks
/// the lock in shared memory itself, never a copy, and no boxing happens. A recursive mutex must be held
/// exactly once (a wait releases it once; a deeper hold is refused with <see cref="LockRecursionException"/>).
/// <see cref="Size"/> is 16 bytes.</para>
/// </remarks>
/// <example>
/// <code>
/// struct Shared { public InterprocessRecursiveMutex Lock; public InterprocessConditionAny Changed; public int Phase; }
///
/// // process A (a lambda cannot capture a ref local, so the predicate reads through the region):
/// ref Shared s = ref region.GetRef&lt;Shared&gt;(0);
/// s.Lock.Lock();
/// try { s.Changed.Wait(ref s.Lock, () =&gt; region.GetRef&lt;Shared&gt;(0).Phase == 2); }
/// finally { s.Lock.Unlock(); }
///
/// // process B:
/// ref Shared s = ref region.GetRef&lt;Shared&gt;(0);
/// s.Lock.Lock();
/// try { s.Phase = 2; s.Changed.NotifyAll(); }
/// finally { s.Lock.Unlock(); }
/// </code>
/// </example>
[StructLayout(LayoutKind.Sequential, Size = ConditionCore.Size)]
public struct InterprocessConditionAny
{
    /// <summary>The size of the condition in shared memory, in bytes.</summary>
    public const int Size = ConditionCore.Size;

    private ConditionCore _core;

    /// <summary>Threads registered as waiting (a snapshot; it may count a waiter killed since the last <see cref="NotifyAll"/>).</summary>
    internal readonly int WaiterCount => _core.WaiterCount;

    /// <summary>Releases <paramref name="lockable"/>, waits for a notification, and takes the lock again.</summary>
    /// <typeparam name="TLock">The type of the lock (taken by reference, never copied).</typeparam>
    /// <param name="lockable">The lock, held once by the caller, that protects the state waited for.</param>
    /// <param name="cancellationToken">Cancels the wait (the lock is taken again before the exception).</param>
    /// <exception cref="OperationCanceledException">The wait was canceled; the lock is held.</exception>
    /// <exception cref="AbandonedLockException">The lock's previous owner died holding it; the caller now holds it.</exception>
    /// <exception cref="SynchronizationLockException">The caller does not hold <paramref name="lockable"/>.</exception>
    /// <exception cref="InvalidOperationException">The condition or the lock is a copy on the stack.</exception>
    public void Wait<TLock>(ref TLock lockable, CancellationToken cancellationToken = default)
        where TLock : struct, IExclusiveLockable =>
        _ = InterprocessCondition.IsNotified(_core.Wait(ref lockable, Deadline.Infinite, cancellationToken));

    /// <summary>Waits until <paramref name="predicate"/> is true: while it is false, waits as <see cref="Wait{TLock}(ref TLock, CancellationToken)"/>.</summary>
    /// <typeparam name="TLock">The type of the lock (taken by reference, never copied).</typeparam>
    /// <param name="lockable">The lock, held once by the caller, that protects the state waited for.</param>
    /// <param name="predicate">The condition waited for; called with the lock held.</param>
    /// <param name="cancellationToken">Cancels the wait (the lock is taken again before the exception).</param>
    /// <exception cref="ArgumentNullException"><paramref name="predicate"/> is null.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled; the lock is held.</exception>
    /// <exception cref="AbandonedLockException">The lock's previous owner died holding it; the caller now holds it.</exception>
    /// <exception cref="SynchronizationLockException">The caller does not hold <paramref name="lockable"/>.</exception>
    /// <exception cref="InvalidOperationException">The condition or the lock is a copy on the stack.</exception>
    public void Wait<TLock>(ref TLock lockable, Func<bool> predicate, CancellationToken cancellationToken = default)
        where TLock : struct, IExclusiveLockable
    {
        ArgumentNullException.ThrowIfNull(predicate);
        while (!predicate())
        {
            Wait(ref lockable, cancellationToken);
        }
    }

    /// <summary>Releases <paramref name="lockable"/>, waits at most <paramref name="timeout"/> for a notification, and takes the lock again.</summary>
    /// <typeparam name="TLock">The type of the lock (taken by reference, never copied).</typeparam>
    /// <param name="lockable">The lock, held once by the caller, that protects the state waited for.</param>
    /// <param name="timeout">How long to wait (monotonic clock); <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Cancels the wait (the lock is taken again before the exception).</param>
    /// <returns>False if the timeout passed without a notification; true otherwise. The lock is held either way.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled; the lock is held.</exception>
    /// <exception cref="AbandonedLockException">The lock's previous owner died holding it; the caller now holds it.</exception>
    /// <exception cref="SynchronizationLockException">The caller does not hold <paramref name="lockable"/>.</exception>
    /// <exception cref="InvalidOperationException">The condition or the lock is a copy on the stack.</exception>
    public bool Wait<TLock>(ref TLock lockable, TimeSpan timeout, CancellationToken cancellationToken = default)
        where TLock : struct, IExclusiveLockable =>
        InterprocessCondition.IsNotified(_core.Wait(ref lockable, Deadline.FromTimeout(timeout), cancellationToken));

    /// <summary>Waits until <paramref name="predicate"/> is true or <paramref name="timeout"/> passes.</summary>
    /// <typeparam name="TLock">The type of the lock (taken by reference, never copied).</typeparam>
    /// <param name="lockable">The lock, held once by the caller, that protects the state waited for.</param>
    /// <param name="timeout">How long to wait in all (monotonic clock); <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="predicate">The condition waited for; called with the lock held.</param>
    /// <param name="cancellationToken">Cancels the wait (the lock is taken again before the exception).</param>
    /// <returns>The value of <paramref name="predicate"/> at the end: false means the timeout passed first. The lock is held either way.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="predicate"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled; the lock is held.</exception>
    /// <exception cref="AbandonedLockException">The lock's previous owner died holding it; the caller now holds it.</exception>
    /// <exception cref="SynchronizationLockException">The caller does not hold <paramref name="lockable"/>.</exception>
    /// <exception cref="InvalidOperationException">The condition or the lock is a copy on the stack.</exception>
    public bool Wait<TLock>(ref TLock lockable, TimeSpan timeout, Func<bool> predicate, CancellationToken cancellationToken = default)
        where TLock : struct, IExclusiveLockable
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var deadline = Deadline.FromTimeout(timeout);
        while (!predicate())
        {
            if (!InterprocessCondition.IsNotified(_core.Wait(ref lockable, deadline, cancellationToken)))
            {
                return predicate();
            }
        }

        return true;
    }

    /// <summary>
    /// Releases <paramref name="lockable"/>, waits at most <paramref name="timeout"/> for a notification, and takes
    /// the lock again, reporting a dead previous owner of the lock as a result instead of an exception.
    /// </summary>
    /// <typeparam name="TLock">The type of the lock (taken by reference, never copied).</typeparam>
    /// <param name="lockable">The lock, held once by the caller, that protects the state waited for.</param>
    /// <param name="timeout">How long to wait (monotonic clock); <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Cancels the wait (the lock is taken again before the exception).</param>
    /// <returns>Whether a notification came, and whether the lock was found abandoned; the lock is held in every case.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled; the lock is held.</exception>
    /// <exception cref="AbandonedLockException">The wait was canceled and the lock was found abandoned (the cancellation is the inner exception); the lock is held.</exception>
    /// <exception cref="SynchronizationLockException">The caller does not hold <paramref name="lockable"/>.</exception>
    /// <exception cref="InvalidOperationException">The condition or the lock is a copy on the stack.</exception>
    public ConditionWaitStatus WaitWithStatus<TLock>(ref TLock lockable, TimeSpan timeout, CancellationToken cancellationToken = default)
        where TLock : struct, IExclusiveLockable =>
        _core.Wait(ref lockable, Deadline.FromTimeout(timeout), cancellationToken);

    /// <summary>Wakes one waiting thread, in any process; does nothing (and enters no system call) when none waits.</summary>
    /// <exception cref="InvalidOperationException">The condition is a copy on the stack.</exception>
    public void NotifyOne() => _core.NotifyOne();

    /// <summary>Wakes every waiting thread, in every process.</summary>
    /// <exception cref="InvalidOperationException">The condition is a copy on the stack.</exception>
    public void NotifyAll() => _core.NotifyAll();
}
