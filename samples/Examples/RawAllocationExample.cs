using System.Globalization;
using System.Text;
using Interprocess.Managed;

namespace Examples;

/// <summary>
/// Boost's doc_managed_raw_allocation.cpp and doc_ipc_messageA.cpp / B: raw bytes allocated from a managed
/// segment. The parent writes a message into a block and passes its handle (an offset from the segment's base,
/// valid in every process) to the child, which reads the message and frees the block.
/// </summary>
internal static class RawAllocationExample
{
    public static readonly Example Info = new("raw-allocation", "doc_managed_raw_allocation.cpp, doc_ipc_messageA.cpp + B",
        "allocate raw bytes in a segment, pass the handle to a child, which reads and frees them", Run);

    private static int Run(string[] args)
    {
        if (args is ["child", var childName, var handleText])
        {
            using var segment = ManagedSharedMemory.OpenExisting(childName);
            long handle = long.Parse(handleText, CultureInfo.InvariantCulture);
            Span<byte> block = segment.Manager.GetSpan(handle, 100);                 // the handle, turned into this process's address
            int length = block.IndexOf((byte)0);
            Console.WriteLine($"  child: at handle {handle} (address 0x{segment.Manager.GetAddress(handle):x} here) found \"{Encoding.UTF8.GetString(block[..length])}\"");
            segment.Manager.Deallocate(handle);
            return 0;
        }

        string name = $"example-raw-{Guid.NewGuid():N}";
        try
        {
            using var segment = ManagedSharedMemory.CreateNew(name, 65536);
            long free = segment.Manager.GetFreeMemory();
            long handle = segment.Manager.Allocate(100);
            Span<byte> block = segment.Manager.GetSpan(handle, 100);
            block.Clear();
            Encoding.UTF8.GetBytes("Hello from the parent", block);
            Console.WriteLine($"parent: allocated 100 bytes at handle {handle} (address 0x{segment.Manager.GetAddress(handle):x} here); free memory {free} -> {segment.Manager.GetFreeMemory()}");

            if (Child.Run(Info.Name, name, handle.ToString(CultureInfo.InvariantCulture)) != 0)
            {
                return 1;
            }

            bool allFree = segment.Manager.AllMemoryDeallocated();
            Console.WriteLine($"parent: after the child freed the block, free memory is {segment.Manager.GetFreeMemory()}; all deallocated: {allFree}");
            if (!allFree)
            {
                return 1;
            }

            Console.WriteLine("OK: a block allocated in one process was read and freed in another");
            return 0;
        }
        finally
        {
            ManagedSharedMemory.Remove(name);
        }
    }
}
