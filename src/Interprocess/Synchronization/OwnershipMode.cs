namespace Interprocess.Synchronization;

/// <summary>
/// One mode of ownership of a <typeparamref name="TMutex"/> (exclusive, sharable or upgradable): the calls a guard
/// makes to take and give it back. The modes are structs whose members are static, so <see cref="GuardCore{TMutex, TMode}"/>
/// is specialized per mode and the calls are direct, constrained calls on the mutex where it lives.
/// </summary>
/// <typeparam name="TMutex">The mutex type.</typeparam>
internal interface IOwnershipMode<TMutex>
{
    static abstract void Lock(ref TMutex mutex);

    static abstract void Lock(ref TMutex mutex, CancellationToken cancellationToken);

    static abstract bool TryLock(ref TMutex mutex);

    static abstract bool TryLock(ref TMutex mutex, TimeSpan timeout, CancellationToken cancellationToken);

    static abstract void Unlock(ref TMutex mutex);
}

/// <summary>Exclusive ownership (<see cref="ScopedLock{TMutex}"/>).</summary>
internal readonly struct ExclusiveMode<TMutex> : IOwnershipMode<TMutex>
    where TMutex : IExclusiveLockable
{
    public static void Lock(ref TMutex mutex) => mutex.Lock();

    public static void Lock(ref TMutex mutex, CancellationToken cancellationToken) => mutex.Lock(cancellationToken);

    public static bool TryLock(ref TMutex mutex) => mutex.TryLock();

    public static bool TryLock(ref TMutex mutex, TimeSpan timeout, CancellationToken cancellationToken) => mutex.TryLock(timeout, cancellationToken);

    public static void Unlock(ref TMutex mutex) => mutex.Unlock();
}

/// <summary>Sharable ownership (<see cref="SharableLock{TMutex}"/>).</summary>
internal readonly struct SharableMode<TMutex> : IOwnershipMode<TMutex>
    where TMutex : ISharableLockable
{
    public static void Lock(ref TMutex mutex) => mutex.LockSharable();

    public static void Lock(ref TMutex mutex, CancellationToken cancellationToken) => mutex.LockSharable(cancellationToken);

    public static bool TryLock(ref TMutex mutex) => mutex.TryLockSharable();

    public static bool TryLock(ref TMutex mutex, TimeSpan timeout, CancellationToken cancellationToken) => mutex.TryLockSharable(timeout, cancellationToken);

    public static void Unlock(ref TMutex mutex) => mutex.UnlockSharable();
}

/// <summary>Upgradable ownership (<see cref="UpgradableLock{TMutex}"/>).</summary>
internal readonly struct UpgradableMode<TMutex> : IOwnershipMode<TMutex>
    where TMutex : IUpgradableLockable
{
    public static void Lock(ref TMutex mutex) => mutex.LockUpgradable();

    public static void Lock(ref TMutex mutex, CancellationToken cancellationToken) => mutex.LockUpgradable(cancellationToken);

    public static bool TryLock(ref TMutex mutex) => mutex.TryLockUpgradable();

    public static bool TryLock(ref TMutex mutex, TimeSpan timeout, CancellationToken cancellationToken) => mutex.TryLockUpgradable(timeout, cancellationToken);

    public static void Unlock(ref TMutex mutex) => mutex.UnlockUpgradable();
}
