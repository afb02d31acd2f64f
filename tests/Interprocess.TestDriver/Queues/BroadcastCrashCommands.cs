using System.Globalization;
using Interprocess.Memory;
using Interprocess.Queues;
using Interprocess.Synchronization;
using D = Interprocess.Queues.BroadcastQueueDescriptor;
using H = Interprocess.Queues.QueueHeaderDescriptor;

namespace Interprocess.TestDriver.Queues;

/// <summary>
/// Driver commands for the broadcast queue's crash tests: producers and subscribers that the tests kill with
/// SIGKILL, and a producer that stops at a chosen step of a publish so that the test kills it exactly there.
/// Messages are <see cref="PooledMessage"/>s (every byte checked).
/// </summary>
internal static class BroadcastCrashCommands
{
    private static int Int(string s) => int.Parse(s, CultureInfo.InvariantCulture);

    /// <summary>
    /// fq-bcast-kill-send NAME PRODUCER COUNT SIZE: prints READY, waits for a line, publishes messages 0..COUNT-1
    /// of PRODUCER with <see cref="BroadcastQueue.Send"/>, prints DONE and waits for a line (the tests kill it
    /// somewhere in between). SIZE "large": 3/4 of the maximum to the maximum, so that most of a publish is the
    /// copy into the slot (odd sequence, producer mutex held) and a kill at a random moment often lands there;
    /// "small": 16 to 256 bytes, so that kills land in the other steps (locking, the sequence stores, the
    /// position, unlocking, the wake-up).
    /// </summary>
    [DriverCommand("fq-bcast-kill-send")]
    public static int KillSend(string[] args)
    {
        using var q = BroadcastQueue.OpenExisting(args[0]);
        int producer = Int(args[1]);
        int count = Int(args[2]);
        bool large = args[3] == "large";
        int max = Math.Min(q.MaxMessageSize, PooledMessage.MaxLength);
        var buffer = new byte[max];
        PooledMessage.Fill(buffer, 0, producer); // builds the pool and touches every page before the clock starts
        Console.WriteLine("READY");
        Console.ReadLine();
        for (int seq = 0; seq < count; seq++)
        {
            int length = LengthFor(seq, producer, max, large);
            PooledMessage.Fill(buffer.AsSpan(0, length), seq, producer);
            q.Send(buffer.AsSpan(0, length));
        }

        Console.WriteLine("DONE");
        Console.ReadLine();
        return 0;
    }

    /// <summary>
    /// fq-bcast-kill-recv NAME SLOWMS SEED: subscribes, prints READY, then receives forever (until killed): checks
    /// each message and prints "M producer seq lost" (lost: what the queue reported lost just before it). With
    /// SLOWMS &gt; 0 it sleeps 0 to SLOWMS ms after each message (a slow subscriber, which may be lapped). On a
    /// damaged message prints "BAD what" and exits 1.
    /// </summary>
    [DriverCommand("fq-bcast-kill-recv")]
    public static int KillRecv(string[] args)
    {
        using var q = BroadcastQueue.OpenExisting(args[0]);
        int slowMs = Int(args[1]);
        var random = new Random(Int(args[2]));
        var buffer = new byte[q.MaxMessageSize];
        Console.WriteLine("READY");
        while (true)
        {
            int length = q.Receive(buffer, out long lost);
            string? bad = PooledMessage.Check(buffer.AsSpan(0, length), out long seq, out int producer);
            if (bad is not null)
            {
                Console.WriteLine("BAD " + bad);
                return 1;
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"M {producer} {seq} {lost}"));
            if (slowMs > 0)
            {
                Thread.Sleep(random.Next(slowMs + 1));
            }
        }
    }

    /// <summary>
    /// fq-bcast-die-publishing NAME STAGE PRODUCER SEQ LENGTH: performs the steps of
    /// <see cref="BroadcastQueue.Send"/> by hand for message (PRODUCER, SEQ) of LENGTH bytes, stops at STAGE, prints
    /// STAGE and waits to be killed, holding the producer mutex. STAGE "writing": the slot's sequence made odd
    /// and half of the message copied (a kill in the middle of the copy); "complete": the whole message copied
    /// and the sequence made even, ProducerPosition not yet advanced (a kill between the two stores). The steps
    /// are those of Send (keep them in step with it); only the stop is added.
    /// </summary>
    [DriverCommand("fq-bcast-die-publishing")]
    public static int DiePublishing(string[] args)
    {
        string stage = args[1];
        int producer = Int(args[2]);
        int seq = Int(args[3]);
        int length = Int(args[4]);
        using (BroadcastQueue.OpenExisting(args[0]))
        {
            // Validates the header: what follows may trust the sizes.
        }

        using var shm = SharedMemoryObject.OpenExisting(args[0]);
        using var region = new MappedRegion(shm);
        int slotSize = region.Read<int>(H.ElementSizeOffset);
        long capacity = region.Read<long>(H.CapacityOffset);
        var message = new byte[length];
        PooledMessage.Fill(message, seq, producer);

        region.GetRef<InterprocessMutex>(H.ProducerLockOffset).Acquire(TimeSpan.FromSeconds(30));
        long pos = Volatile.Read(ref region.GetRef<long>(H.ProducerPositionOffset));
        long slot = H.DataOffset + ((pos & (capacity - 1)) * slotSize);
        Interlocked.Exchange(ref region.GetRef<long>(slot + D.SequenceOffset), D.Writing(pos));
        region.Write(slot + D.LengthOffset, length);
        int copied = stage == "writing" ? length / 2 : length;
        message.AsSpan(0, copied).CopyTo(region.GetSpan(slot + D.PayloadOffset, copied));
        if (stage == "complete")
        {
            Volatile.Write(ref region.GetRef<long>(slot + D.SequenceOffset), D.Complete(pos));
        }

        Console.WriteLine(stage.ToUpperInvariant() + " " + pos.ToString(CultureInfo.InvariantCulture));
        Console.ReadLine();
        return 0;
    }

    /// <summary>The length of message <paramref name="seq"/> of <paramref name="producer"/> (see <see cref="KillSend"/>).</summary>
    private static int LengthFor(int seq, int producer, int max, bool large)
    {
        uint h = (uint)((seq * 2654435761L) ^ (producer * 40503L));
        return large
            ? max - (int)(h % (uint)((max / 4) + 1))
            : PooledMessage.HeaderLength + (int)(h % (uint)(Math.Min(max, 256) - PooledMessage.HeaderLength + 1));
    }
}
