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
/// spin wait counts the system's cores). Processes that share one core spin for the base budget before they yield.
/// </remarks>
internal static class Processors
{
    /// <summary>The processors online in the system (at least 1).</summary>
    internal static readonly int Online = CountOnline();

    /// <summary>True when a peer process may run at the same time as this one, so that spinning can see it act.</summary>
    internal static readonly bool SpinningHelps = Online > 1;

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
