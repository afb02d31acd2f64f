namespace Interprocess.Synchronization;

/// <summary>
/// What every named lock shares (<see cref="NamedMutex"/>, <see cref="NamedRecursiveMutex"/>,
/// <see cref="NamedSharableMutex"/>, <see cref="NamedUpgradableMutex"/>): the name, the exclusive locking calls,
/// which forward to the lock struct in the object's small shared memory mapping, and closing the handle.
/// </summary>
/// <typeparam name="TLock">The lock struct that lives in the mapping.</typeparam>
/// <remarks>Each call pins the mapping for its duration, so a concurrent <see cref="Dispose"/> cannot unmap it under a waiter.</remarks>
public abstract class NamedLockable<TLock> : IExclusiveLockable, IDisposable
    where TLock : unmanaged, IExclusiveLockable
{
    private protected NamedLockable(NamedPrimitive<TLock> primitive) => Primitive = primitive;

    /// <summary>The object's name.</summary>
    public string Name => Primitive.Name;

    /// <summary>True when this handle created the object; false when it opened an existing one.</summary>
    public bool Created => Primitive.Created;

    /// <summary>The shared mapping that holds the lock.</summary>
    private protected NamedPrimitive<TLock> Primitive { get; }

    /// <inheritdoc/>
    /// <exception cref="ObjectDisposedException">This handle was disposed.</exception>
    public void Lock()
    {
        using var use = Primitive.Enter();
        use.Value.Lock();
    }

    /// <inheritdoc/>
    /// <exception cref="ObjectDisposedException">This handle was disposed.</exception>
    public void Lock(CancellationToken cancellationToken)
    {
        using var use = Primitive.Enter();
        use.Value.Lock(cancellationToken);
    }

    /// <inheritdoc/>
    /// <exception cref="ObjectDisposedException">This handle was disposed.</exception>
    public bool TryLock()
    {
        using var use = Primitive.Enter();
        return use.Value.TryLock();
    }

    /// <inheritdoc/>
    /// <exception cref="ObjectDisposedException">This handle was disposed.</exception>
    public bool TryLock(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var use = Primitive.Enter();
        return use.Value.TryLock(timeout, cancellationToken);
    }

    /// <inheritdoc/>
    /// <exception cref="ObjectDisposedException">This handle was disposed.</exception>
    public LockStatus Acquire(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var use = Primitive.Enter();
        return use.Value.Acquire(timeout, cancellationToken);
    }

    /// <inheritdoc/>
    /// <exception cref="ObjectDisposedException">This handle was disposed.</exception>
    public void Unlock()
    {
        using var use = Primitive.Enter();
        use.Value.Unlock();
    }

    /// <summary>Closes this handle (idempotent). The object lives on until removed.</summary>
    public void Dispose()
    {
        Primitive.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Pins the mapping and gives a reference to the lock (for the named conditions).</summary>
    internal NamedPrimitive<TLock>.Lease Use() => Primitive.Enter();
}
