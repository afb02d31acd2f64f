using System.Runtime.InteropServices;

namespace Interprocess.Containers;

/// <summary>
/// The header of a <see cref="SharedVector{T}"/> in the segment (allocated at creation, never moves).
/// </summary>
/// <remarks>
/// <code>
///  0 ContainerPrefix    "SVEC", type check, stamp
/// 16 ContainerAllocator the allocator (node size 0: the buffer always takes the general path)
/// 48 long Data          the element buffer's handle (0: none)
/// 56 int  Count         elements in use
/// 60 int  Capacity      elements the buffer holds
/// </code>
/// All-zero after the prefix and allocator is the empty vector. <see cref="CountAndCapacity"/> is Count and Capacity
/// read or written as one aligned 8-byte word (Count in the low half, little-endian x86-64): the appender checks and
/// publishes both with one load and one store.
/// </remarks>
[StructLayout(LayoutKind.Explicit, Size = Size)]
internal struct VectorHeader
{
    /// <summary>Bytes of the header.</summary>
    internal const int Size = 64;

    /// <summary>"SVEC".</summary>
    internal const uint MagicValue = 0x43455653;

    [FieldOffset(0)] internal ContainerPrefix Prefix;
    [FieldOffset(16)] internal ContainerAllocator Alloc;
    [FieldOffset(48)] internal long Data;
    [FieldOffset(56)] internal int Count;
    [FieldOffset(60)] internal int Capacity;

    /// <summary><see cref="Count"/> (low 32 bits) and <see cref="Capacity"/> (high 32 bits) as one word.</summary>
    [FieldOffset(56)] internal ulong CountAndCapacity;

    /// <summary>The <see cref="CountAndCapacity"/> word of <paramref name="count"/> and <paramref name="capacity"/>.</summary>
    internal static ulong Pack(int count, int capacity) => ((ulong)(uint)capacity << 32) | (uint)count;
}
