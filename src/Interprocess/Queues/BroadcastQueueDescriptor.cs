namespace Interprocess.Queues;

/// <summary>
/// The layout of <see cref="BroadcastQueue"/>'s data area: <c>Capacity</c> slots (a power of two) of
/// <c>ElementSize</c> bytes (16 + the maximum message size rounded up to 8), each a seqlock:
/// <code>
///   0  Sequence  long: 0 never written; 2p + 1 while position p is being written; 2p + 2 once it is complete
///   8  Length    int: the payload's length
///  12  (zero)
///  16  payload
/// </code>
/// ProducerPosition (<see cref="QueueHeaderDescriptor"/>) counts published messages; position p uses slot
/// <c>p &amp; (Capacity - 1)</c>. ProducerLock serializes producers. ConsumerPosition is unused: each subscriber's
/// cursor lives in its own handle.
/// </summary>
internal static class BroadcastQueueDescriptor
{
    internal const int SequenceOffset = 0;
    internal const int LengthOffset = 8;
    internal const int PayloadOffset = 16;

    /// <summary>The sequence of position <paramref name="position"/> while it is being written (odd).</summary>
    internal static long Writing(long position) => (2 * position) + 1;

    /// <summary>The sequence of position <paramref name="position"/> once it is complete (even, non-zero).</summary>
    internal static long Complete(long position) => (2 * position) + 2;
}
