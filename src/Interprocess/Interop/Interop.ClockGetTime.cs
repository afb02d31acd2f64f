using System.Runtime.InteropServices;

namespace Interprocess.Interop;

internal static partial class Libc
{
    /// <summary><c>int clock_gettime(clockid_t clk, struct timespec *tp)</c>: a vDSO call that never blocks.</summary>
    [LibraryImport(Name, EntryPoint = "clock_gettime")]
    [SuppressGCTransition]
    internal static unsafe partial int ClockGetTime(int clock, Timespec* tp);

    /// <summary>Nanoseconds on CLOCK_MONOTONIC: the clock every timeout of the library is measured on.</summary>
    internal static unsafe long MonotonicNanoseconds()
    {
        Timespec ts;
        ClockGetTime(Clock.CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1_000_000_000 + ts.tv_nsec;
    }
}
