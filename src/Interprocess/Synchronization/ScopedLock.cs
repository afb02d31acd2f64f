namespace Interprocess.Synchronization;

/// <summary>
/// A guard that holds exclusive ownership of a mutex for a scope (Boost's <c>scoped_lock</c>): created with
/// <c>using</c>, it locks the mutex exclusively in its constructor (unless told otherwise) and unlocks when disposed if it still owns it.
/// </summary>
/// <typeparam name="TMutex">The mutex type: a struct in shared memory, reached through a reference and never copied, or one of the
/// <c>Named*</c> classes (pass the variable that holds it by <see langword="ref"/>).</typeparam>
/// <remarks>
/// <para><b>Shape.</b> A <see langword="ref"/> struct holding a <see langword="ref"/> to the mutex where it lives (in
/// shared memory) and whether it owns it. It cannot be boxed, stored in a class or kept across an <c>await</c>,
/// which matches the rule that the thread that locks is the thread that unlocks; nothing is allocated, and the
/// mutex calls are constrained calls on the reference, so the mutex is never copied.</para>
/// <para><b>A dead previous owner.</b> The locking constructors use the mutex's throwing calls: when the previous
/// owner died they throw <see cref="AbandonedLockException"/> with the mutex held and no guard made, exactly as
/// the mutex's own call does, so the caller unlocks it through the mutex. To handle the case without an exception,
/// call the mutex's <c>Acquire</c> and then make the guard with <see cref="LockOption.AcceptOwnership"/>. The
/// guard's own <c>Lock</c> / <c>TryLock</c> methods keep ownership when they throw it: the guard then unlocks on
/// dispose.</para>
/// <para>Works with every <see cref="IExclusiveLockable"/>: <see cref="InterprocessMutex"/>, <see cref="InterprocessRecursiveMutex"/>, <see cref="InterprocessSharableMutex"/>, <see cref="InterprocessUpgradableMutex"/>. The downgrades are in <see cref="LockConversions"/>.</para>
/// </remarks>
/// <example>
/// <code>
/// ref Shared s = ref region.GetRef&lt;Shared&gt;(0);
/// using (var guard = new ScopedLock&lt;InterprocessMutex&gt;(ref s.Lock))
/// {
///     // ... exclusive access ...
/// }
///
/// // try, and a timed wait:
/// using var g = new ScopedLock&lt;InterprocessMutex&gt;(ref s.Lock, TimeSpan.FromSeconds(1));
/// if (!g.Owns) { return; }
/// </code>
/// </example>
public ref struct ScopedLock<TMutex>
    where TMutex : IExclusiveLockable
{
    /// <summary>The mutex where it lives, whether this guard owns it, and the bookkeeping around the calls.</summary>
    private GuardCore<TMutex, ExclusiveMode<TMutex>> _core;

    /// <summary>Takes exclusive ownership of <paramref name="mutex"/>, waiting as long as it takes.</summary>
    /// <param name="mutex">The mutex, by reference to where it lives.</param>
    /// <exception cref="AbandonedLockException">The previous owner died; the mutex is held exclusively but no guard owns it.</exception>
    /// <exception cref="LockRecursionException">The calling thread already holds the mutex in a conflicting mode.</exception>
    /// <exception cref="InvalidOperationException">The mutex is a copy on the stack.</exception>
    public ScopedLock(ref TMutex mutex) => _core = GuardCore<TMutex, ExclusiveMode<TMutex>>.Locked(ref mutex);

    /// <summary>Takes exclusive ownership of <paramref name="mutex"/>, waiting until possible or <paramref name="cancellationToken"/> is canceled.</summary>
    /// <param name="mutex">The mutex, by reference to where it lives.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="OperationCanceledException">The wait was canceled; nothing is held.</exception>
    /// <exception cref="AbandonedLockException">The previous owner died; the mutex is held exclusively but no guard owns it.</exception>
    /// <exception cref="LockRecursionException">The calling thread already holds the mutex in a conflicting mode.</exception>
    /// <exception cref="InvalidOperationException">The mutex is a copy on the stack.</exception>
    public ScopedLock(ref TMutex mutex, CancellationToken cancellationToken) => _core = GuardCore<TMutex, ExclusiveMode<TMutex>>.Locked(ref mutex, cancellationToken);

    /// <summary>Makes a guard that defers locking, tries to lock, or accepts ownership the caller already has.</summary>
    /// <param name="mutex">The mutex, by reference to where it lives.</param>
    /// <param name="option">See <see cref="LockOption"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="option"/> is not a defined value.</exception>
    /// <exception cref="AbandonedLockException">A try found the previous owner dead; the mutex is held exclusively but no guard owns it.</exception>
    /// <exception cref="InvalidOperationException">The mutex is a copy on the stack.</exception>
    public ScopedLock(ref TMutex mutex, LockOption option) => _core = GuardCore<TMutex, ExclusiveMode<TMutex>>.WithOption(ref mutex, option);

    /// <summary>Takes exclusive ownership of <paramref name="mutex"/>, waiting at most <paramref name="timeout"/>; <see cref="Owns"/> tells whether it did.</summary>
    /// <param name="mutex">The mutex, by reference to where it lives.</param>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled; nothing is held.</exception>
    /// <exception cref="AbandonedLockException">The previous owner died; the mutex is held exclusively but no guard owns it.</exception>
    /// <exception cref="LockRecursionException">The calling thread already holds the mutex in a conflicting mode.</exception>
    /// <exception cref="InvalidOperationException">The mutex is a copy on the stack.</exception>
    public ScopedLock(ref TMutex mutex, TimeSpan timeout, CancellationToken cancellationToken = default) => _core = GuardCore<TMutex, ExclusiveMode<TMutex>>.Timed(ref mutex, timeout, cancellationToken);

    /// <summary>A guard made by a conversion: the mutex (possibly a null reference) and whether ownership came with it.</summary>
    internal ScopedLock(ref TMutex mutex, bool owns) => _core = new GuardCore<TMutex, ExclusiveMode<TMutex>>(ref mutex, owns);

    /// <summary>True while this guard holds the mutex exclusive ownership (and will unlock it when disposed).</summary>
    public readonly bool Owns => _core.Owns;

    /// <summary>True while the guard refers to a mutex: false after <see cref="Release"/> or a failed try-conversion.</summary>
    public readonly bool HasMutex => _core.HasMutex;

    /// <summary>Takes exclusive ownership, waiting as long as it takes.</summary>
    /// <exception cref="SynchronizationLockException">The guard has no mutex, or already owns it.</exception>
    /// <exception cref="AbandonedLockException">The previous owner died; the guard now owns the mutex.</exception>
    /// <exception cref="LockRecursionException">The calling thread already holds the mutex in a conflicting mode.</exception>
    public void Lock() => _core.Lock();

    /// <summary>Takes exclusive ownership, waiting until possible or <paramref name="cancellationToken"/> is canceled.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="SynchronizationLockException">The guard has no mutex, or already owns it.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled; the guard does not own the mutex.</exception>
    /// <exception cref="AbandonedLockException">The previous owner died; the guard now owns the mutex.</exception>
    /// <exception cref="LockRecursionException">The calling thread already holds the mutex in a conflicting mode.</exception>
    public void Lock(CancellationToken cancellationToken) => _core.Lock(cancellationToken);

    /// <summary>Takes exclusive ownership if possible without waiting.</summary>
    /// <returns>True if the guard now owns the mutex.</returns>
    /// <exception cref="SynchronizationLockException">The guard has no mutex, or already owns it.</exception>
    /// <exception cref="AbandonedLockException">The previous owner died; the guard now owns the mutex.</exception>
    public bool TryLock() => _core.TryLock();

    /// <summary>Takes exclusive ownership, waiting at most <paramref name="timeout"/> (monotonic clock).</summary>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>True if the guard now owns the mutex; false if the time ran out.</returns>
    /// <exception cref="SynchronizationLockException">The guard has no mutex, or already owns it.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled; the guard does not own the mutex.</exception>
    /// <exception cref="AbandonedLockException">The previous owner died; the guard now owns the mutex.</exception>
    /// <exception cref="LockRecursionException">The calling thread already holds the mutex in a conflicting mode.</exception>
    public bool TryLock(TimeSpan timeout, CancellationToken cancellationToken = default) => _core.TryLock(timeout, cancellationToken);

    /// <summary>Unlocks the mutex; the guard stays associated with it and can lock it again.</summary>
    /// <exception cref="SynchronizationLockException">The guard does not own the mutex.</exception>
    public void Unlock() => _core.Unlock();

    /// <summary>
    /// Gives up the guard's ownership without unlocking (Boost's <c>release</c>): the guard forgets the mutex, and
    /// the caller becomes responsible for unlocking it if it was owned (<see cref="Owns"/> before the call).
    /// </summary>
    /// <returns>The mutex (a null reference if the guard had none).</returns>
    public ref TMutex Release() => ref _core.Release();

    /// <summary>Unlocks the mutex if the guard owns it.</summary>
    /// <exception cref="SynchronizationLockException">The mutex was not held by the calling thread after all (for example, unlocked behind the guard's back).</exception>
    public void Dispose() => _core.Dispose();

    /// <summary>For a conversion: detaches the mutex from this guard and says whether the guard owned it.</summary>
    internal ref TMutex Detach(out bool owned) => ref _core.Detach(out owned);
}
