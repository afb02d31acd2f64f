using System.Runtime.InteropServices;

namespace Interprocess.Containers;

/// <summary>
/// The first 16 bytes of every container header in a segment: what kind of container it is, which element types
/// it was created for, and a stamp that a handle must match. A destroyed header has all three cleared, so a stale
/// handle (one kept after <c>Destroy</c>, or one whose memory was reused) is refused instead of followed.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = Size)]
internal struct ContainerPrefix
{
    /// <summary>Bytes in the prefix.</summary>
    internal const int Size = 16;

    /// <summary>The container kind (a four-character tag chosen by each container type); 0 once destroyed.</summary>
    [FieldOffset(0)] internal uint Magic;

    /// <summary>32 bits of the fingerprint of the handle type (for example <c>SharedVector&lt;Point&gt;</c>).</summary>
    [FieldOffset(4)] internal uint TypeCheck;

    /// <summary>A random non-zero number chosen at creation and stored in every handle to the container.</summary>
    [FieldOffset(8)] internal ulong Stamp;
}
