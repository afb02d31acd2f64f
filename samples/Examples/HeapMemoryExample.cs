using Interprocess;
using Interprocess.Containers;
using Interprocess.Managed;

namespace Examples;

/// <summary>
/// Boost's doc_managed_heap_memory.cpp: a managed segment in ordinary process memory (to build a segment's
/// contents before sharing them, or to use the segment's allocator privately). A list named "MyList" is filled
/// until the segment is full; the segment grows and the same list handle goes on working (handles are offsets).
/// </summary>
internal static class HeapMemoryExample
{
    public static readonly Example Info = new("heap-memory", "doc_managed_heap_memory.cpp",
        "a managed segment in process memory that grows when it is full", Run);

    private static int Run(string[] args)
    {
        using var heap = new ManagedHeapMemory(16 * 1024);
        var list = SharedList<int>.Create(heap.Manager, "MyList");
        int beforeGrowing = FillUntilFull(list);
        Console.WriteLine($"16 KiB heap: {beforeGrowing} ints fit in MyList, then the segment was full");

        heap.Grow(16 * 1024);   // a new, larger buffer; Manager is a new object, handles keep their meaning
        int added = FillUntilFull(list);
        var found = SharedList<int>.Find(heap.Manager, "MyList");
        bool inOrder = found.ToList().SequenceEqual(Enumerable.Range(0, beforeGrowing + added));
        Console.WriteLine($"after growing by 16 KiB: {added} more; MyList holds {found.Count} ints, 0.. in order: {inOrder}");
        if (found != list || added < beforeGrowing - 2 || !inOrder)
        {
            return 1;
        }

        SharedList<int>.Destroy(heap.Manager, "MyList");
        if (!heap.Manager.AllMemoryDeallocated())
        {
            return 1;
        }

        Console.WriteLine("OK: the heap segment grew and kept its objects");
        return 0;
    }

    /// <summary>Appends the next ints until the segment cannot hold another node; returns how many were added.</summary>
    private static int FillUntilFull(SharedList<int> list)
    {
        int added = 0;
        try
        {
            while (true)
            {
                list.AddLast(list.Count);
                added++;
            }
        }
        catch (InterprocessException e) when (e.ErrorCode == InterprocessErrorCode.OutOfMemory)
        {
            return added;
        }
    }
}
