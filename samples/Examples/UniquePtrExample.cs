using Interprocess.Containers;
using Interprocess.Managed;
using Interprocess.SmartPointers;

namespace Examples;

/// <summary>
/// Boost's doc_unique_ptr.cpp: 100 values in a managed mapped file, each owned by a <see cref="UniquePtr{T}"/> kept in
/// a vector, then moved (ownership, not bytes) from the vector to a list. The file is closed; a child process
/// opens it, finds the list in order and destroys it, which destroys every value; the parent reopens the file and
/// finds it empty.
/// </summary>
internal static class UniquePtrExample
{
    public static readonly Example Info = new("unique-ptr", "doc_unique_ptr.cpp",
        "UniquePtrs moved from a vector to a list in a mapped file; a child destroys the list and the values", Run);

    private record struct MyType(int Number);

    private static int Run(string[] args)
    {
        if (args is ["child", var childPath])
        {
            using var file = ManagedMappedFile.OpenExisting(childPath);
            var manager = file.Manager;
            var list = SharedList<UniquePtr<MyType>>.Find(manager, "unique list");
            var vector = SharedVector<UniquePtr<MyType>>.Find(manager, "unique vector");
            var numbers = list.ToList().Select(p => p.Value.Number).ToArray();
            bool inOrder = numbers.SequenceEqual(Enumerable.Range(0, 100)) && vector.Count == 0;
            Console.WriteLine($"  child: the list owns {numbers.Length} values, 0..99 in order: {inOrder}; the vector holds {vector.Count}");

            SharedList<UniquePtr<MyType>>.Destroy(manager, "unique list");   // destroys each UniquePtr, so each value
            SharedVector<UniquePtr<MyType>>.Destroy(manager, "unique vector");
            Console.WriteLine("  child: destroyed the list and the vector");
            return inOrder ? 0 : 1;
        }

        string path = Path.Combine(Path.GetTempPath(), $"example-unique-ptr-{Guid.NewGuid():N}");
        try
        {
            using (var file = ManagedMappedFile.CreateNew(path, 65536))
            {
                var manager = file.Manager;
                var vector = SharedVector<UniquePtr<MyType>>.Create(manager, "unique vector");
                var list = SharedList<UniquePtr<MyType>>.Create(manager, "unique list");
                for (int i = 0; i < 100; i++)
                {
                    vector.Add(UniquePtr<MyType>.Create(manager, new MyType(i)));
                }

                // Move each owner from the vector to the list: the vector's slots become empty pointers.
                for (int i = 0; i < vector.Count; i++)
                {
                    UniquePtr<MyType> moved = default;
                    vector[i].MoveTo(ref moved);
                    list.AddLast(moved);
                }

                bool allEmpty = vector.ToArray().All(p => p.IsNull);
                Console.WriteLine($"parent: moved {list.Count} owners from the vector to the list; the vector's pointers are all empty: {allEmpty}");
                vector.Clear();                                  // destroying empty pointers does nothing
                if (!allEmpty)
                {
                    return 1;
                }
            }

            if (Child.Run(Info.Name, path) != 0)
            {
                return 1;
            }

            using (var reopened = ManagedMappedFile.OpenExisting(path))
            {
                bool empty = reopened.Manager.NamedObjectCount == 0 && reopened.Manager.AllMemoryDeallocated();
                Console.WriteLine($"parent: reopened the file: all memory free: {empty}");
                if (!empty)
                {
                    return 1;
                }
            }

            Console.WriteLine("OK: 100 unique owners moved from a vector to a list and destroyed by another process");
            return 0;
        }
        finally
        {
            ManagedMappedFile.Remove(path);
        }
    }
}
