using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Interprocess.Synchronization;

/// <summary>
/// A process-shared reader-writer mutex that lives in shared memory (Boost's <c>interprocess_sharable_mutex</c>):
/// one exclusive owner, or any number of sharable owners (up to <see cref="MaxSharableOwners"/> at once).
/// </summary>
/// <remarks>
/// <para><b>In place only; zero is unlocked.</b> Use it through a reference into shared memory
/// (<c>region.GetRef&lt;Shared&gt;(0).Lock.LockSharable()</c>); fresh shared memory (all zeros) is an unlocked
/// mutex. A copy on the stack is refused. <see cref="Size"/> is 320 bytes.</para>
/// <para><b>Writer preference</b>, as Boost: once a writer is waiting for the readers inside to leave, new readers
/// wait behind it, so a stream of readers cannot starve a writer.</para>
/// <para><b>Speed.</b> An uncontended sharable lock is a read, a compare-exchange on the reader's own slot and a
/// read; the unlock is an exchange and a read. No system call; the kernel is entered only to sleep and wake.</para>
/// <para><b>Dead owners.</b> Every owner is recoverable:</para>
/// <list type="bullet">
/// <item>An exclusive owner that dies (SIGKILL, or its thread exits): the next locker, exclusive or sharable,
/// acquires and is told (<see cref="LockStatus.AcquiredAbandoned"/>, or <see cref="AbandonedLockException"/>
/// with the lock held). A waiting writer is woken by the kernel at once; waiting readers notice within
/// about 250 ms.</item>
/// <item>A sharable owner that dies (or whose thread exits): readers are unaffected. Its slot names its thread,
/// so a writer that has waited for 250 ms frees the slots of threads that no longer exist, gets in, and is
/// told (<see cref="LockStatus.AcquiredAbandoned"/>). A dead reader never blocks writers forever.</item>
/// </list>
/// <para><b>Limits.</b> At most <see cref="MaxSharableOwners"/> sharable locks are held at once; one more waits
/// until one is released (as Boost's waits at its maximum reader count). This keeps every reader known by its
/// thread id, which is what makes a dead reader recoverable. A thread id reused by a new thread before the check
/// looks alive until that thread ends. Ownership belongs to a thread: the thread that locks unlocks.
/// Locking shared again on a thread that already holds the lock exclusively throws
/// <see cref="LockRecursionException"/>.</para>
/// </remarks>
/// <example>
/// <code>
/// struct Shared { public InterprocessSharableMutex Lock; public long A, B; }
///
/// // a reader process:
/// ref Shared s = ref region.GetRef&lt;Shared&gt;(0);
/// using (new SharableLock&lt;InterprocessSharableMutex&gt;(ref s.Lock)) { Console.WriteLine(s.A + s.B); }
///
/// // a writer process:
/// using (new ScopedLock&lt;InterprocessSharableMutex&gt;(ref s.Lock)) { s.A++; s.B--; }
/// </code>
/// </example>
[StructLayout(LayoutKind.Sequential, Size = SharableCore.Size)]
public struct InterprocessSharableMutex : ISharableLockable
{
    /// <summary>The size of the mutex in shared memory, in bytes.</summary>
    public const int Size = SharableCore.Size;

    /// <summary>How many sharable locks can be held at once; one more waits.</summary>
    public const int MaxSharableOwners = SharableCore.SlotCount;

    private SharableCore _core;

    /// <summary>The thread holding the gate (the exclusive or the upgradable owner), 0 if none: a snapshot, for the named wrapper.</summary>
    internal int GateOwnerThreadId => _core.Gate.OwnerTid;

    /// <summary>True when a writer holds the mutex or waits for readers to leave (a snapshot).</summary>
    public bool IsLocked => _core.IsExclusive;

    /// <summary>How many sharable locks are held (a snapshot).</summary>
    public int SharableCount => _core.SharedCount;

    /// <summary>Locks the mutex exclusively: waits for a writer or upgradable owner to leave, then holds new readers back and waits for the readers inside to leave.</summary>
    /// <exception cref="AbandonedLockException">The previous exclusive owner died, or a reader died holding its lock; the caller now holds the mutex.</exception>
    /// <exception cref="LockRecursionException">The calling thread already holds the mutex exclusively or shared.</exception>
    /// <exception cref="InvalidOperationException">The mutex is a copy on the stack.</exception>
    public void Lock() => Throw.IfAbandoned(_core.EnterExclusive(ThreadIdentity.Tid, Deadline.Infinite, default));

    /// <summary>Locks the mutex exclusively, waiting until possible or <paramref name="cancellationToken"/> is canceled.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="OperationCanceledException">The wait was canceled; the mutex is not held.</exception>
    /// <exception cref="AbandonedLockException">The previous exclusive owner died, or a reader died holding its lock; the caller now holds the mutex.</exception>
    /// <exception cref="LockRecursionException">The calling thread already holds the mutex exclusively or shared.</exception>
    /// <exception cref="InvalidOperationException">The mutex is a copy on the stack.</exception>
    public void Lock(CancellationToken cancellationToken) =>
        Throw.IfAbandoned(_core.EnterExclusive(ThreadIdentity.Tid, Deadline.Infinite, cancellationToken));

    /// <summary>Locks the mutex exclusively if it has no owner of any kind, without waiting.</summary>
    /// <returns>True if the caller now holds the mutex exclusively.</returns>
    /// <exception cref="AbandonedLockException">The previous exclusive owner died; the caller now holds the mutex.</exception>
    /// <exception cref="LockRecursionException">The calling thread already holds the mutex exclusively.</exception>
    /// <exception cref="InvalidOperationException">The mutex is a copy on the stack.</exception>
    public bool TryLock() => Throw.IfAbandoned(_core.EnterExclusive(ThreadIdentity.Tid, Deadline.FromTimeout(TimeSpan.Zero), default));

    /// <summary>Locks the mutex exclusively, waiting at most <paramref name="timeout"/> (monotonic clock) for the other owners to leave.</summary>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>True if the caller now holds the mutex exclusively; false if the time ran out.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled; the mutex is not held.</exception>
    /// <exception cref="AbandonedLockException">A dead owner was recovered; the caller now holds the mutex.</exception>
    /// <exception cref="LockRecursionException">The calling thread already holds the mutex exclusively or shared.</exception>
    /// <exception cref="InvalidOperationException">The mutex is a copy on the stack.</exception>
    public bool TryLock(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        Throw.IfAbandoned(_core.EnterExclusive(ThreadIdentity.Tid, timeout, cancellationToken));

    /// <summary>Locks the mutex exclusively, reporting a dead previous owner (exclusive, or a reader) as a result.</summary>
    /// <param name="timeout">How long to wait; <see cref="TimeSpan.Zero"/> does not wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The outcome; see <see cref="LockStatus"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled; the mutex is not held.</exception>
    /// <exception cref="LockRecursionException">The calling thread already holds the mutex exclusively or shared.</exception>
    /// <exception cref="InvalidOperationException">The mutex is a copy on the stack.</exception>
    public LockStatus Acquire(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        _core.EnterExclusive(ThreadIdentity.Tid, timeout, cancellationToken);

    /// <summary>Unlocks the exclusive lock and lets waiting readers and writers in.</summary>
    /// <exception cref="SynchronizationLockException">The calling thread does not hold the mutex exclusively.</exception>
    /// <exception cref="InvalidOperationException">This is a copy of the mutex that was locked.</exception>
    public void Unlock() => _core.ExitExclusive(ThreadIdentity.Tid);

    /// <summary>Takes a sharable lock, waiting while a writer holds the mutex or waits for it.</summary>
    /// <exception cref="AbandonedLockException">A writer died holding the mutex; the caller now holds a sharable lock.</exception>
    /// <exception cref="LockRecursionException">The calling thread holds the mutex exclusively.</exception>
    /// <exception cref="InvalidOperationException">The mutex is a copy on the stack.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void LockSharable()
    {
        int tid = ThreadIdentity.Tid;
        if (!_core.TryEnterSharedFast(tid))
        {
            Throw.IfAbandoned(_core.EnterShared(tid, Deadline.Infinite, default));
        }
    }

    /// <summary>Takes a sharable lock, waiting until possible or <paramref name="cancellationToken"/> is canceled.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="OperationCanceledException">The wait was canceled; the lock is not held.</exception>
    /// <exception cref="AbandonedLockException">A writer died holding the mutex; the caller now holds a sharable lock.</exception>
    /// <exception cref="LockRecursionException">The calling thread holds the mutex exclusively.</exception>
    /// <exception cref="InvalidOperationException">The mutex is a copy on the stack.</exception>
    public void LockSharable(CancellationToken cancellationToken) =>
        Throw.IfAbandoned(_core.EnterShared(ThreadIdentity.Tid, Deadline.Infinite, cancellationToken));

    /// <summary>Takes a sharable lock if no writer holds or waits for the mutex, without waiting.</summary>
    /// <returns>True if the caller now holds a sharable lock.</returns>
    /// <exception cref="AbandonedLockException">A writer died holding the mutex; the caller now holds a sharable lock.</exception>
    /// <exception cref="InvalidOperationException">The mutex is a copy on the stack.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryLockSharable()
    {
        int tid = ThreadIdentity.Tid;
        return _core.TryEnterSharedFast(tid) || Throw.IfAbandoned(_core.EnterShared(tid, Deadline.FromTimeout(TimeSpan.Zero), default));
    }

    /// <summary>Takes a sharable lock, waiting at most <paramref name="timeout"/> (monotonic clock).</summary>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>True if the caller now holds a sharable lock; false if the time ran out.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled; the lock is not held.</exception>
    /// <exception cref="AbandonedLockException">A writer died holding the mutex; the caller now holds a sharable lock.</exception>
    /// <exception cref="LockRecursionException">The calling thread holds the mutex exclusively.</exception>
    /// <exception cref="InvalidOperationException">The mutex is a copy on the stack.</exception>
    public bool TryLockSharable(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        Throw.IfAbandoned(_core.EnterShared(ThreadIdentity.Tid, timeout, cancellationToken));

    /// <summary>Takes a sharable lock, reporting a dead writer as a result instead of an exception.</summary>
    /// <param name="timeout">How long to wait; <see cref="TimeSpan.Zero"/> does not wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The outcome; see <see cref="LockStatus"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled; the lock is not held.</exception>
    /// <exception cref="LockRecursionException">The calling thread holds the mutex exclusively.</exception>
    /// <exception cref="InvalidOperationException">The mutex is a copy on the stack.</exception>
    public LockStatus AcquireSharable(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        _core.EnterShared(ThreadIdentity.Tid, timeout, cancellationToken);

    /// <summary>Releases one sharable lock of the calling thread.</summary>
    /// <exception cref="SynchronizationLockException">The calling thread holds no sharable lock on this mutex.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void UnlockSharable() => _core.ExitShared(ThreadIdentity.Tid);
}
