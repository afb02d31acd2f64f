using System.Runtime.InteropServices;

namespace Interprocess.Interop;

internal static partial class Libc
{
    /// <summary>SYS_get_robust_list on x86-64.</summary>
    internal const long SYS_get_robust_list = 274;

    /// <summary>
    /// <c>syscall(SYS_get_robust_list, 0, struct robust_list_head **head, size_t *len)</c>: the calling
    /// thread's robust-futex list head, which glibc registered when it created the thread.
    /// </summary>
    [LibraryImport(Name, EntryPoint = "syscall", SetLastError = true)]
    internal static unsafe partial long GetRobustList(long number, int pid, RobustListHead** head, nuint* len);
}

/// <summary>
/// <c>struct robust_list_head</c> (&lt;linux/futex.h&gt;): the per-thread list of robust futexes the kernel
/// walks when the thread dies, marking each futex the thread still owns with FUTEX_OWNER_DIED and waking a
/// waiter. glibc places a <c>void *robust_prev</c> immediately before it, so that the doubly linked list's
/// "previous" pointer of the first entry has a place to live.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct RobustListHead
{
    /// <summary>The first entry, or the address of this head when the list is empty (bit 0 marks a PI futex).</summary>
    public nint List;
    /// <summary>futex word address = entry address + FutexOffset (glibc: -32, the pthread_mutex_t layout).</summary>
    public long FutexOffset;
    /// <summary>The entry being locked or unlocked right now, so a death in the middle is still handled.</summary>
    public nint ListOpPending;
}
