using Interprocess;
using Interprocess.Memory;

namespace Examples;

/// <summary>
/// Boost's doc_anonymous_shared_memory.cpp: shared memory with no name. Boost's processes share it through fork;
/// .NET cannot fork, so the parent hands the memory (a memfd) to its child by a handle on the command line.
/// </summary>
internal static class AnonymousSharedMemoryExample
{
    public static readonly Example Info = new("anonymous-shared-memory", "doc_anonymous_shared_memory.cpp",
        "unnamed shared memory (memfd) handed to a child by a handle string; nothing to remove", Run);

    private static int Run(string[] args)
    {
        if (args is ["child", var handle])
        {
            using var shared = AnonymousSharedMemory.Open(handle);
            using var view = shared.Map();
            bool allOnes = !view.GetSpan(0, 1000).ContainsAnyExcept((byte)1);
            view.GetSpan(1000, 1000).Fill(2);   // reply in the second half
            Console.WriteLine($"  child: opened {handle}; first half all 1: {allOnes}; wrote 2s into the second half");
            return allOnes ? 0 : 1;
        }

        using var memory = AnonymousSharedMemory.Create(2000);   // nothing appears in /dev/shm
        using var region = memory.Map();
        region.GetSpan(0, 1000).Fill(1);
        Console.WriteLine($"parent: created anonymous memory {memory.Handle} and filled the first half with 1s");

        // Keep 'memory' open until the child has opened it: the handle refers to this process's descriptor.
        int code = Child.Run(Info.Name, memory.Handle);
        bool replied = !region.GetReadOnlySpan(1000, 1000).ContainsAnyExcept((byte)2);
        if (code != 0 || !replied)
        {
            return 1;
        }

        Console.WriteLine("OK: parent and child shared memory that has no name");
        return 0;
    }
}
