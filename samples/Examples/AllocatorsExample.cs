using Interprocess.Containers;
using Interprocess.Managed;
using Interprocess.Synchronization;

namespace Examples;

/// <summary>
/// Boost's allocator examples (doc_allocator.cpp, doc_node_allocator.cpp, doc_private_node_allocator.cpp,
/// doc_cached_node_allocator.cpp, doc_adaptive_pool.cpp, doc_private_adaptive_pool.cpp, doc_cached_adaptive_pool.cpp)
/// in one: a list per <see cref="AllocatorKind"/>. Lists of the same node size with a shared kind use one pool in the
/// segment (as Boost's node allocators built from the same segment manager do); private pools belong to their list;
/// cached kinds keep a few free nodes in front of the shared pool. The kind is stored in each list, so a child
/// process that finds a list by name allocates for it the same way.
/// </summary>
internal static class AllocatorsExample
{
    public static readonly Example Info = new("allocators",
        "doc_allocator, doc_*node_allocator, doc_*adaptive_pool",
        "one list per AllocatorKind: shared node and adaptive pools, private pools, cached pools; a child adds to each", Run);

    private const int PerProcess = 1000;

    private static readonly AllocatorKind[] s_kinds = Enum.GetValues<AllocatorKind>();

    private static int Run(string[] args)
    {
        if (args is ["child", var childName])
        {
            using var shm = ManagedSharedMemory.OpenExisting(childName);
            ref var mutex = ref shm.Manager.Find<InterprocessMutex>("lock").Value;
            using (new ScopedLock<InterprocessMutex>(ref mutex))
            {
                foreach (var kind in s_kinds)
                {
                    AddNumbers(SharedList<long>.Find(shm.Manager, ListName(kind)), PerProcess);   // allocates with the list's own kind
                }
            }

            Console.WriteLine($"  child: added {PerProcess} numbers to each of the {s_kinds.Length} lists");
            return 0;
        }

        string name = $"example-allocators-{Guid.NewGuid():N}";
        try
        {
            using var segment = ManagedSharedMemory.CreateNew(name, 4 << 20);
            var manager = segment.Manager;
            ref var lockRef = ref manager.Construct("lock", new InterprocessMutex());
            foreach (var kind in s_kinds)
            {
                SharedList<long>.Create(manager, ListName(kind), kind);
            }

            // A second NodePool list: Boost's doc_node_allocator shows two allocators sharing one pool; here two lists do.
            var second = SharedList<long>.Create(manager, "second node-pool list", AllocatorKind.NodePool);
            second.AddLast(42);

            using (new ScopedLock<InterprocessMutex>(ref lockRef))
            {
                foreach (var kind in s_kinds)
                {
                    AddNumbers(SharedList<long>.Find(manager, ListName(kind)), PerProcess);
                }
            }

            if (Child.Run(Info.Name, name) != 0)
            {
                return 1;
            }

            bool ok = true;
            using (new ScopedLock<InterprocessMutex>(ref lockRef))
            {
                foreach (var kind in s_kinds)
                {
                    var list = SharedList<long>.Find(manager, ListName(kind));
                    long sum = list.Sum();
                    Console.WriteLine($"{kind,-20} {list.Count} numbers, sum {sum}");
                    ok &= list.Count == 2 * PerProcess && sum == 2L * PerProcess * (PerProcess - 1) / 2;
                }
            }

            // The shared pools, listed by the segment: one per (kind, slot size). Private pools are not listed (they hang
            // off their list); the cached kinds use the same pools as NodePool and AdaptivePool, behind their caches.
            var pools = ContainerPools.GetPools(manager);
            foreach (var pool in pools)
            {
                Console.WriteLine($"shared pool: {pool.Kind}, {pool.SlotSize}-byte nodes, {pool.Users} lists attached, {pool.NodesInUse} nodes in use, {pool.Chunks} chunks");
            }

            var nodePool = pools.Single(p => p.Kind == AllocatorKind.NodePool);
            var adaptivePool = pools.Single(p => p.Kind == AllocatorKind.AdaptivePool);
            ok &= pools.Count == 2 && nodePool.Users == 3 && adaptivePool.Users == 2
                && nodePool.NodesInUse >= (4 * PerProcess) + 1 && adaptivePool.NodesInUse >= 4 * PerProcess;

            // Destroy each list by name: its nodes go back to its pool.
            foreach (string listName in s_kinds.Select(ListName).Append("second node-pool list"))
            {
                SharedList<long>.Destroy(manager, listName);
            }

            manager.Destroy<InterprocessMutex>("lock");
            int given = ContainerPools.Shrink(manager);
            Console.WriteLine($"after destroying the lists, ContainerPools.Shrink gave {given} blocks back; all memory free: {manager.AllMemoryDeallocated()}");
            if (!ok || !manager.AllMemoryDeallocated())
            {
                return 1;
            }

            Console.WriteLine($"OK: {s_kinds.Length} allocator kinds served lists in two processes and gave everything back");
            return 0;
        }
        finally
        {
            ManagedSharedMemory.Remove(name);
        }
    }

    private static string ListName(AllocatorKind kind) => $"list ({kind})";

    private static void AddNumbers(SharedList<long> list, int count)
    {
        for (int i = 0; i < count; i++)
        {
            list.AddLast(i);
        }
    }
}
