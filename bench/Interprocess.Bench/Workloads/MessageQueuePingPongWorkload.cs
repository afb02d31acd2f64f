using System.Buffers.Binary;
using System.Globalization;
using Interprocess.Bench.Infrastructure;
using Interprocess.Queues;

namespace Interprocess.Bench.Workloads;

/// <summary>
/// W3: a 64-byte ping-pong between two processes over two <see cref="MessageQueue"/>s (capacity 16, max message
/// 64 B), as the anchors' <c>boost_message_queue</c>: the parent sends on a2b (sequence number in the first 8
/// bytes) and receives the echo on b2a; the child echoes. One clock read per round trip; every echo is checked.
/// </summary>
internal sealed class MessageQueuePingPongWorkload : IWorkload
{
    private const int MessageSize = 64;

    /// <inheritdoc />
    public string Workload => "W3";

    /// <inheritdoc />
    public string System => "interprocess_message_queue";

    /// <inheritdoc />
    public bool NeedsTwoCpus => false;

    /// <inheritdoc />
    public int Run()
    {
        long n = Harness.Scaled(Harness.EnvLong("ANCHOR_RT_PER_REP", 20_000));
        string name = Harness.Uniq("ipb_w3_mq");
        var p50 = new List<double>();
        var mean = new List<double>();
        var p99 = new List<double>();
        long bad = 0;
        int childExit;
        MessageQueue.Remove(name + "_a2b");
        MessageQueue.Remove(name + "_b2a");
        try
        {
            using var a2b = MessageQueue.Create(name + "_a2b", 16, MessageSize);
            using var b2a = MessageQueue.Create(name + "_b2a", 16, MessageSize);
            using var child = new ChildProcess(this, name);
            if (child.Recv() != "r")
            {
                return 1;
            }

            var lat = new int[n];
            var msg = new byte[MessageSize];
            var back = new byte[MessageSize];
            ulong seq = 0;
            for (int r = -2; r < Harness.Reps(); ++r)
            {
                long k = r < 0 ? n / 2 : n;
                child.Send($"g {k}");
                long start = Harness.NowNs(), prev = start;
                for (long i = 0; i < k; ++i)
                {
                    BinaryPrimitives.WriteUInt64LittleEndian(msg, ++seq);
                    a2b.Send(msg, 0);
                    b2a.Receive(back, out int size, out _);
                    if (size != MessageSize || BinaryPrimitives.ReadUInt64LittleEndian(back) != seq)
                    {
                        ++bad;
                    }

                    long now = Harness.NowNs();
                    lat[i] = (int)(now - prev);
                    prev = now;
                }

                if (child.Recv() != "d")
                {
                    return 1;
                }

                if (r >= 0)
                {
                    p50.Add(Harness.Percentile(lat, (int)k, 50));
                    p99.Add(Harness.Percentile(lat, (int)k, 99));
                    mean.Add((double)(prev - start) / k);
                }
            }

            child.Send("q");
            childExit = child.WaitExit();
        }
        finally
        {
            MessageQueue.Remove(name + "_a2b");
            MessageQueue.Remove(name + "_b2a");
        }

        Harness.Emit(Workload, System, "rtt_p50", p50, "ns");
        Harness.Emit(Workload, System, "rtt_mean", mean, "ns");
        Harness.Emit(Workload, System, "rtt_p99", p99, "ns");
        Harness.EmitValue(Workload, System, "check", bad == 0 ? "ok" : "BAD_ECHO", "echo_seq");
        return childExit;
    }

    /// <inheritdoc />
    public int RunChild(IReadOnlyList<string> args)
    {
        using var a2b = MessageQueue.Open(args[0] + "_a2b");
        using var b2a = MessageQueue.Open(args[0] + "_b2a");
        var buf = new byte[MessageSize];
        ControlChannel.Send("r");
        while (true)
        {
            string cmd = ControlChannel.Recv();
            if (cmd == "q")
            {
                return 0;
            }

            long k = long.Parse(cmd.AsSpan(2), provider: CultureInfo.InvariantCulture);
            for (long i = 0; i < k; ++i)
            {
                a2b.Receive(buf, out int size, out _);
                b2a.Send(buf.AsSpan(0, size), 0);
            }

            ControlChannel.Send("d");
        }
    }
}
