using Interprocess.Containers;
using Interprocess.Managed;

namespace Examples;

/// <summary>
/// Boost's doc_move_containers.cpp: strings put into a vector without copying their text. A container handle is a
/// reference, so storing a <see cref="SharedString"/> in a <see cref="SharedVector{T}"/> hands the string itself to
/// the vector (Boost's move): no allocation, no byte copied; the vector owns it from then on. A copy is explicit.
/// </summary>
internal static class MoveContainersExample
{
    public static readonly Example Info = new("move-containers", "doc_move_containers.cpp",
        "strings handed to a vector without copying their text; the vector owns and frees them", Run);

    private static int Run(string[] args)
    {
        string name = $"example-move-{Guid.NewGuid():N}";
        try
        {
            using var shm = ManagedSharedMemory.CreateNew(name, 65536);
            var manager = shm.Manager;
            var vector = SharedVector<SharedString>.Create(manager, "myshmvector");
            var compare = SharedString.From(manager, "this is a long, long, long, long, long, long, string...");

            vector.Reserve(50);
            long movesAllocated = 0;
            for (int i = 0; i < 50; i++)
            {
                var moveMe = SharedString.FromUtf8(manager, compare.AsUtf8Span());   // an explicit copy: allocates
                long free = manager.GetFreeMemory();
                vector.Add(moveMe);                                                  // hands the string over: allocates nothing
                movesAllocated += free - manager.GetFreeMemory();
                if (vector[^1] != compare || !vector[^1].IsSameInstance(moveMe))
                {
                    return 1;
                }
            }

            Console.WriteLine($"50 strings handed to the vector; bytes allocated by the hand-overs: {movesAllocated}");

            // Remove the last one (the vector destroys it) and hand the original over at the front: no allocation.
            vector.RemoveAt(vector.Count - 1);
            long beforeInsert = manager.GetFreeMemory();
            vector.Insert(0, compare);
            long insertAllocated = beforeInsert - manager.GetFreeMemory();
            Console.WriteLine($"removed the last, inserted the original at the front; bytes allocated: {insertAllocated}; count {vector.Count}");

            // Destroying the vector frees every string it holds, the original included.
            SharedVector<SharedString>.Destroy(manager, "myshmvector");
            bool compareGone = false;
            try
            {
                _ = compare.ByteCount;
            }
            catch (InvalidOperationException)
            {
                compareGone = true;                              // the vector owned it: the handle is stale now
            }

            Console.WriteLine($"vector destroyed: the original string went with it: {compareGone}; all memory free: {manager.AllMemoryDeallocated()}");
            if (movesAllocated != 0 || insertAllocated != 0 || !compareGone || !manager.AllMemoryDeallocated())
            {
                return 1;
            }

            Console.WriteLine("OK: 50 strings moved into a vector with no copy and freed with it");
            return 0;
        }
        finally
        {
            ManagedSharedMemory.Remove(name);
        }
    }
}
