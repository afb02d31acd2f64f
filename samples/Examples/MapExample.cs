using Interprocess.Containers;
using Interprocess.Managed;
using Interprocess.Synchronization;

namespace Examples;

/// <summary>
/// Boost's doc_map.cpp: a map from int to float named "MyMap" in a managed segment, filled with 100 pairs. Here a
/// child process then reads it under a sharable lock (a key range, in order) and a second child changes values
/// under the exclusive lock of the <see cref="InterprocessSharableMutex"/> kept next to it.
/// </summary>
internal static class MapExample
{
    public static readonly Example Info = new("map", "doc_map.cpp",
        "a SharedMap<int, float> filled by one process, read under a sharable lock and changed by children", Run);

    private static int Run(string[] args)
    {
        if (args is ["child", var mode, var childName])
        {
            using var shm = ManagedSharedMemory.OpenExisting(childName);
            ref var rw = ref shm.Manager.Find<InterprocessSharableMutex>("MyMap lock").Value;
            var map = SharedMap<int, float>.Find(shm.Manager, "MyMap");
            if (mode == "read")
            {
                using var shared = new SharableLock<InterprocessSharableMutex>(ref rw);
                var range = map.GetRange(10, 14).Select(kv => $"{kv.Key}->{kv.Value}").ToArray();
                Console.WriteLine($"  reader: {map.Count} pairs; keys 10..14: {string.Join(", ", range)}; min {map.Min.Key}, max {map.Max.Key}");
                return map.Count == 100 && range.Length == 5 && map[99] == 99f ? 0 : 1;
            }

            using (new ScopedLock<InterprocessSharableMutex>(ref rw))
            {
                for (int i = 0; i < 100; i += 2)
                {
                    map.GetValueRef(i) *= -1;                    // in place, in the segment
                }

                map.Remove(99);
            }

            Console.WriteLine("  writer: negated the even keys' values and removed key 99");
            return 0;
        }

        string name = $"example-map-{Guid.NewGuid():N}";
        try
        {
            using var segment = ManagedSharedMemory.CreateNew(name, 65536);
            var manager = segment.Manager;
            ref var rwLock = ref manager.Construct("MyMap lock", new InterprocessSharableMutex());
            var mymap = SharedMap<int, float>.Create(manager, "MyMap");
            using (new ScopedLock<InterprocessSharableMutex>(ref rwLock))
            {
                for (int i = 0; i < 100; i++)
                {
                    mymap.Add(i, i);
                }
            }

            Console.WriteLine($"parent: MyMap holds {mymap.Count} pairs");
            if (Child.Run(Info.Name, "read", name) != 0 || Child.Run(Info.Name, "write", name) != 0)
            {
                return 1;
            }

            bool ok;
            using (new SharableLock<InterprocessSharableMutex>(ref rwLock))
            {
                var model = Enumerable.Range(0, 99).ToDictionary(i => i, i => i % 2 == 0 ? -(float)i : i);
                ok = mymap.Count == 99 && mymap.ToDictionary().OrderBy(kv => kv.Key).SequenceEqual(model.OrderBy(kv => kv.Key));
                Console.WriteLine($"parent: {mymap.Count} pairs; [4] = {mymap[4]}, [5] = {mymap[5]}; same as a Dictionary given the same changes: {ok}");
            }

            SharedMap<int, float>.Destroy(manager, "MyMap");
            manager.Destroy<InterprocessSharableMutex>("MyMap lock");
            if (!ok || !manager.AllMemoryDeallocated())
            {
                return 1;
            }

            Console.WriteLine("OK: the map was filled, read under a sharable lock and changed by other processes");
            return 0;
        }
        finally
        {
            ManagedSharedMemory.Remove(name);
        }
    }
}
