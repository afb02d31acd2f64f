using System.Runtime.CompilerServices;
using System.Text;

namespace Interprocess.Managed;

/// <summary>
/// What a segment stores about the type of an object: size, alignment, a stable name and its fingerprint,
/// computed once per type. The name is built from namespaces, type names and generic arguments only (no
/// assembly versions), so it is the same in every process and every run of the same program.
/// </summary>
internal static class TypeDescriptor<T>
    where T : unmanaged
{
    /// <summary>sizeof(T).</summary>
    internal static readonly int Size = Unsafe.SizeOf<T>();

    /// <summary>The alignment the runtime gives T as a field.</summary>
    internal static readonly int Alignment = Math.Min(16, Math.Max(1, Unsafe.SizeOf<AlignmentProbe>() - Unsafe.SizeOf<T>()));

    /// <summary>The stable name, e.g. <c>System.Int64</c> or <c>MyApp.Pair[System.Int32,System.Double]</c>.</summary>
    internal static readonly string Name = TypeNames.Stable(typeof(T));

    /// <summary>The UTF-8 bytes of <see cref="Name"/>, stored with each object and used as the unique-instance key.</summary>
    internal static readonly byte[] NameUtf8 = Encoding.UTF8.GetBytes(Name);

    /// <summary>Hash of the stable name and the size.</summary>
    internal static readonly ulong Fingerprint = NameHash.Compute(NameUtf8, (ulong)Size);

    /// <summary>T after one byte: its offset is T's alignment.</summary>
    private struct AlignmentProbe
    {
#pragma warning disable CS0169, CS0649, IDE0051 // never read or written: only its layout matters
        private byte _pad;
        private T _value;
#pragma warning restore CS0169, CS0649, IDE0051
    }
}
