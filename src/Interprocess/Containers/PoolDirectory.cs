using System.Runtime.InteropServices;

namespace Interprocess.Containers;

/// <summary>
/// The list of a segment's shared pools: the segment's unique instance of this type, constructed on the first use
/// of a shared pool (under the segment lock) and destroyed by <see cref="ContainerPools.Shrink"/> when no pool is left.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = Size)]
internal struct PoolDirectory
{
    /// <summary>Bytes of the directory.</summary>
    internal const int Size = 16;

    /// <summary>"PDIR".</summary>
    internal const uint MagicValue = 0x52494450;

    /// <summary>Checked before the list is followed.</summary>
    [FieldOffset(0)] internal uint Magic;

    /// <summary>Pools in the list.</summary>
    [FieldOffset(4)] internal int Count;

    /// <summary>The first pool's header (0: none); the list is linked through <see cref="PoolHeader.NextPool"/>.</summary>
    [FieldOffset(8)] internal long Head;
}
