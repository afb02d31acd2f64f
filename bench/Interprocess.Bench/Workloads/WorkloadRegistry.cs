using Interprocess.Containers;

namespace Interprocess.Bench.Workloads;

/// <summary>Every workload the harness knows, in the order they run.</summary>
internal static class WorkloadRegistry
{
    /// <summary>The list: add a new workload here.</summary>
    public static IReadOnlyList<IWorkload> All { get; } =
    [
        new MutexUncontendedWorkload(),
        new MutexContendedWorkload(),
        new ShmSpinFlagsWorkload(),
        new SemaphorePingPongWorkload(),
        new MessageQueuePingPongWorkload(),
        new MessageQueueThroughputWorkload(),
        new QueuePingPongWorkload(mpmc: false),
        new QueuePingPongWorkload(mpmc: true),
        new QueueThroughputWorkload(mpmc: false),
        new QueueThroughputWorkload(mpmc: true),
        new PairedQueueWorkload("W3", mpmc: false),
        new PairedQueueWorkload("W3", mpmc: true),
        new PairedQueueWorkload("W4", mpmc: false),
        new PairedQueueWorkload("W4", mpmc: true),
        new ManagedAllocWorkload(),
        new ManagedAllocWorkload(new() { Algorithm = Interprocess.Managed.AllocationAlgorithm.SequentialFit }, "_seqfit"),
        new ManagedAllocWorkload(new() { Index = Interprocess.Managed.NameIndexKind.Ordered }, "_ordered_index"),
        new VectorPushBackWorkload(),
        new VectorPushBackWorkload(appender: true),
        new MapWorkload<SharedMap<long, long>, OrderedBenchMap>("interprocess_map", "ipb_w6_map"),
        new MapWorkload<SharedHashMap<long, long>, HashBenchMap>("interprocess_hash_map", "ipb_w6h_seg"),
    ];

    /// <summary>The workloads of one anchor workload (<c>"W3"</c>, any case), optionally only one system.</summary>
    public static IReadOnlyList<IWorkload> Select(string workload, string? system) =>
        [.. All.Where(w => string.Equals(w.Workload, workload, StringComparison.OrdinalIgnoreCase)
                           && (system is null || w.System == system))];

    /// <summary>"W3 (interprocess_shm_spin_flags), ..." for messages.</summary>
    public static string Describe() =>
        string.Join(", ", All.GroupBy(w => w.Workload).Select(g => $"{g.Key} ({string.Join(", ", g.Select(w => w.System))})"));
}
