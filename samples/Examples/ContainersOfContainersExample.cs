using Interprocess.Containers;
using Interprocess.Managed;
using Interprocess.Synchronization;

namespace Examples;

/// <summary>
/// Boost's doc_where_allocate.cpp (containers of containers): where each part lives. A .NET <see cref="List{T}"/>
/// of <see cref="SharedString"/>s lives in this process, its strings in the segment; a
/// <see cref="SharedVector{T}"/> of strings lives wholly in the segment, so another process can use it. Then a map
/// from strings to vectors of ints (<c>SharedMap&lt;SharedString, SharedVector&lt;int&gt;&gt;</c>), which a child
/// process reads and extends under the shared <see cref="InterprocessMutex"/>. Destroying the outer container frees
/// the inner ones.
/// </summary>
internal static class ContainersOfContainersExample
{
    public static readonly Example Info = new("containers-of-containers", "doc_where_allocate.cpp",
        "a vector of strings and a map from strings to vectors in a segment; a child reads and extends them", Run);

    private const string Text = "this is my text";

    private static int Run(string[] args)
    {
        if (args is ["child", var childName])
        {
            using var shm = ManagedSharedMemory.OpenExisting(childName);
            var manager = shm.Manager;
            ref var mutex = ref manager.Find<InterprocessMutex>("lock").Value;
            using (new ScopedLock<InterprocessMutex>(ref mutex))
            {
                var strings = SharedVector<SharedString>.Find(manager, "myshmvector");
                bool allSame = strings.Count == 10 && strings.ToArray().All(s => s.Equals(Text));
                Console.WriteLine($"  child: myshmvector has {strings.Count} strings, all \"{Text}\": {allSame}");
                strings.Add(SharedString.From(manager, "added by the child"));

                var map = SharedMap<SharedString, SharedVector<int>>.Find(manager, "mymap");
                foreach (var (key, numbers) in map)
                {
                    Console.WriteLine($"  child: mymap[\"{key}\"] = [{string.Join(", ", numbers.ToArray())}]");
                    numbers.Add(numbers.Count * 10);             // the inner vector, in place
                }

                var squares = SharedVector<int>.Create(manager);
                squares.AddRange([0, 1, 4, 9]);
                map.Add(SharedString.From(manager, "squares"), squares);   // the map now owns the key and the vector
                return allSame ? 0 : 1;
            }
        }

        string name = $"example-nested-{Guid.NewGuid():N}";
        try
        {
            using var segment = ManagedSharedMemory.CreateNew(name, 1 << 20);
            var manager = segment.Manager;

            // Only the text is in the segment; the List<T> and the 10 handles are in this process.
            var local = new List<SharedString>();
            for (int i = 0; i < 10; i++)
            {
                local.Add(SharedString.From(manager, Text));
            }

            Console.WriteLine($"a List<SharedString> in this process: {local.Count} strings whose text is in the segment");
            foreach (var s in local)
            {
                s.Destroy();                                     // a .NET list does not own segment memory: free each
            }

            // Everything in the segment: vector, handles and text. Another process can find and use it.
            ref var mutex = ref manager.Construct("lock", new InterprocessMutex());
            var strings = SharedVector<SharedString>.Create(manager, "myshmvector");
            var map = SharedMap<SharedString, SharedVector<int>>.Create(manager, "mymap");
            using (new ScopedLock<InterprocessMutex>(ref mutex))
            {
                for (int i = 0; i < 10; i++)
                {
                    strings.Add(SharedString.From(manager, Text));
                }

                foreach (var (key, count) in new[] { ("one", 1), ("two", 2), ("three", 3) })
                {
                    var numbers = SharedVector<int>.Create(manager);
                    numbers.AddRange(Enumerable.Range(1, count).ToArray());
                    map.Add(SharedString.From(manager, key), numbers);
                }
            }

            Console.WriteLine($"parent: myshmvector holds {strings.Count} strings, mymap {map.Count} vectors");
            if (Child.Run(Info.Name, name) != 0)
            {
                return 1;
            }

            bool ok;
            using (new ScopedLock<InterprocessMutex>(ref mutex))
            {
                Console.WriteLine($"parent: myshmvector's last string: \"{strings[^1]}\"");
                foreach (var (key, numbers) in map)
                {
                    Console.WriteLine($"parent: mymap[\"{key}\"] = [{string.Join(", ", numbers.ToArray())}]");
                }

                var keys = map.Select(kv => kv.Key.ToString()).ToArray();
                ok = strings.Count == 11 && strings[^1].Equals("added by the child")
                    && keys.SequenceEqual(["one", "squares", "three", "two"])     // ordinal order of the UTF-8 keys
                    && map.First(kv => kv.Key.Equals("two")).Value.ToArray().SequenceEqual([1, 2, 20]);
            }

            // Destroying the outer containers frees every string and inner vector they hold.
            SharedVector<SharedString>.Destroy(manager, "myshmvector");
            SharedMap<SharedString, SharedVector<int>>.Destroy(manager, "mymap");
            manager.Destroy<InterprocessMutex>("lock");
            bool allFree = manager.AllMemoryDeallocated();
            Console.WriteLine($"after destroying the outer containers, all memory free: {allFree}");
            if (!ok || !allFree)
            {
                return 1;
            }

            Console.WriteLine("OK: nested containers were shared by two processes and freed with their outer containers");
            return 0;
        }
        finally
        {
            ManagedSharedMemory.Remove(name);
        }
    }
}
