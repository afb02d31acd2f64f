using Interprocess.Queues;

namespace Examples;

/// <summary>
/// Boost's doc_message_queueA.cpp / doc_message_queueB.cpp: the parent sends 100 ints through a named message
/// queue; the child receives them. (The queue's format is Boost 1.81's: a C++ program could be either side.)
/// </summary>
internal static class MessageQueueExample
{
    public static readonly Example Info = new("message-queue", "doc_message_queueA.cpp + B",
        "one process sends 100 ints through a MessageQueue, another receives them", Run);

    private const int Count = 100;

    private static int Run(string[] args)
    {
        if (args is ["child", var childName])
        {
            using var mq = MessageQueue.Open(childName);
            bool inOrder = true;
            for (int i = 0; i < Count; i++)
            {
                if (!mq.TryReceive(out int number, out uint _, Child.Timeout))
                {
                    throw new TimeoutException("no message came");
                }

                inOrder &= number == i;
            }

            Console.WriteLine($"  child: received {Count} numbers, in order: {inOrder}");
            return inOrder ? 0 : 1;
        }

        string name = $"example-mq-{Guid.NewGuid():N}";
        try
        {
            using var queue = MessageQueue.Create(name, maxMessages: 20, maxMessageSize: sizeof(int));
            using var child = Child.Start(Info.Name, name);
            for (int i = 0; i < Count; i++)
            {
                if (!queue.TrySend(BitConverter.GetBytes(i), priority: 0, Child.Timeout))   // waits while the queue is full
                {
                    throw new TimeoutException("the receiver stopped");
                }
            }

            Console.WriteLine($"parent: sent {Count} numbers through a queue of {queue.MaxMessages}");
            if (Child.WaitForExit(child) != 0)
            {
                return 1;
            }

            Console.WriteLine($"OK: {Count} messages from one process to another");
            return 0;
        }
        finally
        {
            MessageQueue.Remove(name);
        }
    }
}
