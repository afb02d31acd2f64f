using Interprocess.Tests.Infrastructure;

namespace Interprocess.Tests.Tool;

/// <summary>`interprocess bench`: a tiny smoke run of the real harness, and the side-by-side table against a stand-in for the anchors.</summary>
public sealed class ToolBenchTests
{
    [Fact]
    public void Bench_SmokeRunOfW1_PrintsProgressAndATable()
    {
        var r = ToolRunner.Run("bench", "W1", "--bench", ToolRunner.BenchPath, "--scale", "1", "--reps", "1");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("[1/1] W1", r.Stderr);
        Assert.Matches(@"W1 +interprocess_mutex +ns_per_pair +[0-9.]+ +ns", r.Stdout);
    }

    [Fact]
    public void Bench_WithAnchors_RunsThemWithOursAndPrintsRatios()
    {
        // A stand-in for ../shared/anchors/run-all.sh that keeps its contract: results in $ANCHOR_OUT/raw.tsv
        // ("run TAB variant TAB" + the five fields), ours run through $ANCHOR_PROJECT with the workload appended.
        string dir = Path.Combine(Path.GetTempPath(), UniqueName.New("tool-anchors"));
        Directory.CreateDirectory(dir);
        try
        {
            File.WriteAllText(Path.Combine(dir, "run-all.sh"), """
                set -u
                echo "  run 1 default  fake boost anchor for $ANCHOR_ONLY" >&2
                printf '1\tdefault\tW1\tboost_interprocess_mutex\tns_per_pair\t1000.0\tns\n' > "$ANCHOR_OUT/raw.tsv"
                $ANCHOR_PROJECT W1 | sed 's/^/1\tdefault\t/' >> "$ANCHOR_OUT/raw.tsv"
                """.Replace("\r", string.Empty, StringComparison.Ordinal));

            var r = ToolRunner.Run(
                new Dictionary<string, string> { ["ANCHOR_DIR"] = dir },
                "bench", "W1", "--bench", ToolRunner.BenchPath, "--scale", "1", "--reps", "1", "--out", Path.Combine(dir, "out"));

            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.True(File.Exists(Path.Combine(dir, "out", "raw.tsv")));
            Assert.Contains("fake boost anchor for W1", r.Stderr);
            Assert.Matches(@"W1 +ns_per_pair +default +interprocess_mutex +[0-9.]+ +boost_interprocess_mutex +1000 +ns +[0-9]+\.[0-9]{2}", r.Stdout);
            Assert.Contains("OURS/THEIRS", r.Stdout);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Bench_WithAFolderThatIsNotTheAnchors_ExitCode1()
    {
        var r = ToolRunner.Run("bench", "W1", "--bench", ToolRunner.BenchPath, "--anchors", Path.GetTempPath());

        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Contains("run-all.sh", r.Stderr);
    }
}
