using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using Interprocess.Interop;
using Interprocess.Memory;

namespace Interprocess.Queues;

/// <summary>
/// The shared memory object and mapping behind one queue handle: creates the object and writes its header, or
/// opens it and validates the header (<see cref="QueueHeaderDescriptor"/>) before anything else is read.
/// Owns the pointers; the queue types use <see cref="Base"/> and <see cref="Data"/> only while it is alive.
/// </summary>
internal sealed unsafe class QueueMapping : IDisposable
{
    /// <summary>How long an opener waits for a creator that is still writing the header (OpenOrCreate races).</summary>
    private const long InitializationWaitNanoseconds = 2_000_000_000;

    /// <summary>The shared memory object (kept open for <see cref="Created"/> and disposal).</summary>
    private readonly SharedMemoryObject _memory;

    /// <summary>The mapping of the whole object.</summary>
    private readonly MappedRegion _region;

    private QueueMapping(SharedMemoryObject memory, MappedRegion region, QueueKind kind, long capacity, int maxMessageSize, int elementSize)
    {
        _memory = memory;
        _region = region;
        Kind = kind;
        Capacity = capacity;
        MaxMessageSize = maxMessageSize;
        ElementSize = elementSize;
        Base = (byte*)region.Address;
        Data = Base + QueueHeaderDescriptor.DataOffset;

        // Runs the waiter's static initialization now (the membarrier registration, the spin lengths), before the
        // queues' hot methods are compiled: they are compiled fully optimized on first call
        // (AggressiveOptimization) and then read these static readonly values as constants, with no
        // class-initialization check on the fast path.
        QueueWaiter.EnsureInitialized();
    }

    /// <summary>The queue's name.</summary>
    internal string Name => _memory.Name;

    /// <summary>True when this handle created the object.</summary>
    internal bool Created => _memory.Created;

    internal QueueKind Kind { get; }

    /// <summary>Bytes (SPSC) or slots (MPMC, broadcast); a power of two, validated.</summary>
    internal long Capacity { get; }

    internal int MaxMessageSize { get; }

    /// <summary>Slot size in bytes (MPMC, broadcast) or the record alignment (SPSC), validated.</summary>
    internal int ElementSize { get; }

    /// <summary>The header (offset 0).</summary>
    internal byte* Base { get; }

    /// <summary>The data area (<see cref="QueueHeaderDescriptor.DataOffset"/>).</summary>
    internal byte* Data { get; }

    internal static long TotalLength(long capacity, int elementSize, QueueKind kind) =>
        QueueHeaderDescriptor.DataOffset + (kind == QueueKind.Spsc ? capacity : capacity * elementSize);

    /// <summary>Creates (<paramref name="openIfExists"/> false) or opens-or-creates the queue object.</summary>
    internal static QueueMapping Create(string name, QueueKind kind, long capacity, int maxMessageSize, int elementSize, Permissions? permissions, bool openIfExists)
    {
        long total = TotalLength(capacity, elementSize, kind);
        var memory = openIfExists
            ? SharedMemoryObject.OpenOrCreate(name, total, AccessMode.ReadWrite, permissions)
            : SharedMemoryObject.CreateNew(name, total, AccessMode.ReadWrite, permissions);
        if (!memory.Created)
        {
            var opened = Attach(memory, kind);
            if (opened.Capacity != capacity || opened.MaxMessageSize != maxMessageSize)
            {
                opened.Dispose();
                throw new InterprocessException(
                    InterprocessErrorCode.InvalidArgument,
                    $"The {kind} queue '{name}' exists with capacity {opened.Capacity} and maximum message size {opened.MaxMessageSize}, not {capacity} and {maxMessageSize}.")
                {
                    ObjectName = name,
                };
            }

            return opened;
        }

        MappedRegion? region = null;
        try
        {
            region = new MappedRegion(memory);
            byte* b = (byte*)region.Address;
            // The object is new and zero-filled; all-zero counters, event counts and slots are the initial state.
            *(int*)(b + QueueHeaderDescriptor.LayoutVersionOffset) = QueueHeaderDescriptor.LayoutVersionOf(kind);
            *(int*)(b + QueueHeaderDescriptor.KindOffset) = (int)kind;
            *(int*)(b + QueueHeaderDescriptor.HeaderLengthOffset) = QueueHeaderDescriptor.DataOffset;
            *(int*)(b + QueueHeaderDescriptor.ElementSizeOffset) = elementSize;
            *(long*)(b + QueueHeaderDescriptor.CapacityOffset) = capacity;
            *(int*)(b + QueueHeaderDescriptor.MaxMessageSizeOffset) = maxMessageSize;
            *(long*)(b + QueueHeaderDescriptor.TotalLengthOffset) = total;
            if (kind == QueueKind.Broadcast)
            {
                // All-zero is an unlocked InterprocessMutex; nothing to do but say so.
            }

            // Publishes the header above: an opener that reads the magic with acquire sees all of it.
            Volatile.Write(ref *(long*)(b + QueueHeaderDescriptor.MagicOffset), QueueHeaderDescriptor.Magic);
            return new QueueMapping(memory, region, kind, capacity, maxMessageSize, elementSize);
        }
        catch
        {
            region?.Dispose();
            memory.Dispose();
            SharedMemoryObject.Remove(name);
            throw;
        }
    }

    /// <summary>Opens an existing queue object of <paramref name="kind"/>.</summary>
    internal static QueueMapping Open(string name, QueueKind kind)
    {
        var memory = SharedMemoryObject.OpenExisting(name, AccessMode.ReadWrite);
        return Attach(memory, kind);
    }

    private static QueueMapping Attach(SharedMemoryObject memory, QueueKind kind)
    {
        MappedRegion? region = null;
        try
        {
            string name = memory.Name;
            // A creator in OpenOrCreate may not have sized the object or written the magic yet: wait a bounded time.
            long waitUntil = Libc.MonotonicNanoseconds() + InitializationWaitNanoseconds;
            long size;
            while ((size = memory.Size) < QueueHeaderDescriptor.DataOffset)
            {
                if (size != 0 || Libc.MonotonicNanoseconds() > waitUntil)
                {
                    ThrowCorrupted(name, $"the object is {size} bytes long, shorter than a queue header ({QueueHeaderDescriptor.DataOffset} bytes): not a fast queue");
                }

                Thread.Sleep(1);
            }

            region = new MappedRegion(memory);
            byte* b = (byte*)region.Address;
            long magic;
            // Acquires the header the creator published with the magic.
            while ((magic = Volatile.Read(ref *(long*)(b + QueueHeaderDescriptor.MagicOffset))) == 0 && Libc.MonotonicNanoseconds() < waitUntil)
            {
                Thread.Sleep(1);
            }

            if (magic != QueueHeaderDescriptor.Magic)
            {
                ThrowCorrupted(name, magic == 0
                    ? "the header was never initialized (no magic word): not a fast queue, or its creator died while creating it"
                    : $"found 0x{magic:x16} where the magic word 0x{QueueHeaderDescriptor.Magic:x16} belongs: not a fast queue");
            }

            int version = *(int*)(b + QueueHeaderDescriptor.LayoutVersionOffset);
            var found = (QueueKind)(*(int*)(b + QueueHeaderDescriptor.KindOffset));
            if (found != kind)
            {
                ThrowCorrupted(name, found is QueueKind.Spsc or QueueKind.Mpmc or QueueKind.Broadcast
                    ? $"it is a {found} queue, not a {kind} queue (open it with the matching type)"
                    : $"unknown queue kind {(int)found}");
            }

            if (version != QueueHeaderDescriptor.LayoutVersionOf(kind))
            {
                ThrowCorrupted(name, QueueHeaderDescriptor.VersionMismatch(kind, version));
            }

            int headerLength = *(int*)(b + QueueHeaderDescriptor.HeaderLengthOffset);
            int elementSize = *(int*)(b + QueueHeaderDescriptor.ElementSizeOffset);
            long capacity = *(long*)(b + QueueHeaderDescriptor.CapacityOffset);
            int maxMessageSize = *(int*)(b + QueueHeaderDescriptor.MaxMessageSizeOffset);
            long total = *(long*)(b + QueueHeaderDescriptor.TotalLengthOffset);
            if (headerLength != QueueHeaderDescriptor.DataOffset)
            {
                ThrowCorrupted(name, $"header length {headerLength}, expected {QueueHeaderDescriptor.DataOffset}");
            }

            string? problem = QueueLimits.Check(kind, capacity, maxMessageSize, elementSize);
            if (problem is not null)
            {
                ThrowCorrupted(name, "the header's sizes are invalid: " + problem);
            }

            if (total != TotalLength(capacity, elementSize, kind) || total > size || total > region.Size)
            {
                ThrowCorrupted(name, $"the header says the queue is {total} bytes; its sizes need {TotalLength(capacity, elementSize, kind)} and the object has {size}");
            }

            return new QueueMapping(memory, region, kind, capacity, maxMessageSize, elementSize);
        }
        catch
        {
            region?.Dispose();
            memory.Dispose();
            throw;
        }
    }

    /// <summary>Throws if <paramref name="value"/> is not a power of two.</summary>
    internal static bool IsPowerOfTwo(long value) => value > 0 && BitOperations.IsPow2(value);

    /// <summary>The "damaged or foreign object" exception.</summary>
    [DoesNotReturn]
    internal static void ThrowCorrupted(string name, string what) => throw InterprocessException.Corrupted(name, what + ".");

    /// <summary>Unmaps and closes (the object lives on until removed).</summary>
    public void Dispose()
    {
        _region.Dispose();
        _memory.Dispose();
    }
}
