using System.Runtime.CompilerServices;

namespace Interprocess.Queues;

/// <summary>
/// The layout of <see cref="MpmcQueue"/>'s data area: <c>Capacity</c> slots (a power of two) of
/// <c>ElementSize</c> bytes (16 + the maximum message size rounded up to 8):
/// <code>
///   0  State    long: Lap (bits 24..63) | Status (bits 22..23) | Pid (bits 0..21)
///   8  Length   int: the payload's length (valid in Committed and Reading)
///  12  (zero)
///  16  payload
/// </code>
/// Position p (ProducerPosition and ConsumerPosition of the header count positions) uses slot
/// <c>p &amp; (Capacity - 1)</c> in lap <c>p / Capacity</c>. Status and Pid are those of <see cref="MpmcQueue"/>'s
/// numbered slot states. Forty bits of lap wrap after 2^40 laps (more than 10^12 × Capacity messages); a
/// 22-bit pid holds every Linux pid (PID_MAX_LIMIT is 2^22 on 64-bit kernels). All-zero is Free in lap 0: a
/// new, zero-filled object is an empty queue.
/// </summary>
internal static class MpmcQueueDescriptor
{
    internal const int StateOffset = 0;
    internal const int LengthOffset = 8;
    internal const int PayloadOffset = 16;

    internal const int PidBits = 22;
    internal const long PidMask = (1L << PidBits) - 1;
    internal const int StatusShift = PidBits;
    internal const long StatusMask = 3;
    internal const int LapShift = 24;

    /// <summary>(1) Free: waiting for the producer of this lap.</summary>
    internal const int Free = 0;

    /// <summary>(2) Writing: claimed by the producer whose pid is in the word.</summary>
    internal const int Writing = 1;

    /// <summary>(3) Committed: a complete message, waiting for a consumer.</summary>
    internal const int Committed = 2;

    /// <summary>(4) Reading: claimed by the consumer whose pid is in the word.</summary>
    internal const int Reading = 3;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static long Make(long lap, int status, int pid) => (lap << LapShift) | ((long)status << StatusShift) | (pid & PidMask);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static long LapOf(long state) => (long)((ulong)state >> LapShift);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int StatusOf(long state) => (int)((state >> StatusShift) & StatusMask);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int PidOf(long state) => (int)(state & PidMask);
}
