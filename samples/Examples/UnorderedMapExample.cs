using Interprocess.Containers;
using Interprocess.Managed;
using Interprocess.Synchronization;

namespace Examples;

/// <summary>
/// Boost's doc_unordered_map.cpp: a hash map from int to float named "MyHashMap" in a managed segment, created with
/// room for a few entries and filled with 100 pairs (it grows as needed). A child process finds it and adds to every
/// value under the <see cref="InterprocessMutex"/> kept next to it: hashing is the same in every process.
/// </summary>
internal static class UnorderedMapExample
{
    public static readonly Example Info = new("unordered-map", "doc_unordered_map.cpp",
        "a SharedHashMap<int, float> filled by one process and updated by a child", Run);

    private static int Run(string[] args)
    {
        if (args is ["child", var childName])
        {
            using var shm = ManagedSharedMemory.OpenExisting(childName);
            ref var mutex = ref shm.Manager.Find<InterprocessMutex>("MyHashMap lock").Value;
            var map = SharedHashMap<int, float>.Find(shm.Manager, "MyHashMap");
            int found = 0;
            using (new ScopedLock<InterprocessMutex>(ref mutex))
            {
                for (int i = 0; i < 100; i++)
                {
                    if (map.TryGetValue(i, out float v) && v == i)
                    {
                        found++;
                        map.GetValueRef(i) += 0.5f;
                    }
                }
            }

            Console.WriteLine($"  child: found all {found} keys by hash and added 0.5 to each value");
            return found == 100 ? 0 : 1;
        }

        string name = $"example-hashmap-{Guid.NewGuid():N}";
        try
        {
            using var segment = ManagedSharedMemory.CreateNew(name, 65536);
            var manager = segment.Manager;
            ref var mutex = ref manager.Construct("MyHashMap lock", new InterprocessMutex());
            var map = SharedHashMap<int, float>.Create(manager, "MyHashMap");
            using (new ScopedLock<InterprocessMutex>(ref mutex))
            {
                map.EnsureCapacity(3);                           // Boost's initial bucket count of 3
                int initialCapacity = map.Capacity;
                for (int i = 0; i < 100; i++)
                {
                    map.Add(i, i);
                }

                Console.WriteLine($"parent: MyHashMap holds {map.Count} pairs; capacity grew from {initialCapacity} to {map.Capacity} (load factor {map.LoadFactor:F2})");
            }

            if (Child.Run(Info.Name, name) != 0)
            {
                return 1;
            }

            bool ok;
            using (new ScopedLock<InterprocessMutex>(ref mutex))
            {
                var copy = map.ToDictionary();
                ok = copy.Count == 100 && copy.All(kv => kv.Value == kv.Key + 0.5f);
                Console.WriteLine($"parent: [7] = {map[7]}; every value is key + 0.5: {ok}");
            }

            SharedHashMap<int, float>.Destroy(manager, "MyHashMap");
            manager.Destroy<InterprocessMutex>("MyHashMap lock");
            if (!ok || !manager.AllMemoryDeallocated())
            {
                return 1;
            }

            Console.WriteLine("OK: the hash map was filled by one process and updated by another");
            return 0;
        }
        finally
        {
            ManagedSharedMemory.Remove(name);
        }
    }
}
