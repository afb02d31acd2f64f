using System.Runtime.InteropServices;

namespace Interprocess.Synchronization;

/// <summary>
/// A process-shared condition variable that lives in shared memory, used with an <see cref="InterprocessMutex"/>
/// (Boost's <c>interprocess_condition</c>): a waiter releases the mutex and sleeps until another thread, in
/// any process, notifies the condition; it holds the mutex again when the wait returns.
/// </summary>
/// <remarks>
/// <para><b>Zero is ready.</b> All-zero shared memory is a condition with no waiters; no initialization call
/// is needed. <see cref="Size"/> is 16 bytes. Use it in place, through a reference into shared memory; a copy
/// on the stack is refused with <see cref="InvalidOperationException"/>.</para>
/// <para><b>Waits.</b> Call <c>Wait</c> while holding the mutex, in a loop on the condition you wait for (or
/// pass it as the predicate): a waiter may wake without a notification it can see (another waiter's
/// notification, a NotifyAll). A timed wait returns false when the timeout passed without a notification;
/// timeouts run on the monotonic clock; the mutex is re-taken afterwards whatever the timeout. A canceled wait
/// re-takes the mutex, then throws <see cref="OperationCanceledException"/>; a wait whose notification
/// arrived along with the cancellation returns normally, so no notification is lost.</para>
/// <para><b>A dead mutex owner.</b> If the process that held the mutex died while the waiter slept (a notifier
/// killed after notifying, for instance), re-taking the mutex finds it abandoned: the throwing forms throw
/// <see cref="AbandonedLockException"/> with the mutex held, exactly as <see cref="InterprocessMutex.Lock()"/>
/// does; <see cref="WaitWithStatus"/> reports it as <see cref="ConditionWaitStatus.NotifiedAbandoned"/> or
/// <see cref="ConditionWaitStatus.TimedOutAbandoned"/>.</para>
/// <para><b>A dead waiter.</b> A process killed while waiting does not harm the condition: later notifications
/// wake the live waiters. It leaves a stale entry in the waiter count, which only makes NotifyOne enter the
/// kernel needlessly until the next NotifyAll clears it.</para>
/// <para><b>Notify under the mutex</b> when the waiters wait for different things: a NotifyOne made without the
/// mutex may be taken by a waiter that arrived after it (as with glibc's original condition variable).</para>
/// </remarks>
/// <example>
/// <code>
/// struct Shared { public InterprocessMutex Mutex; public InterprocessCondition NotEmpty; public int Items; }
///
/// // consumer process:
/// ref Shared s = ref region.GetRef&lt;Shared&gt;(0);
/// s.Mutex.Lock();
/// try
/// {
///     while (s.Items == 0) s.NotEmpty.Wait(ref s.Mutex);
///     s.Items--;
/// }
/// finally { s.Mutex.Unlock(); }
///
/// // producer process:
/// ref Shared s = ref region.GetRef&lt;Shared&gt;(0);
/// s.Mutex.Lock();
/// try { s.Items++; s.NotEmpty.NotifyOne(); }
/// finally { s.Mutex.Unlock(); }
/// </code>
/// </example>
[StructLayout(LayoutKind.Sequential, Size = ConditionCore.Size)]
public struct InterprocessCondition
{
    /// <summary>The size of the condition in shared memory, in bytes.</summary>
    public const int Size = ConditionCore.Size;

    private ConditionCore _core;

    /// <summary>Threads registered as waiting (a snapshot; it may count a waiter killed since the last <see cref="NotifyAll"/>).</summary>
    internal readonly int WaiterCount => _core.WaiterCount;

    /// <summary>Releases <paramref name="mutex"/>, waits for a notification, and takes the mutex again.</summary>
    /// <param name="mutex">The mutex, held by the caller, that protects the state waited for.</param>
    /// <param name="cancellationToken">Cancels the wait (the mutex is taken again before the exception).</param>
    /// <exception cref="OperationCanceledException">The wait was canceled; the mutex is held.</exception>
    /// <exception cref="AbandonedLockException">The mutex's previous owner died holding it; the caller now holds it.</exception>
    /// <exception cref="SynchronizationLockException">The caller does not hold <paramref name="mutex"/>.</exception>
    /// <exception cref="InvalidOperationException">The condition or the mutex is a copy on the stack.</exception>
    public void Wait(ref InterprocessMutex mutex, CancellationToken cancellationToken = default) =>
        _ = IsNotified(_core.Wait(ref mutex, Deadline.Infinite, cancellationToken));

    /// <summary>Waits until <paramref name="predicate"/> is true: while it is false, waits as <see cref="Wait(ref InterprocessMutex, CancellationToken)"/>.</summary>
    /// <param name="mutex">The mutex, held by the caller, that protects the state waited for.</param>
    /// <param name="predicate">The condition waited for; called with the mutex held.</param>
    /// <param name="cancellationToken">Cancels the wait (the mutex is taken again before the exception).</param>
    /// <exception cref="ArgumentNullException"><paramref name="predicate"/> is null.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled; the mutex is held.</exception>
    /// <exception cref="AbandonedLockException">The mutex's previous owner died holding it; the caller now holds it.</exception>
    /// <exception cref="SynchronizationLockException">The caller does not hold <paramref name="mutex"/>.</exception>
    /// <exception cref="InvalidOperationException">The condition or the mutex is a copy on the stack.</exception>
    public void Wait(ref InterprocessMutex mutex, Func<bool> predicate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        while (!predicate())
        {
            Wait(ref mutex, cancellationToken);
        }
    }

    /// <summary>Releases <paramref name="mutex"/>, waits at most <paramref name="timeout"/> for a notification, and takes the mutex again.</summary>
    /// <param name="mutex">The mutex, held by the caller, that protects the state waited for.</param>
    /// <param name="timeout">How long to wait (monotonic clock); <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Cancels the wait (the mutex is taken again before the exception).</param>
    /// <returns>False if the timeout passed without a notification; true otherwise. The mutex is held either way.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled; the mutex is held.</exception>
    /// <exception cref="AbandonedLockException">The mutex's previous owner died holding it; the caller now holds it.</exception>
    /// <exception cref="SynchronizationLockException">The caller does not hold <paramref name="mutex"/>.</exception>
    /// <exception cref="InvalidOperationException">The condition or the mutex is a copy on the stack.</exception>
    public bool Wait(ref InterprocessMutex mutex, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        IsNotified(_core.Wait(ref mutex, Deadline.FromTimeout(timeout), cancellationToken));

    /// <summary>Waits until <paramref name="predicate"/> is true or <paramref name="timeout"/> passes.</summary>
    /// <param name="mutex">The mutex, held by the caller, that protects the state waited for.</param>
    /// <param name="timeout">How long to wait in all (monotonic clock); <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="predicate">The condition waited for; called with the mutex held.</param>
    /// <param name="cancellationToken">Cancels the wait (the mutex is taken again before the exception).</param>
    /// <returns>The value of <paramref name="predicate"/> at the end: false means the timeout passed first. The mutex is held either way.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="predicate"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled; the mutex is held.</exception>
    /// <exception cref="AbandonedLockException">The mutex's previous owner died holding it; the caller now holds it.</exception>
    /// <exception cref="SynchronizationLockException">The caller does not hold <paramref name="mutex"/>.</exception>
    /// <exception cref="InvalidOperationException">The condition or the mutex is a copy on the stack.</exception>
    public bool Wait(ref InterprocessMutex mutex, TimeSpan timeout, Func<bool> predicate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var deadline = Deadline.FromTimeout(timeout);
        while (!predicate())
        {
            if (!IsNotified(_core.Wait(ref mutex, deadline, cancellationToken)))
            {
                return predicate();
            }
        }

        return true;
    }

    /// <summary>
    /// Releases <paramref name="mutex"/>, waits at most <paramref name="timeout"/> for a notification, and takes
    /// the mutex again, reporting a dead previous owner of the mutex as a result instead of an exception.
    /// </summary>
    /// <param name="mutex">The mutex, held by the caller, that protects the state waited for.</param>
    /// <param name="timeout">How long to wait (monotonic clock); <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Cancels the wait (the mutex is taken again before the exception).</param>
    /// <returns>Whether a notification came, and whether the mutex was found abandoned; the mutex is held in every case.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled; the mutex is held.</exception>
    /// <exception cref="AbandonedLockException">The wait was canceled and the mutex was found abandoned (the cancellation is the inner exception); the mutex is held.</exception>
    /// <exception cref="SynchronizationLockException">The caller does not hold <paramref name="mutex"/>.</exception>
    /// <exception cref="InvalidOperationException">The condition or the mutex is a copy on the stack.</exception>
    public ConditionWaitStatus WaitWithStatus(ref InterprocessMutex mutex, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        _core.Wait(ref mutex, Deadline.FromTimeout(timeout), cancellationToken);

    /// <summary>Wakes one waiting thread, in any process; does nothing (and enters no system call) when none waits.</summary>
    /// <exception cref="InvalidOperationException">The condition is a copy on the stack.</exception>
    public void NotifyOne() => _core.NotifyOne();

    /// <summary>Wakes every waiting thread, in every process.</summary>
    /// <exception cref="InvalidOperationException">The condition is a copy on the stack.</exception>
    public void NotifyAll() => _core.NotifyAll();

    /// <summary>True for a notification; throws <see cref="AbandonedLockException"/> (lock held) for an abandoned lock.</summary>
    internal static bool IsNotified(ConditionWaitStatus status) => status switch
    {
        ConditionWaitStatus.Notified => true,
        ConditionWaitStatus.TimedOut => false,
        _ => throw new AbandonedLockException(),
    };
}
