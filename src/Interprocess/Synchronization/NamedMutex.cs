namespace Interprocess.Synchronization;

/// <summary>
/// A named process-shared mutex (Boost's <c>named_mutex</c>): an <see cref="InterprocessMutex"/> in a small shared
/// memory object of its own, found by name from any process. Dead owners are recovered exactly as with
/// <see cref="InterprocessMutex"/>.
/// </summary>
/// <remarks>
/// <para><b>Names.</b> The mutex named "x" lives in the shared memory object <c>ipsync.x</c>
/// (<c>/dev/shm/ipsync.x</c>), so it never collides with a <see cref="Memory.SharedMemoryObject"/> "x" of yours;
/// all named synchronization objects except <see cref="NamedSemaphore"/> share that namespace, and opening one
/// kind as another (a <see cref="NamedRecursiveMutex"/> as a <see cref="NamedMutex"/>) throws
/// <see cref="InterprocessException"/> with <see cref="InterprocessErrorCode.Corrupted"/> naming the kind found.
/// Names follow the rules of <see cref="Memory.SharedMemoryObject"/>, up to 248 bytes of UTF-8. Errors of the
/// underlying shared memory object name it (<c>ipsync.x</c>).</para>
/// <para><b>Lifetime.</b> The mutex persists until <see cref="Remove(string)"/>; disposing closes this process's
/// handle only. If the creator was killed while creating the object, openers wait a few seconds and then throw
/// <see cref="InterprocessErrorCode.Corrupted"/> saying the object is incomplete: remove it and create it again.</para>
/// <para><b>Dead owners.</b> If the owner process dies (even by SIGKILL) or its thread exits while holding the
/// mutex, the next locker gets it with <see cref="LockStatus.AcquiredAbandoned"/> from <see cref="NamedLockable{TLock}.Acquire"/>, or
/// <see cref="AbandonedLockException"/> (lock held) from <see cref="NamedLockable{TLock}.Lock()"/> and <see cref="NamedLockable{TLock}.TryLock()"/>. Disposing a
/// mutex that a thread of this process still holds leaves it held (and its small mapping in place) until that
/// thread exits; unlock before disposing.</para>
/// <para>The owner is a thread, as for <see cref="InterprocessMutex"/>. The instance may be shared by threads.</para>
/// </remarks>
/// <example>
/// Two processes run:
/// <code>
/// using var mutex = NamedMutex.OpenOrCreate("orders-lock");
/// mutex.Lock();
/// try { /* work on the shared orders */ }
/// finally { mutex.Unlock(); }
/// </code>
/// and, when no process needs it any more, <c>NamedMutex.Remove("orders-lock")</c>.
/// </example>
public sealed class NamedMutex : NamedLockable<InterprocessMutex>
{
    private NamedMutex(NamedPrimitive<InterprocessMutex> primitive)
        : base(primitive)
    {
    }

    /// <summary>True when some thread holds the mutex (a snapshot that may change at once).</summary>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    public bool IsLocked
    {
        get
        {
            using var use = Primitive.Enter();
            return use.Value.IsLocked;
        }
    }

    /// <summary>Creates a new named mutex, unlocked; fails if one with that name exists.</summary>
    /// <param name="name">The mutex's name.</param>
    /// <param name="permissions">Who may open it; <see cref="Permissions.OwnerOnly"/> when null. Applied exactly, whatever the umask.</param>
    /// <returns>The mutex; <see cref="NamedLockable{TLock}.Created"/> is true.</returns>
    /// <exception cref="ArgumentException">The name breaks a naming rule.</exception>
    /// <exception cref="InterprocessException">It exists (<see cref="InterprocessErrorCode.AlreadyExists"/>), or the OS refused.</exception>
    public static NamedMutex CreateNew(string name, Permissions? permissions = null) =>
        Open(name, NamedOpenMode.CreateNew, permissions);

    /// <summary>Opens an existing named mutex.</summary>
    /// <param name="name">The mutex's name.</param>
    /// <returns>The mutex; <see cref="NamedLockable{TLock}.Created"/> is false.</returns>
    /// <exception cref="ArgumentException">The name breaks a naming rule.</exception>
    /// <exception cref="InterprocessException">Not found (<see cref="InterprocessErrorCode.NotFound"/>); another kind of object, a foreign, truncated or incomplete one (<see cref="InterprocessErrorCode.Corrupted"/>); or the OS refused.</exception>
    public static NamedMutex OpenExisting(string name) => Open(name, NamedOpenMode.OpenExisting, null);

    /// <summary>Opens the named mutex if it exists, or creates it; of several racing processes exactly one creates.</summary>
    /// <param name="name">The mutex's name.</param>
    /// <param name="permissions">The permissions if this call creates it; <see cref="Permissions.OwnerOnly"/> when null.</param>
    /// <returns>The mutex; <see cref="NamedLockable{TLock}.Created"/> tells which happened.</returns>
    /// <exception cref="ArgumentException">The name breaks a naming rule.</exception>
    /// <exception cref="InterprocessException">Another kind of object, a foreign, truncated or incomplete one (<see cref="InterprocessErrorCode.Corrupted"/>), or the OS refused.</exception>
    public static NamedMutex OpenOrCreate(string name, Permissions? permissions = null) =>
        Open(name, NamedOpenMode.OpenOrCreate, permissions);

    /// <summary>Removes the mutex's name; processes that have it open keep using it until they dispose it.</summary>
    /// <param name="name">The mutex's name.</param>
    /// <returns>True if it was removed; false if there was none.</returns>
    /// <exception cref="ArgumentException">The name breaks a naming rule.</exception>
    /// <exception cref="InterprocessException">The OS refused.</exception>
    public static bool Remove(string name) => NamedPrimitive<InterprocessMutex>.Remove(name);

    /// <inheritdoc />
    public override string ToString() => $"NamedMutex '{Name}'";

    private static NamedMutex Open(string name, NamedOpenMode mode, Permissions? permissions) =>
        new(NamedPrimitive<InterprocessMutex>.Open(name, NamedKind.Mutex, mode, permissions, HeldInThisProcess));

    private static bool HeldInThisProcess(ref InterprocessMutex mutex) => ProcessThreads.Contains(mutex.OwnerThreadId);
}
