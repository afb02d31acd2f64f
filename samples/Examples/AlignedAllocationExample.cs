using Interprocess.Managed;

namespace Examples;

/// <summary>Boost's doc_managed_aligned_allocation.cpp: blocks aligned to 16 bytes up to a page, checked by address.</summary>
internal static class AlignedAllocationExample
{
    public static readonly Example Info = new("aligned-allocation", "doc_managed_aligned_allocation.cpp",
        "allocate blocks at a chosen power-of-two alignment", Run);

    private static int Run(string[] args)
    {
        string name = $"example-aligned-{Guid.NewGuid():N}";
        try
        {
            using var segment = ManagedSharedMemory.CreateNew(name, 65536);
            var manager = segment.Manager;
            foreach (int alignment in (int[])[16, 64, 256, 4096])
            {
                long handle = manager.AllocateAligned(100, alignment);
                nint address = manager.GetAddress(handle);
                bool aligned = address % alignment == 0;
                Console.WriteLine($"aligned to {alignment,4}: handle {handle,6}, address 0x{address:x}, aligned: {aligned}");
                if (!aligned)
                {
                    return 1;
                }

                manager.Deallocate(handle);
            }

            if (!manager.AllMemoryDeallocated())
            {
                return 1;
            }

            Console.WriteLine("OK: every block came back at the alignment asked for");
            return 0;
        }
        finally
        {
            ManagedSharedMemory.Remove(name);
        }
    }
}
