using System.Buffers.Binary;
using System.Globalization;
using Interprocess.Bench.Infrastructure;
using Interprocess.Queues;

namespace Interprocess.Bench.Workloads;

/// <summary>
/// W3 for the fast queues (<c>interprocess_spsc_queue</c>, <c>interprocess_mpmc_queue</c>): a 64-byte ping-pong
/// over two queues, as the anchors' <c>boost_message_queue</c> (parent sends the message with its sequence number
/// in the first 8 bytes, the child receives it and sends it back, the parent checks the echo). One clock read per
/// round trip. The queues block (spin a few microseconds, then sleep), so the workload also runs on one CPU.
/// </summary>
internal sealed class QueuePingPongWorkload(bool mpmc) : IWorkload
{
    private const int MessageSize = 64;

    /// <inheritdoc />
    public string Workload => "W3";

    /// <inheritdoc />
    public string System => mpmc ? "interprocess_mpmc_queue" : "interprocess_spsc_queue";

    /// <inheritdoc />
    public bool NeedsTwoCpus => false;

    /// <inheritdoc />
    public int Run()
    {
        long n = Harness.Scaled(Harness.EnvLong("ANCHOR_RT_PER_REP", 20_000));
        string ping = Harness.Uniq("ipb_w3_q_ping" + (mpmc ? "m" : "s"));
        string pong = Harness.Uniq("ipb_w3_q_pong" + (mpmc ? "m" : "s"));
        var p50 = new List<double>();
        var mean = new List<double>();
        var p99 = new List<double>();
        long bad = 0;
        int childExit;
        try
        {
            using var tx = FastQueue.Create(mpmc, ping, 16, MessageSize);
            using var rx = FastQueue.Create(mpmc, pong, 16, MessageSize);
            using var child = new ChildProcess(this, ping, pong);
            if (child.Recv() != "r")
            {
                return 1;
            }

            var lat = new int[n];
            var outb = new byte[MessageSize];
            var inb = new byte[MessageSize];
            outb.AsSpan().Fill(0xA5);
            long seq = 0;
            for (int r = -2; r < Harness.Reps(); ++r)
            {
                long k = r < 0 ? n / 2 : n;
                child.Send($"g {k}");
                long start = Harness.NowNs(), prev = start;
                for (long i = 0; i < k; ++i)
                {
                    BinaryPrimitives.WriteInt64LittleEndian(outb, ++seq);
                    tx.Send(outb);
                    if (rx.Receive(inb) != MessageSize || BinaryPrimitives.ReadInt64LittleEndian(inb) != seq)
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
            FastQueue.Remove(mpmc, ping);
            FastQueue.Remove(mpmc, pong);
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
        using var rx = FastQueue.Open(mpmc, args[0]);
        using var tx = FastQueue.Open(mpmc, args[1]);
        var buffer = new byte[MessageSize];
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
                int got = rx.Receive(buffer);
                tx.Send(buffer.AsSpan(0, got));
            }

            ControlChannel.Send("d");
        }
    }
}
