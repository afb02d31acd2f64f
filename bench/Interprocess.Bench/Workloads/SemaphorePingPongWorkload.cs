using System.Globalization;
using Interprocess.Bench.Infrastructure;
using Interprocess.Memory;
using Interprocess.Synchronization;

namespace Interprocess.Bench.Workloads;

/// <summary>
/// W7: a ping-pong between two processes over two <see cref="InterprocessSemaphore"/>s in shared memory, as the
/// anchors' <c>boost_interprocess_semaphore</c>: the parent does <c>ping.Post(); pong.Wait();</c>, the child
/// <c>ping.Wait(); pong.Post();</c>. One clock read per round trip; the sequence number the parent writes before
/// each ping is echoed by the child and checked.
/// </summary>
internal sealed class SemaphorePingPongWorkload : IWorkload
{
    private const int PingOffset = 0;
    private const int PongOffset = 64;
    private const int ValueOffset = 128;
    private const int EchoOffset = 192;

    /// <inheritdoc />
    public string Workload => "W7";

    /// <inheritdoc />
    public string System => "interprocess_semaphore";

    /// <inheritdoc />
    public bool NeedsTwoCpus => false;

    /// <inheritdoc />
    public int Run()
    {
        long n = Harness.Scaled(Harness.EnvLong("ANCHOR_RT_PER_REP", 20_000));
        string name = Harness.Uniq("ipb_w7_sem");
        var p50 = new List<double>();
        var mean = new List<double>();
        var p99 = new List<double>();
        long bad = 0;
        int childExit;
        try
        {
            using var shm = SharedMemoryObject.CreateNew(name, 4096);
            using var region = new MappedRegion(shm);
            ref var ping = ref region.GetRef<InterprocessSemaphore>(PingOffset);
            ref var pong = ref region.GetRef<InterprocessSemaphore>(PongOffset);
            ping.Initialize(0);
            pong.Initialize(0);
            ref long value = ref region.GetRef<long>(ValueOffset);
            ref long echo = ref region.GetRef<long>(EchoOffset);

            using var child = new ChildProcess(this, name);
            if (child.Recv() != "r")
            {
                return 1;
            }

            var lat = new int[n];
            long seq = 0;
            for (int r = -2; r < Harness.Reps(); ++r)
            {
                long k = r < 0 ? n / 2 : n;
                child.Send($"g {k}");
                long start = Harness.NowNs(), prev = start;
                for (long i = 0; i < k; ++i)
                {
                    // The semaphore's post publishes the value; its wait acquires the echo.
                    value = ++seq;
                    ping.Post();
                    pong.Wait();
                    if (echo != seq)
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
            SharedMemoryObject.Remove(name);
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
        using var shm = SharedMemoryObject.OpenExisting(args[0]);
        using var region = new MappedRegion(shm);
        ref var ping = ref region.GetRef<InterprocessSemaphore>(PingOffset);
        ref var pong = ref region.GetRef<InterprocessSemaphore>(PongOffset);
        ref long value = ref region.GetRef<long>(ValueOffset);
        ref long echo = ref region.GetRef<long>(EchoOffset);
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
                ping.Wait();
                echo = value;
                pong.Post();
            }

            ControlChannel.Send("d");
        }
    }
}
