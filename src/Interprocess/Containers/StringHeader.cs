using System.Runtime.InteropServices;

namespace Interprocess.Containers;

/// <summary>The header of a <see cref="SharedString"/> in the segment (allocated at creation, never moves).</summary>
/// <remarks>
/// <code>
///  0 ContainerPrefix    "SSTR", type check, stamp
/// 16 ContainerAllocator the allocator (node size 0: the buffer always takes the general path)
/// 48 long Data          the text's buffer (0: the text is inline, at 64)
/// 56 int  Length        bytes of UTF-8 text
/// 60 int  Capacity      bytes the buffer holds (0 while inline)
/// 64 byte[32] Inline    a text of up to 32 bytes is kept here (small-string optimization)
/// </code>
/// All-zero after the prefix and allocator is the empty string.
/// </remarks>
[StructLayout(LayoutKind.Explicit, Size = Size)]
internal struct StringHeader
{
    /// <summary>Bytes of the header.</summary>
    internal const int Size = 96;

    /// <summary>Bytes kept inline.</summary>
    internal const int InlineCapacity = 32;

    /// <summary>Offset of the inline bytes.</summary>
    internal const int InlineOffset = 64;

    /// <summary>"SSTR".</summary>
    internal const uint MagicValue = 0x52545353;

    [FieldOffset(0)] internal ContainerPrefix Prefix;
    [FieldOffset(16)] internal ContainerAllocator Alloc;
    [FieldOffset(48)] internal long Data;
    [FieldOffset(56)] internal int Length;
    [FieldOffset(60)] internal int Capacity;
}
