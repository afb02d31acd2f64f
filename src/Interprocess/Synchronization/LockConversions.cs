using System.Runtime.CompilerServices;

namespace Interprocess.Synchronization;

/// <summary>
/// The lock-guard conversions Boost writes as move constructors, from a <see cref="ScopedLock{TMutex}"/> or a
/// <see cref="SharableLock{TMutex}"/> to a guard of another mode: downgrades of exclusive ownership and
/// try-promotions of sharable ownership. (Conversions from <see cref="UpgradableLock{TMutex}"/> are its own
/// methods.) Each leaves the source guard empty when ownership moves, and returns the guard that owns the mutex.
/// </summary>
/// <remarks>
/// They are extension methods because they need a mutex with upgradable ownership
/// (<see cref="IUpgradableLockable"/>), which the source guard's own type parameter does not promise. They take
/// the source guard by <see langword="in"/> so that they can be called on a <c>using</c> variable (which C#
/// will not pass by <see langword="ref"/>), and update it in place: like Boost's move, the conversion consumes the
/// source.
/// </remarks>
/// <example>
/// <code>
/// using var exclusive = new ScopedLock&lt;InterprocessUpgradableMutex&gt;(ref s.Lock);
/// s.Value = Compute();
/// using var shared = exclusive.DowngradeToSharable();   // readers may enter; no writer got in between
/// Publish(s.Value);
/// </code>
/// </example>
public static class LockConversions
{
    /// <summary>
    /// Downgrade (Boost's <c>upgradable_lock(scoped_lock&amp;&amp;)</c>): exclusive → upgradable, atomically;
    /// never waits. The source guard is left empty.
    /// </summary>
    /// <typeparam name="TMutex">The mutex type.</typeparam>
    /// <param name="exclusive">The guard that owns the mutex exclusively.</param>
    /// <returns>A guard that owns the mutex upgradable (or refers to it without owning it, if the source did not own it).</returns>
    public static UpgradableLock<TMutex> DowngradeToUpgradable<TMutex>(this in ScopedLock<TMutex> exclusive)
        where TMutex : IUpgradableLockable
    {
        ref TMutex mutex = ref Unsafe.AsRef(in exclusive).Detach(out bool owned);
        if (owned)
        {
            mutex.UnlockAndLockUpgradable();
        }

        return new UpgradableLock<TMutex>(ref mutex, owned);
    }

    /// <summary>
    /// Downgrade (Boost's <c>sharable_lock(scoped_lock&amp;&amp;)</c>): exclusive → sharable, atomically; never
    /// waits. The source guard is left empty.
    /// </summary>
    /// <typeparam name="TMutex">The mutex type.</typeparam>
    /// <param name="exclusive">The guard that owns the mutex exclusively.</param>
    /// <returns>A guard that owns the mutex shared (or refers to it without owning it, if the source did not own it).</returns>
    public static SharableLock<TMutex> DowngradeToSharable<TMutex>(this in ScopedLock<TMutex> exclusive)
        where TMutex : IUpgradableLockable
    {
        ref TMutex mutex = ref Unsafe.AsRef(in exclusive).Detach(out bool owned);
        if (owned)
        {
            mutex.UnlockAndLockSharable();
        }

        return new SharableLock<TMutex>(ref mutex, owned);
    }

    /// <summary>
    /// Try-promote (Boost's <c>scoped_lock(sharable_lock&amp;&amp;, try_to_lock)</c>): sharable → exclusive if
    /// the caller is the only owner of any kind, without waiting. On success the source guard is left empty; on
    /// failure it keeps its sharable ownership and the returned guard has no mutex.
    /// </summary>
    /// <typeparam name="TMutex">The mutex type.</typeparam>
    /// <param name="sharable">The guard that owns the mutex shared.</param>
    /// <returns>A guard that owns the mutex exclusively, or one with no mutex (<c>Owns</c> false).</returns>
    /// <exception cref="AbandonedLockException">A dead owner was recovered; the mutex is held exclusively but no guard owns it.</exception>
    public static ScopedLock<TMutex> TryPromote<TMutex>(this in SharableLock<TMutex> sharable)
        where TMutex : IUpgradableLockable
    {
        ref SharableLock<TMutex> source = ref Unsafe.AsRef(in sharable);
        if (!source.Owns)
        {
            source.Release();
            return new ScopedLock<TMutex>(ref Unsafe.NullRef<TMutex>(), false);
        }

        if (!TryTransfer(ref source, static (ref TMutex m) => m.TryUnlockSharableAndLock()))
        {
            return new ScopedLock<TMutex>(ref Unsafe.NullRef<TMutex>(), false);
        }

        return new ScopedLock<TMutex>(ref source.Detach(out _), true);
    }

    /// <summary>
    /// Try-promote (Boost's <c>upgradable_lock(sharable_lock&amp;&amp;, try_to_lock)</c>): sharable → upgradable
    /// if there is no writer and no upgradable owner, without waiting. On success the source guard is left empty;
    /// on failure it keeps its sharable ownership and the returned guard has no mutex.
    /// </summary>
    /// <typeparam name="TMutex">The mutex type.</typeparam>
    /// <param name="sharable">The guard that owns the mutex shared.</param>
    /// <returns>A guard that owns the mutex upgradable, or one with no mutex (<c>Owns</c> false).</returns>
    /// <exception cref="AbandonedLockException">A dead owner was recovered; the mutex is held upgradable but no guard owns it.</exception>
    public static UpgradableLock<TMutex> TryPromoteToUpgradable<TMutex>(this in SharableLock<TMutex> sharable)
        where TMutex : IUpgradableLockable
    {
        ref SharableLock<TMutex> source = ref Unsafe.AsRef(in sharable);
        if (!source.Owns)
        {
            source.Release();
            return new UpgradableLock<TMutex>(ref Unsafe.NullRef<TMutex>(), false);
        }

        if (!TryTransfer(ref source, static (ref TMutex m) => m.TryUnlockSharableAndLockUpgradable()))
        {
            return new UpgradableLock<TMutex>(ref Unsafe.NullRef<TMutex>(), false);
        }

        return new UpgradableLock<TMutex>(ref source.Detach(out _), true);
    }

    /// <summary>A sharable → other transfer on the guard's mutex.</summary>
    private delegate bool Transfer<TMutex>(ref TMutex mutex);

    /// <summary>
    /// Runs a try-transfer. When it throws <see cref="AbandonedLockException"/> the mutex is held in the new mode:
    /// the source guard no longer owns it shared and must not unlock it so.
    /// </summary>
    private static bool TryTransfer<TMutex>(ref SharableLock<TMutex> source, Transfer<TMutex> transfer)
        where TMutex : IUpgradableLockable
    {
        try
        {
            return transfer(ref source.PeekMutex());
        }
        catch (AbandonedLockException)
        {
            source.Release();
            throw;
        }
    }
}
