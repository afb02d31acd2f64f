namespace Interprocess.Interop;

/// <summary>
/// Constants from &lt;sys/mman.h&gt; for Linux (the values are the same on x86-64 and arm64). Checked against
/// the C headers by <c>AbiTests</c>.
/// </summary>
internal static class Mman
{
    internal const int PROT_NONE = 0x0;
    internal const int PROT_READ = 0x1;
    internal const int PROT_WRITE = 0x2;

    internal const int MAP_SHARED = 0x01;
    internal const int MAP_PRIVATE = 0x02;
    internal const int MAP_FIXED = 0x10;
    internal const int MAP_ANONYMOUS = 0x20;
    internal const int MAP_NORESERVE = 0x4000;

    /// <summary>The value <c>mmap</c> returns on failure: <c>(void*)-1</c>.</summary>
    internal static readonly nint MAP_FAILED = -1;

    internal const int MS_ASYNC = 1;
    internal const int MS_INVALIDATE = 2;
    internal const int MS_SYNC = 4;

    internal const int MADV_NORMAL = 0;
    internal const int MADV_RANDOM = 1;
    internal const int MADV_SEQUENTIAL = 2;
    internal const int MADV_WILLNEED = 3;
    internal const int MADV_DONTNEED = 4;

    internal const uint MFD_CLOEXEC = 0x0001;
    internal const uint MFD_ALLOW_SEALING = 0x0002;
}
