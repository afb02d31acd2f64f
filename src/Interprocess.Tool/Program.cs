// The 'interprocess' command (docs/tool.md): list, inspect and remove what the Interprocess library keeps in
// /dev/shm, and run the cross-process benchmarks. Exit codes: see ExitCodes.
using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using Interprocess.Tool;

var kindOption = new Option<string>("--kind", "-k")
{
    Description = "Only objects of this kind: segment (managed segments), queue (MessageQueue, SpscQueue, MpmcQueue, BroadcastQueue), sync (named mutexes, conditions, semaphores), shm (plain shared memory objects) or all.",
    DefaultValueFactory = _ => "all",
    HelpName = "segment|queue|sync|shm|all",
};
kindOption.AcceptOnlyFromAmong(KindFilter.Values);

// list
var jsonOption = new Option<bool>("--json") { Description = "Print a JSON array instead of a table." };
var list = new Command("list", "List the library's objects in /dev/shm: kind, type, name, size, permissions, owner, modification time and status (ok, incomplete, corrupt). Reads only the headers; changes nothing.")
{
    kindOption,
    jsonOption,
};
list.SetAction(r => Guard(() => ListCommand.Run(KindFilter.Parse(r.GetValue(kindOption)), r.GetValue(jsonOption), Console.Out)));

// inspect
var nameArgument = new Argument<string>("NAME") { Description = "The object's name as the library's API takes it (for a named mutex 'x', 'x', not 'ipsync.x'); the file name in /dev/shm works too." };
var inspect = new Command("inspect", "Show one object in detail, read-only: a segment's size, free memory, algorithm, index, named and unique objects (type, size) and sanity; a queue's capacity, depth, blocked senders and receivers and lock; a lock's state and owner (thread, process, alive or dead).")
{
    nameArgument,
    kindOption,
};
inspect.SetAction(r => Guard(() => InspectCommand.Run(r.GetValue(nameArgument)!, KindFilter.Parse(r.GetValue(kindOption)), Console.Out, Console.Error)));

// remove
var yesOption = new Option<bool>("--yes", "-y") { Description = "Remove without asking (required when the input is not a terminal)." };
var remove = new Command("remove", "Remove one object's name (shm_unlink / sem_unlink). Processes that have it open keep using it until they close it. Asks for confirmation unless --yes.")
{
    nameArgument,
    kindOption,
    yesOption,
};
remove.SetAction(r => Guard(() => RemoveCommand.Run(r.GetValue(nameArgument)!, KindFilter.Parse(r.GetValue(kindOption)), r.GetValue(yesOption),
    Console.In, !Console.IsInputRedirected, Console.Out, Console.Error)));

// bench
var workloadsArgument = new Argument<string[]>("WORKLOAD") { Description = "W1..W7 (default: all).", Arity = ArgumentArity.ZeroOrMore };
var anchorsOption = new Option<string>("--anchors") { Description = "The anchors' folder (with run-all.sh; default: $ANCHOR_DIR if set). Runs them in the same run as ours and prints both side by side with ratios.", HelpName = "DIR" };
var benchOption = new Option<string>("--bench") { Description = "The harness: bench/run.sh, Interprocess.Bench.dll, an executable, or a folder with run.sh (default: bench/run.sh found above the current folder).", HelpName = "PATH" };
var scaleOption = new Option<int?>("--scale") { Description = "Scale every iteration count to this percentage (ANCHOR_SCALE_PCT; smoke runs).", HelpName = "PCT" };
var repsOption = new Option<int?>("--reps") { Description = "Timed repetitions per result (ANCHOR_REPS; below 5 sets ANCHOR_QUICK=1).", HelpName = "N" };
var outOption = new Option<string>("--out") { Description = "With --anchors: the folder for the anchors' raw.tsv, summary and log (ANCHOR_OUT; default: a new temporary folder).", HelpName = "DIR" };
var runsOption = new Option<int>("--runs") { Description = "With --anchors: process-level runs of each two-process workload (ANCHOR_RUNS).", DefaultValueFactory = _ => 1, HelpName = "N" };
scaleOption.Validators.Add(r =>
{
    if (r.GetValueOrDefault<int?>() is int v && (v < 1 || v > 1000))
    {
        r.AddError("--scale must be 1 to 1000.");
    }
});
repsOption.Validators.Add(r =>
{
    if (r.GetValueOrDefault<int?>() is int v && v < 1)
    {
        r.AddError("--reps must be at least 1.");
    }
});
runsOption.Validators.Add(r =>
{
    if (r.GetValueOrDefault<int>() < 1)
    {
        r.AddError("--runs must be at least 1.");
    }
});
var bench = new Command("bench", "Run the cross-process benchmarks (bench/Interprocess.Bench) and print a table; progress goes to stderr. With the anchors, runs Boost's and .NET's programs in the same run and prints ours and theirs side by side with ratios.")
{
    workloadsArgument,
    anchorsOption,
    benchOption,
    scaleOption,
    repsOption,
    runsOption,
    outOption,
};
bench.SetAction(r => Guard(() => BenchCommand.Run(
    new BenchCommand.Options(
        r.GetValue(workloadsArgument) ?? [],
        r.GetValue(anchorsOption) ?? NullIfEmpty(Environment.GetEnvironmentVariable("ANCHOR_DIR")),
        r.GetValue(benchOption),
        r.GetValue(scaleOption),
        r.GetValue(repsOption),
        r.GetValue(runsOption),
        r.GetValue(outOption)),
    Console.Out,
    Console.Error)));

var root = new RootCommand("interprocess: list, inspect and remove the shared memory segments, queues and named synchronization objects of the Interprocess library (in /dev/shm), and run its cross-process benchmarks.")
{
    list,
    inspect,
    remove,
    bench,
};

// Every command's --help ends with the exit codes; a parse error prints the errors and the usage, exit code 1.
var help = root.Options.OfType<HelpOption>().Single();
help.Action = new HelpWithExitCodes((HelpAction)help.Action!);
var parsed = root.Parse(args);
if (parsed.Action is ParseErrorAction parseError)
{
    parseError.ShowHelp = true;
}

return parsed.Invoke();

// Turns failures the commands did not expect into a message and exit code 3 instead of a stack trace.
static int Guard(Func<int> action)
{
    try
    {
        return action();
    }
    catch (Exception e) when (e is Interprocess.InterprocessException or IOException or UnauthorizedAccessException or InvalidOperationException)
    {
        Console.Error.WriteLine($"interprocess: {e.Message}");
        return ExitCodes.Failed;
    }
}

static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
