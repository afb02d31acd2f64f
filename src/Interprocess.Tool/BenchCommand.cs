using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Interprocess.Tool;

/// <summary>
/// <c>interprocess bench</c>: runs the cross-process benchmark harness (bench/Interprocess.Bench) for each
/// workload, with progress on stderr, and prints a table; with the anchors (../shared/anchors), runs them
/// through their run-all.sh with our harness as ANCHOR_PROJECT, so ours and theirs are measured in the same
/// run, and prints them side by side with ratios.
/// </summary>
internal static partial class BenchCommand
{
    /// <summary>The anchors' workloads, in their order.</summary>
    public static readonly string[] AllWorkloads = ["W1", "W2", "W3", "W4", "W5", "W6", "W7"];

    /// <summary>Options of one run.</summary>
    /// <param name="Workloads">Which workloads (W1..W7); empty = all.</param>
    /// <param name="AnchorsDir">The anchors' folder (with run-all.sh), or null.</param>
    /// <param name="HarnessPath">--bench: run.sh, the harness dll, its project or folder; null = find it.</param>
    /// <param name="ScalePercent">ANCHOR_SCALE_PCT, or null.</param>
    /// <param name="Reps">ANCHOR_REPS (with ANCHOR_QUICK=1 below 5), or null.</param>
    /// <param name="Runs">ANCHOR_RUNS for the anchors.</param>
    /// <param name="OutDir">Where the anchors' run writes raw.tsv, summary and log (ANCHOR_OUT); null = a new temporary folder.</param>
    internal sealed record Options(IReadOnlyList<string> Workloads, string? AnchorsDir, string? HarnessPath, int? ScalePercent, int? Reps, int Runs, string? OutDir);

    public static int Run(Options options, TextWriter output, TextWriter error)
    {
        var workloads = new List<string>();
        foreach (string w in options.Workloads)
        {
            string upper = w.ToUpperInvariant();
            if (!WorkloadName().IsMatch(upper))
            {
                error.WriteLine($"interprocess: unknown workload '{w}': expected {string.Join(", ", AllWorkloads)}.");
                return ExitCodes.Usage;
            }

            if (!workloads.Contains(upper))
            {
                workloads.Add(upper);
            }
        }

        if (workloads.Count == 0)
        {
            workloads.AddRange(AllWorkloads);
        }

        if (!TryFindHarness(options.HarnessPath, error, out var harness))
        {
            return ExitCodes.Usage;
        }

        string? anchors = options.AnchorsDir;
        if (anchors is not null && !File.Exists(Path.Combine(anchors, "run-all.sh")))
        {
            error.WriteLine($"interprocess: '{anchors}' is not the anchors' folder (no run-all.sh in it).");
            return ExitCodes.Usage;
        }

        var env = new Dictionary<string, string>();
        if (options.ScalePercent is int scale)
        {
            env["ANCHOR_SCALE_PCT"] = scale.ToString(CultureInfo.InvariantCulture);
        }

        if (options.Reps is int reps)
        {
            env["ANCHOR_REPS"] = reps.ToString(CultureInfo.InvariantCulture);
            if (reps < 5)
            {
                env["ANCHOR_QUICK"] = "1";
            }
        }

        var watch = Stopwatch.StartNew();
        List<BenchResult> results;
        bool ok;
        if (anchors is null)
        {
            (results, ok) = RunOurs(harness, workloads, env, error);
        }
        else
        {
            (results, ok) = RunWithAnchors(harness, anchors, workloads, env, options.Runs, options.OutDir, error);
        }

        error.WriteLine($"interprocess: benchmarks done in {watch.Elapsed.TotalSeconds:0.0} s.");
        if (anchors is null)
        {
            WriteTable(results, output);
        }
        else
        {
            WriteComparison(results, output);
        }

        WriteChecks(results, output);
        return ok && !results.Any(r => r.IsFailure) ? ExitCodes.Success : ExitCodes.Failed;
    }

    private static (List<BenchResult>, bool) RunOurs(Harness harness, List<string> workloads, Dictionary<string, string> env, TextWriter error)
    {
        var results = new List<BenchResult>();
        bool ok = true;
        for (int i = 0; i < workloads.Count; i++)
        {
            string w = workloads[i];
            error.WriteLine($"[{i + 1}/{workloads.Count}] {w}: {harness.Display} {w}");
            var watch = Stopwatch.StartNew();
            var lines = new List<string>();
            int rc = RunProcess(harness.FileName, [.. harness.Arguments, w], env, lines.Add, line => error.WriteLine("      " + line));
            int found = 0;
            foreach (string line in lines)
            {
                if (BenchResult.Parse(line) is { } r)
                {
                    results.Add(r);
                    found++;
                }
            }

            error.WriteLine($"      {w}: {found} result(s) in {watch.Elapsed.TotalSeconds:0.0} s{(rc == 0 ? string.Empty : $", exit code {rc}")}");
            ok &= rc == 0;
        }

        return (results, ok);
    }

    private static (List<BenchResult>, bool) RunWithAnchors(Harness harness, string anchors, List<string> workloads, Dictionary<string, string> env, int runs, string? outDirOption, TextWriter error)
    {
        string outDir = Path.GetFullPath(outDirOption ?? Path.Combine(Path.GetTempPath(), $"interprocess-bench-{Environment.ProcessId}-{Guid.NewGuid():N}"));
        Directory.CreateDirectory(outDir);
        env["ANCHOR_PROJECT"] = harness.CommandLine;
        env["ANCHOR_ONLY"] = string.Join(' ', workloads);
        env["ANCHOR_RUNS"] = runs.ToString(CultureInfo.InvariantCulture);
        env["ANCHOR_SAMECORE"] = Environment.GetEnvironmentVariable("ANCHOR_SAMECORE") ?? "0";
        env["ANCHOR_BDN"] = Environment.GetEnvironmentVariable("ANCHOR_BDN") ?? "0";
        env["ANCHOR_OUT"] = outDir;
        error.WriteLine($"interprocess: running the anchors ({Path.Combine(anchors, "run-all.sh")}) for {env["ANCHOR_ONLY"]}, {runs} run(s), with ours after each; results in {outDir}");
        var watch = Stopwatch.StartNew();
        int rc = RunProcess("bash", [Path.Combine(anchors, "run-all.sh")], env, _ => { }, line =>
            error.WriteLine($"  [{watch.Elapsed.TotalSeconds,6:0.0} s] {line.Trim()}"));
        var results = new List<BenchResult>();
        string raw = Path.Combine(outDir, "raw.tsv");
        if (File.Exists(raw))
        {
            foreach (string line in File.ReadLines(raw))
            {
                if (BenchResult.ParseRaw(line) is { } r)
                {
                    results.Add(r);
                }
            }
        }
        else
        {
            error.WriteLine($"interprocess: the anchors wrote no {raw}.");
        }

        if (rc != 0)
        {
            error.WriteLine($"interprocess: run-all.sh exited with {rc} (see {outDir}/log.txt).");
        }

        return (results, rc == 0 && File.Exists(raw));
    }

    /// <summary>Median of one system's values over runs, per (workload, metric, variant, system).</summary>
    private static List<(string Workload, string Metric, string Variant, string System, double Value, string Unit, bool Ours, bool HigherIsBetter)> Medians(List<BenchResult> results) =>
        [.. results.Where(r => r.Number is not null)
            .GroupBy(r => (r.Workload, r.Metric, r.Variant, r.System))
            .Select(g =>
            {
                double[] v = [.. g.Select(r => r.Number!.Value).Order()];
                double median = v.Length % 2 == 1 ? v[v.Length / 2] : (v[(v.Length / 2) - 1] + v[v.Length / 2]) / 2;
                var first = g.First();
                return (g.Key.Workload, g.Key.Metric, g.Key.Variant, g.Key.System, median, first.Unit, first.IsOurs, first.HigherIsBetter);
            })];

    private static void WriteTable(List<BenchResult> results, TextWriter output)
    {
        var rows = Medians(results);
        if (rows.Count == 0)
        {
            output.WriteLine("No results (is anything registered for these workloads? see bench/README.md).");
            return;
        }

        var table = new TextTable("WORKLOAD", "SYSTEM", "METRIC", "VALUE", "UNIT").AlignRight(3);
        foreach (var r in rows)
        {
            table.Add(r.Workload, r.System, r.Metric, Number(r.Value), r.Unit);
        }

        table.Write(output);
    }

    private static void WriteComparison(List<BenchResult> results, TextWriter output)
    {
        var rows = Medians(results);
        if (rows.Count == 0)
        {
            output.WriteLine("No results.");
            return;
        }

        var table = new TextTable("WORKLOAD", "METRIC", "VARIANT", "OURS", "VALUE", "THEIRS", "VALUE", "UNIT", "OURS/THEIRS").AlignRight(4, 6, 8);
        foreach (var group in rows.GroupBy(r => (r.Workload, r.Metric, r.Variant)))
        {
            var ours = group.Where(r => r.Ours).ToList();
            var theirs = group.Where(r => !r.Ours).ToList();
            foreach (var o in ours)
            {
                if (theirs.Count == 0)
                {
                    table.Add(group.Key.Workload, group.Key.Metric, group.Key.Variant, o.System, Number(o.Value), "-", "-", o.Unit, "-");
                }

                foreach (var t in theirs)
                {
                    string ratio = t.Value == 0 || t.Unit != o.Unit ? "-" : (o.Value / t.Value).ToString("0.00", CultureInfo.InvariantCulture);
                    table.Add(group.Key.Workload, group.Key.Metric, group.Key.Variant, o.System, Number(o.Value), t.System, Number(t.Value), o.Unit, ratio);
                }
            }

            if (ours.Count == 0)
            {
                foreach (var t in theirs)
                {
                    table.Add(group.Key.Workload, group.Key.Metric, group.Key.Variant, "-", "-", t.System, Number(t.Value), t.Unit, "-");
                }
            }
        }

        table.Write(output);
        output.WriteLine();
        output.WriteLine("OURS/THEIRS = our median ÷ theirs, measured in the same run: below 1 is better for times (ns), above 1 for rates (msg/s, MB/s).");
    }

    private static void WriteChecks(List<BenchResult> results, TextWriter output)
    {
        var checks = results.Where(r => r.Number is null).GroupBy(r => (r.Workload, r.System, r.Variant, r.Metric)).ToList();
        if (checks.Count == 0)
        {
            return;
        }

        output.WriteLine();
        output.WriteLine("Checks:");
        foreach (var g in checks)
        {
            var values = g.Select(r => r.Value).Distinct().ToList();
            output.WriteLine($"  {g.Key.Workload} {g.Key.System} [{g.Key.Variant}] {g.Key.Metric}: {string.Join("/", values)}{(g.Any(r => r.IsFailure) ? "  <-- FAILED" : string.Empty)}");
        }
    }

    private static string Number(double v) =>
        Math.Abs(v) >= 1e7 ? v.ToString("0.###e+0", CultureInfo.InvariantCulture)
        : Math.Abs(v) >= 100 ? v.ToString("0", CultureInfo.InvariantCulture)
        : v.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>Runs a process to completion, passing its stdout and stderr lines on as they come.</summary>
    internal static int RunProcess(string fileName, IEnumerable<string> arguments, Dictionary<string, string> env, Action<string> onOutput, Action<string> onError)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string a in arguments)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (k, v) in env)
        {
            psi.Environment[k] = v;
        }

        var gate = new object();
        using var process = new Process { StartInfo = psi };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (gate)
                {
                    onOutput(e.Data);
                }
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (gate)
                {
                    onError(e.Data);
                }
            }
        };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            onError($"cannot start {fileName}: {e.Message}");
            return 127;
        }

        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.WaitForExit();
        return process.ExitCode;
    }

    /// <summary>How to start the harness for one workload: <c>FileName Arguments... W3</c>.</summary>
    internal sealed record Harness(string FileName, IReadOnlyList<string> Arguments)
    {
        /// <summary>The command as one line (for ANCHOR_PROJECT, which run-all.sh splits on spaces).</summary>
        public string CommandLine => string.Join(' ', Arguments.Prepend(FileName));

        public string Display => CommandLine;
    }

    /// <summary>
    /// Resolves --bench (run.sh, a .dll, an executable, the harness project or a folder holding run.sh or
    /// bench/run.sh), or, without it, finds bench/run.sh above the current directory or above the tool itself.
    /// </summary>
    private static bool TryFindHarness(string? path, TextWriter error, out Harness harness)
    {
        harness = null!;
        if (path is not null)
        {
            string full = Path.GetFullPath(path);
            if (Directory.Exists(full))
            {
                string? script = new[] { Path.Combine(full, "run.sh"), Path.Combine(full, "bench", "run.sh"), Path.Combine(full, "..", "run.sh") }
                    .Select(Path.GetFullPath).FirstOrDefault(File.Exists);
                if (script is null)
                {
                    error.WriteLine($"interprocess: no run.sh in or next to '{path}'.");
                    return false;
                }

                harness = new Harness("bash", [script]);
                return true;
            }

            if (!File.Exists(full))
            {
                error.WriteLine($"interprocess: --bench '{path}' does not exist.");
                return false;
            }

            harness = Path.GetExtension(full) switch
            {
                ".dll" => new Harness("dotnet", [full]),
                ".sh" => new Harness("bash", [full]),
                ".csproj" when File.Exists(Path.Combine(Path.GetDirectoryName(full)!, "..", "run.sh")) =>
                    new Harness("bash", [Path.GetFullPath(Path.Combine(Path.GetDirectoryName(full)!, "..", "run.sh"))]),
                _ => new Harness(full, []),
            };
            return true;
        }

        foreach (string start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string script = Path.Combine(dir.FullName, "bench", "run.sh");
                if (File.Exists(script))
                {
                    harness = new Harness("bash", [script]);
                    return true;
                }
            }
        }

        error.WriteLine("interprocess: cannot find the benchmark harness (bench/run.sh): run from the repository, or pass --bench PATH.");
        return false;
    }

    [GeneratedRegex("^W[1-7]$")]
    private static partial Regex WorkloadName();
}
