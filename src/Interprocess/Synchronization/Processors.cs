namespace Interprocess.Synchronization;

/// <summary>
/// Whether a waiter should spin for a peer in another process before it sleeps: only if the machine has more than
/// one processor online, whatever this process's own affinity mask.
/// </summary>
/// <remarks>
/// <see cref="Environment.ProcessorCount"/> counts the processors this process may run on, read once at startup:
/// a process started under <c>taskset -c 3</c> (each side of a low-latency pipeline pinned to its own core, the
/// usual deployment) sees 1 and would never spin, so that every hand-off went through a yield or a futex wake even
/// though its peer runs on another core. Threads of one process share its mask, which is why .NET's own spinning
/// looks at it; a peer process has a mask of its own, unknown here. Boost.Interprocess decides the same way (its
/// spin wait counts the system's cores). A process that may run on one processor only cannot tell whether its peer
/// shares it, so its waiters spin in short stretches with a yield between them (<see cref="MayShareCore"/>).
/// </remarks>
internal static class Processors
{
    /// <summary>The processors online in the system (at least 1).</summary>
    internal static readonly int Online = CountOnline();

    /// <summary>True when a peer process may run at the same time as this one, so that spinning can see it act.</summary>
    internal static readonly bool SpinningHelps = Online > 1;

    /// <summary>
    /// True when this process may run on one processor only while the machine has more: its peer may have a core of
    /// its own (then a spin sees it act within nanoseconds) or share this one (then only a yield lets it run). Its
    /// waiters spin in short stretches with a yield of the core between them, which serves both. .NET also counts
    /// one processor under a CPU quota of one (a container limited to one CPU), which is treated the same way.
    /// </summary>
    internal static readonly bool MayShareCore = SpinningHelps && Environment.ProcessorCount == 1;

    /// <summary>
    /// Between two stretches of a waiter's spin: yields the core when <see cref="MayShareCore"/> (the peer, or the
    /// holder of the lock waited for, may be waiting for this very core); nothing otherwise.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal static void BetweenSpins()
    {
        if (MayShareCore)
        {
            Thread.Yield();
        }
    }

    private static int CountOnline()
    {
        if (OperatingSystem.IsLinux())
        {
            long n = Interop.Libc.SysConf(Interop.Libc.SC_NPROCESSORS_ONLN);
            if (n > 0)
            {
                return (int)Math.Min(n, int.MaxValue);
            }
        }

        return Environment.ProcessorCount;
    }
}
