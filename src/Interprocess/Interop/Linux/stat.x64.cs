using System.Runtime.InteropServices;

namespace Interprocess.Interop;

/// <summary>
/// <c>struct stat</c> of glibc on x86-64 (144 bytes). Only the fields the library reads are named; offsets
/// and size are checked against &lt;sys/stat.h&gt; by <c>AbiTests</c>.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 144)]
internal struct Stat
{
    [FieldOffset(0)] public ulong st_dev;
    [FieldOffset(8)] public ulong st_ino;
    [FieldOffset(16)] public ulong st_nlink;
    [FieldOffset(24)] public uint st_mode;
    [FieldOffset(28)] public uint st_uid;
    [FieldOffset(32)] public uint st_gid;
    [FieldOffset(48)] public long st_size;
}

/// <summary>File type bits of <c>st_mode</c>.</summary>
internal static class StatMode
{
    internal const uint S_IFMT = 0xF000;
    internal const uint S_IFREG = 0x8000;
    internal const uint S_IFDIR = 0x4000;
}
