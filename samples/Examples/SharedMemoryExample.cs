using Interprocess;
using Interprocess.Memory;

namespace Examples;

/// <summary>
/// Boost's doc_shared_memory.cpp: the parent creates a shared memory object, maps it and fills it with 1s; a child
/// process opens it by name, maps it and checks every byte.
/// </summary>
internal static class SharedMemoryExample
{
    public static readonly Example Info = new("shared-memory", "doc_shared_memory.cpp",
        "create, map and fill a shared memory object; a child opens it by name and checks it", Run);

    private static int Run(string[] args)
    {
        if (args is ["child", var childName])
        {
            using var memory = SharedMemoryObject.OpenExisting(childName, AccessMode.ReadOnly);
            using var view = new MappedRegion(memory, AccessMode.ReadOnly);
            bool allOnes = !view.GetReadOnlySpan().ContainsAnyExcept((byte)1);
            Console.WriteLine($"  child: opened '{childName}' ({view.Size} bytes) read-only; every byte is 1: {allOnes}");
            return allOnes ? 0 : 1;
        }

        string name = $"example-shm-{Guid.NewGuid():N}";
        try
        {
            using var shm = SharedMemoryObject.CreateNew(name, size: 1000);   // owner-only (0600) by default
            using var region = new MappedRegion(shm);
            region.GetSpan().Fill(1);
            Console.WriteLine($"parent: created '{name}' ({shm.Size} bytes, {shm.Permissions}) and filled it with 1s");

            int code = Child.Run(Info.Name, name);
            if (code != 0)
            {
                return code;
            }

            Console.WriteLine("OK: the child saw the parent's 1000 bytes");
            return 0;
        }
        finally
        {
            SharedMemoryObject.Remove(name);   // the name goes; the memory lives until the last mapping is gone
        }
    }
}
