using Interprocess.Containers;
using Interprocess.Managed;
using Interprocess.Synchronization;

namespace Examples;

/// <summary>
/// Boost's doc_cont.cpp and doc_spawn_vector.cpp: a vector of ints built in a managed segment from a range, sorted
/// in reverse in place and destroyed; then a vector named "MyVector" filled with 100 ints by the parent, found by a
/// child process that sorts it in reverse and destroys it. The two processes take turns under an
/// <see cref="InterprocessMutex"/> kept next to the vector (containers are not synchronized).
/// </summary>
internal static class VectorExample
{
    public static readonly Example Info = new("vector", "doc_cont.cpp, doc_spawn_vector.cpp",
        "a SharedVector<int> filled by one process, sorted in reverse and destroyed by a child", Run);

    private static int Run(string[] args)
    {
        if (args is ["child", var childName])
        {
            using var shm = ManagedSharedMemory.OpenExisting(childName);
            ref var mutex = ref shm.Manager.Find<InterprocessMutex>("MyVector lock").Value;
            using (new ScopedLock<InterprocessMutex>(ref mutex))
            {
                var found = SharedVector<int>.Find(shm.Manager, "MyVector");
                Span<int> values = found.AsSpan();              // the elements, in place in the segment
                values.Sort((a, b) => b.CompareTo(a));          // std::sort(rbegin, rend): descending
                Console.WriteLine($"  child: sorted {found.Count} ints in reverse: {values[0]}, {values[1]}, ... {values[^1]}");
                bool descending = values[0] == 99 && values[^1] == 0;
                SharedVector<int>.Destroy(shm.Manager, "MyVector");   // frees the elements and the name
                Console.WriteLine("  child: destroyed MyVector");
                return descending ? 0 : 1;
            }
        }

        string name = $"example-vector-{Guid.NewGuid():N}";
        try
        {
            using var segment = ManagedSharedMemory.CreateNew(name, 65536);
            var manager = segment.Manager;

            // doc_cont.cpp: construct from a range, sort in reverse, destroy.
            var fromRange = SharedVector<int>.Create(manager, "MyVector");
            fromRange.AddRange([0, 1, 2, 3, 4, 5, 6]);
            fromRange.AsSpan().Reverse();
            Console.WriteLine($"from a range, reversed in place: [{string.Join(", ", fromRange.ToArray())}]");
            bool reversed = fromRange.ToArray().SequenceEqual([6, 5, 4, 3, 2, 1, 0]);
            SharedVector<int>.Destroy(manager, "MyVector");

            // doc_spawn_vector.cpp: fill, let a child sort and destroy it.
            ref var mutex = ref manager.Construct("MyVector lock", new InterprocessMutex());
            using (new ScopedLock<InterprocessMutex>(ref mutex))
            {
                var vector = SharedVector<int>.Create(manager, "MyVector");
                for (int i = 0; i < 100; i++)
                {
                    vector.Add(i);
                }

                Console.WriteLine($"parent: MyVector holds {vector.Count} ints, 0 to 99");
            }

            if (Child.Run(Info.Name, name) != 0)
            {
                return 1;
            }

            bool gone = !manager.TryFind<SharedVector<int>>("MyVector", out _);
            manager.Destroy<InterprocessMutex>("MyVector lock");
            Console.WriteLine($"parent: MyVector is gone: {gone}; all memory free: {manager.AllMemoryDeallocated()}");
            if (!reversed || !gone || !manager.AllMemoryDeallocated())
            {
                return 1;
            }

            Console.WriteLine("OK: the child sorted and destroyed the vector the parent filled");
            return 0;
        }
        finally
        {
            ManagedSharedMemory.Remove(name);
        }
    }
}
