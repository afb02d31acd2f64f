using System.Runtime.InteropServices;

namespace Interprocess.Synchronization;

/// <summary>
/// The descriptor of the shared layout every shared-memory-backed named synchronization object has
/// (<see cref="NamedMutex"/>, <see cref="NamedRecursiveMutex"/>, ...): a 64-byte header, then one primitive.
/// </summary>
/// <remarks>
/// <code>
///  0  ulong Magic        8 ASCII bytes naming the kind ("IPNMUTEX"); 0 while the creator has not got that far
///  8  int   Version      the kind's layout version
/// 12  int   PayloadSize  sizeof the primitive that follows the header
/// 16  int   State        0 = being created, 1 = ready; published last
/// 20  int   CreatorPid   the process that created the object (diagnostics only)
/// 24  ...   reserved (zero) up to 64, so that the primitive starts on its own cache line
/// 64  T     the primitive
/// </code>
/// <para><b>Creation order</b> (the creator): the object is created with O_EXCL and sized in one ftruncate
/// (zero-filled), the primitive is initialized, then Version, PayloadSize and CreatorPid are written, then
/// Magic (a release store), then State = Ready (a release store that publishes all of the above).</para>
/// <para><b>Opening</b>: the size is checked before anything is mapped; Magic is checked before anything else is
/// read (another kind or a foreign object is refused at once); State is read with acquire semantics and waited
/// for, for a bounded time, after which the object is declared incomplete (its creator died while creating it).</para>
/// </remarks>
[StructLayout(LayoutKind.Explicit, Size = Size)]
internal struct NamedObjectHeader
{
    /// <summary>The size of the header; the primitive starts at this offset.</summary>
    internal const int Size = 64;

    /// <summary><see cref="State"/> of an object whose creator has not finished (or died while) creating it.</summary>
    internal const int StateCreating = 0;

    /// <summary><see cref="State"/> of an object that is fully created.</summary>
    internal const int StateReady = 1;

    /// <summary>Offset of <see cref="Magic"/>.</summary>
    internal const int MagicOffset = 0;

    /// <summary>Offset of <see cref="Version"/>.</summary>
    internal const int VersionOffset = 8;

    /// <summary>Offset of <see cref="PayloadSize"/>.</summary>
    internal const int PayloadSizeOffset = 12;

    /// <summary>Offset of <see cref="State"/>.</summary>
    internal const int StateOffset = 16;

    /// <summary>Offset of <see cref="CreatorPid"/>.</summary>
    internal const int CreatorPidOffset = 20;

    /// <summary>8 ASCII bytes naming the kind, read as a little-endian integer (see <see cref="NamedKind"/>).</summary>
    [FieldOffset(MagicOffset)] internal ulong Magic;

    /// <summary>The kind's layout version.</summary>
    [FieldOffset(VersionOffset)] internal int Version;

    /// <summary>The size of the primitive after the header.</summary>
    [FieldOffset(PayloadSizeOffset)] internal int PayloadSize;

    /// <summary><see cref="StateCreating"/> or <see cref="StateReady"/>.</summary>
    [FieldOffset(StateOffset)] internal int State;

    /// <summary>The creator's process id (diagnostics).</summary>
    [FieldOffset(CreatorPidOffset)] internal int CreatorPid;
}
