namespace Interprocess.Synchronization;

/// <summary>
/// A named process-shared reader-writer mutex with upgradable ownership (Boost's <c>named_upgradable_mutex</c>):
/// an <see cref="InterprocessUpgradableMutex"/> in a small shared memory object of its own, found by name from any
/// process, with every ownership transfer Boost offers.
/// </summary>
/// <remarks>
/// <para>Everything said of <see cref="NamedMutex"/> about names, creation and lifetime holds: the name "x" is the
/// shared memory object <c>ipsync.x</c>, shared with the other named kinds (opening another kind as this one throws
/// <see cref="InterprocessErrorCode.Corrupted"/> naming the kind found); an object whose creator died while creating
/// it is reported as incomplete; the object persists until <see cref="Remove(string)"/>.</para>
/// <para>Everything said of <see cref="InterprocessUpgradableMutex"/> about locking holds: writer preference,
/// ownership by a thread, at most <see cref="MaxSharableOwners"/> sharable owners (the upgradable owner included),
/// and dead owners: an exclusive or upgradable owner that dies (even by SIGKILL) is reported to the next exclusive
/// or upgradable locker (<see cref="LockStatus.AcquiredAbandoned"/>, or <see cref="AbandonedLockException"/> with the
/// lock held); a sharable owner that dies is cleaned up by the next writer, which is told the same way.</para>
/// <para>Disposing a handle while a thread of this process holds the mutex exclusively or upgradable leaves it held
/// (and its mapping in place) until that thread exits. Unlock before disposing.</para>
/// </remarks>
/// <example>
/// Reader processes run
/// <code>
/// using var rw = NamedUpgradableMutex.OpenOrCreate("ledger-rw");
/// rw.LockSharable();
/// try { /* read the ledger */ }
/// finally { rw.UnlockSharable(); }
/// </code>
/// while a process that reads, decides and writes only if it must runs (readers keep reading meanwhile)
/// <code>
/// using var rw = NamedUpgradableMutex.OpenOrCreate("ledger-rw");
/// rw.LockUpgradable();
/// if (NeedsFix())
/// {
///     rw.UnlockUpgradableAndLock();   // waits for the readers inside; no writer gets in between
///     Fix();
///     rw.Unlock();
/// }
/// else
/// {
///     rw.UnlockUpgradable();
/// }
/// </code>
/// </example>
public sealed class NamedUpgradableMutex : NamedSharableLockable<InterprocessUpgradableMutex>, IUpgradableLockable
{
    /// <summary>How many sharable locks (the upgradable owner included) can be held at once; one more waits.</summary>
    public const int MaxSharableOwners = InterprocessUpgradableMutex.MaxSharableOwners;

    private NamedUpgradableMutex(NamedPrimitive<InterprocessUpgradableMutex> primitive)
        : base(primitive)
    {
    }

    /// <summary>True when a writer holds the mutex or waits for readers to leave (a snapshot that may change at once).</summary>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    public bool IsLocked
    {
        get
        {
            using var use = Primitive.Enter();
            return use.Value.IsLocked;
        }
    }

    /// <summary>True when an upgradable owner holds the mutex (a snapshot that may change at once).</summary>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    public bool IsUpgradableLocked
    {
        get
        {
            using var use = Primitive.Enter();
            return use.Value.IsUpgradableLocked;
        }
    }

    /// <summary>How many sharable locks are held, the upgradable owner included (a snapshot that may change at once).</summary>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    public int SharableCount
    {
        get
        {
            using var use = Primitive.Enter();
            return use.Value.SharableCount;
        }
    }

    /// <summary>Creates a new named mutex, unlocked; fails if one with that name exists.</summary>
    /// <param name="name">The mutex's name.</param>
    /// <param name="permissions">Who may open it; <see cref="Permissions.OwnerOnly"/> when null. Applied exactly, whatever the umask.</param>
    /// <returns>The mutex; <see cref="NamedLockable{TLock}.Created"/> is true.</returns>
    /// <exception cref="ArgumentException">The name breaks a naming rule.</exception>
    /// <exception cref="InterprocessException">It exists (<see cref="InterprocessErrorCode.AlreadyExists"/>), or the OS refused.</exception>
    public static NamedUpgradableMutex CreateNew(string name, Permissions? permissions = null) =>
        Open(name, NamedOpenMode.CreateNew, permissions);

    /// <summary>Opens an existing named mutex.</summary>
    /// <param name="name">The mutex's name.</param>
    /// <returns>The mutex; <see cref="NamedLockable{TLock}.Created"/> is false.</returns>
    /// <exception cref="ArgumentException">The name breaks a naming rule.</exception>
    /// <exception cref="InterprocessException">Not found (<see cref="InterprocessErrorCode.NotFound"/>); another kind of object, a foreign, truncated or incomplete one (<see cref="InterprocessErrorCode.Corrupted"/>); or the OS refused.</exception>
    public static NamedUpgradableMutex OpenExisting(string name) => Open(name, NamedOpenMode.OpenExisting, null);

    /// <summary>Opens the named mutex if it exists, or creates it; of several racing processes exactly one creates.</summary>
    /// <param name="name">The mutex's name.</param>
    /// <param name="permissions">The permissions if this call creates it; <see cref="Permissions.OwnerOnly"/> when null.</param>
    /// <returns>The mutex; <see cref="NamedLockable{TLock}.Created"/> tells which happened.</returns>
    /// <exception cref="ArgumentException">The name breaks a naming rule.</exception>
    /// <exception cref="InterprocessException">Another kind of object, a foreign, truncated or incomplete one (<see cref="InterprocessErrorCode.Corrupted"/>), or the OS refused.</exception>
    public static NamedUpgradableMutex OpenOrCreate(string name, Permissions? permissions = null) =>
        Open(name, NamedOpenMode.OpenOrCreate, permissions);

    /// <summary>Removes the mutex's name; processes that have it open keep using it until they dispose it.</summary>
    /// <param name="name">The mutex's name.</param>
    /// <returns>True if it was removed; false if there was none.</returns>
    /// <exception cref="ArgumentException">The name breaks a naming rule.</exception>
    /// <exception cref="InterprocessException">The OS refused.</exception>
    public static bool Remove(string name) => NamedPrimitive<InterprocessUpgradableMutex>.Remove(name);

    /// <summary>Takes the upgradable lock, waiting while a writer or another upgradable owner holds the mutex.</summary>
    /// <exception cref="AbandonedLockException">The previous exclusive or upgradable owner died; the caller now holds the upgradable lock.</exception>
    /// <exception cref="LockRecursionException">The calling thread already holds the mutex exclusively or upgradable.</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    public void LockUpgradable()
    {
        using var use = Primitive.Enter();
        use.Value.LockUpgradable();
    }

    /// <summary>Takes the upgradable lock, waiting until possible or <paramref name="cancellationToken"/> is canceled.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="OperationCanceledException">The wait was canceled; the lock is not held.</exception>
    /// <exception cref="AbandonedLockException">The previous exclusive or upgradable owner died; the caller now holds the upgradable lock.</exception>
    /// <exception cref="LockRecursionException">The calling thread already holds the mutex exclusively or upgradable.</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    public void LockUpgradable(CancellationToken cancellationToken)
    {
        using var use = Primitive.Enter();
        use.Value.LockUpgradable(cancellationToken);
    }

    /// <summary>Takes the upgradable lock if there is no writer and no upgradable owner, without waiting.</summary>
    /// <returns>True if the caller now holds the upgradable lock.</returns>
    /// <exception cref="AbandonedLockException">The previous exclusive or upgradable owner died; the caller now holds the upgradable lock.</exception>
    /// <exception cref="LockRecursionException">The calling thread already holds the mutex exclusively or upgradable.</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    public bool TryLockUpgradable()
    {
        using var use = Primitive.Enter();
        return use.Value.TryLockUpgradable();
    }

    /// <summary>Takes the upgradable lock, waiting at most <paramref name="timeout"/> (monotonic clock).</summary>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>True if the caller now holds the upgradable lock; false if the time ran out.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled; the lock is not held.</exception>
    /// <exception cref="AbandonedLockException">The previous exclusive or upgradable owner died; the caller now holds the upgradable lock.</exception>
    /// <exception cref="LockRecursionException">The calling thread already holds the mutex exclusively or upgradable.</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    public bool TryLockUpgradable(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var use = Primitive.Enter();
        return use.Value.TryLockUpgradable(timeout, cancellationToken);
    }

    /// <summary>Takes the upgradable lock, reporting a dead previous owner as a result instead of an exception.</summary>
    /// <param name="timeout">How long to wait; <see cref="TimeSpan.Zero"/> does not wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The outcome; see <see cref="LockStatus"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled; the lock is not held.</exception>
    /// <exception cref="LockRecursionException">The calling thread already holds the mutex exclusively or upgradable.</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    public LockStatus AcquireUpgradable(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var use = Primitive.Enter();
        return use.Value.AcquireUpgradable(timeout, cancellationToken);
    }

    /// <summary>Releases the upgradable lock.</summary>
    /// <exception cref="SynchronizationLockException">The calling thread does not hold the upgradable lock.</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    public void UnlockUpgradable()
    {
        using var use = Primitive.Enter();
        use.Value.UnlockUpgradable();
    }

    /// <summary>Exclusive → upgradable, atomically: readers are let in, no writer can get in between. Never waits for another owner.</summary>
    /// <exception cref="SynchronizationLockException">The calling thread does not hold the mutex exclusively.</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    public void UnlockAndLockUpgradable()
    {
        using var use = Primitive.Enter();
        use.Value.UnlockAndLockUpgradable();
    }

    /// <summary>Exclusive → sharable, atomically: readers are let in, no writer can get in between. Never waits for another owner.</summary>
    /// <exception cref="SynchronizationLockException">The calling thread does not hold the mutex exclusively.</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    public void UnlockAndLockSharable()
    {
        using var use = Primitive.Enter();
        use.Value.UnlockAndLockSharable();
    }

    /// <summary>Upgradable → sharable, atomically: another upgradable owner or a writer may then get in. Never waits.</summary>
    /// <exception cref="SynchronizationLockException">The calling thread does not hold the upgradable lock.</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    public void UnlockUpgradableAndLockSharable()
    {
        using var use = Primitive.Enter();
        use.Value.UnlockUpgradableAndLockSharable();
    }

    /// <summary>Upgradable → exclusive: new readers are held back at once, then the call waits for the readers inside to leave. No other writer can get in between.</summary>
    /// <exception cref="SynchronizationLockException">The calling thread does not hold the upgradable lock.</exception>
    /// <exception cref="LockRecursionException">The calling thread also holds a sharable lock: it would wait for itself.</exception>
    /// <exception cref="AbandonedLockException">A reader died holding its lock and was recovered; the caller now holds the mutex exclusively.</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    public void UnlockUpgradableAndLock()
    {
        using var use = Primitive.Enter();
        use.Value.UnlockUpgradableAndLock();
    }

    /// <summary>Upgradable → exclusive if no reader is inside, without waiting; otherwise the caller keeps the upgradable lock.</summary>
    /// <returns>True if the caller now holds the mutex exclusively; false if it still holds the upgradable lock.</returns>
    /// <exception cref="SynchronizationLockException">The calling thread does not hold the upgradable lock.</exception>
    /// <exception cref="AbandonedLockException">A reader died holding its lock and was recovered; the caller now holds the mutex exclusively.</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    public bool TryUnlockUpgradableAndLock()
    {
        using var use = Primitive.Enter();
        return use.Value.TryUnlockUpgradableAndLock();
    }

    /// <summary>Upgradable → exclusive, waiting at most <paramref name="timeout"/> for the readers inside to leave; on a timeout (or a cancel) the caller keeps the upgradable lock.</summary>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>True if the caller now holds the mutex exclusively; false if it still holds the upgradable lock.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled; the caller still holds the upgradable lock.</exception>
    /// <exception cref="SynchronizationLockException">The calling thread does not hold the upgradable lock.</exception>
    /// <exception cref="LockRecursionException">The calling thread also holds a sharable lock: it would wait for itself.</exception>
    /// <exception cref="AbandonedLockException">A reader died holding its lock and was recovered; the caller now holds the mutex exclusively.</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    public bool TryUnlockUpgradableAndLock(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var use = Primitive.Enter();
        return use.Value.TryUnlockUpgradableAndLock(timeout, cancellationToken);
    }

    /// <summary>Sharable → exclusive if the caller is the only owner of any kind, without waiting; otherwise the caller keeps its sharable lock.</summary>
    /// <returns>True if the caller now holds the mutex exclusively; false if it still holds its sharable lock.</returns>
    /// <exception cref="SynchronizationLockException">The calling thread holds no sharable lock, or holds the mutex exclusively or upgradable.</exception>
    /// <exception cref="AbandonedLockException">A dead owner was recovered; the caller now holds the mutex exclusively.</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    public bool TryUnlockSharableAndLock()
    {
        using var use = Primitive.Enter();
        return use.Value.TryUnlockSharableAndLock();
    }

    /// <summary>Sharable → upgradable if there is no writer and no upgradable owner, without waiting; otherwise the caller keeps its sharable lock.</summary>
    /// <returns>True if the caller now holds the upgradable lock; false if it still holds its sharable lock.</returns>
    /// <exception cref="SynchronizationLockException">The calling thread holds no sharable lock, or holds the mutex exclusively or upgradable.</exception>
    /// <exception cref="AbandonedLockException">A dead owner was recovered; the caller now holds the upgradable lock.</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    public bool TryUnlockSharableAndLockUpgradable()
    {
        using var use = Primitive.Enter();
        return use.Value.TryUnlockSharableAndLockUpgradable();
    }

    /// <inheritdoc />
    public override string ToString() => $"NamedUpgradableMutex '{Name}'";

    private static NamedUpgradableMutex Open(string name, NamedOpenMode mode, Permissions? permissions) =>
        new(NamedPrimitive<InterprocessUpgradableMutex>.Open(name, NamedKind.UpgradableMutex, mode, permissions, HeldInThisProcess));

    /// <summary>
    /// True when a thread of this process owns the gate (exclusive or upgradable ownership): the gate is linked in
    /// that thread's robust list, so the mapping must outlive this handle. Sharable owners are named by a slot only.
    /// </summary>
    private static bool HeldInThisProcess(ref InterprocessUpgradableMutex mutex) => ProcessThreads.Contains(mutex.GateOwnerThreadId);
}
