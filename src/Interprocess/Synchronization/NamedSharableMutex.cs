namespace Interprocess.Synchronization;

/// <summary>
/// A named process-shared reader-writer mutex (Boost's <c>named_sharable_mutex</c>): an
/// <see cref="InterprocessSharableMutex"/> in a small shared memory object of its own, found by name from any
/// process. One exclusive owner, or up to <see cref="MaxSharableOwners"/> sharable owners at once.
/// </summary>
/// <remarks>
/// <para>Everything said of <see cref="NamedMutex"/> about names, creation and lifetime holds: the name "x" is the
/// shared memory object <c>ipsync.x</c>, shared with the other named kinds (opening another kind as this one throws
/// <see cref="InterprocessErrorCode.Corrupted"/> naming the kind found); an object whose creator died while creating
/// it is reported as incomplete; the object persists until <see cref="Remove(string)"/>.</para>
/// <para>Everything said of <see cref="InterprocessSharableMutex"/> about locking holds: writer preference, ownership
/// by a thread, and dead owners: an exclusive owner that dies (even by SIGKILL) is reported to the next locker
/// (<see cref="LockStatus.AcquiredAbandoned"/>, or <see cref="AbandonedLockException"/> with the lock held); a
/// sharable owner that dies is cleaned up by the next writer, which is told the same way.</para>
/// <para>Disposing a handle while a thread of this process holds the mutex exclusively leaves it held (and its
/// mapping in place) until that thread exits. A sharable lock held through a disposed handle is recovered by the
/// next writer once its thread has exited. Unlock before disposing.</para>
/// </remarks>
/// <example>
/// Reader processes run
/// <code>
/// using var rw = NamedSharableMutex.OpenOrCreate("catalog-rw");
/// rw.LockSharable();
/// try { /* read the shared catalog */ }
/// finally { rw.UnlockSharable(); }
/// </code>
/// while a writer process runs
/// <code>
/// using var rw = NamedSharableMutex.OpenOrCreate("catalog-rw");
/// rw.Lock();
/// try { /* change the shared catalog */ }
/// finally { rw.Unlock(); }
/// </code>
/// </example>
public sealed class NamedSharableMutex : NamedSharableLockable<InterprocessSharableMutex>
{
    /// <summary>How many sharable locks can be held at once; one more waits.</summary>
    public const int MaxSharableOwners = InterprocessSharableMutex.MaxSharableOwners;

    private NamedSharableMutex(NamedPrimitive<InterprocessSharableMutex> primitive)
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

    /// <summary>How many sharable locks are held (a snapshot that may change at once).</summary>
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
    public static NamedSharableMutex CreateNew(string name, Permissions? permissions = null) =>
        Open(name, NamedOpenMode.CreateNew, permissions);

    /// <summary>Opens an existing named mutex.</summary>
    /// <param name="name">The mutex's name.</param>
    /// <returns>The mutex; <see cref="NamedLockable{TLock}.Created"/> is false.</returns>
    /// <exception cref="ArgumentException">The name breaks a naming rule.</exception>
    /// <exception cref="InterprocessException">Not found (<see cref="InterprocessErrorCode.NotFound"/>); another kind of object, a foreign, truncated or incomplete one (<see cref="InterprocessErrorCode.Corrupted"/>); or the OS refused.</exception>
    public static NamedSharableMutex OpenExisting(string name) => Open(name, NamedOpenMode.OpenExisting, null);

    /// <summary>Opens the named mutex if it exists, or creates it; of several racing processes exactly one creates.</summary>
    /// <param name="name">The mutex's name.</param>
    /// <param name="permissions">The permissions if this call creates it; <see cref="Permissions.OwnerOnly"/> when null.</param>
    /// <returns>The mutex; <see cref="NamedLockable{TLock}.Created"/> tells which happened.</returns>
    /// <exception cref="ArgumentException">The name breaks a naming rule.</exception>
    /// <exception cref="InterprocessException">Another kind of object, a foreign, truncated or incomplete one (<see cref="InterprocessErrorCode.Corrupted"/>), or the OS refused.</exception>
    public static NamedSharableMutex OpenOrCreate(string name, Permissions? permissions = null) =>
        Open(name, NamedOpenMode.OpenOrCreate, permissions);

    /// <summary>Removes the mutex's name; processes that have it open keep using it until they dispose it.</summary>
    /// <param name="name">The mutex's name.</param>
    /// <returns>True if it was removed; false if there was none.</returns>
    /// <exception cref="ArgumentException">The name breaks a naming rule.</exception>
    /// <exception cref="InterprocessException">The OS refused.</exception>
    public static bool Remove(string name) => NamedPrimitive<InterprocessSharableMutex>.Remove(name);

    /// <inheritdoc />
    public override string ToString() => $"NamedSharableMutex '{Name}'";

    private static NamedSharableMutex Open(string name, NamedOpenMode mode, Permissions? permissions) =>
        new(NamedPrimitive<InterprocessSharableMutex>.Open(name, NamedKind.SharableMutex, mode, permissions, HeldInThisProcess));

    /// <summary>
    /// True when a thread of this process owns the gate (exclusive or upgradable ownership): the gate is linked in
    /// that thread's robust list, so the mapping must outlive this handle. Sharable owners are named by a slot only.
    /// </summary>
    private static bool HeldInThisProcess(ref InterprocessSharableMutex mutex) => ProcessThreads.Contains(mutex.GateOwnerThreadId);
}
