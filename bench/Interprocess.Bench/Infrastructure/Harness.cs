using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Interprocess.Bench.Infrastructure;

/// <summary>
/// Timing, environment knobs and output, identical to <c>H</c> in the anchors' <c>dotnet/Anchors/Harness.cs</c>
/// so that our lines and theirs mean the same thing:
/// <code>
/// #reps&lt;TAB&gt;workload&lt;TAB&gt;system&lt;TAB&gt;metric&lt;TAB&gt;unit&lt;TAB&gt;v1,v2,...
/// workload&lt;TAB&gt;system&lt;TAB&gt;metric&lt;TAB&gt;median&lt;TAB&gt;unit
/// </code>
/// </summary>
internal static class Harness
{
    /// <summary>Nanoseconds per <see cref="Stopwatch"/> tick (1 on Linux).</summary>
    private static readonly double s_nsPerTick = 1e9 / Stopwatch.Frequency;

    /// <summary>Serializes output lines (a workload may emit from more than one thread).</summary>
    private static readonly Lock s_outLock = new();

    /// <summary>A monotonic timestamp in nanoseconds.</summary>
    public static long NowNs() => (long)(Stopwatch.GetTimestamp() * s_nsPerTick);

    /// <summary>An integer environment variable, or <paramref name="defaultValue"/> when unset or empty.</summary>
    public static long EnvLong(string name, long defaultValue)
    {
        string? v = Environment.GetEnvironmentVariable(name);
        return string.IsNullOrEmpty(v) ? defaultValue : long.Parse(v, CultureInfo.InvariantCulture);
    }

    /// <summary>Timed repetitions per result: <c>ANCHOR_REPS</c>, at least 5 unless <c>ANCHOR_QUICK=1</c>.</summary>
    public static int Reps()
    {
        long r = EnvLong("ANCHOR_REPS", 5);
        if (r < 5 && EnvLong("ANCHOR_QUICK", 0) == 0)
        {
            r = 5;
        }

        return (int)Math.Max(1, r);
    }

    /// <summary>
    /// As the anchors' <c>maybe_pin</c>: with <c>ANCHOR_PIN=1</c>, binds this process to CPU <paramref name="cpu"/>
    /// (the parent of a workload to CPU 0, its child to CPU 1), so that the two always run on different cores.
    /// </summary>
    /// <remarks>
    /// Not checked against <see cref="Environment.ProcessorCount"/>: a child inherits its parent's mask (CPU 0) and
    /// counts 1 processor, which once kept every child on CPU 0 with its parent. A CPU the machine lacks is refused
    /// by the kernel, and reported.
    /// </remarks>
    public static void MaybePin(int cpu)
    {
        if (EnvLong("ANCHOR_PIN", 0) != 0 && (OperatingSystem.IsLinux() || OperatingSystem.IsWindows()))
        {
            try
            {
                Process.GetCurrentProcess().ProcessorAffinity = (nint)1 << cpu;
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                Console.Error.WriteLine($"Interprocess.Bench: ANCHOR_PIN: cannot pin to CPU {cpu}: {e.Message}");
            }
        }
    }

    /// <summary>One spin-wait step of a polling loop: the <c>pause</c> instruction (the anchors' ANCHOR_PAUSE).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Pause()
    {
        if (X86Base.IsSupported)
        {
            X86Base.Pause();
        }
        else
        {
            Thread.SpinWait(1);
        }
    }

    /// <summary>An iteration count scaled by <c>ANCHOR_SCALE_PCT</c> (smoke tests), at least 1.</summary>
    public static long Scaled(long n) => Math.Max(1, n * EnvLong("ANCHOR_SCALE_PCT", 100) / 100);

    /// <summary>The median (the mean of the two middle values for an even count); 0 for no values.</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        double[] s = [.. values.Order()];
        int n = s.Length;
        return n % 2 == 1 ? s[n / 2] : 0.5 * (s[(n / 2) - 1] + s[n / 2]);
    }

    /// <summary>The <paramref name="p"/>-th percentile (nearest rank, rounded) of the first <paramref name="count"/> latencies.</summary>
    public static double Percentile(int[] latencies, int count, double p)
    {
        var copy = new int[count];
        Array.Copy(latencies, copy, count);
        Array.Sort(copy);
        int k = (int)((p / 100.0 * (count - 1)) + 0.5);
        return copy[k];
    }

    /// <summary>One result line with a value given as text (correctness lines: <c>check ok</c>).</summary>
    public static void EmitValue(string workload, string system, string metric, string value, string unit)
    {
        lock (s_outLock)
        {
            Console.Out.Write($"{workload}\t{system}\t{metric}\t{value}\t{unit}\n");
            Console.Out.Flush();
        }
    }

    /// <summary>The <c>#reps</c> line with every repetition, then the result line with their median.</summary>
    public static void Emit(string workload, string system, string metric, IReadOnlyList<double> reps, string unit)
    {
        var inv = CultureInfo.InvariantCulture;
        string list = string.Join(",", reps.Select(x => x.ToString("G6", inv)));
        double m = Median(reps);
        string fmt = m >= 1000 ? "F0" : (m >= 10 ? "F1" : "F2");
        lock (s_outLock)
        {
            Console.Out.Write($"#reps\t{workload}\t{system}\t{metric}\t{unit}\t{list}\n");
        }

        EmitValue(workload, system, metric, m.ToString(fmt, inv), unit);
    }

    /// <summary>A name for a shared object of this run: <paramref name="prefix"/> plus this process's id.</summary>
    public static string Uniq(string prefix) => $"{prefix}_{Environment.ProcessId}";
}
