using System.Diagnostics.CodeAnalysis;

namespace Interprocess.Queues;

/// <summary>The size rules of the fast queues, checked on create (as argument errors) and on open (as corruption).</summary>
internal static class QueueLimits
{
    /// <summary>The smallest SPSC ring, in bytes.</summary>
    internal const long MinSpscCapacity = 64;

    /// <summary>The largest SPSC ring, in bytes (1 GiB).</summary>
    internal const long MaxSpscCapacity = 1L << 30;

    /// <summary>The smallest slot count of MPMC and broadcast queues.</summary>
    internal const long MinSlots = 2;

    /// <summary>The largest slot count (2^24: the MPMC state word keeps 40 bits of lap; see <see cref="MpmcQueueDescriptor"/>).</summary>
    internal const long MaxSlots = 1L << 24;

    /// <summary>The largest message of a slot queue (16 MiB), and of the data area in all (4 GiB).</summary>
    internal const int MaxSlotMessageSize = 1 << 24;

    /// <summary>The largest data area of a slot queue.</summary>
    internal const long MaxSlotDataBytes = 1L << 32;

    /// <summary>Null when the sizes are valid for <paramref name="kind"/>; else what is wrong.</summary>
    internal static string? Check(QueueKind kind, long capacity, int maxMessageSize, int elementSize)
    {
        if (kind == QueueKind.Spsc)
        {
            if (!QueueMapping.IsPowerOfTwo(capacity) || capacity < MinSpscCapacity || capacity > MaxSpscCapacity)
            {
                return $"the capacity must be a power of two from {MinSpscCapacity} to {MaxSpscCapacity} bytes, not {capacity}";
            }

            if (maxMessageSize < 0 || maxMessageSize > SpscQueueDescriptor.MaxMessageSizeFor(capacity))
            {
                return $"the maximum message size must be 0 to {SpscQueueDescriptor.MaxMessageSizeFor(capacity)} bytes for a {capacity}-byte ring (half the ring less a record header), not {maxMessageSize}";
            }

            return elementSize == SpscQueueDescriptor.RecordAlignment ? null : $"record alignment {elementSize}, expected {SpscQueueDescriptor.RecordAlignment}";
        }

        if (!QueueMapping.IsPowerOfTwo(capacity) || capacity < MinSlots || capacity > MaxSlots)
        {
            return $"the capacity must be a power of two from {MinSlots} to {MaxSlots} messages, not {capacity}";
        }

        if (maxMessageSize < 0 || maxMessageSize > MaxSlotMessageSize)
        {
            return $"the maximum message size must be 0 to {MaxSlotMessageSize} bytes, not {maxMessageSize}";
        }

        int expected = SlotSize(maxMessageSize);
        if (elementSize != expected)
        {
            return $"slot size {elementSize}, expected {expected} for messages of up to {maxMessageSize} bytes";
        }

        return capacity * expected > MaxSlotDataBytes ? $"{capacity} slots of {expected} bytes exceed {MaxSlotDataBytes} bytes" : null;
    }

    /// <summary>The slot size of MPMC and broadcast queues: a 16-byte slot header and the payload, rounded up to 8 bytes.</summary>
    internal static int SlotSize(int maxMessageSize) => MpmcQueueDescriptor.PayloadOffset + ((maxMessageSize + 7) & ~7);

    /// <summary>A message longer than the queue's maximum: the fast queues' refusal (nothing is sent).</summary>
    [DoesNotReturn]
    internal static void ThrowMessageTooLong(int length, int maxMessageSize) =>
        throw new ArgumentOutOfRangeException("length", length, $"A message of this queue is 0 to {maxMessageSize} bytes long; this one is {length}. Nothing was sent.");

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for invalid sizes at creation.</summary>
    internal static void ThrowIfInvalid(QueueKind kind, long capacity, int maxMessageSize, int elementSize)
    {
        string? problem = Check(kind, capacity, maxMessageSize, elementSize);
        if (problem is not null)
        {
            throw new ArgumentOutOfRangeException(problem.StartsWith("the capacity", StringComparison.Ordinal) ? "capacity" : "maxMessageSize", problem + ".");
        }
    }
}
