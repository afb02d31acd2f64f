using System.Diagnostics;
using System.Globalization;
using Interprocess.Queues;

namespace Interprocess.TestDriver.Queues;

/// <summary>Driver commands for the fast queue tests (SpscQueue, MpmcQueue, BroadcastQueue).</summary>
internal static class FastQueueCommands
{
    private static int Int(string s) => int.Parse(s, CultureInfo.InvariantCulture);

    private static long Long(string s) => long.Parse(s, CultureInfo.InvariantCulture);

    /// <summary>
    /// fq-spsc-send NAME START COUNT MAXLEN MODE: prints READY, sends messages START.. (COUNT of them; -1 = until
    /// killed), prints DONE. MODE: copy (TrySend/Send), zc (TryReserve, write in place, Commit) or slow (zc,
    /// writing the payload in several steps with yields, to widen the window in which a kill lands mid-copy).
    /// </summary>
    [DriverCommand("fq-spsc-send")]
    public static int SpscSend(string[] args)
    {
        using var q = SpscQueue.OpenExisting(args[0]);
        long start = Long(args[1]);
        long count = Long(args[2]);
        int max = Int(args[3]);
        string mode = args[4];
        var buffer = new byte[max];
        Console.WriteLine("READY");
        for (long seq = start; count < 0 || seq < start + count; seq++)
        {
            int length = QueueMessage.LengthFor(seq, max, allowEmpty: true);
            if (mode == "copy")
            {
                QueueMessage.Fill(buffer.AsSpan(0, length), seq, 0);
                q.Send(buffer.AsSpan(0, length));
                continue;
            }

            if (!q.TryReserve(length, out Span<byte> room, Timeout.InfiniteTimeSpan))
            {
                return 2;
            }

            if (mode == "slow")
            {
                // Fill a copy, then write it in four pieces with a yield in between.
                QueueMessage.Fill(buffer.AsSpan(0, length), seq, 0);
                int quarter = (length / 4) + 1;
                for (int off = 0; off < length; off += quarter)
                {
                    buffer.AsSpan(off, Math.Min(quarter, length - off)).CopyTo(room[off..]);
                    Thread.Yield();
                }
            }
            else
            {
                QueueMessage.Fill(room, seq, 0);
            }

            q.Commit();
        }

        Console.WriteLine("DONE");
        return 0;
    }

    /// <summary>
    /// fq-spsc-recv NAME COUNT MAXLEN: prints READY; for each message (COUNT; -1 = until killed): peeks, checks
    /// it, prints "R seq" ("R Z" for an empty one), then releases. Prints "BAD what" and exits 1 on a damaged
    /// message; DONE at the end.
    /// </summary>
    [DriverCommand("fq-spsc-recv")]
    public static int SpscRecv(string[] args)
    {
        using var q = SpscQueue.OpenExisting(args[0]);
        long count = Long(args[1]);
        int max = Int(args[2]);
        Console.WriteLine("READY");
        for (long i = 0; count < 0 || i < count; i++)
        {
            q.TryPeek(out ReadOnlySpan<byte> m, Timeout.InfiniteTimeSpan);
            string? bad = QueueMessage.Check(m, max, allowEmpty: true, out long seq, out _);
            if (bad is not null)
            {
                Console.WriteLine("BAD " + bad);
                return 1;
            }

            Console.WriteLine(m.Length == 0 ? "R Z" : "R " + seq.ToString(CultureInfo.InvariantCulture));
            q.Release();
        }

        Console.WriteLine("DONE");
        return 0;
    }

    /// <summary>
    /// fq-mpmc-send NAME PRODUCER START COUNT MAXLEN: prints READY, sends messages START.. of PRODUCER (COUNT; -1
    /// = until killed, printing "C seq" after each commit), prints DONE.
    /// </summary>
    [DriverCommand("fq-mpmc-send")]
    public static int MpmcSend(string[] args)
    {
        using var q = MpmcQueue.OpenExisting(args[0]);
        int producer = Int(args[1]);
        long start = Long(args[2]);
        long count = Long(args[3]);
        int max = Int(args[4]);
        Console.WriteLine("READY");
        for (long seq = start; count < 0 || seq < start + count; seq++)
        {
            int length = QueueMessage.LengthFor(seq, max, allowEmpty: false);
            q.TryReserve(length, out long ticket, out Span<byte> room, Timeout.InfiniteTimeSpan);
            QueueMessage.Fill(room, seq, producer);
            q.Commit(ticket);
            if (count < 0)
            {
                Console.WriteLine("C " + seq.ToString(CultureInfo.InvariantCulture));
            }
        }

        Console.WriteLine("DONE");
        return 0;
    }

    /// <summary>
    /// fq-mpmc-recv NAME MAXLEN: prints READY; receives (claims in place, checks, prints "M producer seq",
    /// releases) until it gets an empty message (the stop message), then prints DONE. "BAD what" and exit 1 on a
    /// damaged message.
    /// </summary>
    [DriverCommand("fq-mpmc-recv")]
    public static int MpmcRecv(string[] args)
    {
        using var q = MpmcQueue.OpenExisting(args[0]);
        int max = Int(args[1]);
        Console.WriteLine("READY");
        while (true)
        {
            q.TryPeek(out long ticket, out ReadOnlySpan<byte> m, Timeout.InfiniteTimeSpan);
            if (m.Length == 0)
            {
                q.Release(ticket);
                break;
            }

            string? bad = QueueMessage.Check(m, max, allowEmpty: false, out long seq, out int producer);
            if (bad is not null)
            {
                Console.WriteLine("BAD " + bad);
                return 1;
            }

            Console.WriteLine($"M {producer} {seq}");
            q.Release(ticket);
        }

        Console.WriteLine("DONE");
        return 0;
    }

    /// <summary>
    /// fq-bcast-recv NAME COUNT MAXLEN: subscribes, prints READY, receives until it has accounted for COUNT
    /// messages (received + lost), checking each message and that sequences follow (seq == previous + 1 + lost),
    /// then prints "DONE received lost" or "BAD what".
    /// </summary>
    [DriverCommand("fq-bcast-recv")]
    public static int BroadcastRecv(string[] args)
    {
        using var q = BroadcastQueue.OpenExisting(args[0]);
        long count = Long(args[1]);
        int max = Int(args[2]);
        var buffer = new byte[max];
        Console.WriteLine("READY");
        long received = 0, lostTotal = 0, expected = 0;
        while (received + lostTotal < count)
        {
            int length = q.Receive(buffer, out long lost);
            string? bad = QueueMessage.Check(buffer.AsSpan(0, length), max, allowEmpty: false, out long seq, out _);
            if (bad is null && seq != expected + lost)
            {
                bad = $"got message {seq} after {expected - 1} with {lost} lost";
            }

            if (bad is not null)
            {
                Console.WriteLine("BAD " + bad);
                return 1;
            }

            received++;
            lostTotal += lost;
            expected = seq + 1;
        }

        Console.WriteLine($"DONE {received} {lostTotal}");
        return 0;
    }

    /// <summary>fq-bcast-send NAME START COUNT MAXLEN: prints READY, waits for a line, publishes COUNT messages, prints DONE.</summary>
    [DriverCommand("fq-bcast-send")]
    public static int BroadcastSend(string[] args)
    {
        using var q = BroadcastQueue.OpenExisting(args[0]);
        long start = Long(args[1]);
        long count = Long(args[2]);
        int max = Int(args[3]);
        var buffer = new byte[max];
        Console.WriteLine("READY");
        Console.ReadLine();
        for (long seq = start; seq < start + count; seq++)
        {
            int length = QueueMessage.LengthFor(seq, max, allowEmpty: false);
            QueueMessage.Fill(buffer.AsSpan(0, length), seq, 0);
            q.Send(buffer.AsSpan(0, length));
        }

        Console.WriteLine("DONE");
        return 0;
    }

    /// <summary>
    /// fq-idle NAME: prints READY, blocks in Receive on the SPSC queue; on a message prints "CPU ms" (its own
    /// processor time while blocked, measured around the receive) and exits.
    /// </summary>
    [DriverCommand("fq-idle")]
    public static int Idle(string[] args)
    {
        using var q = SpscQueue.OpenExisting(args[0]);
        var buffer = new byte[q.MaxMessageSize];
        using var self = Process.GetCurrentProcess();
        TimeSpan before = self.TotalProcessorTime;
        Console.WriteLine("READY");
        q.Receive(buffer);
        self.Refresh();
        TimeSpan used = self.TotalProcessorTime - before;
        Console.WriteLine("CPU " + ((long)used.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
        return 0;
    }
}
