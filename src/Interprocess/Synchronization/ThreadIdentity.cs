using System.Runtime.CompilerServices;
using Interprocess.Interop;

namespace Interprocess.Synchronization;

/// <summary>
/// Who the calling thread is, as the kernel knows it: its thread id (what lock words store as the owner) and
/// the address of the robust-futex list head glibc registered for it. Both are read once per thread.
/// </summary>
internal static unsafe class ThreadIdentity
{
    /// <summary>The kernel thread id of this thread; 0 until first asked.</summary>
    [ThreadStatic]
    private static int t_tid;

    /// <summary>This thread's robust list head, or null when robust lists cannot be used (see <see cref="Init"/>).</summary>
    [ThreadStatic]
    private static RobustListHead* t_head;

    /// <summary>The lowest address of this thread's stack.</summary>
    [ThreadStatic]
    private static nuint t_stackLow;

    /// <summary>The size of this thread's stack in bytes (0 if unknown).</summary>
    [ThreadStatic]
    private static nuint t_stackSize;

    /// <summary>The process id, read once.</summary>
    internal static readonly int ProcessId = Environment.ProcessId;

    /// <summary>The kernel thread id of the calling thread.</summary>
    internal static int Tid
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            int tid = t_tid;
            return tid != 0 ? tid : Init();
        }
    }

    /// <summary>The calling thread's robust list head (null if unavailable). Call after <see cref="Tid"/>.</summary>
    internal static RobustListHead* Head
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => t_head;
    }

    /// <summary>
    /// True when <paramref name="address"/> lies on the calling thread's stack: a lock found there is a copy of
    /// one in shared memory (C# copies structs silently), and must never be linked into the robust list.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool IsOnStack(void* address) => (nuint)address - t_stackLow < t_stackSize;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int Init()
    {
        byte* attr = stackalloc byte[Libc.PThreadAttrBufferSize];
        if (Libc.PThreadGetAttrNp(Libc.PThreadSelf(), attr) == 0)
        {
            nint low;
            nuint size;
            if (Libc.PThreadAttrGetStack(attr, &low, &size) == 0)
            {
                t_stackLow = (nuint)low;
                t_stackSize = size;
            }

            Libc.PThreadAttrDestroy(attr);
        }

        int tid = Libc.GetTid();
        RobustListHead* head = null;
        nuint len = 0;
        // glibc registers one robust list per thread and links its robust pthread mutexes into it with the
        // futex word 32 bytes before the list entry (pthread_mutex_t on 64-bit). Our lock words use the same
        // geometry, so the kernel treats them alike when the thread dies. Anything else (another libc, no
        // robust list): fall back to owner liveness checks only.
        if (Libc.GetRobustList(Libc.SYS_get_robust_list, 0, &head, &len) != 0 || head == null ||
            len != (nuint)sizeof(RobustListHead) || head->FutexOffset != RobustLock.FutexOffset)
        {
            head = null;
        }

        t_head = head;
        t_tid = tid;
        return tid;
    }
}
