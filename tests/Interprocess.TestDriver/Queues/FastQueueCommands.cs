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
    /// fq-spsc-recv NAME COUNT MAXLEN [MODE]: prints READY; for each message (COUNT; -1 = until killed): peeks,
    /// checks it, prints "R seq" ("R Z" for an empty one), then releases (MODE peek, the default); or, MODE copy,
    /// receives it with Receive (its release comes before the print), checks it and prints. Prints "BAD what" and
    /// exits 1 on a damaged message; DONE at the end.
    /// </summary>
    [DriverCommand("fq-spsc-recv")]
    public static int SpscRecv(string[] args)
    {
        using var q = SpscQueue.OpenExisting(args[0]);
        long count = Long(args[1]);
        int max = Int(args[2]);
        bool copy = args.Length > 3 && args[3] == "copy";
        var buffer = new byte[max];
        Console.WriteLine("READY");
        for (long i = 0; count < 0 || i < count; i++)
        {
            ReadOnlySpan<byte> m;
            if (copy)
            {
                m = buffer.AsSpan(0, q.Receive(buffer));
            }
            else
            {
                q.TryPeek(out m, Timeout.InfiniteTimeSpan);
            }

            string? bad = QueueMessage.Check(m, max, allowEmpty: true, out long seq, out _);
            if (bad is not null)
            {
                Console.WriteLine("BAD " + bad);
                return 1;
            }

            Console.WriteLine(m.Length == 0 ? "R Z" : "R " + seq.ToString(CultureInfo.InvariantCulture));
            if (!copy)
            {
                q.Release();
            }
        }

        Console.WriteLine("DONE");
        return 0;
    }

    /// <summary>
    /// fq-spsc-race IN OUT ROLE COUNT MAXLEN SEED: the wake-up race, many times. Sleeps are made effectively
    /// unbounded in this process (QueueWaiter.SliceNanoseconds = 10 minutes), so that a lost wake-up is a hang,
    /// not a 100 ms delay. Prints READY, waits for a line, then ROLE "ping" sends message i on OUT and waits for
    /// its echo on IN, COUNT times; ROLE "pong" echoes COUNT messages from IN to OUT. Before each send it waits a
    /// random moment (none, a spin of 0 to 40 µs, or a 1 ms sleep), so that the peer's wait ends in every phase:
    /// spinning, yielding, registering as a sleeper, asleep. Checks every message; prints DONE or "BAD what".
    /// </summary>
    [DriverCommand("fq-spsc-race")]
    public static int SpscRace(string[] args)
    {
        Interprocess.Queues.QueueWaiter.SliceNanoseconds = 600_000_000_000;
        using var input = SpscQueue.OpenExisting(args[0]);
        using var output = SpscQueue.OpenExisting(args[1]);
        bool ping = args[2] == "ping";
        long count = Long(args[3]);
        int max = Int(args[4]);
        var random = new Random(Int(args[5]));
        var buffer = new byte[max];
        Console.WriteLine("READY");
        Console.ReadLine();
        for (long seq = 0; seq < count; seq++)
        {
            if (!ping)
            {
                if (!Receive(input, buffer, seq, max, out string? bad))
                {
                    Console.WriteLine("BAD " + bad);
                    return 1;
                }
            }

            int pause = random.Next(16);
            if (pause == 0)
            {
                Thread.Sleep(1);
            }
            else if (pause < 12)
            {
                long until = Stopwatch.GetTimestamp() + (random.Next(40) * Stopwatch.Frequency / 1_000_000);
                while (Stopwatch.GetTimestamp() < until)
                {
                    Thread.SpinWait(1);
                }
            }

            int length = QueueMessage.LengthFor(seq, max, allowEmpty: true);
            QueueMessage.Fill(buffer.AsSpan(0, length), seq, 0);
            output.Send(buffer.AsSpan(0, length));
            if (ping && !Receive(input, buffer, seq, max, out string? bad2))
            {
                Console.WriteLine("BAD " + bad2);
                return 1;
            }
        }

        Console.WriteLine("DONE");
        return 0;
    }

    private static bool Receive(SpscQueue q, byte[] buffer, long seq, int max, out string? bad)
    {
        int n = q.Receive(buffer);
        bad = QueueMessage.Check(buffer.AsSpan(0, n), max, allowEmpty: true, out long got, out _);
        if (bad is null && (n != QueueMessage.LengthFor(seq, max, allowEmpty: true) || (n != 0 && got != seq)))
        {
            bad = $"expected message {seq}, got {(n == 0 ? "an empty one" : got)} ({n} bytes)";
        }

        return bad is null;
    }

    /// <summary>
    /// fq-mpmc-send NAME PRODUCER START COUNT MAXLEN [MODE]: prints READY, sends messages START.. of PRODUCER (COUNT;
    /// -1 = until killed, printing "C seq" after each commit), prints DONE. MODE zc (the default: TryReserve, write
    /// in place, Commit) or copy (Send).
    /// </summary>
    [DriverCommand("fq-mpmc-send")]
    public static int MpmcSend(string[] args)
    {
        using var q = MpmcQueue.OpenExisting(args[0]);
        int producer = Int(args[1]);
        long start = Long(args[2]);
        long count = Long(args[3]);
        int max = Int(args[4]);
        bool copy = args.Length > 5 && args[5] == "copy";
        var buffer = new byte[max];
        Console.WriteLine("READY");
        for (long seq = start; count < 0 || seq < start + count; seq++)
        {
            int length = QueueMessage.LengthFor(seq, max, allowEmpty: false);
            if (copy)
            {
                QueueMessage.Fill(buffer.AsSpan(0, length), seq, producer);
                q.Send(buffer.AsSpan(0, length));
            }
            else
            {
                q.TryReserve(length, out long ticket, out Span<byte> room, Timeout.InfiniteTimeSpan);
                QueueMessage.Fill(room, seq, producer);
                q.Commit(ticket);
            }

            if (count < 0)
            {
                Console.WriteLine("C " + seq.ToString(CultureInfo.InvariantCulture));
            }
        }

        Console.WriteLine("DONE");
        return 0;
    }

    /// <summary>
    /// fq-mpmc-recv NAME MAXLEN [MODE]: prints READY; receives (MODE zc, the default: claims in place, checks,
    /// prints "M producer seq", releases; MODE copy: Receive into a buffer, checks, prints) until it gets an empty
    /// message (the stop message), then prints DONE. "BAD what" and exit 1 on a damaged message.
    /// </summary>
    [DriverCommand("fq-mpmc-recv")]
    public static int MpmcRecv(string[] args)
    {
        using var q = MpmcQueue.OpenExisting(args[0]);
        int max = Int(args[1]);
        bool copy = args.Length > 2 && args[2] == "copy";
        var buffer = new byte[max];
        Console.WriteLine("READY");
        while (true)
        {
            long ticket = -1;
            ReadOnlySpan<byte> m;
            if (copy)
            {
                m = buffer.AsSpan(0, q.Receive(buffer));
            }
            else
            {
                q.TryPeek(out ticket, out m, Timeout.InfiniteTimeSpan);
            }

            if (m.Length == 0)
            {
                if (!copy)
                {
                    q.Release(ticket);
                }

                break;
            }

            string? bad = QueueMessage.Check(m, max, allowEmpty: false, out long seq, out int producer);
            if (bad is not null)
            {
                Console.WriteLine("BAD " + bad);
                return 1;
            }

            Console.WriteLine($"M {producer} {seq}");
            if (!copy)
            {
                q.Release(ticket);
            }
        }

        Console.WriteLine("DONE");
        return 0;
    }

    /// <summary>
    /// fq-mpmc-hold NAME reserve|peek: claims one slot and keeps it until killed: reserve claims a slot for an
    /// 8-byte message, writes 0xEE into it and never commits; peek claims the oldest message and never releases
    /// it. Prints "HELD ticket" (peek: "HELD ticket length first-byte"), then sleeps.
    /// </summary>
    [DriverCommand("fq-mpmc-hold")]
    public static int MpmcHold(string[] args)
    {
        var q = MpmcQueue.OpenExisting(args[0]); // never disposed: the claim must outlive everything but a kill
        if (args[1] == "reserve")
        {
            if (!q.TryReserve(8, out long ticket, out Span<byte> room))
            {
                Console.WriteLine("FULL");
                return 1;
            }

            room.Fill(0xEE);
            Console.WriteLine("HELD " + ticket.ToString(CultureInfo.InvariantCulture));
        }
        else
        {
            if (!q.TryPeek(out long ticket, out ReadOnlySpan<byte> message))
            {
                Console.WriteLine("EMPTY");
                return 1;
            }

            Console.WriteLine(FormattableString.Invariant($"HELD {ticket} {message.Length} {(message.Length > 0 ? message[0] : -1)}"));
        }

        Thread.Sleep(Timeout.Infinite);
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
    /// fq-idle KIND SIDE NAME: prints READY, then blocks in one call until the test unblocks it: SIDE recv blocks
    /// in Receive on an empty queue, SIDE send in Send on a full one (the test filled it). KIND: spsc, mpmc, bcast
    /// (recv only: a broadcast publisher never waits) or mq (<see cref="MessageQueue"/>). Then prints "CPU ms", its
    /// own processor time measured around the blocked call, and exits.
    /// </summary>
    [DriverCommand("fq-idle")]
    public static int Idle(string[] args)
    {
        string kind = args[0];
        bool send = args[1] == "send";
        using IDisposable q = kind switch
        {
            "spsc" => SpscQueue.OpenExisting(args[2]),
            "mpmc" => MpmcQueue.OpenExisting(args[2]),
            "bcast" => BroadcastQueue.OpenExisting(args[2]),
            "mq" => MessageQueue.Open(args[2]),
            _ => throw new ArgumentException("unknown queue kind " + kind),
        };
        var buffer = new byte[64];
        using var self = Process.GetCurrentProcess();
        TimeSpan before = self.TotalProcessorTime;
        Console.WriteLine("READY");
        switch (q)
        {
            case SpscQueue spsc when send: spsc.Send(buffer.AsSpan(0, 8)); break;
            case SpscQueue spsc: spsc.Receive(buffer); break;
            case MpmcQueue mpmc when send: mpmc.Send(buffer.AsSpan(0, 8)); break;
            case MpmcQueue mpmc: mpmc.Receive(buffer); break;
            case BroadcastQueue bcast: bcast.Receive(buffer, out _); break;
            case MessageQueue mq when send: mq.Send(buffer.AsSpan(0, 8), 0); break;
            case MessageQueue mq: mq.Receive(buffer, out _, out _); break;
        }

        self.Refresh();
        TimeSpan used = self.TotalProcessorTime - before;
        Console.WriteLine("CPU " + ((long)used.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
        return 0;
    }
}
