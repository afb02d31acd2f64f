using Interprocess.Managed;

namespace Examples;

/// <summary>
/// Boost's doc_managed_heap_memory.cpp: a managed segment in ordinary process memory (to build a segment's
/// contents before sharing them, or to use the segment's allocator privately). When it fills up it can grow;
/// handles stay valid, as they are offsets.
/// </summary>
internal static class HeapMemoryExample
{
    public static readonly Example Info = new("heap-memory", "doc_managed_heap_memory.cpp",
        "a managed segment in process memory that grows when it is full", Run);

    private static int Run(string[] args)
    {
        using var heap = new ManagedHeapMemory(16 * 1024);
        heap.Manager.Construct("MyCounter", 0);
        var handles = new List<long>();
        while (heap.Manager.TryAllocate(256, out long handle))
        {
            handles.Add(handle);
        }

        int beforeGrowing = handles.Count;
        Console.WriteLine($"16 KiB heap: {beforeGrowing} blocks of 256 bytes fit, then allocation failed");

        heap.Grow(16 * 1024);   // a new, larger buffer; Manager is a new object, handles keep their meaning
        while (heap.Manager.TryAllocate(256, out long handle))
        {
            handles.Add(handle);
        }

        ref int counter = ref heap.Manager.Find<int>("MyCounter").Value;
        counter = handles.Count;
        Console.WriteLine($"after growing by 16 KiB: {handles.Count} blocks in all; MyCounter = {counter}");
        if (handles.Count <= 2 * beforeGrowing - 2)
        {
            return 1;
        }

        Console.WriteLine("OK: the heap segment grew and kept its objects");
        return 0;
    }
}
