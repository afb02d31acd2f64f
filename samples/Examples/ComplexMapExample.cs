using Interprocess.Containers;
using Interprocess.Managed;
using Interprocess.Synchronization;

namespace Examples;

/// <summary>
/// Boost's doc_complex_map.cpp (and doc_complex_map_uses_allocator.cpp): a map from strings to a struct that holds
/// an id, a string and a vector of vectors of ints, all in the segment. The struct implements
/// <see cref="ISegmentOwned"/> so the map frees its string and vectors with it (Boost runs its destructor). A child
/// process reads the map under a sharable lock and changes one entry under the exclusive lock of an
/// <see cref="InterprocessSharableMutex"/>.
/// </summary>
internal static class ComplexMapExample
{
    public static readonly Example Info = new("complex-map", "doc_complex_map.cpp (+ _uses_allocator)",
        "a map from strings to structs holding a string and a vector of vectors; a child reads and changes it", Run);

    /// <summary>Boost's complex_data: an id, a string and a vector of vectors of ints, all in the segment.</summary>
    private struct ComplexData : ISegmentOwned
    {
        public int Id;
        public SharedString Name;
        public SharedVector<SharedVector<int>> Vectors;

        public static ComplexData Create(SegmentManager manager, int id, string name) =>
            new() { Id = id, Name = SharedString.From(manager, name), Vectors = SharedVector<SharedVector<int>>.Create(manager) };

        /// <summary>Frees what the struct owns; the map calls it when the entry is removed or the map destroyed.</summary>
        public readonly void Destroy()
        {
            Name.Destroy();
            Vectors.Destroy();                                   // and the inner vectors
        }
    }

    private static int Run(string[] args)
    {
        if (args is ["child", var childName])
        {
            using var shm = ManagedSharedMemory.OpenExisting(childName);
            var manager = shm.Manager;
            ref var rw = ref manager.Find<InterprocessSharableMutex>("MyMap lock").Value;
            var map = SharedMap<SharedString, ComplexData>.Find(manager, "MyMap");
            int checkedEntries = 0;
            using (new SharableLock<InterprocessSharableMutex>(ref rw))   // readers may share
            {
                foreach (var (key, data) in map)
                {
                    if (key.Equals($"key {data.Id:D2}") && data.Name.Equals("default_name") && data.Vectors.Count == 1)
                    {
                        checkedEntries++;
                    }
                }
            }

            Console.WriteLine($"  child: {checkedEntries} of {map.Count} entries read under a sharable lock are as expected");

            using (new ScopedLock<InterprocessSharableMutex>(ref rw))     // a writer is alone
            {
                var key = SharedString.From(manager, "key 42");          // a temporary key for the lookup
                ref var entry = ref map.GetValueRef(key);
                key.Destroy();
                entry.Name.Assign("changed by the child");
                var inner = SharedVector<int>.Create(manager);
                inner.AddRange([4, 2]);
                entry.Vectors.Add(inner);
            }

            Console.WriteLine("  child: changed the name of \"key 42\" and added a vector to it");
            return checkedEntries == 100 ? 0 : 1;
        }

        string name = $"example-complex-{Guid.NewGuid():N}";
        try
        {
            using var segment = ManagedSharedMemory.CreateNew(name, 1 << 20);
            var manager = segment.Manager;
            ref var rwLock = ref manager.Construct("MyMap lock", new InterprocessSharableMutex());
            var mymap = SharedMap<SharedString, ComplexData>.Create(manager, "MyMap");
            using (new ScopedLock<InterprocessSharableMutex>(ref rwLock))
            {
                for (int i = 0; i < 100; i++)
                {
                    var data = ComplexData.Create(manager, i, "default_name");
                    var numbers = SharedVector<int>.Create(manager);
                    numbers.AddRange([i, i * i]);
                    data.Vectors.Add(numbers);
                    mymap.Add(SharedString.From(manager, $"key {i:D2}"), data);
                }
            }

            Console.WriteLine($"parent: MyMap holds {mymap.Count} entries, \"key 00\" to \"key 99\"");
            if (Child.Run(Info.Name, name) != 0)
            {
                return 1;
            }

            bool ok;
            using (new SharableLock<InterprocessSharableMutex>(ref rwLock))
            {
                var entry = mymap.First(kv => kv.Key.Equals("key 42")).Value;
                var vectors = entry.Vectors.ToArray().Select(v => $"[{string.Join(", ", v.ToArray())}]");
                Console.WriteLine($"parent: \"key 42\" -> id {entry.Id}, name \"{entry.Name}\", vectors {string.Join(" ", vectors)}");
                ok = entry.Id == 42 && entry.Name.Equals("changed by the child") && entry.Vectors.Count == 2 && entry.Vectors[1].ToArray().SequenceEqual([4, 2]);
            }

            // Destroying the map destroys each key and calls ComplexData.Destroy on each value.
            SharedMap<SharedString, ComplexData>.Destroy(manager, "MyMap");
            manager.Destroy<InterprocessSharableMutex>("MyMap lock");
            Console.WriteLine($"map destroyed; all memory free: {manager.AllMemoryDeallocated()}");
            if (!ok || !manager.AllMemoryDeallocated())
            {
                return 1;
            }

            Console.WriteLine("OK: a map of strings to nested data was read and changed by a child and freed whole");
            return 0;
        }
        finally
        {
            ManagedSharedMemory.Remove(name);
        }
    }
}
