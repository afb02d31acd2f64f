using System.Runtime.CompilerServices;
using System.Text;
using Interprocess.Memory;
using Interprocess.Synchronization;

namespace Examples;

/// <summary>
/// Boost's doc_anonymous_conditionA.cpp / doc_anonymous_conditionB.cpp: a one-message "trace queue" in shared
/// memory. The parent puts 100 messages in it, waiting on one condition while it is full; the child takes them
/// out, waiting on another while it is empty.
/// </summary>
internal static class AnonymousConditionExample
{
    public static readonly Example Info = new("anonymous-condition", "doc_anonymous_conditionA.cpp + B (trace_queue)",
        "a one-slot queue between two processes with a mutex and two InterprocessConditions", Run);

    /// <summary>Boost's trace_queue; the message text follows it.</summary>
    private struct TraceQueue
    {
        public InterprocessMutex Mutex;
        public InterprocessCondition CondEmpty;   // waited on by the reader while there is no message
        public InterprocessCondition CondFull;    // waited on by the writer while there is one
        public int MessageIn;                     // 1 while a message waits to be read
        public int Length;                        // its length in bytes
    }

    private const int TextSize = 100, NumMsg = 100;

    /// <summary>The text starts after the shared struct.</summary>
    private static readonly int TextOffset = (Unsafe.SizeOf<TraceQueue>() + 63) & ~63;
    private const string Last = "last message";

    private static int Run(string[] args)
    {
        if (args is ["child", var childName])
        {
            return Read(childName);
        }

        string name = $"example-trace-{Guid.NewGuid():N}";
        try
        {
            using var shm = SharedMemoryObject.CreateNew(name, TextOffset + TextSize);   // zeroed: unlocked mutex, idle conditions
            using var region = new MappedRegion(shm);
            using var child = Child.Start(Info.Name, name);
            ref TraceQueue queue = ref region.GetRef<TraceQueue>(0);
            for (int i = 0; i < NumMsg; i++)
            {
                queue.Mutex.Lock();
                try
                {
                    while (queue.MessageIn != 0)
                    {
                        if (!queue.CondFull.Wait(ref queue.Mutex, Child.Timeout))   // releases the mutex while asleep
                        {
                            throw new TimeoutException("the reader stopped reading");
                        }
                    }

                    string text = i == NumMsg - 1 ? Last : $"my_trace_{i}";
                    queue.Length = Encoding.ASCII.GetBytes(text, region.GetSpan(TextOffset, TextSize));
                    queue.MessageIn = 1;
                    queue.CondEmpty.NotifyOne();
                }
                finally
                {
                    queue.Mutex.Unlock();
                }
            }

            Console.WriteLine($"parent: sent {NumMsg} messages");
            if (Child.WaitForExit(child) != 0)
            {
                return 1;
            }

            Console.WriteLine($"OK: {NumMsg} messages passed through one slot, paced by two conditions");
            return 0;
        }
        finally
        {
            SharedMemoryObject.Remove(name);
        }
    }

    private static int Read(string name)
    {
        using var memory = SharedMemoryObject.OpenExisting(name);
        using var region = new MappedRegion(memory);
        ref TraceQueue queue = ref region.GetRef<TraceQueue>(0);
        int received = 0;
        string text;
        do
        {
            queue.Mutex.Lock();
            try
            {
                while (queue.MessageIn == 0)
                {
                    if (!queue.CondEmpty.Wait(ref queue.Mutex, Child.Timeout))
                    {
                        throw new TimeoutException("the writer stopped writing");
                    }
                }

                text = Encoding.ASCII.GetString(region.GetReadOnlySpan(TextOffset, queue.Length));
                if (received % 25 == 0 || text == Last)
                {
                    Console.WriteLine($"  child: got '{text}'");
                }

                received++;
                queue.MessageIn = 0;
                queue.CondFull.NotifyOne();
            }
            finally
            {
                queue.Mutex.Unlock();
            }
        }
        while (text != Last);

        Console.WriteLine($"  child: received {received} messages");
        return received == NumMsg ? 0 : 1;
    }
}
