using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Interprocess.Synchronization;

/// <summary>
/// What the three lock guards share: the reference to the mutex where it lives, whether the guard owns it, and
/// the ownership bookkeeping around the mode's calls (<typeparamref name="TMode"/>). <see cref="ScopedLock{TMutex}"/>,
/// <see cref="SharableLock{TMutex}"/> and <see cref="UpgradableLock{TMutex}"/> each hold one and forward to it.
/// </summary>
/// <remarks>
/// The rule every locking call keeps: when the mode's call throws <see cref="AbandonedLockException"/>, the mutex
/// is held (the previous owner died), so the guard owns it and unlocks it on dispose.
/// </remarks>
internal ref struct GuardCore<TMutex, TMode>
    where TMode : IOwnershipMode<TMutex>
{
    /// <summary>The mutex, in place; a null reference once released or after a failed conversion.</summary>
    private ref TMutex _mutex;

    /// <summary>Whether the guard holds the mutex in this mode and must unlock it.</summary>
    private bool _owns;

    /// <summary>A guard on <paramref name="mutex"/> (possibly a null reference) that owns it or not.</summary>
    public GuardCore(ref TMutex mutex, bool owns)
    {
        _mutex = ref mutex;
        _owns = owns;
    }

    public readonly bool Owns => _owns;

    public readonly bool HasMutex => !Unsafe.IsNullRef(ref _mutex);

    /// <summary>Locks <paramref name="mutex"/>, waiting as long as it takes; an abandoned lock throws before a guard exists.</summary>
    public static GuardCore<TMutex, TMode> Locked(ref TMutex mutex)
    {
        TMode.Lock(ref mutex);
        return new GuardCore<TMutex, TMode>(ref mutex, true);
    }

    /// <summary>Locks <paramref name="mutex"/>, waiting until possible or canceled.</summary>
    public static GuardCore<TMutex, TMode> Locked(ref TMutex mutex, CancellationToken cancellationToken)
    {
        TMode.Lock(ref mutex, cancellationToken);
        return new GuardCore<TMutex, TMode>(ref mutex, true);
    }

    /// <summary>Defers, tries, or accepts ownership, as <paramref name="option"/> says.</summary>
    public static GuardCore<TMutex, TMode> WithOption(ref TMutex mutex, LockOption option)
    {
        bool owns = option switch
        {
            LockOption.DeferLock => false,
            LockOption.TryToLock => TMode.TryLock(ref mutex),
            LockOption.AcceptOwnership => true,
            _ => throw new ArgumentOutOfRangeException(nameof(option), option, "Not a LockOption."),
        };
        return new GuardCore<TMutex, TMode>(ref mutex, owns);
    }

    /// <summary>Locks <paramref name="mutex"/> if possible within <paramref name="timeout"/>.</summary>
    public static GuardCore<TMutex, TMode> Timed(ref TMutex mutex, TimeSpan timeout, CancellationToken cancellationToken)
    {
        bool owns = TMode.TryLock(ref mutex, timeout, cancellationToken);
        return new GuardCore<TMutex, TMode>(ref mutex, owns);
    }

    public void Lock()
    {
        ref TMutex mutex = ref Lockable();
        try
        {
            TMode.Lock(ref mutex);
        }
        catch (AbandonedLockException)
        {
            _owns = true;
            throw;
        }

        _owns = true;
    }

    public void Lock(CancellationToken cancellationToken)
    {
        ref TMutex mutex = ref Lockable();
        try
        {
            TMode.Lock(ref mutex, cancellationToken);
        }
        catch (AbandonedLockException)
        {
            _owns = true;
            throw;
        }

        _owns = true;
    }

    public bool TryLock()
    {
        ref TMutex mutex = ref Lockable();
        try
        {
            _owns = TMode.TryLock(ref mutex);
        }
        catch (AbandonedLockException)
        {
            _owns = true;
            throw;
        }

        return _owns;
    }

    public bool TryLock(TimeSpan timeout, CancellationToken cancellationToken)
    {
        ref TMutex mutex = ref Lockable();
        try
        {
            _owns = TMode.TryLock(ref mutex, timeout, cancellationToken);
        }
        catch (AbandonedLockException)
        {
            _owns = true;
            throw;
        }

        return _owns;
    }

    public void Unlock()
    {
        if (!_owns)
        {
            ThrowNotOwned();
        }

        _owns = false;
        TMode.Unlock(ref _mutex);
    }

    /// <summary>Forgets the mutex without unlocking it; returns it (a null reference if there was none).</summary>
    public ref TMutex Release()
    {
        ref TMutex mutex = ref _mutex;
        _mutex = ref Unsafe.NullRef<TMutex>();
        _owns = false;
        return ref mutex;
    }

    public void Dispose()
    {
        if (_owns)
        {
            _owns = false;
            TMode.Unlock(ref _mutex);
        }
    }

    /// <summary>For a conversion: the mutex, still attached to the guard.</summary>
    public readonly ref TMutex PeekMutex() => ref _mutex;

    /// <summary>For a conversion: detaches the mutex from the guard and says whether the guard owned it.</summary>
    public ref TMutex Detach(out bool owned)
    {
        owned = _owns;
        return ref Release();
    }

    private ref TMutex Lockable()
    {
        if (Unsafe.IsNullRef(ref _mutex))
        {
            throw new SynchronizationLockException("The guard has no mutex (it was released or moved by a conversion).");
        }

        if (_owns)
        {
            throw new SynchronizationLockException("The guard already owns the mutex.");
        }

        return ref _mutex;
    }

    [DoesNotReturn]
    private static void ThrowNotOwned() => throw new SynchronizationLockException("The guard does not own the mutex.");
}
