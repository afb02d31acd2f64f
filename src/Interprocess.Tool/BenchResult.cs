using System.Globalization;

namespace Interprocess.Tool;

/// <summary>One result line of the anchors' output contract (<c>workload system metric value unit</c>), with where it came from.</summary>
/// <param name="Workload">W1..W7.</param>
/// <param name="System">The system column (<c>interprocess_mutex</c>, <c>boost_interprocess_mutex</c>).</param>
/// <param name="Metric">The metric (<c>ns_per_pair</c>, <c>rtt_p50</c>, <c>check</c>).</param>
/// <param name="Value">The value as printed (a number, or a word for checks).</param>
/// <param name="Unit">The unit.</param>
/// <param name="Variant"><c>default</c> or <c>samecore</c>.</param>
internal sealed record BenchResult(string Workload, string System, string Metric, string Value, string Unit, string Variant)
{
    /// <summary>The anchors' words for a failed correctness check.</summary>
    private static readonly string[] s_failures = ["LOST", "LOSS", "BAD", "BAD_ECHO"];

    /// <summary>Ours: the project's systems all start with this prefix.</summary>
    public bool IsOurs => System.StartsWith("interprocess_", StringComparison.Ordinal);

    /// <summary>The value as a number, or null for a check word.</summary>
    public double? Number => double.TryParse(Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : null;

    /// <summary>A failed correctness check.</summary>
    public bool IsFailure => Array.IndexOf(s_failures, Value) >= 0;

    /// <summary>Higher is better for rates (msg/s, MB/s); lower for times.</summary>
    public bool HigherIsBetter => Unit.Contains("/s", StringComparison.Ordinal);

    /// <summary>Parses <c>workload TAB system TAB metric TAB value TAB unit</c>; null for comments and other lines.</summary>
    public static BenchResult? Parse(string line, string variant = "default")
    {
        if (line.StartsWith('#'))
        {
            return null;
        }

        string[] f = line.Split('\t');
        return f.Length == 5 && f[0].Length > 1 && f[0][0] == 'W' ? new BenchResult(f[0], f[1], f[2], f[3], f[4], variant) : null;
    }

    /// <summary>Parses a line of run-all.sh's raw.tsv: <c>run TAB variant TAB</c> then the contract's five fields.</summary>
    public static BenchResult? ParseRaw(string line)
    {
        string[] f = line.Split('\t', 3);
        return f.Length == 3 ? Parse(f[2], f[1]) : null;
    }
}
