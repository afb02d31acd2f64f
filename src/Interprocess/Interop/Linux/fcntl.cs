using System.Runtime.InteropServices;

namespace Interprocess.Interop;

/// <summary>
/// Constants and <c>struct flock</c> from &lt;fcntl.h&gt; for Linux (the values are the same on x86-64 and
/// arm64). Checked against the C headers by <c>AbiTests</c>.
/// </summary>
internal static class Fcntl
{
    internal const int O_RDONLY = 0x0;
    internal const int O_WRONLY = 0x1;
    internal const int O_RDWR = 0x2;
    internal const int O_CREAT = 0x40;
    internal const int O_EXCL = 0x80;
    internal const int O_TRUNC = 0x200;
    internal const int O_NOFOLLOW = 0x20000;
    internal const int O_CLOEXEC = 0x80000;

    internal const int F_GETFD = 1;
    internal const int F_SETFD = 2;
    internal const int FD_CLOEXEC = 1;

    internal const int F_GETLK = 5;
    internal const int F_SETLK = 6;
    internal const int F_SETLKW = 7;

    /// <summary>Open-file-description locks: owned by the open file, not by the process (Linux 3.15+).</summary>
    internal const int F_OFD_GETLK = 36;
    internal const int F_OFD_SETLK = 37;
    internal const int F_OFD_SETLKW = 38;

    internal const short F_RDLCK = 0;
    internal const short F_WRLCK = 1;
    internal const short F_UNLCK = 2;

    internal const short SEEK_SET = 0;
}

/// <summary><c>struct flock</c> on 64-bit Linux: 32 bytes.</summary>
[StructLayout(LayoutKind.Explicit, Size = 32)]
internal struct Flock
{
    [FieldOffset(0)] public short l_type;
    [FieldOffset(2)] public short l_whence;
    [FieldOffset(8)] public long l_start;
    [FieldOffset(16)] public long l_len;
    [FieldOffset(24)] public int l_pid;
}
