// The cross-process benchmark harness (see ../README.md). Usage:
//   Interprocess.Bench <workload> [system]      e.g. "W3": runs every system registered for W3
//   Interprocess.Bench --child <workload> <system> args...  the other process of a two-process workload (started by the parent)
// Prints the anchors' lines on stdout; everything else goes to stderr.
using Interprocess.Bench.Infrastructure;
using Interprocess.Bench.Workloads;

if (args.Length >= 3 && args[0] == "--child")
{
    IWorkload? childWorkload = WorkloadRegistry.Select(args[1], args[2]).FirstOrDefault();
    if (childWorkload is null)
    {
        Console.Error.WriteLine($"Interprocess.Bench: no system '{args[1]} {args[2]}' for --child.");
        return 2;
    }

    Harness.MaybePin(1);
    return childWorkload.RunChild(args[3..]);
}

if (args.Length is < 1 or > 2)
{
    Console.Error.WriteLine($"usage: Interprocess.Bench <workload> [system]; known: {WorkloadRegistry.Describe()}");
    return 2;
}

var selected = WorkloadRegistry.Select(args[0], args.Length > 1 ? args[1] : null);
if (selected.Count == 0)
{
    // Not an error: run-all.sh calls us for every anchor workload, implemented or not, and must keep going.
    Console.Error.WriteLine($"Interprocess.Bench: nothing registered for '{string.Join(' ', args)}'; known: {WorkloadRegistry.Describe()}");
    return 0;
}

Harness.MaybePin(0);
int rc = 0;
foreach (var workload in selected)
{
    // Environment.ProcessorCount honours the affinity mask (taskset -c 0 gives 1).
    if (workload.NeedsTwoCpus && Environment.ProcessorCount < 2)
    {
        Console.Error.WriteLine($"Interprocess.Bench: skipping {workload.Workload} {workload.System}: it spins in two processes and this process may use only {Environment.ProcessorCount} CPU (same-core variant).");
        continue;
    }

    rc |= workload.Run();
}

return rc;
