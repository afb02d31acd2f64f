using System.Runtime.CompilerServices;
using Interprocess.Memory;
using Interprocess.Synchronization;

namespace Examples;

/// <summary>
/// Boost's doc_anonymous_semaphoreA.cpp / doc_anonymous_semaphoreB.cpp: a bounded buffer of 10 ints in shared
/// memory with three semaphores (one used as a mutex, one counting free slots, one counting stored items). The
/// parent produces 100 ints, the child consumes them.
/// </summary>
internal static class AnonymousSemaphoreExample
{
    public static readonly Example Info = new("anonymous-semaphore", "doc_anonymous_semaphoreA.cpp + B (shared_memory_buffer)",
        "a producer and a consumer process share a bounded buffer paced by InterprocessSemaphores", Run);

    private const int NumItems = 10, NumMsg = 100;

    [InlineArray(NumItems)]
    private struct Items
    {
        private int _first;
    }

    /// <summary>Boost's shared_memory_buffer.</summary>
    private struct SharedBuffer
    {
        public InterprocessSemaphore Mutex;     // 1: the buffer is free to touch
        public InterprocessSemaphore NEmpty;    // free slots
        public InterprocessSemaphore NStored;   // stored items
        public Items Items;
    }

    private static int Run(string[] args)
    {
        if (args is ["child", var childName])
        {
            return Consume(childName);
        }

        string name = $"example-sem-{Guid.NewGuid():N}";
        try
        {
            using var shm = SharedMemoryObject.CreateNew(name, 4096);
            using var region = new MappedRegion(shm);
            ref SharedBuffer buffer = ref region.GetRef<SharedBuffer>(0);
            buffer.Mutex.Initialize(1);             // semaphores need their initial count before anyone uses them
            buffer.NEmpty.Initialize(NumItems);
            buffer.NStored.Initialize(0);

            using var child = Child.Start(Info.Name, name);
            for (int i = 0; i < NumMsg; i++)
            {
                Wait(ref buffer.NEmpty);
                Wait(ref buffer.Mutex);
                buffer.Items[i % NumItems] = i;
                buffer.Mutex.Post();
                buffer.NStored.Post();
            }

            Console.WriteLine($"parent: produced {NumMsg} items through a buffer of {NumItems}");
            if (Child.WaitForExit(child) != 0)
            {
                return 1;
            }

            Console.WriteLine($"OK: {NumMsg} items consumed in order");
            return 0;
        }
        finally
        {
            SharedMemoryObject.Remove(name);
        }
    }

    private static int Consume(string name)
    {
        using var memory = SharedMemoryObject.OpenExisting(name);
        using var region = new MappedRegion(memory);
        ref SharedBuffer buffer = ref region.GetRef<SharedBuffer>(0);
        long sum = 0;
        bool inOrder = true;
        for (int i = 0; i < NumMsg; i++)
        {
            Wait(ref buffer.NStored);
            Wait(ref buffer.Mutex);
            int item = buffer.Items[i % NumItems];
            buffer.Mutex.Post();
            buffer.NEmpty.Post();
            inOrder &= item == i;
            sum += item;
        }

        Console.WriteLine($"  child: consumed {NumMsg} items, sum {sum}, in order: {inOrder}");
        return inOrder ? 0 : 1;
    }

    private static void Wait(ref InterprocessSemaphore semaphore)
    {
        if (!semaphore.TryWait(Child.Timeout))
        {
            throw new TimeoutException("the other process stopped");
        }
    }
}
