using System.Diagnostics;
using System.Text;

namespace Interprocess.Tests.Samples;

/// <summary>
/// Runs every example of samples/Examples (the C# counterparts of Boost's documentation examples) as its own
/// process, the way a reader would, and checks its exit code and the line that says it worked.
/// </summary>
public sealed class ExamplesTests
{
    private static readonly string s_examples = Path.Combine(AppContext.BaseDirectory, "Examples.dll");

    /// <summary>Each example and the line it prints when it worked (as in docs/samples.md).</summary>
    public static TheoryData<string, string> Examples => new()
    {
        { "shared-memory", "OK: the child saw the parent's 1000 bytes" },
        { "anonymous-shared-memory", "OK: parent and child shared memory that has no name" },
        { "xsi-shared-memory", "OK: the child found the segment by its key" },
        { "file-mapping", "OK: 10000 bytes written through a mapping are in the file" },
        { "offset-ptr", "OK: the list links held at another address" },
        { "named-mutex", "OK: 20 lines from two processes, none interleaved" },
        { "anonymous-mutex", "OK: 200 lines logged by two processes under one mutex" },
        { "anonymous-condition", "OK: 100 messages passed through one slot, paced by two conditions" },
        { "anonymous-semaphore", "OK: 100 items consumed in order" },
        { "upgradable-mutex", "OK: 201 lines; written exclusively, read shared, appended after an upgrade" },
        { "message-queue", "OK: 100 messages from one process to another" },
        { "named-allocation", "OK: objects constructed by name in one process were found and destroyed in another" },
        { "raw-allocation", "OK: a block allocated in one process was read and freed in another" },
        { "aligned-allocation", "OK: every block came back at the alignment asked for" },
        { "multiple-allocation", "OK: 5 blocks allocated in one call and freed in one call" },
        { "construction-info", "OK: the segment knows each object's name, kind, type and length" },
        { "copy-on-write", "OK: the copy-on-write changes stayed out of the file and went into the saved copy" },
        { "grow", "OK: the segment grew and shrank and kept its objects" },
        { "heap-memory", "OK: the heap segment grew and kept its objects" },
        { "external-buffer", "OK: the byte copy of the buffer is a working segment" },
        { "managed-mapped-file", "OK: the managed mapped file kept what both processes wrote" },
        { "bufferstream", "OK: the stream wrote and read in place and refused to overflow" },
        { "allocation-command", "OK: the buffer was allocated, expanded forward and backward, and shrunk in place" },
        { "allocators", "OK: 7 allocator kinds served lists in two processes and gave everything back" },
        { "vector", "OK: the child sorted and destroyed the vector the parent filled" },
        { "containers-of-containers", "OK: nested containers were shared by two processes and freed with their outer containers" },
        { "move-containers", "OK: 50 strings moved into a vector with no copy and freed with it" },
        { "complex-map", "OK: a map of strings to nested data was read and changed by a child and freed whole" },
        { "map", "OK: the map was filled, read under a sharable lock and changed by other processes" },
        { "unordered-map", "OK: the hash map was filled by one process and updated by another" },
        { "shared-ptr", "OK: the shared value lived while an owner did, in either process, and was freed by the last" },
        { "shared-ptr-explicit", "OK: the last owner destroyed the shared vector and gave its memory back" },
        { "unique-ptr", "OK: 100 unique owners moved from a vector to a list and destroyed by another process" },
        { "scoped-ptr", "OK: the scoped pointer kept the object that was released and freed the one that was not" },
        { "intrusive-ptr", "OK: the object counted its own references across two processes and was freed by the last" },
        { "file-lock", "OK: the file lock kept the two processes' writes in turn" },
        { "vectorstream", "OK: 100 integers formatted into a shared byte vector, parsed back, and swapped out without a copy" },
    };

    [Theory]
    [MemberData(nameof(Examples))]
    public async Task Example_Runs_AndSaysItWorked(string example, string okLine)
    {
        var (code, output) = await Run(example);
        Assert.True(code == 0, $"'{example}' exited with {code}:\n{output}");
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(okLine, lines[^1]);
        Assert.Single(lines, l => l.StartsWith("OK:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task List_NamesEveryExampleOnce_AndEveryOneIsTested()
    {
        var (code, output) = await Run("list");
        Assert.Equal(0, code);
        string[] listed = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[0]).ToArray();
        string[] tested = Examples.Select(row => (string)row[0]).ToArray();
        Assert.Equal(tested.Order(), listed.Order());
        Assert.All(output.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => Assert.Contains("doc_", l, StringComparison.Ordinal));
    }

    [Fact]
    public async Task UnknownExample_ExitsWithUsageError()
    {
        var (code, output) = await Run("no-such-example");
        Assert.Equal(2, code);
        Assert.Contains("No example 'no-such-example'", output, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Output)> Run(string example)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(s_examples);
        psi.ArgumentList.Add(example);
        using var process = Process.Start(psi)!;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var stderr = process.StandardError.ReadToEndAsync(deadline.Token);
        string stdout = await process.StandardOutput.ReadToEndAsync(deadline.Token);
        await process.WaitForExitAsync(deadline.Token);
        var all = new StringBuilder(stdout);
        string errors = await stderr;
        if (errors.Length > 0)
        {
            all.Append("stderr:\n").Append(errors);
        }

        return (process.ExitCode, all.ToString());
    }
}
