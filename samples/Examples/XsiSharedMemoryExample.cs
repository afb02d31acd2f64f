using Interprocess.Memory;

namespace Examples;

/// <summary>
/// Boost's doc_xsi_shared_memory.cpp: System V shared memory, found through a key made from a path and a byte
/// (ftok). The parent creates it and fills it; the child opens it with the same key.
/// </summary>
internal static class XsiSharedMemoryExample
{
    public static readonly Example Info = new("xsi-shared-memory", "doc_xsi_shared_memory.cpp",
        "System V shared memory found by an ftok key (path + id)", Run);

    private static int Run(string[] args)
    {
        if (args is ["child", var keyPath])
        {
            var memory = XsiSharedMemory.OpenExisting(new XsiKey(keyPath, 1));
            using var view = new MappedRegion(memory, Interprocess.AccessMode.ReadOnly);
            bool allOnes = !view.GetReadOnlySpan(0, 1000).ContainsAnyExcept((byte)1);
            Console.WriteLine($"  child: key {memory.Key} -> segment {memory.Id}; every byte is 1: {allOnes}");
            return allOnes ? 0 : 1;
        }

        // The key comes from an existing file; a fresh one per run, so parallel runs do not collide.
        string path = Path.Combine(Path.GetTempPath(), $"example-xsi-{Guid.NewGuid():N}");
        File.WriteAllBytes(path, []);
        var key = new XsiKey(path, 1);
        var shm = XsiSharedMemory.CreateNew(key, 1000);
        try
        {
            using (var region = new MappedRegion(shm))
            {
                region.GetSpan(0, 1000).Fill(1);
            }

            Console.WriteLine($"parent: created System V segment {shm.Id} with key {key} ({shm.Size} bytes, {shm.Permissions})");
            int code = Child.Run(Info.Name, path);
            if (code != 0)
            {
                return code;
            }

            Console.WriteLine("OK: the child found the segment by its key");
            return 0;
        }
        finally
        {
            shm.Remove();   // System V segments outlive every process until removed
            File.Delete(path);
        }
    }
}
