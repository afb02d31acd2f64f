using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Interprocess.Managed;

/// <summary>
/// The hash of object names and type names stored in segments: a fixed function of the bytes (no per-process
/// seed, unlike <see cref="string.GetHashCode()"/>), so every process and every run computes the same value.
/// </summary>
internal static class NameHash
{
    private const ulong K1 = 0x9E3779B97F4A7C15UL;
    private const ulong K2 = 0xBF58476D1CE4E5B9UL;
    private const ulong K3 = 0x94D049BB133111EBUL;

    /// <summary>Hashes <paramref name="bytes"/> with a small discriminator (the object kind) mixed in.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong Compute(ReadOnlySpan<byte> bytes, ulong discriminator)
    {
        ulong h = K1 ^ ((ulong)bytes.Length * K2) ^ (discriminator * K3);
        while (bytes.Length >= 8)
        {
            h = Mix(h ^ BinaryPrimitives.ReadUInt64LittleEndian(bytes));
            bytes = bytes[8..];
        }

        if (bytes.Length > 0)
        {
            ulong tail = 0;
            for (int i = 0; i < bytes.Length; i++)
            {
                tail |= (ulong)bytes[i] << (8 * i);
            }

            h = Mix(h ^ tail ^ 0x80);
        }

        return Mix(h);
    }

    /// <summary>splitmix64's finalizer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * K2;
        z = (z ^ (z >> 27)) * K3;
        return z ^ (z >> 31);
    }
}
