namespace Interprocess.Queues;

/// <summary>
/// The layout of the header every fast queue starts with (<see cref="SpscQueue"/>, <see cref="MpmcQueue"/>,
/// <see cref="BroadcastQueue"/>): a versioned description of the object, then one cache line per counter that
/// one side writes and the other reads, then the data area at <see cref="DataOffset"/>.
/// </summary>
/// <remarks>
/// <code>
///   0  Magic            "IPQUEUE1" (long; written last by the creator, with release)
///   8  LayoutVersion    int (per kind: <see cref="LayoutVersionOf"/>)
///  12  Kind             int (QueueKind)
///  16  HeaderLength     int (= DataOffset)
///  20  ElementSize      int (slot size in bytes; 8 = record alignment for the SPSC byte ring)
///  24  Capacity         long (SPSC: bytes of the ring; MPMC and broadcast: slots); a power of two
///  32  MaxMessageSize   int
///  40  TotalLength      long (HeaderLength + data bytes; the object is at least this long)
///  64  ProducerPosition long, alone on its cache line with the owner (written by producers, read by consumers)
///  72  ProducerOwner    long (SPSC, layout 3: the token of the producer handle that last claimed the tail)
/// 128  ConsumerPosition long, alone on its cache line (written by consumers, read by producers)
/// 192  NotEmpty         event count: Sequence int (futex word), Sleepers int (consumers may be asleep)
/// 256  NotFull          event count: Sequence int (futex word), Sleepers int (producers may be asleep)
/// 320  ProducerLock     InterprocessMutex (broadcast only: serializes its producers)
/// 512  data
/// </code>
/// The counters sit 64 bytes apart (one x86 cache line each) so that the producer's stores to its counter
/// never invalidate the line the consumer writes, and vice versa (false sharing would cost a cache-line
/// transfer per message on each side). Each event count has its own line for the same reason: sleepers set
/// the flag while the other side runs.
/// </remarks>
internal static class QueueHeaderDescriptor
{
    /// <summary>"IPQUEUE1" as a little-endian long: the magic of every fast queue.</summary>
    internal const long Magic = 0x3145554555515049;

    /// <summary>
    /// The layout version of SPSC queues this code reads and writes: 3 since producers stamp the header with
    /// their handle's token (<see cref="ProducerOwnerOffset"/>); 2 had commit tags without the token, 1 published
    /// records through the producer counter. No two of them can share a queue.
    /// </summary>
    internal const int SpscLayoutVersion = 3;

    /// <summary>The layout version of MPMC and broadcast queues this code reads and writes (unchanged since 1).</summary>
    internal const int SlotLayoutVersion = 1;

    /// <summary>The layout version this code reads and writes for a queue of <paramref name="kind"/>.</summary>
    internal static int LayoutVersionOf(QueueKind kind) => kind == QueueKind.Spsc ? SpscLayoutVersion : SlotLayoutVersion;

    /// <summary>The explanation of a version mismatch, naming both versions.</summary>
    internal static string VersionMismatch(QueueKind kind, int found) =>
        found < LayoutVersionOf(kind) && found > 0
            ? $"it is a {kind} queue of layout version {found}, made by an older version of this library; this library reads {kind} queues of layout version {LayoutVersionOf(kind)} only (remove the queue and create it again)"
            : $"layout version {found}; this library reads {kind} queues of layout version {LayoutVersionOf(kind)}";

    /// <summary>One x86-64 cache line.</summary>
    internal const int CacheLine = 64;

    internal const int MagicOffset = 0;
    internal const int LayoutVersionOffset = 8;
    internal const int KindOffset = 12;
    internal const int HeaderLengthOffset = 16;
    internal const int ElementSizeOffset = 20;
    internal const int CapacityOffset = 24;
    internal const int MaxMessageSizeOffset = 32;
    internal const int TotalLengthOffset = 40;
    internal const int ProducerPositionOffset = 1 * CacheLine;
    internal const int ConsumerPositionOffset = 2 * CacheLine;

    /// <summary>
    /// SPSC only: the token of the producer handle that last took over the tail (on the producer's own line, next
    /// to ProducerPosition). A handle that finds its own token there, and the hint it stored itself, knows that no
    /// other producer has run since, so its reserve need not read the ring (see <see cref="SpscQueue"/>).
    /// </summary>
    internal const int ProducerOwnerOffset = ProducerPositionOffset + 8;
    internal const int NotEmptyOffset = 3 * CacheLine;
    internal const int NotFullOffset = 4 * CacheLine;
    internal const int ProducerLockOffset = 5 * CacheLine;

    /// <summary>Where the data area starts (the header's length).</summary>
    internal const int DataOffset = 8 * CacheLine;
}
