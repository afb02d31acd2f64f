namespace Interprocess.Synchronization;

/// <summary>
/// The named locks that also have a sharable (reader) mode (<see cref="NamedSharableMutex"/>,
/// <see cref="NamedUpgradableMutex"/>): the sharable calls, forwarded to the lock struct in the mapping.
/// </summary>
/// <typeparam name="TLock">The lock struct that lives in the mapping.</typeparam>
public abstract class NamedSharableLockable<TLock> : NamedLockable<TLock>, ISharableLockable
    where TLock : unmanaged, ISharableLockable
{
    private protected NamedSharableLockable(NamedPrimitive<TLock> primitive)
        : base(primitive)
    {
    }

    /// <inheritdoc/>
    /// <exception cref="ObjectDisposedException">This handle was disposed.</exception>
    public void LockSharable()
    {
        using var use = Primitive.Enter();
        use.Value.LockSharable();
    }

    /// <inheritdoc/>
    /// <exception cref="ObjectDisposedException">This handle was disposed.</exception>
    public void LockSharable(CancellationToken cancellationToken)
    {
        using var use = Primitive.Enter();
        use.Value.LockSharable(cancellationToken);
    }

    /// <inheritdoc/>
    /// <exception cref="ObjectDisposedException">This handle was disposed.</exception>
    public bool TryLockSharable()
    {
        using var use = Primitive.Enter();
        return use.Value.TryLockSharable();
    }

    /// <inheritdoc/>
    /// <exception cref="ObjectDisposedException">This handle was disposed.</exception>
    public bool TryLockSharable(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var use = Primitive.Enter();
        return use.Value.TryLockSharable(timeout, cancellationToken);
    }

    /// <inheritdoc/>
    /// <exception cref="ObjectDisposedException">This handle was disposed.</exception>
    public LockStatus AcquireSharable(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var use = Primitive.Enter();
        return use.Value.AcquireSharable(timeout, cancellationToken);
    }

    /// <inheritdoc/>
    /// <exception cref="ObjectDisposedException">This handle was disposed.</exception>
    public void UnlockSharable()
    {
        using var use = Primitive.Enter();
        use.Value.UnlockSharable();
    }
}
