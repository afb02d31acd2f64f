using Interprocess.Managed;

namespace Examples;

/// <summary>Boost's doc_managed_multiple_allocation.cpp: many blocks of different sizes allocated in one call (all or none), and freed in one call.</summary>
internal static class MultipleAllocationExample
{
    public static readonly Example Info = new("multiple-allocation", "doc_managed_multiple_allocation.cpp",
        "allocate several blocks at once (all or nothing) and free them at once", Run);

    private static int Run(string[] args)
    {
        string name = $"example-many-{Guid.NewGuid():N}";
        try
        {
            using var segment = ManagedSharedMemory.CreateNew(name, 65536);
            var manager = segment.Manager;
            long[] sizes = [16, 100, 1000, 32, 4000];
            var handles = new long[sizes.Length];
            if (!manager.TryAllocateMany(sizes, handles))
            {
                return 1;
            }

            for (int i = 0; i < sizes.Length; i++)
            {
                manager.GetSpan(handles[i], (int)sizes[i]).Fill((byte)i);   // each block is usable on its own
                Console.WriteLine($"block {i}: {sizes[i],4} bytes at handle {handles[i]}");
            }

            long[] tooMuch = [1000, 1_000_000];
            bool refused = !manager.TryAllocateMany(tooMuch, new long[2]);
            Console.WriteLine($"asking for {string.Join(" + ", tooMuch)} bytes at once: refused, nothing allocated: {refused}");

            manager.DeallocateMany(handles);
            if (!refused || !manager.AllMemoryDeallocated())
            {
                return 1;
            }

            Console.WriteLine($"OK: {sizes.Length} blocks allocated in one call and freed in one call");
            return 0;
        }
        finally
        {
            ManagedSharedMemory.Remove(name);
        }
    }
}
