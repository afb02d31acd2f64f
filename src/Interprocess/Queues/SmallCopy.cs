using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Interprocess.Queues;

/// <summary>
/// Copies a message between the caller's memory and a queue's ring, inline for the short messages that dominate
/// queue traffic (16 to 64 bytes: two overlapping vector loads, then two stores; no call), through
/// <see cref="ReadOnlySpan{T}.CopyTo(Span{T})"/> otherwise. The queues' fast paths use it; the regions never overlap.
/// </summary>
internal static class SmallCopy
{
    /// <summary>Copies <paramref name="source"/> to the start of <paramref name="destination"/>, as <see cref="ReadOnlySpan{T}.CopyTo(Span{T})"/> (which throws when it is too short).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Copy(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        int length = source.Length;
        if ((uint)(length - 16) > 64 - 16 || length > destination.Length || !Vector256.IsHardwareAccelerated)
        {
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
}
