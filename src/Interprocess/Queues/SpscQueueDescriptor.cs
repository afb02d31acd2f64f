namespace Interprocess.Queues;

/// <summary>
/// The layout of <see cref="SpscQueue"/>'s data area: a byte ring of <c>Capacity</c> bytes (a power of two)
/// holding records, each 8-byte aligned:
/// <code>
///   0  Length   int: payload bytes (message) or bytes to skip after this header (padding)
///   4  Type     int: 1 = message, 2 = padding to the end of the ring
///   8  payload  Length bytes, then zeros up to the next multiple of 8
/// </code>
/// ProducerPosition and ConsumerPosition (<see cref="QueueHeaderDescriptor"/>) are byte counters that only grow;
/// a record at counter p lives at <c>p &amp; (Capacity - 1)</c>. A record never wraps: when it does not fit
/// before the end of the ring, a padding record fills the rest and the message starts at offset 0.
/// </summary>
internal static class SpscQueueDescriptor
{
    internal const int LengthOffset = 0;
    internal const int TypeOffset = 4;

    /// <summary>The record header's length; the payload starts here.</summary>
    internal const int RecordHeaderLength = 8;

    /// <summary>Records start on 8-byte boundaries (so a header is never split and its words are aligned).</summary>
    internal const int RecordAlignment = 8;

    internal const int TypeMessage = 1;
    internal const int TypePadding = 2;

    /// <summary>The bytes a record of <paramref name="length"/> payload bytes occupies.</summary>
    internal static long RecordLength(int length) => RecordHeaderLength + (((long)length + RecordAlignment - 1) & ~(long)(RecordAlignment - 1));

    /// <summary>
    /// The largest message of a ring of <paramref name="capacity"/> bytes: a record of at most half the ring
    /// always fits in an empty ring even after the padding that a wrap needs (the padding is shorter than the
    /// record), so a producer can never wait for room that can never come.
    /// </summary>
    internal static int MaxMessageSizeFor(long capacity) => (int)Math.Min(int.MaxValue, (capacity / 2) - RecordHeaderLength);
}
