using System.Runtime.CompilerServices;
using Interprocess.Interop;

namespace Interprocess.Synchronization;

/// <summary>
/// Who the calling thread is, as the kernel knows it: its thread id (what lock words store as the owner), the
/// address of the robust-futex list head glibc registered for it, and its stack bounds. All are read once per
/// thread and kept in one thread-static object, so the lock fast path makes a single thread-local access.
/// </summary>
internal static unsafe class ThreadIdentity
{
    /// <summary>This thread's identity; null until first asked.</summary>
    [ThreadStatic]
    private static State? t_state;

    /// <summary>The process id, read once.</summary>
    internal static readonly int ProcessId = Environment.ProcessId;

    /// <summary>The calling thread's identity.</summary>
    internal static State Current
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => t_state ?? Init();
    }

    /// <summary>The kernel thread id of the calling thread.</summary>
    internal static int Tid
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Current.Tid;
    }

    /// <summary>
    /// True when <paramref name="address"/> lies on the calling thread's stack: a primitive found there is a
    /// copy of one in shared memory (C# copies structs silently).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool IsOnStack(void* address) => Current.IsOnStack(address);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static State Init()
    {
        var state = new State { Tid = Libc.GetTid() };
        byte* attr = stackalloc byte[Libc.SizeOfPThreadAttr];
        if (Libc.PThreadGetAttrNp(Libc.PThreadSelf(), attr) == 0)
        {
            nint low;
            nuint size;
            if (Libc.PThreadAttrGetStack(attr, &low, &size) == 0)
            {
                state.StackLow = (nuint)low;
                state.StackSize = size;
            }

            Libc.PThreadAttrDestroy(attr);
        }

        RobustListHead* head = null;
        nuint len = 0;
        // glibc registers one robust list per thread and links its robust pthread mutexes into it with the
        // futex word 32 bytes before the list entry (pthread_mutex_t on 64-bit). Our lock words use the same
        // geometry, so the kernel treats them alike when the thread dies. Anything else (another libc, no
        // robust list): fall back to owner liveness checks only.
        if (Libc.GetRobustList(Libc.SYS_get_robust_list, 0, &head, &len) == 0 && head != null &&
            len == (nuint)sizeof(RobustListHead) && head->FutexOffset == RobustLock.FutexOffset)
        {
            state.Head = head;
        }

        t_state = state;
        return state;
    }

    /// <summary>One thread's identity.</summary>
    internal sealed class State
    {
        /// <summary>The kernel thread id.</summary>
        internal int Tid;

        /// <summary>The robust list head glibc registered for the thread, or null when it cannot be used.</summary>
        internal RobustListHead* Head;

        /// <summary>The lowest address of the thread's stack.</summary>
        internal nuint StackLow;

        /// <summary>The size of the thread's stack (0 if unknown).</summary>
        internal nuint StackSize;

        /// <summary>
        /// True when <paramref name="address"/> lies on this thread's stack: a lock found there is a copy of one
        /// in shared memory (C# copies structs silently), and must never be linked into the robust list.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal bool IsOnStack(void* address) => (nuint)address - StackLow < StackSize;
    }
}
