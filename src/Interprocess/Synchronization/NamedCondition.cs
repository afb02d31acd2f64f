namespace Interprocess.Synchronization;

/// <summary>
/// A named process-shared condition variable used with a <see cref="NamedMutex"/> (Boost's <c>named_condition</c>):
/// an <see cref="InterprocessCondition"/> in a small shared memory object of its own, found by name from any process.
/// A waiter releases the mutex and sleeps until another thread, in any process, notifies the condition; it holds the
/// mutex again when the wait returns.
/// </summary>
/// <remarks>
/// <para>Everything said of <see cref="NamedMutex"/> about names, creation and lifetime holds: the name "x" is the
/// shared memory object <c>ipsync.x</c>, shared with the other named kinds (a <see cref="NamedMutex"/> and the
/// <see cref="NamedCondition"/> used with it need different names; opening another kind as this one throws
/// <see cref="InterprocessErrorCode.Corrupted"/> naming the kind found); the object persists until
/// <see cref="Remove(string)"/>.</para>
/// <para>Everything said of <see cref="InterprocessCondition"/> holds: wait in a loop on the state waited for (or
/// pass it as the predicate), since a waiter may wake without a notification it can see; a timed wait returns false
/// when the timeout passed; a canceled wait re-takes the mutex, then throws; a mutex whose owner died while the
/// waiter slept is reported on re-taking it (<see cref="AbandonedLockException"/> with the mutex held, or
/// <see cref="ConditionWaitStatus.NotifiedAbandoned"/> / <see cref="ConditionWaitStatus.TimedOutAbandoned"/> from
/// <see cref="WaitWithStatus"/>); a waiter killed while waiting does not harm the condition. Use one mutex with a
/// condition at a time. Disposing either handle while a thread of this process waits defers the unmapping until the
/// wait returns.</para>
/// </remarks>
/// <example>
/// <code>
/// // consumer process:
/// using var mutex = NamedMutex.OpenOrCreate("jobs-lock");
/// using var notEmpty = NamedCondition.OpenOrCreate("jobs-not-empty");
/// mutex.Lock();
/// try
/// {
///     notEmpty.Wait(mutex, () =&gt; JobCount() &gt; 0);   // JobCount reads shared memory the mutex protects
///     TakeJob();
/// }
/// finally { mutex.Unlock(); }
///
/// // producer process:
/// using var mutex = NamedMutex.OpenOrCreate("jobs-lock");
/// using var notEmpty = NamedCondition.OpenOrCreate("jobs-not-empty");
/// mutex.Lock();
/// try { AddJob(); notEmpty.NotifyOne(); }
/// finally { mutex.Unlock(); }
/// </code>
/// </example>
public sealed class NamedCondition : IDisposable
{
    private readonly NamedPrimitive<InterprocessCondition> _primitive;

    private NamedCondition(NamedPrimitive<InterprocessCondition> primitive) => _primitive = primitive;

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
    public static NamedCondition CreateNew(string name, Permissions? permissions = null) =>
        Open(name, NamedOpenMode.CreateNew, permissions);

    /// <summary>Opens an existing named condition.</summary>
    /// <param name="name">The condition's name.</param>
    /// <returns>The condition; <see cref="Created"/> is false.</returns>
    /// <exception cref="ArgumentException">The name breaks a naming rule.</exception>
    /// <exception cref="InterprocessException">Not found (<see cref="InterprocessErrorCode.NotFound"/>); another kind of object, a foreign, truncated or incomplete one (<see cref="InterprocessErrorCode.Corrupted"/>); or the OS refused.</exception>
    public static NamedCondition OpenExisting(string name) => Open(name, NamedOpenMode.OpenExisting, null);

    /// <summary>Opens the named condition if it exists, or creates it; of several racing processes exactly one creates.</summary>
    /// <param name="name">The condition's name.</param>
    /// <param name="permissions">The permissions if this call creates it; <see cref="Permissions.OwnerOnly"/> when null.</param>
    /// <returns>The condition; <see cref="Created"/> tells which happened.</returns>
    /// <exception cref="ArgumentException">The name breaks a naming rule.</exception>
    /// <exception cref="InterprocessException">Another kind of object, a foreign, truncated or incomplete one (<see cref="InterprocessErrorCode.Corrupted"/>), or the OS refused.</exception>
    public static NamedCondition OpenOrCreate(string name, Permissions? permissions = null) =>
        Open(name, NamedOpenMode.OpenOrCreate, permissions);

    /// <summary>Removes the condition's name; processes that have it open keep using it until they dispose it.</summary>
    /// <param name="name">The condition's name.</param>
    /// <returns>True if it was removed; false if there was none.</returns>
    /// <exception cref="ArgumentException">The name breaks a naming rule.</exception>
    /// <exception cref="InterprocessException">The OS refused.</exception>
    public static bool Remove(string name) => NamedPrimitive<InterprocessCondition>.Remove(name);

    /// <summary>Releases <paramref name="mutex"/>, waits for a notification, and takes the mutex again.</summary>
    /// <param name="mutex">The named mutex, held by the caller, that protects the state waited for.</param>
    /// <param name="cancellationToken">Cancels the wait (the mutex is taken again before the exception).</param>
    /// <exception cref="ArgumentNullException"><paramref name="mutex"/> is null.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled; the mutex is held.</exception>
    /// <exception cref="AbandonedLockException">The mutex's previous owner died holding it; the caller now holds it.</exception>
    /// <exception cref="SynchronizationLockException">The caller does not hold <paramref name="mutex"/>.</exception>
    /// <exception cref="ObjectDisposedException">This handle or the mutex's handle was disposed.</exception>
    public void Wait(NamedMutex mutex, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(mutex);
        using var use = _primitive.Enter();
        using var held = mutex.Use();
        use.Value.Wait(ref held.Value, cancellationToken);
    }

    /// <summary>Waits until <paramref name="predicate"/> is true: while it is false, waits as <see cref="Wait(NamedMutex, CancellationToken)"/>.</summary>
    /// <param name="mutex">The named mutex, held by the caller, that protects the state waited for.</param>
    /// <param name="predicate">The condition waited for; called with the mutex held.</param>
    /// <param name="cancellationToken">Cancels the wait (the mutex is taken again before the exception).</param>
    /// <exception cref="ArgumentNullException"><paramref name="mutex"/> or <paramref name="predicate"/> is null.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled; the mutex is held.</exception>
    /// <exception cref="AbandonedLockException">The mutex's previous owner died holding it; the caller now holds it.</exception>
    /// <exception cref="SynchronizationLockException">The caller does not hold <paramref name="mutex"/>.</exception>
    /// <exception cref="ObjectDisposedException">This handle or the mutex's handle was disposed.</exception>
    public void Wait(NamedMutex mutex, Func<bool> predicate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(mutex);
        using var use = _primitive.Enter();
        using var held = mutex.Use();
        use.Value.Wait(ref held.Value, predicate, cancellationToken);
    }

    /// <summary>Releases <paramref name="mutex"/>, waits at most <paramref name="timeout"/> for a notification, and takes the mutex again.</summary>
    /// <param name="mutex">The named mutex, held by the caller, that protects the state waited for.</param>
    /// <param name="timeout">How long to wait (monotonic clock); <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Cancels the wait (the mutex is taken again before the exception).</param>
    /// <returns>False if the timeout passed without a notification; true otherwise. The mutex is held either way.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="mutex"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled; the mutex is held.</exception>
    /// <exception cref="AbandonedLockException">The mutex's previous owner died holding it; the caller now holds it.</exception>
    /// <exception cref="SynchronizationLockException">The caller does not hold <paramref name="mutex"/>.</exception>
    /// <exception cref="ObjectDisposedException">This handle or the mutex's handle was disposed.</exception>
    public bool Wait(NamedMutex mutex, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(mutex);
        using var use = _primitive.Enter();
        using var held = mutex.Use();
        return use.Value.Wait(ref held.Value, timeout, cancellationToken);
    }

    /// <summary>Waits until <paramref name="predicate"/> is true or <paramref name="timeout"/> passes.</summary>
    /// <param name="mutex">The named mutex, held by the caller, that protects the state waited for.</param>
    /// <param name="timeout">How long to wait in all (monotonic clock); <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="predicate">The condition waited for; called with the mutex held.</param>
    /// <param name="cancellationToken">Cancels the wait (the mutex is taken again before the exception).</param>
    /// <returns>The value of <paramref name="predicate"/> at the end: false means the timeout passed first. The mutex is held either way.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="mutex"/> or <paramref name="predicate"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled; the mutex is held.</exception>
    /// <exception cref="AbandonedLockException">The mutex's previous owner died holding it; the caller now holds it.</exception>
    /// <exception cref="SynchronizationLockException">The caller does not hold <paramref name="mutex"/>.</exception>
    /// <exception cref="ObjectDisposedException">This handle or the mutex's handle was disposed.</exception>
    public bool Wait(NamedMutex mutex, TimeSpan timeout, Func<bool> predicate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(mutex);
        using var use = _primitive.Enter();
        using var held = mutex.Use();
        return use.Value.Wait(ref held.Value, timeout, predicate, cancellationToken);
    }

    /// <summary>Releases <paramref name="mutex"/>, waits at most <paramref name="timeout"/> for a notification, and takes the mutex again, reporting a dead previous owner of the mutex as a result instead of an exception.</summary>
    /// <param name="mutex">The named mutex, held by the caller, that protects the state waited for.</param>
    /// <param name="timeout">How long to wait (monotonic clock); <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Cancels the wait (the mutex is taken again before the exception).</param>
    /// <returns>Whether a notification came, and whether the mutex was found abandoned; the mutex is held in every case.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="mutex"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled; the mutex is held.</exception>
    /// <exception cref="AbandonedLockException">The wait was canceled and the mutex was found abandoned (the cancellation is the inner exception); the mutex is held.</exception>
    /// <exception cref="SynchronizationLockException">The caller does not hold <paramref name="mutex"/>.</exception>
    /// <exception cref="ObjectDisposedException">This handle or the mutex's handle was disposed.</exception>
    public ConditionWaitStatus WaitWithStatus(NamedMutex mutex, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(mutex);
        using var use = _primitive.Enter();
        using var held = mutex.Use();
        return use.Value.WaitWithStatus(ref held.Value, timeout, cancellationToken);
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
    public override string ToString() => $"NamedCondition '{Name}'";

    private static NamedCondition Open(string name, NamedOpenMode mode, Permissions? permissions) =>
        new(NamedPrimitive<InterprocessCondition>.Open(name, NamedKind.Condition, mode, permissions));
}
