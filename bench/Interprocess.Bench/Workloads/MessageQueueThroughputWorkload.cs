using System.Buffers.Binary;
using System.Globalization;
using Interprocess.Bench.Infrastructure;
using Interprocess.Queues;

namespace Interprocess.Bench.Workloads;

/// <summary>
/// W4: one-way throughput producer (parent) → consumer (child) through a <see cref="MessageQueue"/> of capacity
/// 1024 whose max message is the message size, as the anchors' <c>boost_message_queue</c>: 2,000,000 × 64 B and
/// 200,000 × 4096 B per repetition (warm-up 2 × 1/10). The consumer says ready, the producer starts the clock and
/// sends (sequence number in the first 8 bytes); the consumer checks every sequence number and reports received,
/// lost (gaps) and dup (non-increasing); the clock stops when the report arrives.
/// </summary>
internal sealed class MessageQueueThroughputWorkload : IWorkload
{
    /// <inheritdoc />
    public string Workload => "W4";

    /// <inheritdoc />
    public string System => "interprocess_message_queue";

    /// <inheritdoc />
    public bool NeedsTwoCpus => true;

    /// <inheritdoc />
    public int Run()
    {
        int rc = RunSize(64, Harness.Scaled(2_000_000), "64B");
        return rc != 0 ? rc : RunSize(4096, Harness.Scaled(200_000), "4KiB");
    }

    private int RunSize(int size, long total, string label)
    {
        string name = Harness.Uniq("ipb_w4_mq_" + size.ToString(CultureInfo.InvariantCulture));
        var mps = new List<double>();
        var mbps = new List<double>();
        long lost = 0, dup = 0, shortRuns = 0;
        int childExit;
        MessageQueue.Remove(name);
        try
        {
            using var q = MessageQueue.Create(name, 1024, size);
            using var child = new ChildProcess(this, name);
            if (child.Recv() != "r")
            {
                return 1;
            }

            var msg = new byte[size];
            msg.AsSpan().Fill(0x5A);
            for (int r = -2; r < Harness.Reps(); ++r)
            {
                long n = r < 0 ? total / 10 : total;
                child.Send($"g {n}");
                if (child.Recv() != "r")
                {
                    return 1;
                }

                long t0 = Harness.NowNs();
                for (long i = 0; i < n; ++i)
                {
                    BinaryPrimitives.WriteUInt64LittleEndian(msg, (ulong)i);
                    q.Send(msg, 0);
                }

                string[] report = child.Recv().Split(' ');
                long t1 = Harness.NowNs();
                if (report[0] != "d")
                {
                    return 1;
                }

                long received = long.Parse(report[1], CultureInfo.InvariantCulture);
                lost += long.Parse(report[2], CultureInfo.InvariantCulture);
                dup += long.Parse(report[3], CultureInfo.InvariantCulture);
                if (received != n)
                {
                    ++shortRuns;
                }

                if (r >= 0)
                {
                    double secs = (t1 - t0) / 1e9;
                    mps.Add(n / secs);
                    mbps.Add(n * (double)size / secs / 1e6);
                }
            }

            child.Send("q");
            childExit = child.WaitExit();
        }
        finally
        {
            MessageQueue.Remove(name);
        }

        Harness.Emit(Workload, System, "msgs_per_s_" + label, mps, "msg/s");
        Harness.Emit(Workload, System, "MB_per_s_" + label, mbps, "MB/s");
        Harness.EmitValue(Workload, System, "lost_" + label, lost.ToString(CultureInfo.InvariantCulture), "msgs");
        Harness.EmitValue(Workload, System, "dup_" + label, dup.ToString(CultureInfo.InvariantCulture), "msgs");
        Harness.EmitValue(Workload, System, "check_" + label, lost == 0 && dup == 0 && shortRuns == 0 ? "ok" : "LOSS", "seq");
        return childExit;
    }

    /// <inheritdoc />
    public int RunChild(IReadOnlyList<string> args)
    {
        using var q = MessageQueue.Open(args[0]);
        var buf = new byte[q.MaxMessageSize];
        ControlChannel.Send("r");
        while (true)
        {
            string cmd = ControlChannel.Recv();
            if (cmd == "q")
            {
                return 0;
            }

            long n = long.Parse(cmd.AsSpan(2), provider: CultureInfo.InvariantCulture);
            ulong expect = 0;
            long received = 0, lost = 0, dup = 0;
            ControlChannel.Send("r");
            for (long i = 0; i < n; ++i)
            {
                q.Receive(buf, out int size, out _);
                if (size != buf.Length)
                {
                    return 1;
                }

                ulong s = BinaryPrimitives.ReadUInt64LittleEndian(buf);
                ++received;
                if (s == expect)
                {
                    ++expect;
                }
                else if (s > expect)
                {
                    lost += (long)(s - expect);
                    expect = s + 1;
                }
                else
                {
                    ++dup;
                }
            }

            ControlChannel.Send($"d {received} {lost} {dup}");
        }
    }
}
