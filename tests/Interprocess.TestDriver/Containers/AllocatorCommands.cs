using System.Globalization;
using Interprocess.Containers;
using Interprocess.Managed;

namespace Interprocess.TestDriver.Containers;

/// <summary>Driver commands for the container allocator tests.</summary>
internal static unsafe class AllocatorCommands
{
    /// <summary>
    /// pool-share SEG KIND NODESIZE N: creates the named allocator state "alloc-child" of KIND (an AllocatorKind
    /// number) and NODESIZE, allocates N nodes through it, writes each node's index into it, stores the handles in
    /// the named array "nodes-child", and prints POOLS &lt;count&gt; USERS &lt;users of the first pool&gt;.
    /// </summary>
    [DriverCommand("pool-share")]
    public static int Share(string[] args)
    {
        using var seg = ManagedSharedMemory.OpenExisting(args[0]);
        var m = seg.Manager;
        var kind = (AllocatorKind)int.Parse(args[1], CultureInfo.InvariantCulture);
        int nodeSize = int.Parse(args[2], CultureInfo.InvariantCulture);
        int n = int.Parse(args[3], CultureInfo.InvariantCulture);
        ref var state = ref m.Construct("alloc-child", default(ContainerAllocator));
        state.Initialize(kind, nodeSize);
        var nodes = m.ConstructArray<long>("nodes-child", n, 0);
        for (int i = 0; i < n; i++)
        {
            nodes[i] = state.Allocate(m, nodeSize);
            *(long*)(m.BasePointer + nodes[i]) = i;
        }

        var pools = ContainerPools.GetPools(m);
        Console.WriteLine($"POOLS {pools.Count} USERS {(pools.Count > 0 ? pools[0].Users : 0)}");
        return 0;
    }

    /// <summary>
    /// pool-churn SEG KIND NODESIZE SEED: allocates and frees nodes of a shared pool forever (state "alloc-churn"),
    /// so that a SIGKILL can land inside a pool operation; prints RUNNING after the first thousand operations.
    /// </summary>
    [DriverCommand("pool-churn")]
    public static int Churn(string[] args)
    {
        using var seg = ManagedSharedMemory.OpenExisting(args[0]);
        var m = seg.Manager;
        var kind = (AllocatorKind)int.Parse(args[1], CultureInfo.InvariantCulture);
        int nodeSize = int.Parse(args[2], CultureInfo.InvariantCulture);
        var rng = new Random(int.Parse(args[3], CultureInfo.InvariantCulture));
        ref var state = ref m.Construct("alloc-churn", default(ContainerAllocator));
        state.Initialize(kind, nodeSize);
        var live = new List<long>();
        long ops = 0;
        while (true)
        {
            if (live.Count == 0 || (live.Count < 4000 && rng.Next(2) == 0))
            {
                live.Add(state.Allocate(m, nodeSize));
            }
            else
            {
                int k = rng.Next(live.Count);
                state.Deallocate(m, live[k], nodeSize);
                live[k] = live[^1];
                live.RemoveAt(live.Count - 1);
            }

            if (++ops == 1000)
            {
                Console.WriteLine("RUNNING");
            }
        }
    }
}
