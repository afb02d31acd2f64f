using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Interprocess.Synchronization;

namespace Interprocess.Managed;

/// <summary>
/// The memory manager inside a managed segment (Boost's <c>segment_manager</c>): raw allocation, named,
/// unique and anonymous objects, and the segment's own lock. Every managed segment
/// (<see cref="ManagedSharedMemory"/>, <see cref="ManagedHeapMemory"/>) exposes one as <c>Manager</c>.
/// </summary>
/// <remarks>
/// <para><b>Handles.</b> Everything the segment stores is an offset from the segment's base, never an
/// address; the handles this API gives out are such offsets, valid in every process that maps the segment.
/// Turn them into addresses with <see cref="GetAddress(long)"/>, <see cref="GetRef{T}(long)"/> or
/// <see cref="GetSpan(long, int)"/>.</para>
/// <para><b>Many processes.</b> Every operation takes the segment's lock (a robust, recursive
/// <see cref="InterprocessRecursiveMutex"/> in the header), so any number of processes and threads may use
/// one segment at once.</para>
/// <para><b>A process that dies holding the lock.</b> The next operation takes the lock over, checks and
/// repairs the heap and the name index (see <see cref="Recoveries"/> and docs/managed-segments.md), and
/// carries on; <see cref="AtomicFunc(Action)"/> reports <see cref="LockStatus.AcquiredAbandoned"/> to its caller,
/// whose own data may be half-updated.</para>
/// <para><b>Lifetime.</b> The manager is valid while its segment is open; after the segment is disposed
/// every member throws <see cref="ObjectDisposedException"/>, and references obtained earlier must not be used.</para>
/// </remarks>
public sealed unsafe partial class SegmentManager
{
    private const int OpNone = 0;
    private const int OpAllocate = 1;
    private const int OpDeallocate = 2;
    private const int OpConstruct = 3;
    private const int OpDestroy = 4;
    private const int OpReserve = 5;
    private const int OpZeroFree = 6;

    /// <summary>How often an opener looks again at a segment whose creator has not finished.</summary>
    private const int InitializationPollMilliseconds = 1;

    /// <summary>The segment base in this process.</summary>
    private readonly byte* _base;
    /// <summary>The mapped size.</summary>
    private readonly long _mappedSize;
    /// <summary>The allocation algorithm the header names (made again when a repair completes an interrupted resize).</summary>
    private IMemoryAlgorithm _heap;
    /// <summary>The name index the header names.</summary>
    private INameIndex _index;
    /// <summary>The heap end <see cref="_heap"/> and <see cref="_index"/> were made with.</summary>
    private long _heapEnd;
    /// <summary>Set when the segment is unmapped; every member checks it.</summary>
    private bool _detached;
    /// <summary>
    /// The container fast path's bound for reads (see <see cref="ReadHeaderBound"/>); 0 once detached, which no
    /// handle passes.
    /// </summary>
    private ulong _readHeaderBound;
    /// <summary>As <see cref="_readHeaderBound"/> for writing: also 0 when the segment is read-only.</summary>
    private ulong _writeHeaderBound;

    /// <summary>Test hook: runs in the creator right after the state word says "initializing".</summary>
    internal static Action? TestHookAfterInitializing { get; set; }

    private SegmentManager(byte* segmentBase, long mappedSize, string name, bool readOnly)
    {
        _base = segmentBase;
        _mappedSize = mappedSize;
        Name = name;
        IsReadOnly = readOnly;
        HeapLimit = mappedSize - SegmentHeader.HeapStart;
        SmallElementLimit = SmallElementBound(HeapLimit);
        _readHeaderBound = HeaderBound(HeapLimit);
        _writeHeaderBound = readOnly ? 0 : _readHeaderBound;
        (_heap, _index, _heapEnd) = CreateStructures(segmentBase, name);
    }

    /// <summary>The algorithm and the index the header names, over the heap bounds it records now.</summary>
    private static (IMemoryAlgorithm Heap, INameIndex Index, long HeapEnd) CreateStructures(byte* segmentBase, string name)
    {
        ref var h = ref *(SegmentHeader*)segmentBase;
        long heapEnd = h.HeapEnd;
        var heap = CreateAlgorithm(segmentBase, h.Algorithm, h.HeapOffset, heapEnd, name);
        INameIndex index = (NameIndexKind)h.IndexKind switch
        {
            NameIndexKind.Hash => new HashNameIndex(segmentBase, heap, h.HeapOffset, heapEnd, name),
            NameIndexKind.Ordered => new OrderedNameIndex(segmentBase, heap, h.HeapOffset, heapEnd, name),
            NameIndexKind.None => new NullNameIndex(),
            _ => throw InterprocessException.Corrupted(name, $"the header names index kind {h.IndexKind}, which this library does not know."),
        };
        return (heap, index, heapEnd);
    }

    private static IMemoryAlgorithm CreateAlgorithm(byte* segmentBase, int algorithm, long heapStart, long heapEnd, string name) =>
        (AllocationAlgorithm)algorithm switch
        {
            AllocationAlgorithm.Tlsf => new TlsfAlgorithm(segmentBase, heapStart, heapEnd, name),
            AllocationAlgorithm.SequentialFit => new SequentialFitAlgorithm(segmentBase, heapStart, heapEnd, name),
            _ => throw InterprocessException.Corrupted(name, $"the header names allocation algorithm {algorithm}, which this library does not know."),
        };

    /// <summary>The name of the segment (for messages).</summary>
    public string Name { get; }

    /// <summary>True when the segment was opened read-only: lookups work (without locking), changes throw.</summary>
    public bool IsReadOnly { get; }

    /// <summary>The size of the segment in bytes (Boost's <c>get_size</c>).</summary>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public long Size
    {
        get
        {
            ThrowIfDetached();
            return Header.SegmentSize;
        }
    }

    /// <summary>The allocation algorithm recorded in the header.</summary>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public AllocationAlgorithm Algorithm
    {
        get
        {
            ThrowIfDetached();
            return (AllocationAlgorithm)Header.Algorithm;
        }
    }

    /// <summary>The name index kind recorded in the header.</summary>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public NameIndexKind IndexKind
    {
        get
        {
            ThrowIfDetached();
            return (NameIndexKind)Header.IndexKind;
        }
    }

    /// <summary>
    /// How many times a process found the segment's lock abandoned by a dead owner and checked and repaired
    /// the segment (a count kept in the segment, visible to every process).
    /// </summary>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public int Recoveries
    {
        get
        {
            ThrowIfDetached();
            return Volatile.Read(ref Header.Recoveries);
        }
    }

    /// <summary>What the last recovery made by this process found and did, or null if it made none.</summary>
    public string? LastRecoveryReport { get; private set; }

    /// <summary>The address of the segment in this process.</summary>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public nint BaseAddress
    {
        get
        {
            ThrowIfDetached();
            return (nint)_base;
        }
    }

    private ref SegmentHeader Header => ref *(SegmentHeader*)_base;

    /// <summary>Lays out a new segment in zero-filled memory and returns its manager.</summary>
    internal static SegmentManager Format(byte* segmentBase, long size, string name, ManagedSegmentOptions? options)
    {
        ValidateSize(size);
        options ??= ManagedSegmentOptions.Default;
        options.Validate();
        ref var h = ref *(SegmentHeader*)segmentBase;
        new Span<byte>(segmentBase, SegmentHeader.Size).Clear();
        h.CreatorPid = Environment.ProcessId;
        // Publishes CreatorPid: an opener that sees "initializing" can ask whether the creator still lives.
        Volatile.Write(ref h.State, SegmentHeader.StateInitializing);
        TestHookAfterInitializing?.Invoke();

        h.LayoutVersion = SegmentHeader.CurrentLayoutVersion;
        h.HeaderSize = SegmentHeader.Size;
        h.SegmentSize = size;
        h.Algorithm = (int)options.Algorithm;
        h.IndexKind = (int)options.Index;
        h.HeapOffset = SegmentHeader.HeapStart;
        h.HeapEnd = size & ~15L;
        h.SegmentId = NewSegmentId();
        var manager = new SegmentManager(segmentBase, size, name, readOnly: false);
        manager._heap.Format();
        manager._index.Format();
        h.Magic = SegmentHeader.MagicValue;
        // The release store publishes every field above: an opener that reads Ready (acquire) sees them all.
        Volatile.Write(ref h.State, SegmentHeader.StateReady);
        return manager;
    }

    /// <summary>
    /// Opens the segment at <paramref name="segmentBase"/>: waits (at most <paramref name="timeout"/>) for a
    /// creator that is still initializing, then validates the header before anything else is read.
    /// </summary>
    internal static SegmentManager Attach(byte* segmentBase, long mappedSize, string name, bool readOnly, TimeSpan timeout)
    {
        if (mappedSize < SegmentHeader.MinimumSegmentSize)
        {
            throw InterprocessException.Corrupted(name, $"the object is {mappedSize} bytes, too small to be a managed segment (truncated or foreign; at least {SegmentHeader.MinimumSegmentSize} bytes).");
        }

        ref var h = ref *(SegmentHeader*)segmentBase;
        var deadline = Deadline.FromTimeout(timeout);
        while (true)
        {
            // Acquire: pairs with the creator's release store of Ready.
            int state = Volatile.Read(ref h.State);
            if (state == SegmentHeader.StateReady)
            {
                break;
            }

            ulong magic = Volatile.Read(ref h.Magic);
            if (magic != 0 && magic != SegmentHeader.MagicValue)
            {
                throw NotOurs(name, magic);
            }

            if (state == SegmentHeader.StateResizing)
            {
                // An offline Grow / ShrinkToFit is under way or was interrupted: complete it (roll it forward or
                // back) if its process is gone, otherwise wait for it like for a creator.
                if (TryCompleteInterruptedResize(segmentBase, mappedSize, name, readOnly))
                {
                    continue;
                }

                if (deadline.HasPassed)
                {
                    ref var j = ref Journal(segmentBase);
                    throw new InterprocessException(InterprocessErrorCode.Busy, $"The managed segment '{name}' is being resized: an offline {j.OperationName} ({j.OldSize} -> {j.NewSize} bytes) by process {Volatile.Read(ref j.ResizerPid)} did not finish within {timeout.TotalMilliseconds:0} ms.");
                }

                Thread.Sleep(InitializationPollMilliseconds);
                continue;
            }

            if (state == SegmentHeader.StateInitializing)
            {
                int pid = Volatile.Read(ref h.CreatorPid);
                if (pid <= 0 || !RobustLock.ThreadExists(pid))
                {
                    throw InterprocessException.Corrupted(name, $"the segment is incomplete: its creator (process {pid}) died during initialization. Remove it and create it again.");
                }
            }
            else if (state != 0)
            {
                throw InterprocessException.Corrupted(name, $"the segment's state word is 0x{state:x8}, which is not a state of a managed segment (foreign or corrupted).");
            }

            if (deadline.HasPassed)
            {
                throw InterprocessException.Corrupted(name, $"the segment is incomplete or corrupted: its initialization did not complete within {timeout.TotalMilliseconds:0} ms (state {(state == 0 ? "never started" : "initializing")}). If its creator is gone, remove it and create it again.");
            }

            Thread.Sleep(InitializationPollMilliseconds);
        }

        if (h.Magic != SegmentHeader.MagicValue)
        {
            throw NotOurs(name, h.Magic);
        }

        if (h.LayoutVersion != SegmentHeader.CurrentLayoutVersion || h.HeaderSize != SegmentHeader.Size)
        {
            throw InterprocessException.Corrupted(name, $"the segment has layout version {h.LayoutVersion} (header {h.HeaderSize} bytes); this library reads version {SegmentHeader.CurrentLayoutVersion} ({SegmentHeader.Size} bytes).");
        }

        if (h.SegmentSize < SegmentHeader.MinimumSegmentSize || h.SegmentSize > mappedSize)
        {
            throw InterprocessException.Corrupted(name, $"the header says the segment is {h.SegmentSize} bytes but {mappedSize} are mapped (truncated or corrupted).");
        }

        if (h.HeapOffset != SegmentHeader.HeapStart || h.HeapEnd > h.SegmentSize || (h.HeapEnd & 15) != 0 || h.HeapEnd - h.HeapOffset < 64)
        {
            throw InterprocessException.Corrupted(name, $"the heap bounds [{h.HeapOffset}, {h.HeapEnd}) do not fit the segment.");
        }

        var manager = new SegmentManager(segmentBase, mappedSize, name, readOnly);
        manager._heap.ValidateOnOpen();
        manager._index.ValidateOnOpen();
        return manager;
    }

    /// <summary>
    /// Waits until the object has a size (a creator sizes it right after creating it, so an empty object may be
    /// one not sized yet), at most <paramref name="timeout"/>; refuses one too small to be a segment.
    /// </summary>
    internal static long WaitForCreatorToSize(Func<long> getSize, string name, TimeSpan timeout, System.Diagnostics.Stopwatch started)
    {
        long size;
        while ((size = getSize()) == 0)
        {
            if (timeout != Timeout.InfiniteTimeSpan && started.Elapsed >= timeout)
            {
                throw InterprocessException.Corrupted(name, $"the segment is incomplete: the object is still empty after {timeout.TotalMilliseconds:0} ms (its creator died or is stuck before sizing it). Remove it and create it again.");
            }

            Thread.Sleep(InitializationPollMilliseconds);
        }

        if (size < SegmentHeader.MinimumSegmentSize)
        {
            throw InterprocessException.Corrupted(name, $"the object is {size} bytes, too small to be a managed segment (truncated or foreign).");
        }

        return size;
    }

    /// <summary>What is left of <paramref name="timeout"/> (never negative; infinite stays infinite).</summary>
    internal static TimeSpan Remaining(TimeSpan timeout, System.Diagnostics.Stopwatch started)
    {
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            return timeout;
        }

        var left = timeout - started.Elapsed;
        return left < TimeSpan.Zero ? TimeSpan.Zero : left;
    }

    private static InterprocessException NotOurs(string name, ulong magic) =>
        InterprocessException.Corrupted(name, $"not a managed segment: the magic number is 0x{magic:x16}, not 0x{SegmentHeader.MagicValue:x16} (a foreign or corrupted object).");

    /// <summary>Checks a creation size.</summary>
    internal static void ValidateSize(long size)
    {
        if (size < SegmentHeader.MinimumSegmentSize || size > SegmentHeader.MaximumSegmentSize)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, $"A managed segment is between {SegmentHeader.MinimumSegmentSize} bytes and {SegmentHeader.MaximumSegmentSize} bytes.");
        }
    }

    /// <summary>Marks the manager unusable (its memory is about to be unmapped).</summary>
    internal void Detach()
    {
        // A detached manager refuses every container handle in the registry's fast path (no value is below 0).
        _readHeaderBound = 0;
        _writeHeaderBound = 0;
        _detached = true;
        SegmentRegistry.Unregister(this);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ThrowIfDetached()
    {
        if (_detached)
        {
            ThrowDetached();
        }
    }

    [DoesNotReturn]
    private void ThrowDetached() => throw new ObjectDisposedException(Name, $"The managed segment '{Name}' was disposed.");

    [DoesNotReturn]
    private void ThrowReadOnly() => throw new NotSupportedException($"The managed segment '{Name}' was opened read-only; it cannot be changed.");

    /// <summary>Takes the segment lock for a change; repairs the segment if its previous owner died.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Enter(int operation)
    {
        if (_detached | IsReadOnly)
        {
            ThrowEnter();
        }

        ref var h = ref Header;
        if (h.SegmentLock.Acquire(Timeout.InfiniteTimeSpan) == LockStatus.AcquiredAbandoned)
        {
            RecoverOrRelease();
        }

        BeginChange(ref h);
        h.OpInProgress = operation;
    }

    /// <summary>Ends a change and releases the lock.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Exit()
    {
        ref var h = ref Header;
        h.OpInProgress = OpNone;
        EndChange(ref h);
        h.SegmentLock.Unlock();
    }

    /// <summary>
    /// The lock holder starts changing the heap or the index: the outermost change makes Version odd, so
    /// optimistic readers (<see cref="Find{T}(string)"/>) fall back to the lock until it is even again.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BeginChange(ref SegmentHeader h)
    {
        if (h.WriterDepth++ == 0)
        {
            // A full fence: the odd Version is visible before any store of the change.
            Interlocked.Increment(ref h.Version);
        }
    }

    /// <summary>The change is complete: the outermost end makes Version even (a new value).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void EndChange(ref SegmentHeader h)
    {
        if (--h.WriterDepth == 0)
        {
            // Release: every store of the change is visible before the even Version.
            Volatile.Write(ref h.Version, h.Version + 1);
        }
    }

    /// <summary>Takes the lock for a lookup (no lock in a read-only segment, as in Boost).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool EnterRead()
    {
        ThrowIfDetached();
        if (IsReadOnly)
        {
            return false;
        }

        if (Header.SegmentLock.Acquire(Timeout.InfiniteTimeSpan) == LockStatus.AcquiredAbandoned)
        {
            RecoverOrRelease();
        }

        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ExitRead(bool locked)
    {
        if (locked)
        {
            Header.SegmentLock.Unlock();
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowEnter()
    {
        ThrowIfDetached();
        ThrowReadOnly();
    }

    /// <summary>
    /// Runs <paramref name="action"/> under the segment's lock (Boost's <c>atomic_func</c>): no other process
    /// can allocate, construct, find or destroy in the segment meanwhile. The action may itself use the
    /// manager (the lock is recursive).
    /// </summary>
    /// <param name="action">What to run.</param>
    /// <returns><see cref="LockStatus.Acquired"/>; or <see cref="LockStatus.AcquiredAbandoned"/> when the
    /// previous holder of the lock died holding it: the segment's heap and index were checked and repaired
    /// before the action ran, but data of yours that the dead process was changing may be half-updated.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="action"/> is null.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    /// <exception cref="InterprocessException">The segment is corrupted beyond repair (<see cref="InterprocessErrorCode.Corrupted"/>).</exception>
    public LockStatus AtomicFunc(Action action) => TryAtomicFunc(action, Timeout.InfiniteTimeSpan);

    /// <summary>
    /// Runs <paramref name="action"/> under the segment's lock if the lock can be taken within
    /// <paramref name="timeout"/> (Boost's <c>try_atomic_func</c>, with a timeout).
    /// </summary>
    /// <param name="action">What to run.</param>
    /// <param name="timeout">How long to wait for the lock; <see cref="TimeSpan.Zero"/> does not wait.</param>
    /// <returns><see cref="LockStatus.NotAcquired"/> when the action did not run; otherwise as <see cref="AtomicFunc(Action)"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="action"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    /// <exception cref="InterprocessException">The segment is corrupted beyond repair (<see cref="InterprocessErrorCode.Corrupted"/>).</exception>
    public LockStatus TryAtomicFunc(Action action, TimeSpan timeout = default)
    {
        ArgumentNullException.ThrowIfNull(action);
        if (_detached | IsReadOnly)
        {
            ThrowEnter();
        }

        var status = Header.SegmentLock.Acquire(timeout);
        if (status == LockStatus.NotAcquired)
        {
            return status;
        }

        bool changing = false;
        try
        {
            if (status == LockStatus.AcquiredAbandoned)
            {
                Recover();
            }

            // The action may change anything: optimistic readers wait for it (they take the lock).
            BeginChange(ref Header);
            changing = true;
            action();
        }
        finally
        {
            if (changing)
            {
                EndChange(ref Header);
            }

            Header.SegmentLock.Unlock();
        }

        return status;
    }
}
