using System.Runtime.InteropServices;

namespace Interprocess.Interop;

internal static partial class Libc
{
    /// <summary>SYS_membarrier on x86-64.</summary>
    internal const long SYS_membarrier = 324;

    /// <summary>MEMBARRIER_CMD_QUERY: returns the bit mask of the supported commands.</summary>
    internal const int MEMBARRIER_CMD_QUERY = 0;

    /// <summary>MEMBARRIER_CMD_GLOBAL_EXPEDITED: a full memory barrier on every CPU running a thread of a process registered for it (any process).</summary>
    internal const int MEMBARRIER_CMD_GLOBAL_EXPEDITED = 1 << 1;

    /// <summary>MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED: registers the calling process for <see cref="MEMBARRIER_CMD_GLOBAL_EXPEDITED"/>.</summary>
    internal const int MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED = 1 << 2;

    /// <summary><c>syscall(SYS_membarrier, int cmd, unsigned int flags, int cpu_id)</c>.</summary>
    [LibraryImport(Name, EntryPoint = "syscall", SetLastError = true)]
    internal static partial long Membarrier(long number, int cmd, uint flags, int cpuId);
}
