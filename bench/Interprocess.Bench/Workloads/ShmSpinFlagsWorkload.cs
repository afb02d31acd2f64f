using System.Buffers.Binary;
using System.Globalization;
using Interprocess.Bench.Infrastructure;
using Interprocess.Memory;

namespace Interprocess.Bench.Workloads;

/// <summary>
/// W3, the spinning floor, built on <see cref="SharedMemoryObject"/> and <see cref="MappedRegion"/>: the same
/// layout and method as the anchors' <c>dotnet_shm_spin_flags</c> and <c>cpp_shm_spin_flags</c>. The parent
/// writes a 64-byte message (sequence number in its first 8 bytes) and bumps the ping sequence word; the child
/// spins until it sees it, copies the message out, copies it into the pong slot and bumps the pong word; the
/// parent spins on that and checks the echo. One clock read per round trip.
/// </summary>
internal sealed class ShmSpinFlagsWorkload : IWorkload
{
    /// <summary>Bytes in a message.</summary>
    private const int MessageSize = 64;

    /// <inheritdoc />
    public string Workload => "W3";

    /// <inheritdoc />
    public string System => "interprocess_shm_spin_flags";

    /// <inheritdoc />
    public bool NeedsTwoCpus => true;

    /// <inheritdoc />
    public int Run()
    {
        long n = Harness.Scaled(Harness.EnvLong("ANCHOR_RT_PER_REP", 20_000));
        string name = Harness.Uniq("ipb_w3_spin");
        var p50 = new List<double>();
        var mean = new List<double>();
        var p99 = new List<double>();
        long bad = 0;
        int childExit;
        try
        {
            using var shm = SharedMemoryObject.CreateNew(name, SpinFlagsLayout.Size);
            using var region = new MappedRegion(shm);
            ref long pingSeq = ref region.GetRef<long>(SpinFlagsLayout.PingSequence);
            Span<byte> pingPayload = region.GetSpan(SpinFlagsLayout.PingPayload, MessageSize);
            ref long pongSeq = ref region.GetRef<long>(SpinFlagsLayout.PongSequence);
            Span<byte> pongPayload = region.GetSpan(SpinFlagsLayout.PongPayload, MessageSize);

            using var child = new ChildProcess(this, name);
            if (child.Recv() != "r")
            {
                return 1;
            }

            var lat = new int[n];
            Span<byte> outb = stackalloc byte[MessageSize];
            Span<byte> inb = stackalloc byte[MessageSize];
            outb.Fill(0xA5);
            long sent = 0, received = 0;

            // Two warm-up batches of n/2 (tiered JIT and OSR settle), then the timed repetitions.
            for (int r = -2; r < Harness.Reps(); ++r)
            {
                long k = r < 0 ? n / 2 : n;
                child.Send($"g {k}");
                long start = Harness.NowNs(), prev = start;
                for (long i = 0; i < k; ++i)
                {
                    long seq = i + 1;
                    BinaryPrimitives.WriteInt64LittleEndian(outb, seq);
                    outb.CopyTo(pingPayload);

                    // Release: publishes the payload copied above to the child.
                    Volatile.Write(ref pingSeq, ++sent);

                    // Acquire: once the child's pong word is seen, its payload is visible.
                    ++received;
                    while (Volatile.Read(ref pongSeq) != received)
                    {
                        Harness.Pause();
                    }

                    pongPayload.CopyTo(inb);
                    if (BinaryPrimitives.ReadInt64LittleEndian(inb) != seq)
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

                if (r < 0)
                {
                    continue;
                }

                p50.Add(Harness.Percentile(lat, (int)k, 50));
                p99.Add(Harness.Percentile(lat, (int)k, 99));
                mean.Add((double)(prev - start) / k);
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
        ref long pingSeq = ref region.GetRef<long>(SpinFlagsLayout.PingSequence);
        Span<byte> pingPayload = region.GetSpan(SpinFlagsLayout.PingPayload, MessageSize);
        ref long pongSeq = ref region.GetRef<long>(SpinFlagsLayout.PongSequence);
        Span<byte> pongPayload = region.GetSpan(SpinFlagsLayout.PongPayload, MessageSize);
        Span<byte> buf = stackalloc byte[MessageSize];
        long sent = 0, received = 0;

        ControlChannel.Send("r");
        while (true)
        {
            string cmd = ControlChannel.Recv();
            if (cmd == "q")
            {
                break;
            }

            long k = long.Parse(cmd.AsSpan(2), provider: CultureInfo.InvariantCulture);
            for (long i = 0; i < k; ++i)
            {
                // Acquire: the parent's payload is visible once its ping word is seen.
                ++received;
                while (Volatile.Read(ref pingSeq) != received)
                {
                    Harness.Pause();
                }

                pingPayload.CopyTo(buf);
                buf.CopyTo(pongPayload);

                // Release: publishes the echoed payload to the parent.
                Volatile.Write(ref pongSeq, ++sent);
            }

            ControlChannel.Send("d");
        }

        return 0;
    }

    /// <summary>
    /// The shared layout, the anchors' SpinBlock: one direction per 128 bytes (two cache lines, so the adjacent-line
    /// prefetcher does not couple them), each a sequence word followed by the payload.
    /// </summary>
    /// <remarks>
    /// Deliberately headerless (unlike the library's layouts, DESIGN.md principle 2): it is the anchors' floor,
    /// byte for byte, and lives only for one run under a name with this process's id.
    /// </remarks>
    private static class SpinFlagsLayout
    {
        /// <summary>Parent → child sequence number (int64, written last).</summary>
        public const long PingSequence = 0;

        /// <summary>Parent → child message.</summary>
        public const long PingPayload = 8;

        /// <summary>Child → parent sequence number.</summary>
        public const long PongSequence = 128;

        /// <summary>Child → parent message.</summary>
        public const long PongPayload = 136;

        /// <summary>The object's size (one page, as the anchors use).</summary>
        public const long Size = 4096;
    }
}
