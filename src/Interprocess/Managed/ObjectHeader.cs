using System.Runtime.InteropServices;

namespace Interprocess.Managed;

/// <summary>
/// The header of an object (named, unique or anonymous) in a managed segment: the start of the object's
/// allocated block, followed by its name, its type's name, a back link and the data.
/// </summary>
/// <remarks>
/// <code>
///  0 uint   Magic            <see cref="LiveMagic"/> once complete; 0 while being built or destroyed
///  4 byte   Kind             <see cref="ObjectKind"/>
///  6 ushort NameLength       bytes of UTF-8 name at +48
///  8 ulong  NameHash         <see cref="NameHash"/> of (kind, name)
/// 16 ulong  TypeFingerprint  <see cref="TypeDescriptor{T}"/>: hash of the stable type name and size
/// 24 int    ElementSize
/// 28 int    ElementAlignment
/// 32 long   Count            elements
/// 40 int    DataOffset       from the header to the data (a multiple of the alignment)
/// 44 ushort TypeNameLength   bytes of UTF-8 type name after the name
/// 48 name, type name ... ; at DataOffset - 8: long back link = offset of this header; at DataOffset: data
/// </code>
/// </remarks>
[StructLayout(LayoutKind.Explicit, Size = Size)]
internal struct ObjectHeader
{
    /// <summary>The fixed part's size.</summary>
    internal const int Size = 48;

    /// <summary>"IOBJ": the object is complete and live.</summary>
    internal const uint LiveMagic = 0x4A424F49;

    /// <summary>The longest name accepted, in UTF-8 bytes.</summary>
    internal const int MaxNameBytes = 4096;

    [FieldOffset(0)] internal uint Magic;
    [FieldOffset(4)] internal byte Kind;
    [FieldOffset(6)] internal ushort NameLength;
    [FieldOffset(8)] internal ulong NameHash;
    [FieldOffset(16)] internal ulong TypeFingerprint;
    [FieldOffset(24)] internal int ElementSize;
    [FieldOffset(28)] internal int ElementAlignment;
    [FieldOffset(32)] internal long Count;
    [FieldOffset(40)] internal int DataOffset;
    [FieldOffset(44)] internal ushort TypeNameLength;
}
