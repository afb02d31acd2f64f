using System.Runtime.InteropServices;

namespace Interprocess.Interop;

/// <summary>Clock ids from &lt;time.h&gt; and <c>struct timespec</c> (16 bytes on 64-bit Linux).</summary>
internal static class Clock
{
    internal const int CLOCK_REALTIME = 0;
    internal const int CLOCK_MONOTONIC = 1;
}

/// <summary><c>struct timespec</c> on 64-bit Linux.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct Timespec
{
    public long tv_sec;
    public long tv_nsec;

    /// <summary>A relative timeout from a count of nanoseconds (not negative).</summary>
    public static Timespec FromNanoseconds(long ns) => new() { tv_sec = ns / 1_000_000_000, tv_nsec = ns % 1_000_000_000 };
}
