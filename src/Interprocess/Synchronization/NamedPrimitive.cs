using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Interprocess.Interop;
using Interprocess.Memory;

namespace Interprocess.Synchronization;

/// <summary>
/// The infrastructure of the shared-memory-backed named synchronization objects: a small
/// <see cref="SharedMemoryObject"/> holding a <see cref="NamedObjectHeader"/> and one primitive
/// <typeparamref name="T"/> right after it, created or opened by name, mapped, and validated on open.
/// </summary>
/// <remarks>
/// <para><b>Names.</b> The object named "x" is the shared memory object <c>ipsync.x</c> (<c>/dev/shm/ipsync.x</c>):
/// the prefix keeps named synchronization objects out of the way of the user's own shared memory objects (a
/// <c>SharedMemoryObject</c> "x" and a <c>NamedMutex</c> "x" are different objects), and puts every named kind in
/// one namespace, so that a <c>NamedRecursiveMutex</c> opened as a <c>NamedMutex</c> is recognized and refused.
/// The name rules are <see cref="SharedMemoryObject"/>'s, with at most <see cref="MaxNameBytes"/> bytes.</para>
/// <para><b>A creator killed while creating.</b> Openers wait for the header's State word for at most
/// <see cref="InitializationWait"/> (polling with a backoff of 1 ms doubling to 50 ms; creation takes
/// microseconds) and then throw <see cref="InterprocessErrorCode.Corrupted"/> saying the object is incomplete
/// and may be removed. They never use a half-initialized primitive.</para>
/// <para><b>Lifetime.</b> This is a <see cref="SafeHandle"/> whose handle is the primitive's address; each use of
/// the primitive holds a reference (<see cref="Enter"/>), so disposing while another thread is blocked in the
/// primitive defers the unmapping until that thread returns. When the last reference goes and the primitive is
/// still held by a thread of this process (<c>heldInThisProcess</c>), the mapping is deliberately left in place:
/// the holder's robust list points into it, and unmapping it would make the next robust-list update fault. The
/// lock then stays held until its owner thread exits, when the kernel marks it abandoned for the next locker,
/// which is what .NET's own <see cref="Mutex"/> does when disposed while held.</para>
/// </remarks>
/// <typeparam name="T">The primitive; all-zero memory is fresh unless an initializer is given.</typeparam>
internal sealed unsafe class NamedPrimitive<T> : SafeHandle
    where T : unmanaged
{
    /// <summary>What every named synchronization object's shared memory name starts with.</summary>
    internal const string Prefix = "ipsync.";

    /// <summary>The longest name, in bytes of UTF-8: NAME_MAX less the prefix.</summary>
    internal const int MaxNameBytes = ObjectName.NameMax - 7;

    /// <summary>The size of the shared memory object: the header and the primitive.</summary>
    internal static readonly int TotalSize = NamedObjectHeader.Size + sizeof(T);

    /// <summary>How long an opener waits for a creator to finish before declaring the object incomplete.</summary>
    internal static readonly TimeSpan InitializationWait = TimeSpan.FromSeconds(3);

    /// <summary>The longest sleep between two looks at an object being created.</summary>
    private const int MaxBackoffMilliseconds = 50;

    private readonly SharedMemoryObject _shm;
    private readonly MappedRegion _region;
    private readonly HeldCheck? _heldInThisProcess;

    private NamedPrimitive(SharedMemoryObject shm, MappedRegion region, string name, NamedKind kind, HeldCheck? heldInThisProcess)
        : base(0, ownsHandle: true)
    {
        _shm = shm;
        _region = region;
        _heldInThisProcess = heldInThisProcess;
        Name = name;
        Kind = kind;
        Created = shm.Created;
        // Only this handle (a critical finalizer, run after ordinary ones) decides when to unmap: the region's own
        // finalizer must not unmap a mutex that a thread of this process still holds (see ReleaseHandle).
        GC.SuppressFinalize(region);
        SetHandle(region.Address + NamedObjectHeader.Size);
    }

    /// <summary>Tells whether the primitive is held by a thread of this process (then it must stay mapped).</summary>
    internal delegate bool HeldCheck(ref T primitive);

    /// <summary>Initializes a freshly created (zero-filled) primitive.</summary>
    internal delegate void Initializer(ref T primitive);

    /// <summary>The name the caller gave (without the prefix).</summary>
    internal string Name { get; }

    /// <summary>The kind of object.</summary>
    internal NamedKind Kind { get; }

    /// <summary>True when this handle created the object.</summary>
    internal bool Created { get; }

    /// <inheritdoc />
    public override bool IsInvalid => handle == 0;

    /// <summary>The shared memory object's name for the named object <paramref name="name"/>.</summary>
    internal static string ShmName(string name) => Prefix + name;

    /// <summary>Creates or opens the named object <paramref name="name"/> of <paramref name="kind"/>.</summary>
    /// <exception cref="ArgumentException">The name breaks a naming rule.</exception>
    /// <exception cref="InterprocessException">Exists, not found, denied, or the object is of another kind, foreign, truncated or incomplete (Corrupted).</exception>
    internal static NamedPrimitive<T> Open(
        string name, NamedKind kind, NamedOpenMode mode, Permissions? permissions,
        HeldCheck? heldInThisProcess = null, Initializer? initialize = null)
    {
        ObjectName.Validate(name, MaxNameBytes);
        string shmName = ShmName(name);
        var shm = mode switch
        {
            NamedOpenMode.CreateNew => SharedMemoryObject.CreateNew(shmName, TotalSize, AccessMode.ReadWrite, permissions),
            NamedOpenMode.OpenExisting => SharedMemoryObject.OpenExisting(shmName),
            _ => SharedMemoryObject.OpenOrCreate(shmName, TotalSize, AccessMode.ReadWrite, permissions),
        };

        MappedRegion region;
        try
        {
            region = shm.Created ? Initialize(shm, name, kind, initialize) : Attach(shm, name, kind);
        }
        catch
        {
            shm.Dispose();
            throw;
        }

        return new NamedPrimitive<T>(shm, region, name, kind, heldInThisProcess);
    }

    /// <summary>Removes the named object (see <see cref="SharedMemoryObject.Remove"/>).</summary>
    /// <exception cref="ArgumentException">The name breaks a naming rule.</exception>
    /// <exception cref="InterprocessException">The OS refused.</exception>
    internal static bool Remove(string name)
    {
        ObjectName.Validate(name, MaxNameBytes);
        return SharedMemoryObject.Remove(ShmName(name));
    }

    /// <summary>A use of the primitive: keeps it mapped until disposed. Throws once this handle is disposed.</summary>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    internal Lease Enter()
    {
        bool added = false;
        DangerousAddRef(ref added);
        return new Lease(this);
    }

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        if (_heldInThisProcess is not null && _heldInThisProcess(ref *(T*)handle))
        {
            // Keep the mapping for the life of the process (the region's finalizer was suppressed at construction):
            // a robust list of this process points into it.
        }
        else
        {
            _region.Dispose();
        }

        _shm.Dispose();
        return true;
    }

    /// <summary>The creator's part: initialize the primitive, then publish the header (see <see cref="NamedObjectHeader"/>).</summary>
    private static MappedRegion Initialize(SharedMemoryObject shm, string name, NamedKind kind, Initializer? initialize)
    {
        MappedRegion? region = null;
        try
        {
            region = new MappedRegion(shm, AccessMode.ReadWrite, 0, TotalSize);
            if (initialize is not null)
            {
                initialize(ref region.GetRef<T>(NamedObjectHeader.Size));
            }

            ref var header = ref region.GetRef<NamedObjectHeader>(0);
            header.Version = kind.Version;
            header.PayloadSize = sizeof(T);
            header.CreatorPid = Environment.ProcessId;
            // Release: an opener that sees the magic also sees the version and size.
            Volatile.Write(ref header.Magic, kind.Magic);
            // Release: publishes the initialized primitive; openers read State with acquire before using it.
            Volatile.Write(ref header.State, NamedObjectHeader.StateReady);
            return region;
        }
        catch
        {
            // Leave nothing half-made behind under this name.
            region?.Dispose();
            SharedMemoryObject.Remove(shm.Name);
            throw;
        }
    }

    /// <summary>The opener's part: wait (bounded) for the creator, and validate everything before use.</summary>
    private static MappedRegion Attach(SharedMemoryObject shm, string name, NamedKind kind)
    {
        long start = Libc.MonotonicNanoseconds();
        int backoff = 1;

        // 1. The size: 0 while the creator is between shm_open and ftruncate (or died there).
        long size;
        while ((size = shm.Size) == 0)
        {
            Backoff(shm, name, kind, start, ref backoff, "it is empty");
        }

        if (size < NamedObjectHeader.Size)
        {
            throw Corrupted(name, kind,
                $"its shared memory object '{shm.Name}' is {size} bytes long, too short for the header of any named synchronization object " +
                $"({NamedObjectHeader.Size} bytes): it is foreign or truncated.");
        }

        // Map no more than a valid object has, so a huge foreign object costs nothing; bounds are checked below.
        var region = new MappedRegion(shm, AccessMode.ReadWrite, 0, Math.Min(size, TotalSize));
        try
        {
            ref var header = ref region.GetRef<NamedObjectHeader>(0);

            // 2. The magic, then the State word: wait (bounded) for the creator to publish.
            while (true)
            {
                ulong magic = Volatile.Read(ref header.Magic);
                if (magic != 0)
                {
                    if (magic != kind.Magic)
                    {
                        var found = NamedKind.FromMagic(magic);
                        throw Corrupted(name, kind, found is not null
                            ? $"it is a {found.TypeName} ({found.Tag}), not a {kind.TypeName}."
                            : $"its shared memory object '{shm.Name}' does not hold a named synchronization object (it starts with {NamedKind.Describe(magic)}, not \"{kind.Tag}\").");
                    }

                    // Acquire: pairs with the creator's release store of State.
                    int state = Volatile.Read(ref header.State);
                    if (state == NamedObjectHeader.StateReady)
                    {
                        break;
                    }

                    if (state != NamedObjectHeader.StateCreating)
                    {
                        throw Corrupted(name, kind, $"its state word holds {state}, which no version of the layout writes.");
                    }
                }

                Backoff(shm, name, kind, start, ref backoff, "its header was never completed");
            }

            // 3. The layout: version, payload size, and the object really being that large.
            if (header.Version != kind.Version)
            {
                throw Corrupted(name, kind, $"its layout version is {header.Version}; this library reads version {kind.Version}.");
            }

            if (header.PayloadSize != sizeof(T))
            {
                throw Corrupted(name, kind, $"its header says the primitive is {header.PayloadSize} bytes; a {kind.TypeName} is {sizeof(T)} bytes.");
            }

            long now = shm.Size;
            if (region.Size < TotalSize || now < TotalSize)
            {
                throw Corrupted(name, kind,
                    $"its shared memory object '{shm.Name}' is {Math.Min(size, now)} bytes long; a {kind.TypeName} takes {TotalSize} bytes: it was truncated.");
            }

            return region;
        }
        catch
        {
            region.Dispose();
            throw;
        }
    }

    /// <summary>Sleeps a little before the next look, or throws "incomplete" once the wait is over.</summary>
    private static void Backoff(SharedMemoryObject shm, string name, NamedKind kind, long start, ref int backoff, string why)
    {
        long waitedNs = Libc.MonotonicNanoseconds() - start;
        if (waitedNs >= InitializationWait.Ticks * 100)
        {
            throw Corrupted(name, kind,
                $"the object is incomplete: {why} after {InitializationWait.TotalSeconds:0.#} s, so its creator died (or stopped) while creating it. " +
                $"Remove it with {kind.TypeName}.Remove(\"{name}\") (the shared memory object '{shm.Name}') and create it again.");
        }

        Thread.Sleep(backoff);
        backoff = Math.Min(backoff * 2, MaxBackoffMilliseconds);
    }

    private static InterprocessException Corrupted(string name, NamedKind kind, string what) =>
        InterprocessException.Corrupted(name, $"cannot open {kind.TypeName}: {what}");

    /// <summary>A use of the primitive (see <see cref="Enter"/>); dispose it when done.</summary>
    internal readonly ref struct Lease
    {
        private readonly NamedPrimitive<T> _owner;

        internal Lease(NamedPrimitive<T> owner) => _owner = owner;

        /// <summary>The primitive, in shared memory.</summary>
        internal ref T Value
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => ref *(T*)_owner.handle;
        }

        /// <summary>Releases the use.</summary>
        public void Dispose() => _owner.DangerousRelease();
    }
}
