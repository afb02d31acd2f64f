using System.Runtime.CompilerServices;

namespace Interprocess.Queues;

/// <summary>
/// The layout of <see cref="SpscQueue"/>'s data area (layout version 3): a byte ring of <c>Capacity</c> bytes (a
/// power of two) holding records, each 16-byte aligned (so that even the last 16 bytes of the ring hold a whole
/// header, and a payload starts 16-byte aligned):
/// <code>
///   0  Tag      long: the commit tag, <c>position + 1</c> once the record is committed, 0 ("not committed") before
///   8  Length   int: payload bytes (message) or bytes to skip after this header (padding)
///  12  Type     int: 1 = message, 2 = padding to the end of the ring
///  16  payload  Length bytes, then up to the next multiple of 16
/// </code>
/// Positions are byte counters that only grow; the record at position p lives at <c>p &amp; (Capacity - 1)</c>. A
/// record never wraps: when it does not fit before the end of the ring, a padding record fills the rest and the
/// message starts at offset 0 of the next lap.
/// <para>
/// <b>The commit tag.</b> The producer stores the tag last, with release; the consumer polls the tag at its own
/// position (acquire) and reads the record only when the tag is its position plus one. The tag is the position
/// and not a flag so that nothing left in the ring from an earlier lap (an old record's tag is an older
/// position) can pass for a fresh commit, and 0 (fresh memory) is never a commit.
/// </para>
/// <para>
/// <b>The marker.</b> Before a record can become reachable, the tag word where the NEXT record will start holds
/// 0: the producer stores 0 there when it reserves a record (so it needs <see cref="MarkerLength"/> bytes of
/// room beyond each record), before the record's own tag. Hence the word at the first uncommitted position is
/// always 0, never leftover bytes (an old lap's payload could hold any value), and the consumer reads there 0 or
/// its commit tag and nothing else; anything else is damage.
/// </para>
/// <para>
/// ProducerPosition (<see cref="QueueHeaderDescriptor"/>) is a hint the producer stores after each commit,
/// for itself, for a producer that takes over, and for inspection; the consumer never reads it. It may lag the
/// committed records by one after a producer died between the tag and the hint: a producer that finds a
/// committed tag at the hint walks forward to the first 0 tag. ConsumerPosition is exact (stored by every
/// release): the producer reads it when its cached copy says the ring is full.
/// </para>
/// </summary>
internal static class SpscQueueDescriptor
{
    internal const int TagOffset = 0;
    internal const int LengthOffset = 8;
    internal const int TypeOffset = 12;

    /// <summary>The record header's length; the payload starts here (16-byte aligned).</summary>
    internal const int RecordHeaderLength = 16;

    /// <summary>Records start on 16-byte boundaries: a header is never split by the end of the ring, and its words are aligned.</summary>
    internal const int RecordAlignment = 16;

    /// <summary>The room a reservation needs beyond its record: the next record's header, whose tag is set to "not committed".</summary>
    internal const int MarkerLength = RecordHeaderLength;

    /// <summary>The tag word of a record that is not (yet) committed.</summary>
    internal const long NotCommitted = 0;

    internal const int TypeMessage = 1;
    internal const int TypePadding = 2;

    /// <summary>The commit tag of the record at <paramref name="position"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static long TagOf(long position) => position + 1;

    /// <summary>
    /// Whether <paramref name="position"/> can be where a record starts: non-negative and record-aligned, so that a
    /// record header read there lies inside the ring. Checked before anything is read at a consumer counter.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool IsRecordStart(long position) => (position & (long.MinValue | (RecordAlignment - 1))) == 0;

    /// <summary>The bytes a record of <paramref name="length"/> payload bytes occupies.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static long RecordLength(int length) => RecordHeaderLength + (((long)length + RecordAlignment - 1) & ~(long)(RecordAlignment - 1));

    /// <summary>
    /// The bytes a reservation of a <paramref name="record"/>-byte record
    /// needs free: the record, the padding to the end of the ring (<paramref name="toEnd"/> bytes away) when it does not fit before it, and the marker.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static long Needed(long record, long toEnd) => (record <= toEnd ? record : toEnd + record) + MarkerLength;

    /// <summary>
    /// The largest message of a ring of <paramref name="capacity"/> bytes: a record of at most half the ring
    /// always fits in an empty ring even after the padding that a wrap needs (the padding is shorter than the
    /// record by at least 16 bytes, the marker's room), so a producer can never wait for room that can never come.
    /// </summary>
    internal static int MaxMessageSizeFor(long capacity) => (int)Math.Min(int.MaxValue, (capacity / 2) - RecordHeaderLength);
}
