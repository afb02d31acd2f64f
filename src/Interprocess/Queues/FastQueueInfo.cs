using Interprocess.Memory;
using Interprocess.Synchronization;
using H = Interprocess.Queues.QueueHeaderDescriptor;

namespace Interprocess.Queues;

/// <summary>
/// A read-only snapshot of a fast queue (<see cref="SpscQueue"/>, <see cref="MpmcQueue"/> or
/// <see cref="BroadcastQueue"/>), taken by <see cref="Inspect"/> through a read-only mapping: nothing is
/// written and no lock is taken, so every figure may change at once in a live queue.
/// </summary>
/// <param name="Name">The queue's name.</param>
/// <param name="QueueType">The type that opens it: <c>"SpscQueue"</c>, <c>"MpmcQueue"</c> or <c>"BroadcastQueue"</c>.</param>
/// <param name="ObjectSize">The size of the shared memory object in bytes.</param>
/// <param name="Capacity">Bytes of the ring (SPSC) or slots (MPMC, broadcast).</param>
/// <param name="MaxMessageSize">The largest message in bytes.</param>
/// <param name="Depth">Messages waiting to be received: SPSC and MPMC, the committed messages not yet taken;
/// broadcast, the complete messages the ring holds (each subscriber's own position is private to it).</param>
/// <param name="ProducerPosition">The producers' counter (SPSC: bytes, the end of the committed records found by
/// walking their commit tags; MPMC and broadcast: messages).</param>
/// <param name="ConsumerPosition">The consumers' counter (SPSC: bytes; MPMC: messages; broadcast: unused, 0).</param>
/// <param name="ConsumersMaySleep">The "not empty" event count's sleepers flag: some consumer is (or is about to be) asleep.</param>
/// <param name="ProducersMaySleep">The "not full" event count's sleepers flag: some producer is (or is about to be) asleep.</param>
/// <param name="ClaimingProcessIds">MPMC: the process ids recorded in slots claimed for writing or reading
/// (one entry per claimed slot); empty for the other kinds.</param>
/// <param name="ProducerLockOwnerThreadId">Broadcast: the thread holding the producers' lock, 0 when free (0 for the other kinds).</param>
/// <param name="ProducerLockAbandoned">Broadcast: the producers' lock's last owner died holding it.</param>
public sealed record FastQueueInfo(
    string Name,
    string QueueType,
    long ObjectSize,
    long Capacity,
    int MaxMessageSize,
    long Depth,
    long ProducerPosition,
    long ConsumerPosition,
    bool ConsumersMaySleep,
    bool ProducersMaySleep,
    IReadOnlyList<int> ClaimingProcessIds,
    int ProducerLockOwnerThreadId,
    bool ProducerLockAbandoned)
{
    /// <summary>
    /// Reads the header and counters of the fast queue <paramref name="name"/>, whichever of the three kinds it
    /// is, through a read-only mapping. Everything read is validated first, as opening the queue does.
    /// </summary>
    /// <param name="name">The queue's name.</param>
    /// <returns>A snapshot of the queue.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> breaks the naming rules.</exception>
    /// <exception cref="InterprocessException">No such object (<see cref="InterprocessErrorCode.NotFound"/>), no
    /// permission to read it, or it is not a complete fast queue (<see cref="InterprocessErrorCode.Corrupted"/>).</exception>
    public static unsafe FastQueueInfo Inspect(string name)
    {
        using var shm = SharedMemoryObject.OpenExisting(name, AccessMode.ReadOnly);
        long size = shm.Size;
        if (size < H.DataOffset)
        {
            QueueMapping.ThrowCorrupted(name, $"the object is {size} bytes long, shorter than a queue header ({H.DataOffset} bytes): not a fast queue");
        }

        using var region = new MappedRegion(shm, AccessMode.ReadOnly);
        byte* b = (byte*)region.Address;
        long magic = Volatile.Read(ref *(long*)(b + H.MagicOffset));
        if (magic != H.Magic)
        {
            QueueMapping.ThrowCorrupted(name, magic == 0
                ? "the header was never initialized (no magic word): not a fast queue, or its creator died while creating it"
                : $"found 0x{magic:x16} where the magic word 0x{H.Magic:x16} belongs: not a fast queue");
        }

        int version = *(int*)(b + H.LayoutVersionOffset);
        var kind = (QueueKind)(*(int*)(b + H.KindOffset));
        int headerLength = *(int*)(b + H.HeaderLengthOffset);
        int elementSize = *(int*)(b + H.ElementSizeOffset);
        long capacity = *(long*)(b + H.CapacityOffset);
        int maxMessageSize = *(int*)(b + H.MaxMessageSizeOffset);
        long total = *(long*)(b + H.TotalLengthOffset);
        if (kind is not (QueueKind.Spsc or QueueKind.Mpmc or QueueKind.Broadcast))
        {
            QueueMapping.ThrowCorrupted(name, $"unknown queue kind {(int)kind}");
        }

        if (version != H.LayoutVersionOf(kind))
        {
            QueueMapping.ThrowCorrupted(name, H.VersionMismatch(kind, version));
        }

        string? problem = headerLength != H.DataOffset
            ? $"header length {headerLength}, expected {H.DataOffset}"
            : QueueLimits.Check(kind, capacity, maxMessageSize, elementSize);
        if (problem is not null)
        {
            QueueMapping.ThrowCorrupted(name, "the header's sizes are invalid: " + problem);
        }

        if (total != QueueMapping.TotalLength(capacity, elementSize, kind) || total > size || total > region.Size)
        {
            QueueMapping.ThrowCorrupted(name, $"the header says the queue is {total} bytes; its sizes need {QueueMapping.TotalLength(capacity, elementSize, kind)} and the object has {size}");
        }

        long producer = Volatile.Read(ref *(long*)(b + H.ProducerPositionOffset));
        long consumer = Volatile.Read(ref *(long*)(b + H.ConsumerPositionOffset));
        bool consumersSleep = Volatile.Read(ref *(int*)(b + H.NotEmptyOffset + EventCountDescriptor.SleepersOffset)) != 0;
        bool producersSleep = Volatile.Read(ref *(int*)(b + H.NotFullOffset + EventCountDescriptor.SleepersOffset)) != 0;
        byte* data = b + H.DataOffset;
        var claimers = new List<int>();
        long depth;
        int lockOwner = 0;
        bool lockAbandoned = false;
        switch (kind)
        {
            case QueueKind.Spsc:
                (depth, long tail) = CountSpscMessages(name, b, data, capacity, maxMessageSize);
                producer = Math.Max(producer, tail); // the hint may lag the committed records (see SpscQueueDescriptor)
                break;
            case QueueKind.Mpmc:
                depth = 0;
                for (long i = 0; i < capacity; i++)
                {
                    long slotState = Volatile.Read(ref *(long*)(data + (i * elementSize) + MpmcQueueDescriptor.StateOffset));
                    switch (MpmcQueueDescriptor.StatusOf(slotState))
                    {
                        case MpmcQueueDescriptor.Committed:
                            depth++;
                            break;
                        case MpmcQueueDescriptor.Writing or MpmcQueueDescriptor.Reading:
                            claimers.Add(MpmcQueueDescriptor.PidOf(slotState));
                            break;
                    }
                }

                break;
            default:
                depth = 0;
                for (long i = 0; i < capacity; i++)
                {
                    long sequence = Volatile.Read(ref *(long*)(data + (i * elementSize) + BroadcastQueueDescriptor.SequenceOffset));
                    if (sequence > 0 && (sequence & 1) == 0)
                    {
                        depth++;
                    }
                }

                ref readonly var producerLock = ref *(InterprocessMutex*)(b + H.ProducerLockOffset);
                lockOwner = producerLock.OwnerThreadId;
                lockAbandoned = producerLock.IsAbandoned;
                break;
        }

        string type = kind switch
        {
            QueueKind.Spsc => nameof(SpscQueue),
            QueueKind.Mpmc => nameof(MpmcQueue),
            _ => nameof(BroadcastQueue),
        };
        return new FastQueueInfo(name, type, size, capacity, maxMessageSize, depth, producer, kind == QueueKind.Broadcast ? 0 : consumer,
            consumersSleep, producersSleep, claimers, lockOwner, lockAbandoned);
    }

    /// <summary>
    /// Walks the SPSC ring's committed records from the consumer counter to the first record whose commit tag is
    /// not its position plus one, every record checked before it is used. Returns the message count and the
    /// position after the last committed record (the producer's hint may lag it by one record after a producer
    /// died between the two stores). A walk that a live producer or consumer races with is retried.
    /// </summary>
    private static unsafe (long Messages, long Tail) CountSpscMessages(string name, byte* b, byte* ring, long capacity, int maxMessageSize)
    {
        const int Attempts = 5;
        string? problem = null;
        for (int attempt = 0; attempt < Attempts; attempt++)
        {
            long consumer = Volatile.Read(ref *(long*)(b + H.ConsumerPositionOffset));
            problem = WalkSpsc(ring, capacity, maxMessageSize, consumer, out long messages, out long tail);
            if (problem is null)
            {
                return (messages, tail);
            }

            // A changed counter means the walk raced with a live consumer (whose producer may then have reused
            // the bytes): try again; unchanged means damage.
            if (Volatile.Read(ref *(long*)(b + H.ConsumerPositionOffset)) == consumer)
            {
                break;
            }
        }

        QueueMapping.ThrowCorrupted(name, problem!);
        return (0, 0);
    }

    private static unsafe string? WalkSpsc(byte* ring, long capacity, int maxMessageSize, long consumer, out long messages, out long tail)
    {
        messages = 0;
        tail = consumer;
        if (!SpscQueueDescriptor.IsRecordStart(consumer))
        {
            return $"the consumer counter {consumer} is negative or not {SpscQueueDescriptor.RecordAlignment}-byte aligned";
        }

        long p = consumer;
        while (true)
        {
            long index = p & (capacity - 1);
            long toEnd = capacity - index;
            long tag = Volatile.Read(ref *(long*)(ring + index + SpscQueueDescriptor.TagOffset));
            if (tag == SpscQueueDescriptor.NotCommitted)
            {
                tail = p;
                return null;
            }

            if (tag != SpscQueueDescriptor.TagOf(p))
            {
                return $"the commit tag at counter {p} is {tag}, neither 0 (not committed) nor {SpscQueueDescriptor.TagOf(p)}";
            }

            // Acquired by the tag's read: the header was written before the tag.
            int length = *(int*)(ring + index + SpscQueueDescriptor.LengthOffset);
            int type = *(int*)(ring + index + SpscQueueDescriptor.TypeOffset);
            if (type == SpscQueueDescriptor.TypeMessage)
            {
                long record = SpscQueueDescriptor.RecordLength(length);
                if ((uint)length > (uint)maxMessageSize || record > toEnd)
                {
                    return $"a message record of {length} bytes at counter {p} does not fit";
                }

                messages++;
                p += record;
            }
            else if (type == SpscQueueDescriptor.TypePadding && length == toEnd - SpscQueueDescriptor.RecordHeaderLength && toEnd <= capacity / 2)
            {
                p += toEnd;
            }
            else
            {
                return $"a record of type {type} and length {length} at counter {p} where a message or a padding belongs";
            }

            if (p - consumer > capacity)
            {
                return $"the committed records from counter {consumer} run past the capacity";
            }
        }
    }
}
