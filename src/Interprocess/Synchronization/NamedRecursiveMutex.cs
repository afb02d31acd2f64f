namespace Interprocess.Synchronization;

/// <summary>
/// A named process-shared recursive mutex (Boost's <c>named_recursive_mutex</c>): an
/// <see cref="InterprocessRecursiveMutex"/> in a small shared memory object of its own, found by name from any
/// process. The owning thread may lock it again and must unlock it as many times.
/// </summary>
/// <remarks>
/// Everything said of <see cref="NamedMutex"/> holds: the name "x" is the shared memory object <c>ipsync.x</c>,
/// shared with the other named kinds (opening a <see cref="NamedMutex"/> as a <see cref="NamedRecursiveMutex"/>
/// throws <see cref="InterprocessErrorCode.Corrupted"/> naming what was found); an object whose creator died while
/// creating it is reported as incomplete; a dead owner's mutex is taken over by the next locker, who is told
/// (<see cref="LockStatus.AcquiredAbandoned"/> or <see cref="AbandonedLockException"/>), and the recursion count
/// starts again at one.
/// </remarks>
/// <example>
/// <code>
/// using var mutex = NamedRecursiveMutex.OpenOrCreate("catalog-lock");
/// mutex.Lock();
/// try { UpdateCatalog(); /* which may lock the same mutex again */ }
/// finally { mutex.Unlock(); }
/// </code>
/// </example>
public sealed class NamedRecursiveMutex : NamedLockable<InterprocessRecursiveMutex>
{
    private NamedRecursiveMutex(NamedPrimitive<InterprocessRecursiveMutex> primitive)
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

    /// <summary>Creates a new named recursive mutex, unlocked; fails if one with that name exists.</summary>
    /// <param name="name">The mutex's name.</param>
    /// <param name="permissions">Who may open it; <see cref="Permissions.OwnerOnly"/> when null. Applied exactly, whatever the umask.</param>
    /// <returns>The mutex; <see cref="NamedLockable{TLock}.Created"/> is true.</returns>
    /// <exception cref="ArgumentException">The name breaks a naming rule.</exception>
    /// <exception cref="InterprocessException">It exists (<see cref="InterprocessErrorCode.AlreadyExists"/>), or the OS refused.</exception>
    public static NamedRecursiveMutex CreateNew(string name, Permissions? permissions = null) =>
        Open(name, NamedOpenMode.CreateNew, permissions);

    /// <summary>Opens an existing named mutex.</summary>
    /// <param name="name">The mutex's name.</param>
    /// <returns>The mutex; <see cref="NamedLockable{TLock}.Created"/> is false.</returns>
    /// <exception cref="ArgumentException">The name breaks a naming rule.</exception>
    /// <exception cref="InterprocessException">Not found (<see cref="InterprocessErrorCode.NotFound"/>); another kind of object, a foreign, truncated or incomplete one (<see cref="InterprocessErrorCode.Corrupted"/>); or the OS refused.</exception>
    public static NamedRecursiveMutex OpenExisting(string name) => Open(name, NamedOpenMode.OpenExisting, null);

    /// <summary>Opens the named mutex if it exists, or creates it; of several racing processes exactly one creates.</summary>
    /// <param name="name">The mutex's name.</param>
    /// <param name="permissions">The permissions if this call creates it; <see cref="Permissions.OwnerOnly"/> when null.</param>
    /// <returns>The mutex; <see cref="NamedLockable{TLock}.Created"/> tells which happened.</returns>
    /// <exception cref="ArgumentException">The name breaks a naming rule.</exception>
    /// <exception cref="InterprocessException">Another kind of object, a foreign, truncated or incomplete one (<see cref="InterprocessErrorCode.Corrupted"/>), or the OS refused.</exception>
    public static NamedRecursiveMutex OpenOrCreate(string name, Permissions? permissions = null) =>
        Open(name, NamedOpenMode.OpenOrCreate, permissions);

    /// <summary>Removes the mutex's name; processes that have it open keep using it until they dispose it.</summary>
    /// <param name="name">The mutex's name.</param>
    /// <returns>True if it was removed; false if there was none.</returns>
    /// <exception cref="ArgumentException">The name breaks a naming rule.</exception>
    /// <exception cref="InterprocessException">The OS refused.</exception>
    public static bool Remove(string name) => NamedPrimitive<InterprocessRecursiveMutex>.Remove(name);

    /// <summary>How many times the calling thread has locked the mutex (0 if it does not hold it).</summary>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    public int RecursionCount
    {
        get
        {
            using var use = Primitive.Enter();
            return use.Value.RecursionCount;
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"NamedRecursiveMutex '{Name}'";

    private static NamedRecursiveMutex Open(string name, NamedOpenMode mode, Permissions? permissions) =>
        new(NamedPrimitive<InterprocessRecursiveMutex>.Open(name, NamedKind.RecursiveMutex, mode, permissions, HeldInThisProcess));

    private static bool HeldInThisProcess(ref InterprocessRecursiveMutex mutex) => ProcessThreads.Contains(mutex.OwnerThreadId);
}
