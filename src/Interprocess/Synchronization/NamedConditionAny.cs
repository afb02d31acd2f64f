namespace Interprocess.Synchronization;

/// <summary>
/// A named process-shared condition variable used with any lock (Boost's <c>named_condition_any</c>): an
/// <see cref="InterprocessConditionAny"/> in a small shared memory object of its own, found by name from any process.
/// It waits with a named lock (<see cref="NamedMutex"/>, <see cref="NamedRecursiveMutex"/> held once, the exclusive
/// side of <see cref="NamedSharableMutex"/> or <see cref="NamedUpgradableMutex"/>, or any class implementing
/// <see cref="IExclusiveLockable"/>), or with a struct lock that lives in shared memory, passed by reference.
/// </summary>
/// <remarks>
/// <para>Everything said of <see cref="NamedMutex"/> about names, creation and lifetime holds: the name "x" is the
/// shared memory object <c>ipsync.x</c>, shared with the other named kinds (opening another kind as this one throws
/// <see cref="InterprocessErrorCode.Corrupted"/> naming the kind found); the object persists until
/// <see cref="Remove(string)"/>.</para>
/// <para>Everything said of <see cref="InterprocessConditionAny"/> holds (spurious wake-ups, timeouts on the monotonic
/// clock, cancellation that re-takes the lock, a dead lock owner reported on re-taking it, a dead waiter harmless).
/// A wait releases the lock with its <see cref="IExclusiveLockable.Unlock"/> and re-takes it with
/// <see cref="IExclusiveLockable.Acquire"/>, so a class lock of the caller's own works if those keep their
/// contracts. A <see cref="NamedRecursiveMutex"/> must be held exactly once.</para>
/// </remarks>
/// <example>
/// <code>
/// // process A waits, holding a named recursive mutex once:
/// using var gate = NamedRecursiveMutex.OpenOrCreate("phase-lock");
/// using var changed = NamedConditionAny.OpenOrCreate("phase-changed");
/// gate.Lock();
/// try { changed.Wait(gate, () =&gt; ReadPhase() == 2); }   // ReadPhase reads shared memory the lock protects
/// finally { gate.Unlock(); }
///
/// // process B:
/// gate.Lock();
/// try { WritePhase(2); changed.NotifyAll(); }
/// finally { gate.Unlock(); }
/// </code>
/// </example>
public sealed class NamedConditionAny : IDisposable
{
    private readonly NamedPrimitive<InterprocessConditionAny> _primitive;

    private NamedConditionAny(NamedPrimitive<InterprocessConditionAny> primitive) => _primitive = primitive;

    /// <summary>The condition's name.</summary>
    public string Name => _primitive.Name;

    /// <summary>True when this handle created the condition; false when it opened an existing one.</summary>
    public bool Created => _primitive.Created;

    /// <summary>Creates a new named condition, with no waiters; fails if one with that name exists.</summary>
    /// <param name="name">The condition's name.</param>
    /// <param name="permissions">Who may open it; <see cref="Permissions.OwnerOnly"/> when null. Applied exactly, whatever the umask.</param>
    /// <returns>The condition; <see cref="Created"/> is true.</returns>
    /// <exception cref="ArgumentException">The name breaks a naming rule.</exception>
    /// <exception cref="InterprocessException">It exists (<see cref="InterprocessErrorCode.AlreadyExists"/>), or the OS refused.</exception>
    public static NamedConditionAny CreateNew(string name, Permissions? permissions = null) =>
        Open(name, NamedOpenMode.CreateNew, permissions);

    /// <summary>Opens an existing named condition.</summary>
    /// <param name="name">The condition's name.</param>
    /// <returns>The condition; <see cref="Created"/> is false.</returns>
    /// <exception cref="ArgumentException">The name breaks a naming rule.</exception>
    /// <exception cref="InterprocessException">Not found (<see cref="InterprocessErrorCode.NotFound"/>); another kind of object, a foreign, truncated or incomplete one (<see cref="InterprocessErrorCode.Corrupted"/>); or the OS refused.</exception>
    public static NamedConditionAny OpenExisting(string name) => Open(name, NamedOpenMode.OpenExisting, null);

    /// <summary>Opens the named condition if it exists, or creates it; of several racing processes exactly one creates.</summary>
    /// <param name="name">The condition's name.</param>
    /// <param name="permissions">The permissions if this call creates it; <see cref="Permissions.OwnerOnly"/> when null.</param>
    /// <returns>The condition; <see cref="Created"/> tells which happened.</returns>
    /// <exception cref="ArgumentException">The name breaks a naming rule.</exception>
    /// <exception cref="InterprocessException">Another kind of object, a foreign, truncated or incomplete one (<see cref="InterprocessErrorCode.Corrupted"/>), or the OS refused.</exception>
    public static NamedConditionAny OpenOrCreate(string name, Permissions? permissions = null) =>
        Open(name, NamedOpenMode.OpenOrCreate, permissions);

    /// <summary>Removes the condition's name; processes that have it open keep using it until they dispose it.</summary>
    /// <param name="name">The condition's name.</param>
    /// <returns>True if it was removed; false if there was none.</returns>
    /// <exception cref="ArgumentException">The name breaks a naming rule.</exception>
    /// <exception cref="InterprocessException">The OS refused.</exception>
    public static bool Remove(string name) => NamedPrimitive<InterprocessConditionAny>.Remove(name);

    /// <summary>Releases <paramref name="lockable"/>, waits for a notification, and takes the lock again.</summary>
    /// <typeparam name="TLock">The type of the lock: a named lock such as <see cref="NamedMutex"/>, <see cref="NamedRecursiveMutex"/>, <see cref="NamedSharableMutex"/> (exclusive side) or <see cref="NamedUpgradableMutex"/> (exclusive side).</typeparam>
    /// <param name="lockable">The lock, held once by the caller, that protects the state waited for.</param>
    /// <param name="cancellationToken">Cancels the wait (the lock is taken again before the exception).</param>
    /// <exception cref="ArgumentNullException"><paramref name="lockable"/> is null.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled; the lock is held.</exception>
    /// <exception cref="AbandonedLockException">The lock's previous owner died holding it; the caller now holds it.</exception>
    /// <exception cref="SynchronizationLockException">The caller does not hold <paramref name="lockable"/>.</exception>
    /// <exception cref="LockRecursionException"><paramref name="lockable"/> is a recursive mutex held more than once: the wait would never release it.</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed (or, for a named lock, its handle).</exception>
    public void Wait<TLock>(TLock lockable, CancellationToken cancellationToken = default)
        where TLock : class, IExclusiveLockable
    {
        var adapter = ClassLock<TLock>.For(lockable);
        using var use = _primitive.Enter();
        use.Value.Wait(ref adapter, cancellationToken);
    }

    /// <summary>Waits until <paramref name="predicate"/> is true: while it is false, releases the lock, waits for a notification and takes the lock again.</summary>
    /// <typeparam name="TLock">The type of the lock: a named lock such as <see cref="NamedMutex"/>, <see cref="NamedRecursiveMutex"/>, <see cref="NamedSharableMutex"/> (exclusive side) or <see cref="NamedUpgradableMutex"/> (exclusive side).</typeparam>
    /// <param name="lockable">The lock, held once by the caller, that protects the state waited for.</param>
    /// <param name="predicate">The condition waited for; called with the lock held.</param>
    /// <param name="cancellationToken">Cancels the wait (the lock is taken again before the exception).</param>
    /// <exception cref="ArgumentNullException"><paramref name="lockable"/> or <paramref name="predicate"/> is null.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled; the lock is held.</exception>
    /// <exception cref="AbandonedLockException">The lock's previous owner died holding it; the caller now holds it.</exception>
    /// <exception cref="SynchronizationLockException">The caller does not hold <paramref name="lockable"/>.</exception>
    /// <exception cref="LockRecursionException"><paramref name="lockable"/> is a recursive mutex held more than once: the wait would never release it.</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed (or, for a named lock, its handle).</exception>
    public void Wait<TLock>(TLock lockable, Func<bool> predicate, CancellationToken cancellationToken = default)
        where TLock : class, IExclusiveLockable
    {
        var adapter = ClassLock<TLock>.For(lockable);
        using var use = _primitive.Enter();
        use.Value.Wait(ref adapter, predicate, cancellationToken);
    }

    /// <summary>Releases <paramref name="lockable"/>, waits at most <paramref name="timeout"/> for a notification, and takes the lock again.</summary>
    /// <typeparam name="TLock">The type of the lock: a named lock such as <see cref="NamedMutex"/>, <see cref="NamedRecursiveMutex"/>, <see cref="NamedSharableMutex"/> (exclusive side) or <see cref="NamedUpgradableMutex"/> (exclusive side).</typeparam>
    /// <param name="lockable">The lock, held once by the caller, that protects the state waited for.</param>
    /// <param name="timeout">How long to wait (monotonic clock); <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Cancels the wait (the lock is taken again before the exception).</param>
    /// <returns>False if the timeout passed without a notification; true otherwise. The lock is held either way.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="lockable"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled; the lock is held.</exception>
    /// <exception cref="AbandonedLockException">The lock's previous owner died holding it; the caller now holds it.</exception>
    /// <exception cref="SynchronizationLockException">The caller does not hold <paramref name="lockable"/>.</exception>
    /// <exception cref="LockRecursionException"><paramref name="lockable"/> is a recursive mutex held more than once: the wait would never release it.</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed (or, for a named lock, its handle).</exception>
    public bool Wait<TLock>(TLock lockable, TimeSpan timeout, CancellationToken cancellationToken = default)
        where TLock : class, IExclusiveLockable
    {
        var adapter = ClassLock<TLock>.For(lockable);
        using var use = _primitive.Enter();
        return use.Value.Wait(ref adapter, timeout, cancellationToken);
    }

    /// <summary>Waits until <paramref name="predicate"/> is true or <paramref name="timeout"/> passes.</summary>
    /// <typeparam name="TLock">The type of the lock: a named lock such as <see cref="NamedMutex"/>, <see cref="NamedRecursiveMutex"/>, <see cref="NamedSharableMutex"/> (exclusive side) or <see cref="NamedUpgradableMutex"/> (exclusive side).</typeparam>
    /// <param name="lockable">The lock, held once by the caller, that protects the state waited for.</param>
    /// <param name="timeout">How long to wait in all (monotonic clock); <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="predicate">The condition waited for; called with the lock held.</param>
    /// <param name="cancellationToken">Cancels the wait (the lock is taken again before the exception).</param>
    /// <returns>The value of <paramref name="predicate"/> at the end: false means the timeout passed first. The lock is held either way.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="lockable"/> or <paramref name="predicate"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled; the lock is held.</exception>
    /// <exception cref="AbandonedLockException">The lock's previous owner died holding it; the caller now holds it.</exception>
    /// <exception cref="SynchronizationLockException">The caller does not hold <paramref name="lockable"/>.</exception>
    /// <exception cref="LockRecursionException"><paramref name="lockable"/> is a recursive mutex held more than once: the wait would never release it.</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed (or, for a named lock, its handle).</exception>
    public bool Wait<TLock>(TLock lockable, TimeSpan timeout, Func<bool> predicate, CancellationToken cancellationToken = default)
        where TLock : class, IExclusiveLockable
    {
        var adapter = ClassLock<TLock>.For(lockable);
        using var use = _primitive.Enter();
        return use.Value.Wait(ref adapter, timeout, predicate, cancellationToken);
    }

    /// <summary>Releases <paramref name="lockable"/>, waits at most <paramref name="timeout"/> for a notification, and takes the lock again, reporting a dead previous owner of the lock as a result instead of an exception.</summary>
    /// <typeparam name="TLock">The type of the lock: a named lock such as <see cref="NamedMutex"/>, <see cref="NamedRecursiveMutex"/>, <see cref="NamedSharableMutex"/> (exclusive side) or <see cref="NamedUpgradableMutex"/> (exclusive side).</typeparam>
    /// <param name="lockable">The lock, held once by the caller, that protects the state waited for.</param>
    /// <param name="timeout">How long to wait (monotonic clock); <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Cancels the wait (the lock is taken again before the exception).</param>
    /// <returns>Whether a notification came, and whether the lock was found abandoned; the lock is held in every case.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="lockable"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled; the lock is held.</exception>
    /// <exception cref="AbandonedLockException">The wait was canceled and the lock was found abandoned (the cancellation is the inner exception); the lock is held.</exception>
    /// <exception cref="SynchronizationLockException">The caller does not hold <paramref name="lockable"/>.</exception>
    /// <exception cref="LockRecursionException"><paramref name="lockable"/> is a recursive mutex held more than once: the wait would never release it.</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed (or, for a named lock, its handle).</exception>
    public ConditionWaitStatus WaitWithStatus<TLock>(TLock lockable, TimeSpan timeout, CancellationToken cancellationToken = default)
        where TLock : class, IExclusiveLockable
    {
        var adapter = ClassLock<TLock>.For(lockable);
        using var use = _primitive.Enter();
        return use.Value.WaitWithStatus(ref adapter, timeout, cancellationToken);
    }

    /// <summary>Releases <paramref name="lockable"/>, waits for a notification, and takes the lock again.</summary>
    /// <typeparam name="TLock">The type of the lock (taken by reference, never copied).</typeparam>
    /// <param name="lockable">The lock, held once by the caller, that protects the state waited for.</param>
    /// <param name="cancellationToken">Cancels the wait (the lock is taken again before the exception).</param>
    /// <exception cref="OperationCanceledException">The wait was canceled; the lock is held.</exception>
    /// <exception cref="AbandonedLockException">The lock's previous owner died holding it; the caller now holds it.</exception>
    /// <exception cref="SynchronizationLockException">The caller does not hold <paramref name="lockable"/>.</exception>
    /// <exception cref="InvalidOperationException">The lock is a copy on the stack.</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed (or, for a named lock, its handle).</exception>
    public void Wait<TLock>(ref TLock lockable, CancellationToken cancellationToken = default)
        where TLock : struct, IExclusiveLockable
    {
        using var use = _primitive.Enter();
        use.Value.Wait(ref lockable, cancellationToken);
    }

    /// <summary>Waits until <paramref name="predicate"/> is true: while it is false, releases the lock, waits for a notification and takes the lock again.</summary>
    /// <typeparam name="TLock">The type of the lock (taken by reference, never copied).</typeparam>
    /// <param name="lockable">The lock, held once by the caller, that protects the state waited for.</param>
    /// <param name="predicate">The condition waited for; called with the lock held.</param>
    /// <param name="cancellationToken">Cancels the wait (the lock is taken again before the exception).</param>
    /// <exception cref="ArgumentNullException"><paramref name="predicate"/> is null.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled; the lock is held.</exception>
    /// <exception cref="AbandonedLockException">The lock's previous owner died holding it; the caller now holds it.</exception>
    /// <exception cref="SynchronizationLockException">The caller does not hold <paramref name="lockable"/>.</exception>
    /// <exception cref="InvalidOperationException">The lock is a copy on the stack.</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed (or, for a named lock, its handle).</exception>
    public void Wait<TLock>(ref TLock lockable, Func<bool> predicate, CancellationToken cancellationToken = default)
        where TLock : struct, IExclusiveLockable
    {
        using var use = _primitive.Enter();
        use.Value.Wait(ref lockable, predicate, cancellationToken);
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
    /// <exception cref="InvalidOperationException">The lock is a copy on the stack.</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed (or, for a named lock, its handle).</exception>
    public bool Wait<TLock>(ref TLock lockable, TimeSpan timeout, CancellationToken cancellationToken = default)
        where TLock : struct, IExclusiveLockable
    {
        using var use = _primitive.Enter();
        return use.Value.Wait(ref lockable, timeout, cancellationToken);
    }

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
    /// <exception cref="InvalidOperationException">The lock is a copy on the stack.</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed (or, for a named lock, its handle).</exception>
    public bool Wait<TLock>(ref TLock lockable, TimeSpan timeout, Func<bool> predicate, CancellationToken cancellationToken = default)
        where TLock : struct, IExclusiveLockable
    {
        using var use = _primitive.Enter();
        return use.Value.Wait(ref lockable, timeout, predicate, cancellationToken);
    }

    /// <summary>Releases <paramref name="lockable"/>, waits at most <paramref name="timeout"/> for a notification, and takes the lock again, reporting a dead previous owner of the lock as a result instead of an exception.</summary>
    /// <typeparam name="TLock">The type of the lock (taken by reference, never copied).</typeparam>
    /// <param name="lockable">The lock, held once by the caller, that protects the state waited for.</param>
    /// <param name="timeout">How long to wait (monotonic clock); <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Cancels the wait (the lock is taken again before the exception).</param>
    /// <returns>Whether a notification came, and whether the lock was found abandoned; the lock is held in every case.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled; the lock is held.</exception>
    /// <exception cref="AbandonedLockException">The wait was canceled and the lock was found abandoned (the cancellation is the inner exception); the lock is held.</exception>
    /// <exception cref="SynchronizationLockException">The caller does not hold <paramref name="lockable"/>.</exception>
    /// <exception cref="InvalidOperationException">The lock is a copy on the stack.</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed (or, for a named lock, its handle).</exception>
    public ConditionWaitStatus WaitWithStatus<TLock>(ref TLock lockable, TimeSpan timeout, CancellationToken cancellationToken = default)
        where TLock : struct, IExclusiveLockable
    {
        using var use = _primitive.Enter();
        return use.Value.WaitWithStatus(ref lockable, timeout, cancellationToken);
    }

    /// <summary>Wakes one waiting thread, in any process; does nothing (and enters no system call) when none waits.</summary>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    public void NotifyOne()
    {
        using var use = _primitive.Enter();
        use.Value.NotifyOne();
    }

    /// <summary>Wakes every waiting thread, in every process.</summary>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    public void NotifyAll()
    {
        using var use = _primitive.Enter();
        use.Value.NotifyAll();
    }

    /// <summary>Closes this handle (idempotent). The condition lives on until removed.</summary>
    public void Dispose() => _primitive.Dispose();

    /// <inheritdoc />
    public override string ToString() => $"NamedConditionAny '{Name}'";

    private static NamedConditionAny Open(string name, NamedOpenMode mode, Permissions? permissions) =>
        new(NamedPrimitive<InterprocessConditionAny>.Open(name, NamedKind.ConditionAny, mode, permissions));

    /// <summary>
    /// A struct view of a class lock, so that <see cref="InterprocessConditionAny"/> (which takes its lock by
    /// reference, constrained to a struct) can release and re-take a named lock. It only forwards.
    /// </summary>
    private readonly struct ClassLock<TLock> : IExclusiveLockable
        where TLock : class, IExclusiveLockable
    {
        private readonly TLock _target;

        private ClassLock(TLock target) => _target = target;

        /// <summary>The adapter for <paramref name="lockable"/>, after the checks the condition cannot make through it.</summary>
        /// <exception cref="ArgumentNullException"><paramref name="lockable"/> is null.</exception>
        /// <exception cref="LockRecursionException">A recursive mutex held more than once: the wait would release it once and sleep holding it.</exception>
        internal static ClassLock<TLock> For(TLock lockable)
        {
            ArgumentNullException.ThrowIfNull(lockable);

            // InterprocessConditionAny refuses an InterprocessRecursiveMutex held twice; through the adapter it cannot
            // see the type, so the same check is made here.
            if (lockable is NamedRecursiveMutex { RecursionCount: > 1 })
            {
                throw new LockRecursionException(
                    "A condition wait releases the lock once; this recursive mutex is held more than once, so the wait would never release it.");
            }

            return new ClassLock<TLock>(lockable);
        }

        public void Lock() => _target.Lock();

        public void Lock(CancellationToken cancellationToken) => _target.Lock(cancellationToken);

        public bool TryLock() => _target.TryLock();

        public bool TryLock(TimeSpan timeout, CancellationToken cancellationToken = default) => _target.TryLock(timeout, cancellationToken);

        public LockStatus Acquire(TimeSpan timeout, CancellationToken cancellationToken = default) => _target.Acquire(timeout, cancellationToken);

        public void Unlock() => _target.Unlock();
    }
}
