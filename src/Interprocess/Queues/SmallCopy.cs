using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Interprocess.Queues;

/// <summary>
/// Copies a message between the caller's memory and a queue's ring, inline for the short messages that dominate
/// queue traffic (up to 64 bytes: two overlapping vector loads and stores, no call), through
/// <see cref="Span{T}.CopyTo(Span{T})"/> otherwise. The queues' fast paths use it; the regions never overlap.
/// </summary>
internal static unsafe class SmallCopy
{
    /// <summary>Copies <paramref name="source"/> to <paramref name="destination"/>, which holds at least as many bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Copy(ReadOnlySpan<byte> source, byte* destination)
    {
        int length = source.Length;
        if ((uint)(length - 16) <= 64 - 16 && Vector256.IsHardwareAccelerated)
        {
            ref byte from = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(source);
            Copy16To64(ref from, ref Unsafe.AsRef<byte>(destination), length);
        }
        else
        {
            source.CopyTo(new Span<byte>(destination, length));
        }
    }

    /// <summary>Copies <paramref name="length"/> bytes at <paramref name="source"/> to <paramref name="destination"/>, which holds at least as many.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Copy(byte* source, int length, Span<byte> destination)
    {
        if ((uint)(length - 16) <= 64 - 16 && Vector256.IsHardwareAccelerated && length <= destination.Length)
        {
            Copy16To64(ref Unsafe.AsRef<byte>(source), ref System.Runtime.InteropServices.MemoryMarshal.GetReference(destination), length);
        }
        else
        {
            new ReadOnlySpan<byte>(source, length).CopyTo(destination);
        }
    }

    /// <summary>16 to 64 bytes: the first and the last 16 or 32 bytes (overlapping in the middle), loaded before any store.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Copy16To64(ref byte source, ref byte destination, int length)
    {
        nuint tail = (nuint)length;
        if (length >= 32)
        {
            var head = Vector256.LoadUnsafe(ref source);
            var end = Vector256.LoadUnsafe(ref source, tail - 32);
            head.StoreUnsafe(ref destination);
            end.StoreUnsafe(ref destination, tail - 32);
        }
        else
        {
            var head = Vector128.LoadUnsafe(ref source);
            var end = Vector128.LoadUnsafe(ref source, tail - 16);
            head.StoreUnsafe(ref destination);
            end.StoreUnsafe(ref destination, tail - 16);
        }
    }
}
