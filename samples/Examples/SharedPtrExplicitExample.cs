using Interprocess.Containers;
using Interprocess.Managed;
using Interprocess.SmartPointers;

namespace Examples;

/// <summary>
/// Boost's doc_shared_ptr_explicit.cpp: a shared pointer whose deleter gives the object back to the segment. Boost
/// spells out the allocator and the deleter types; here the deleter is fixed and does the same: the last owner
/// destroys the value, calling <see cref="ISegmentOwned.Destroy"/> when the value owns segment memory itself (here a
/// vector), and frees the block. Owners kept in a container are released when the container drops them.
/// </summary>
internal static class SharedPtrExplicitExample
{
    public static readonly Example Info = new("shared-ptr-explicit", "doc_shared_ptr_explicit.cpp",
        "the last SharedPtr owner destroys the value (a vector here) and frees its memory; a container releases owners", Run);

    private static int Run(string[] args)
    {
        string name = $"example-shared-ptr-explicit-{Guid.NewGuid():N}";
        try
        {
            using var segment = ManagedSharedMemory.CreateNew(name, 65536);
            var manager = segment.Manager;
            long freeAtStart = manager.GetFreeMemory();

            // The object to share: a vector in the segment, owned by a SharedPtr.
            var numbers = SharedVector<int>.Create(manager);
            numbers.AddRange(Enumerable.Range(0, 1000).ToArray());
            var owner = SharedPtr<SharedVector<int>>.Create(manager, numbers);
            Console.WriteLine($"a SharedPtr owns a vector of {owner.Value.Count} ints; free memory {manager.GetFreeMemory()} of {freeAtStart}");

            // Three more owners, kept in a vector of shared pointers in the segment.
            var owners = SharedVector<SharedPtr<SharedVector<int>>>.Create(manager, "owners");
            for (int i = 0; i < 3; i++)
            {
                owners.Add(owner.Clone());
            }

            Console.WriteLine($"use count with three owners in a container: {owner.UseCount}");
            bool counted = owner.UseCount == 4;

            owner.Dispose();                                     // not the last owner: the vector stays
            bool stillThere = owners[0].Value.Count == 1000 && owners[0].UseCount == 3;
            Console.WriteLine($"first owner released: use count {owners[0].UseCount}, the vector is still there: {stillThere}");

            SharedVector<SharedPtr<SharedVector<int>>>.Destroy(manager, "owners");   // releases the three owners: the deleter runs
            bool vectorGone = false;
            try
            {
                _ = numbers.Count;
            }
            catch (InvalidOperationException)
            {
                vectorGone = true;
            }

            Console.WriteLine($"container destroyed: the last owner destroyed the vector: {vectorGone}; all memory free: {manager.AllMemoryDeallocated()}");
            if (!counted || !stillThere || !vectorGone || !manager.AllMemoryDeallocated())
            {
                return 1;
            }

            Console.WriteLine("OK: the last owner destroyed the shared vector and gave its memory back");
            return 0;
        }
        finally
        {
            ManagedSharedMemory.Remove(name);
        }
    }
}
