using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Interprocess.Managed;

namespace Interprocess.Containers;

/// <summary>
/// The default hashing and equality of hash-container keys: the same in every process and every run.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Keys that implement <see cref="IStableHash{TSelf}"/>: their own hash and <c>Equals</c>.</item>
/// <item><see cref="float"/> and <see cref="double"/>: their <c>Equals</c> (0.0 equals -0.0, NaN equals NaN), hashed after
/// folding those to one bit pattern.</item>
/// <item>Every other unmanaged key (integers, enums, <see cref="char"/>, <see cref="bool"/>, structs, container
/// handles): its bytes. Two keys are the same key when their bytes are the same, and the hash is a fixed function
/// of the bytes (a 64-bit multiply-fold mix for keys of up to 8 bytes). A struct key with padding or with float
/// fields should implement <see cref="IStableHash{TSelf}"/> instead.</item>
/// </list>
/// </remarks>
/// <typeparam name="TKey">The key type.</typeparam>
internal static class KeyHasher<TKey>
    where TKey : unmanaged
{
    /// <summary>The key's own stable hash, when it implements <see cref="IStableHash{TSelf}"/>.</summary>
    private static readonly StableOps? s_stable = CreateStable();

    /// <summary>Whether the key is hashed by <see cref="IStableHash{TSelf}"/>.</summary>
    internal static bool UsesStableHash => s_stable is not null;

    /// <summary>The default hash of <paramref name="key"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong Hash(in TKey key)
    {
        if (typeof(TKey) == typeof(double))
        {
            double d = Unsafe.As<TKey, double>(ref Unsafe.AsRef(in key));
            d = d == 0 ? 0 : double.IsNaN(d) ? double.NaN : d;
            return Mix(BitConverter.DoubleToUInt64Bits(d));
        }

        if (typeof(TKey) == typeof(float))
        {
            float f = Unsafe.As<TKey, float>(ref Unsafe.AsRef(in key));
            f = f == 0 ? 0 : float.IsNaN(f) ? float.NaN : f;
            return Mix(BitConverter.SingleToUInt32Bits(f));
        }

        if (s_stable is not null)
        {
            return s_stable.Hash(in key);
        }

        ref byte b = ref Unsafe.As<TKey, byte>(ref Unsafe.AsRef(in key));
        return Unsafe.SizeOf<TKey>() switch
        {
            8 => Mix(Unsafe.ReadUnaligned<ulong>(ref b)),
            4 => Mix(Unsafe.ReadUnaligned<uint>(ref b)),
            2 => Mix(Unsafe.ReadUnaligned<ushort>(ref b)),
            1 => Mix(b),
            _ => NameHash.Compute(MemoryMarshal.CreateReadOnlySpan(ref b, Unsafe.SizeOf<TKey>()), 0),
        };
    }

    /// <summary>The default equality of two keys.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool Equal(in TKey a, in TKey b)
    {
        if (typeof(TKey) == typeof(double))
        {
            return Unsafe.As<TKey, double>(ref Unsafe.AsRef(in a)).Equals(Unsafe.As<TKey, double>(ref Unsafe.AsRef(in b)));
        }

        if (typeof(TKey) == typeof(float))
        {
            return Unsafe.As<TKey, float>(ref Unsafe.AsRef(in a)).Equals(Unsafe.As<TKey, float>(ref Unsafe.AsRef(in b)));
        }

        if (s_stable is not null)
        {
            return s_stable.Equal(in a, in b);
        }

        ref byte x = ref Unsafe.As<TKey, byte>(ref Unsafe.AsRef(in a));
        ref byte y = ref Unsafe.As<TKey, byte>(ref Unsafe.AsRef(in b));
        return Unsafe.SizeOf<TKey>() switch
        {
            8 => Unsafe.ReadUnaligned<ulong>(ref x) == Unsafe.ReadUnaligned<ulong>(ref y),
            4 => Unsafe.ReadUnaligned<uint>(ref x) == Unsafe.ReadUnaligned<uint>(ref y),
            2 => Unsafe.ReadUnaligned<ushort>(ref x) == Unsafe.ReadUnaligned<ushort>(ref y),
            1 => x == y,
            16 => Unsafe.ReadUnaligned<UInt128>(ref x) == Unsafe.ReadUnaligned<UInt128>(ref y),
            _ => MemoryMarshal.CreateReadOnlySpan(ref x, Unsafe.SizeOf<TKey>()).SequenceEqual(MemoryMarshal.CreateReadOnlySpan(ref y, Unsafe.SizeOf<TKey>())),
        };
    }

    /// <summary>
    /// Spreads a 64-bit value over all 64 bits (the high and low halves of a 128-bit product folded together):
    /// consecutive integers land far apart, and the low bits, which pick the bucket, depend on every input bit.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong Mix(ulong x)
    {
        ulong hi = Math.BigMul(x ^ 0x9E3779B97F4A7C15UL, 0xD6E8FEB86659FD93UL, out ulong lo);
        return hi ^ lo;
    }

    [UnconditionalSuppressMessage("Trimming", "IL2090", Justification = "Only the key type's own interface list is read; a trimmed interface cannot be implemented.")]
    private static StableOps? CreateStable()
    {
        if (!typeof(TKey).GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IStableHash<>) && i.GetGenericArguments()[0] == typeof(TKey)))
        {
            return null;
        }

        return (StableOps)typeof(KeyHasher<TKey>).GetMethod(nameof(CreateStableOps), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(typeof(TKey)).Invoke(null, null)!;
    }

    private static StableOps CreateStableOps<TStable>()
        where TStable : unmanaged, IStableHash<TStable> => new StableOps<TStable>();

    /// <summary>Hash and equality through <see cref="IStableHash{TSelf}"/>, without boxing.</summary>
    private abstract class StableOps
    {
        internal abstract ulong Hash(in TKey key);

        internal abstract bool Equal(in TKey a, in TKey b);
    }

    private sealed class StableOps<TStable> : StableOps
        where TStable : unmanaged, IStableHash<TStable>
    {
        internal override ulong Hash(in TKey key) => Unsafe.As<TKey, TStable>(ref Unsafe.AsRef(in key)).GetStableHashCode();

        internal override bool Equal(in TKey a, in TKey b) =>
            Unsafe.As<TKey, TStable>(ref Unsafe.AsRef(in a)).Equals(Unsafe.As<TKey, TStable>(ref Unsafe.AsRef(in b)));
    }
}
