using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using Interprocess.Queues;

namespace Interprocess.TestDriver.Queues;

/// <summary>
/// Driver commands for the message queue tests. Message i carries the uint32 i followed by (i % 7) bytes of
/// (i &amp; 0xff), the same pattern as the C++ mqtool, so every receiver can check what it got.
/// </summary>
internal static class MessageQueueCommands
{
    /// <summary>Writes message <paramref name="id"/> into <paramref name="buffer"/>; returns its length.</summary>
    internal static int Pattern(uint id, Span<byte> buffer)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, id);
        int extra = (int)(id % 7);
        buffer.Slice(4, extra).Fill((byte)id);
        return 4 + extra;
    }

    /// <summary>Checks a received message against the pattern; returns its id.</summary>
    internal static uint Check(ReadOnlySpan<byte> message)
    {
        uint id = BinaryPrimitives.ReadUInt32LittleEndian(message);
        if (message.Length != 4 + (int)(id % 7) || message[4..].ContainsAnyExcept((byte)id))
        {
            throw new InvalidDataException($"message {id} is damaged ({message.Length} bytes)");
        }

        return id;
    }

    /// <summary>mq-send NAME N PRIOMOD [FIRST]: sends messages FIRST..FIRST+N-1 (priority id % PRIOMOD). Prints OPENED, SENT.</summary>
    [DriverCommand("mq-send")]
    public static int Send(string[] args)
    {
        using var q = MessageQueue.Open(args[0]);
        uint n = uint.Parse(args[1], CultureInfo.InvariantCulture), mod = uint.Parse(args[2], CultureInfo.InvariantCulture);
        uint first = args.Length > 3 ? uint.Parse(args[3], CultureInfo.InvariantCulture) : 0;
        Console.WriteLine("OPENED");
        Span<byte> buf = stackalloc byte[16];
        for (uint i = first; i < first + n; i++)
        {
            q.Send(buf[..Pattern(i, buf)], i % mod);
        }

        Console.WriteLine("SENT");
        return 0;
    }

    /// <summary>mq-recv NAME N: receives N messages, printing "id priority size" for each, then DONE.</summary>
    [DriverCommand("mq-recv")]
    public static int Receive(string[] args)
    {
        using var q = MessageQueue.Open(args[0]);
        int n = int.Parse(args[1], CultureInfo.InvariantCulture);
        Console.WriteLine($"OPENED max={q.MaxMessages} size={q.MaxMessageSize}");
        var buf = new byte[q.MaxMessageSize];
        for (int k = 0; k < n; k++)
        {
            q.Receive(buf, out int size, out uint prio);
            Console.WriteLine($"{Check(buf.AsSpan(0, size))} {prio} {size}");
        }

        Console.WriteLine("DONE");
        return 0;
    }

    /// <summary>
    /// mq-send-loop NAME THREADS BASE: THREADS threads each send ids BASE + t*1_000_000 + 0, 1, 2, ... for ever,
    /// with pseudo-random priorities 0..3, so that index shifts happen. Prints READY. Killed by the test.
    /// </summary>
    [DriverCommand("mq-send-loop")]
    public static int SendLoop(string[] args)
    {
        using var q = MessageQueue.Open(args[0]);
        int threads = int.Parse(args[1], CultureInfo.InvariantCulture);
        uint baseId = uint.Parse(args[2], CultureInfo.InvariantCulture);
        var all = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            uint start = baseId + ((uint)t * 1_000_000);
            all[t] = new Thread(() =>
            {
                Span<byte> buf = stackalloc byte[16];
                for (uint i = start; ; i++)
                {
                    q.Send(buf[..Pattern(i, buf)], (i * 2654435761u) >> 30);
                }
            }) { IsBackground = true };
            all[t].Start();
        }

        Console.WriteLine("READY");
        Console.ReadLine();
        return 0;
    }

    /// <summary>mq-recv-loop NAME: receives for ever, printing each id after its Receive returned. Killed by the test.</summary>
    [DriverCommand("mq-recv-loop")]
    public static int ReceiveLoop(string[] args)
    {
        using var q = MessageQueue.Open(args[0]);
        var buf = new byte[q.MaxMessageSize];
        Console.WriteLine("READY");
        while (true)
        {
            q.Receive(buf, out int size, out _);
            Console.WriteLine(Check(buf.AsSpan(0, size)).ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>
    /// mq-hold-lock NAME: locks the queue's mutex (as a sender or receiver does for an instant), prints LOCKED, waits
    /// for a line, unlocks, prints UNLOCKED.
    /// </summary>
    [DriverCommand("mq-hold-lock")]
    public static unsafe int HoldLock(string[] args)
    {
        using var shm = Interprocess.Memory.SharedMemoryObject.OpenExisting(args[0]);
        using var region = new Interprocess.Memory.MappedRegion(shm);
        void* mutex = (byte*)region.Address + MessageQueueLayout.Header + MessageQueueLayout.Mutex;
        int rc = Interprocess.Interop.Libc.PThreadMutexLock(mutex);
        if (rc != 0)
        {
            Console.WriteLine($"LOCK FAILED {rc}");
            return 1;
        }

        Console.WriteLine("LOCKED");
        Console.ReadLine();
        Interprocess.Interop.Libc.PThreadMutexUnlock(mutex);
        Console.WriteLine("UNLOCKED");
        return 0;
    }

    /// <summary>mq-recv-blocked NAME: prints WAITING and blocks in Receive on an empty queue (the test kills it).</summary>
    [DriverCommand("mq-recv-blocked")]
    public static int ReceiveBlocked(string[] args)
    {
        using var q = MessageQueue.Open(args[0]);
        var buf = new byte[q.MaxMessageSize];
        Console.WriteLine("WAITING");
        q.Receive(buf, out int size, out _);
        Console.WriteLine("GOT " + Check(buf.AsSpan(0, size)));
        return 0;
    }

    /// <summary>mq-send-blocked NAME ID: prints WAITING and sends message ID with priority 0, blocking on a full queue (the test kills it).</summary>
    [DriverCommand("mq-send-blocked")]
    public static int SendBlocked(string[] args)
    {
        using var q = MessageQueue.Open(args[0]);
        Span<byte> buf = stackalloc byte[16];
        Console.WriteLine("WAITING");
        q.Send(buf[..Pattern(uint.Parse(args[1], CultureInfo.InvariantCulture), buf)], 0);
        Console.WriteLine("SENT");
        return 0;
    }

    /// <summary>mq-recv-image NAME TOTAL: receives chunks until TOTAL bytes arrived; prints the SHA-256 of the bytes in hex.</summary>
    [DriverCommand("mq-recv-image")]
    public static int ReceiveImage(string[] args)
    {
        using var q = MessageQueue.Open(args[0]);
        int total = int.Parse(args[1], CultureInfo.InvariantCulture);
        var image = new byte[total];
        Console.WriteLine("READY");
        int at = 0;
        while (at < total)
        {
            q.Receive(image.AsSpan(at), out int size, out _);
            at += size;
        }

        Console.WriteLine(Convert.ToHexString(SHA256.HashData(image)));
        return 0;
    }
}
