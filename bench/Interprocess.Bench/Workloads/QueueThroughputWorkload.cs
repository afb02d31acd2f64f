using System.Buffers.Binary;
using System.Globalization;
using Interprocess.Bench.Infrastructure;

namespace Interprocess.Bench.Workloads;

/// <summary>
/// W4 for the fast queues: one-way throughput from the parent (producer) to the child (consumer), 2,000,000 ×
/// 64 B and 200,000 × 4096 B per repetition, as the anchors (a queue of 1024 messages; the sequence number in the
/// first 8 bytes; the consumer copies every message out and counts gaps and duplicates; the clock runs from the
/// consumer's "r" until its report arrives).
/// </summary>
internal sealed class QueueThroughputWorkload(bool mpmc) : IWorkload
{
    /// <inheritdoc />
    public string Workload => "W4";

    /// <inheritdoc />
    public string System => mpmc ? "interprocess_mpmc_queue" : "interprocess_spsc_queue";

    /// <inheritdoc />
    public bool NeedsTwoCpus => false;

    /// <inheritdoc />
    public int Run()
    {
        int rc = RunSize(64, Harness.Scaled(2_000_000));
        return rc != 0 ? rc : RunSize(4096, Harness.Scaled(200_000));
    }

    private int RunSize(int size, long n)
    {
        string name = Harness.Uniq($"ipb_w4_q{(mpmc ? "m" : "s")}_{size}");
        var mps = new List<double>();
        var mbps = new List<double>();
        long lost = 0, dup = 0, shortRuns = 0;
        int childExit;
        try
        {
            using var q = FastQueue.Create(mpmc, name, 1024, size);
            using var child = new ChildProcess(this, name, size.ToString(CultureInfo.InvariantCulture));
            if (child.Recv() != "ready")
            {
                return 1;
            }

            var msg = new byte[size];
            msg.AsSpan().Fill(0x5A);
            for (int r = -2; r < Harness.Reps(); ++r)
            {
                long k = r < 0 ? n / 10 : n;
                child.Send($"g {k}");
                if (child.Recv() != "r")
                {
                    return 1;
                }

                long t0 = Harness.NowNs();
                for (long i = 0; i < k; ++i)
                {
                    BinaryPrimitives.WriteInt64LittleEndian(msg, i);
                    q.Send(msg);
                }

                string[] d = child.Recv().Split(' ');
                long t1 = Harness.NowNs();
                if (d[0] != "d")
                {
                    return 1;
                }

                long received = long.Parse(d[1], CultureInfo.InvariantCulture);
                lost += long.Parse(d[2], CultureInfo.InvariantCulture);
                dup += long.Parse(d[3], CultureInfo.InvariantCulture);
                if (received != k)
                {
                    ++shortRuns;
                }

                if (r >= 0)
                {
                    double secs = (t1 - t0) / 1e9;
                    mps.Add(k / secs);
                    mbps.Add(k * (double)size / secs / 1e6);
                }
            }

            child.Send("q");
            childExit = child.WaitExit();
        }
        finally
        {
            FastQueue.Remove(mpmc, name);
        }

        string sz = size == 64 ? "64B" : "4KiB";
        Harness.Emit(Workload, System, "msgs_per_s_" + sz, mps, "msg/s");
        Harness.Emit(Workload, System, "MB_per_s_" + sz, mbps, "MB/s");
        Harness.EmitValue(Workload, System, "lost_" + sz, lost.ToString(CultureInfo.InvariantCulture), "msgs");
        Harness.EmitValue(Workload, System, "dup_" + sz, dup.ToString(CultureInfo.InvariantCulture), "msgs");
        Harness.EmitValue(Workload, System, "check_" + sz, lost == 0 && dup == 0 && shortRuns == 0 ? "ok" : "LOSS", "seq");
        return childExit;
    }

    /// <inheritdoc />
    public int RunChild(IReadOnlyList<string> args)
    {
        using var q = FastQueue.Open(mpmc, args[0]);
        int size = int.Parse(args[1], CultureInfo.InvariantCulture);
        var buffer = new byte[size];
        ControlChannel.Send("ready");
        while (true)
        {
            string cmd = ControlChannel.Recv();
            if (cmd == "q")
            {
                return 0;
            }

            long k = long.Parse(cmd.AsSpan(2), provider: CultureInfo.InvariantCulture);
            long expect = 0, lost = 0, dup = 0, received = 0;
            ControlChannel.Send("r");
            for (long i = 0; i < k; ++i)
            {
                if (q.Receive(buffer) != size)
                {
                    ++lost;
                    continue;
                }

                long s = BinaryPrimitives.ReadInt64LittleEndian(buffer);
                ++received;
                if (s == expect)
                {
                    ++expect;
                }
                else if (s > expect)
                {
                    lost += s - expect;
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
