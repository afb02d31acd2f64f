using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Interprocess.Queues;

/// <summary>
/// Copies a message between the caller's memory and a queue's ring: inline for the short messages that dominate
/// queue traffic (16 to 64 bytes: two overlapping vector loads, then two stores; no call); with glibc's
/// <c>memmove</c> from <see cref="BulkMinimum"/> to <see cref="BulkMaximum"/> bytes; through
/// <see cref="ReadOnlySpan{T}.CopyTo(Span{T})"/> otherwise. The queues' fast paths use it.
/// </summary>
/// <remarks>
/// Why glibc for kilobytes: a C# copy of the anchors' SPSC ring moving 4 KiB messages between two processes ran
/// at 7.6 M msg/s copying with <c>memmove</c> against 7.05 M with <c>CopyTo</c> (and 6.8 against 6.2 M into slots
/// 16 bytes off a cache line, as the SPSC ring's payloads are), alternated in one process pair, two runs of seven
/// repetitions, while the C++ ring ran at 7.3 to 8.6 M. The call skips the GC transition, which is right for a
/// copy that takes a few hundred nanoseconds and wrong for a long one: above <see cref="BulkMaximum"/> the copy
/// goes back to <c>CopyTo</c>.
/// </remarks>
internal static class SmallCopy
{
    /// <summary>The shortest copy made with glibc's <c>memmove</c>.</summary>
    internal const int BulkMinimum = 2048;

    /// <summary>The longest copy made with glibc's <c>memmove</c> without a GC transition (64 KiB: a few microseconds at most).</summary>
    internal const int BulkMaximum = 64 * 1024;

    /// <summary>Copies <paramref name="source"/> to the start of <paramref name="destination"/>, as <see cref="ReadOnlySpan{T}.CopyTo(Span{T})"/> (which throws when it is too short; overlapping regions are copied correctly).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Copy(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        int length = source.Length;
        if ((uint)(length - 16) > 64 - 16 || length > destination.Length || !Vector256.IsHardwareAccelerated)
        {
            if ((uint)(length - BulkMinimum) <= BulkMaximum - BulkMinimum && length <= destination.Length)
            {
                CopyBulk(source, destination);
                return;
            }

            source.CopyTo(destination);
            return;
        }

        ref byte from = ref MemoryMarshal.GetReference(source);
        ref byte to = ref MemoryMarshal.GetReference(destination);
        nuint last = (nuint)length;
        if (length >= 32)
        {
            var head = Vector256.LoadUnsafe(ref from);
            var end = Vector256.LoadUnsafe(ref from, last - 32);
            head.StoreUnsafe(ref to);
            end.StoreUnsafe(ref to, last - 32);
        }
        else
        {
            var head = Vector128.LoadUnsafe(ref from);
            var end = Vector128.LoadUnsafe(ref from, last - 16);
            head.StoreUnsafe(ref to);
            end.StoreUnsafe(ref to, last - 16);
        }
    }

    /// <summary>Copies <paramref name="source"/> (<see cref="BulkMinimum"/> to <see cref="BulkMaximum"/> bytes) to the start of <paramref name="destination"/>, which holds it, with glibc's <c>memmove</c>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static unsafe void CopyBulk(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        fixed (byte* from = source)
        fixed (byte* to = destination)
        {
            Interop.Libc.Memmove(to, from, (nuint)source.Length);
        }
    }
}
