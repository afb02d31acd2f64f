using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.CompilerServices;
using Interprocess.Bench.Infrastructure;
using Interprocess.Memory;
using Interprocess.Queues;

namespace Interprocess.Bench.Workloads;

/// <summary>
/// <see cref="SpscQueue"/> or <see cref="MpmcQueue"/> against its floor, alternated inside ONE process pair
/// (<c>interprocess_spsc_queue_paired</c>, <c>interprocess_mpmc_queue_paired</c>):
/// W3 alternates each repetition between the anchors' spin-flags ping-pong and the queue's 64-byte ping-pong; W4
/// between a copy of the anchors' C++ SPSC ring (1024 slots of the message size, a head and a tail counter on
/// their own lines) and the queue's Send/Receive, at 64 B and 4 KiB. Both always run on the same two CPUs in the
/// same machine state, so their ratio means something even on a host whose speed changes between process runs
/// (the unpaired lines of the anchors and of <see cref="QueuePingPongWorkload"/> come from different process
/// pairs, seconds apart). Emits our figure, the floor's, and their ratio per repetition (median of the ratios).
/// W3 of the MPMC workload also alternates the two bare protocols of <see cref="RawMpmcRing"/> (slot claims, as
/// <see cref="MpmcQueue"/>; counter claims, Vyukov's, in 80- and 128-byte slots) and emits their ratios to the
/// floor: how much of the queue's round trip the protocol itself costs on the machine at hand.
/// </summary>
internal sealed class PairedQueueWorkload(string workload, bool mpmc) : IWorkload
{
    /// <summary>Ring slots of the W4 floor and messages of the W4 queue (the anchors' 1024).</summary>
    private const int Slots = 1024;

    /// <summary>The control block's size: the W3 floor's two directions, then the W4 ring's counters and slots.</summary>
    private const long ControlSize = RingData + (Slots * 4096L);

    // W3 floor: the anchors' SpinBlock (a sequence word and the payload per direction, 128 bytes apart).
    private const long PingSequence = 0;
    private const long PingPayload = 8;
    private const long PongSequence = 128;
    private const long PongPayload = 136;

    // W3, MPMC only: the bare protocols of RawMpmcRing (slot claims, counter claims, counter claims in 128-byte
    // slots), a ping ring and a pong ring each, in the W4 ring's data area (W3 does not use it).
    private static readonly (string Name, bool CounterClaim, int SlotSize)[] s_rawProtocols =
        [("slotclaim", false, 80), ("counterclaim", true, 80), ("counterclaim128", true, 128)];

    // W4 floor: the anchors' RingHdr (head, tail, data, each 64-byte aligned).
    private const long RingHead = 4096;
    private const long RingTail = RingHead + 64;
    private const long RingData = RingHead + 128;

    /// <inheritdoc />
    public string Workload => workload;

    /// <inheritdoc />
    public string System => mpmc ? "interprocess_mpmc_queue_paired" : "interprocess_spsc_queue_paired";

    /// <inheritdoc />
    public bool NeedsTwoCpus => true;

    /// <inheritdoc />
    public int Run()
    {
        string block = Harness.Uniq("ipb_pair_block");
        string ping = Harness.Uniq("ipb_pair_ping");
        string pong = Harness.Uniq("ipb_pair_pong");
        try
        {
            using var shm = SharedMemoryObject.CreateNew(block, ControlSize);
            using var region = new MappedRegion(shm);
            if (Workload == "W3")
            {
                using var tx = FastQueue.Create(mpmc, ping, 16, 64);
                using var rx = FastQueue.Create(mpmc, pong, 16, 64);
                using var child = new ChildProcess(this, block, ping, pong);
                return child.Recv() == "r" ? RunW3(region, tx, rx, child) : 1;
            }

            int rc = RunW4(region, block, ping, 64, Harness.Scaled(2_000_000));
            return rc != 0 ? rc : RunW4(region, block, pong, 4096, Harness.Scaled(200_000));
        }
        finally
        {
            SharedMemoryObject.Remove(block);
            FastQueue.Remove(mpmc, ping);
            FastQueue.Remove(mpmc, pong);
        }
    }

    /// <inheritdoc />
    public int RunChild(IReadOnlyList<string> args)
    {
        using var shm = SharedMemoryObject.OpenExisting(args[0]);
        using var region = new MappedRegion(shm);
        if (Workload == "W3")
        {
            using var rx = FastQueue.Open(mpmc, args[1]);
            using var tx = FastQueue.Open(mpmc, args[2]);
            EchoW3(region, rx, tx);
        }
        else
        {
            ConsumeW4(region, args[1], int.Parse(args[2], CultureInfo.InvariantCulture));
        }

        return 0;
    }

    private int RunW3(MappedRegion region, FastQueue tx, FastQueue rx, ChildProcess child)
    {
        long n = Harness.Scaled(Harness.EnvLong("ANCHOR_RT_PER_REP", 20_000));
        var lat = new int[n];
        int variants = 2 + (mpmc ? s_rawProtocols.Length : 0);
        var p50 = new List<double>[variants];
        var ratios = new List<double>[variants];
        for (int v = 0; v < variants; v++)
        {
            p50[v] = [];
            ratios[v] = [];
        }

        int pid = Environment.ProcessId;
        long bad = 0, seq = 0, pingSent = 0, pongSeen = 0;
        var outb = new byte[64];
        var inb = new byte[64];
        outb.AsSpan().Fill(0xA5);
        ref long pingSeq = ref region.GetRef<long>(PingSequence);
        ref long pongSeq = ref region.GetRef<long>(PongSequence);
        Span<byte> pingPayload = region.GetSpan(PingPayload, 64);
        Span<byte> pongPayload = region.GetSpan(PongPayload, 64);
        for (int r = -2; r < Harness.Reps(); ++r)
        {
            for (int variant = 0; variant < variants; variant++)
            {
                long k = r < 0 ? n / 2 : n;
                RawMpmcRing rawPing = default, rawPong = default;
                if (variant >= 2)
                {
                    (rawPing, rawPong) = RawRings(region, variant - 2);
                }

                child.Send($"g {variant} {k}");
                long prev = Harness.NowNs();
                for (long i = 0; i < k; ++i)
                {
                    BinaryPrimitives.WriteInt64LittleEndian(outb, ++seq);
                    if (variant == 0)
                    {
                        outb.CopyTo(pingPayload);
                        Volatile.Write(ref pingSeq, ++pingSent); // release: the payload above
                        ++pongSeen;
                        while (Volatile.Read(ref pongSeq) != pongSeen)
                        {
                            Harness.Pause();
                        }

                        pongPayload.CopyTo(inb);
                    }
                    else if (variant == 1)
                    {
                        tx.Send(outb);
                        rx.Receive(inb);
                    }
                    else
                    {
                        while (!rawPing.TrySend(outb, pid))
                        {
                            Harness.Pause();
                        }

                        while (!rawPong.TryReceive(inb, pid, out _))
                        {
                            Harness.Pause();
                        }
                    }

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

                if (r >= 0)
                {
                    p50[variant].Add(Harness.Percentile(lat, (int)k, 50));
                }
            }

            if (r >= 0)
            {
                for (int v = 1; v < variants; v++)
                {
                    ratios[v].Add(p50[v][^1] / p50[0][^1]);
                }
            }
        }

        child.Send("q");
        int childExit = child.WaitExit();
        Harness.Emit(Workload, System, "rtt_p50", p50[1], "ns");
        Harness.Emit(Workload, System, "floor_rtt_p50", p50[0], "ns");
        Harness.Emit(Workload, System, "ratio_to_floor", ratios[1], "x");
        for (int v = 2; v < variants; v++)
        {
            Harness.Emit(Workload, System, s_rawProtocols[v - 2].Name + "_ratio_to_floor", ratios[v], "x");
        }

        Harness.EmitValue(Workload, System, "check", bad == 0 ? "ok" : "BAD_ECHO", "echo_seq");
        return childExit;
    }

    private static void EchoW3(MappedRegion region, FastQueue rx, FastQueue tx)
    {
        ref long pingSeq = ref region.GetRef<long>(PingSequence);
        ref long pongSeq = ref region.GetRef<long>(PongSequence);
        Span<byte> pingPayload = region.GetSpan(PingPayload, 64);
        Span<byte> pongPayload = region.GetSpan(PongPayload, 64);
        var buffer = new byte[64];
        long pingSeen = 0, pongSent = 0;
        int pid = Environment.ProcessId;
        ControlChannel.Send("r");
        while (ControlChannel.Recv() is var cmd && cmd != "q")
        {
            string[] parts = cmd.Split(' ');
            int variant = int.Parse(parts[1], CultureInfo.InvariantCulture);
            long k = long.Parse(parts[2], CultureInfo.InvariantCulture);
            RawMpmcRing rawPing = default, rawPong = default;
            if (variant >= 2)
            {
                (rawPing, rawPong) = RawRings(region, variant - 2);
            }

            for (long i = 0; i < k; ++i)
            {
                if (variant == 0)
                {
                    ++pingSeen;
                    while (Volatile.Read(ref pingSeq) != pingSeen)
                    {
                        Harness.Pause();
                    }

                    pingPayload.CopyTo(buffer);
                    buffer.CopyTo(pongPayload);
                    Volatile.Write(ref pongSeq, ++pongSent);
                }
                else if (variant == 1)
                {
                    int got = rx.Receive(buffer);
                    tx.Send(buffer.AsSpan(0, got));
                }
                else
                {
                    int got;
                    while (!rawPing.TryReceive(buffer, pid, out got))
                    {
                        Harness.Pause();
                    }

                    while (!rawPong.TrySend(buffer.AsSpan(0, got), pid))
                    {
                        Harness.Pause();
                    }
                }
            }

            ControlChannel.Send("d");
        }
    }

    /// <summary>The ping and pong rings of raw protocol <paramref name="index"/> (<see cref="s_rawProtocols"/>).</summary>
    private static unsafe (RawMpmcRing Ping, RawMpmcRing Pong) RawRings(MappedRegion region, int index)
    {
        var (_, counterClaim, slotSize) = s_rawProtocols[index];
        byte* ping = (byte*)Unsafe.AsPointer(ref region.GetRef<byte>(RingData + (2L * index * RawMpmcRing.Size)));
        return (new RawMpmcRing(ping, counterClaim, slotSize), new RawMpmcRing(ping + RawMpmcRing.Size, counterClaim, slotSize));
    }

    private int RunW4(MappedRegion region, string block, string queueName, int size, long n)
    {
        region.GetRef<long>(RingHead) = 0; // a fresh ring for each size (the child starts from 0)
        region.GetRef<long>(RingTail) = 0;

        using var q = FastQueue.Create(mpmc, queueName, Slots, size); // as QueueThroughputWorkload
        using var child = new ChildProcess(this, block, queueName, size.ToString(CultureInfo.InvariantCulture));
        if (child.Recv() != "r")
        {
            return 1;
        }

        var rate = new List<double>[2] { [], [] };
        var ratio = new List<double>();
        long failures = 0;
        var msg = new byte[size];
        msg.AsSpan().Fill(0x5A);
        ref long head = ref region.GetRef<long>(RingHead);
        ref long tail = ref region.GetRef<long>(RingTail);
        Span<byte> data = region.GetSpan(RingData, Slots * size);
        long ringHead = 0, tailCache = 0;
        for (int r = -2; r < Harness.Reps(); ++r)
        {
            for (int variant = 0; variant < 2; variant++)
            {
                long k = r < 0 ? n / 10 : n;
                child.Send($"g {variant} {k}");
                if (child.Recv() != "r")
                {
                    return 1;
                }

                long t0 = Harness.NowNs();
                for (long i = 0; i < k; ++i)
                {
                    BinaryPrimitives.WriteInt64LittleEndian(msg, i);
                    if (variant == 0)
                    {
                        while (ringHead - tailCache >= Slots)
                        {
                            tailCache = Volatile.Read(ref tail); // acquire: the consumer is done with those slots
                            if (ringHead - tailCache >= Slots)
                            {
                                Harness.Pause();
                            }
                        }

                        msg.CopyTo(data.Slice((int)(ringHead % Slots) * size, size));
                        Volatile.Write(ref head, ++ringHead); // release: the slot above
                    }
                    else
                    {
                        q.Send(msg);
                    }
                }

                string[] d = child.Recv().Split(' ');
                long t1 = Harness.NowNs();
                if (d[0] != "d")
                {
                    return 1;
                }

                if (d[1] != "0")
                {
                    ++failures;
                }

                if (r >= 0)
                {
                    rate[variant].Add(k / ((t1 - t0) / 1e9));
                }
            }

            if (r >= 0)
            {
                ratio.Add(rate[1][^1] / rate[0][^1]);
            }
        }

        child.Send("q");
        int childExit = child.WaitExit();
        string sz = size == 64 ? "64B" : "4KiB";
        Harness.Emit(Workload, System, "msgs_per_s_" + sz, rate[1], "msg/s");
        Harness.Emit(Workload, System, "ring_msgs_per_s_" + sz, rate[0], "msg/s");
        Harness.Emit(Workload, System, "ratio_to_ring_" + sz, ratio, "x");
        Harness.EmitValue(Workload, System, "check_" + sz, failures == 0 ? "ok" : "LOSS", "seq");
        return childExit;
    }

    private void ConsumeW4(MappedRegion region, string queueName, int size)
    {
        using var q = FastQueue.Open(mpmc, queueName);
        ref long head = ref region.GetRef<long>(RingHead);
        ref long tail = ref region.GetRef<long>(RingTail);
        Span<byte> data = region.GetSpan(RingData, Slots * size);
        var buffer = new byte[size];
        long ringTail = 0, headCache = 0;
        ControlChannel.Send("r");
        while (ControlChannel.Recv() is var cmd && cmd != "q")
        {
            string[] parts = cmd.Split(' ');
            long k = long.Parse(parts[2], CultureInfo.InvariantCulture);
            long errors = 0;
            ControlChannel.Send("r");
            for (long i = 0; i < k; ++i)
            {
                if (parts[1] == "0")
                {
                    while (headCache == ringTail)
                    {
                        headCache = Volatile.Read(ref head); // acquire: the slots the producer published
                        if (headCache == ringTail)
                        {
                            Harness.Pause();
                        }
                    }

                    data.Slice((int)(ringTail % Slots) * size, size).CopyTo(buffer);
                    Volatile.Write(ref tail, ++ringTail); // release: done with the slot
                }
                else if (q.Receive(buffer) != size)
                {
                    ++errors;
                }

                if (BinaryPrimitives.ReadInt64LittleEndian(buffer) != i)
                {
                    ++errors;
                }
            }

            ControlChannel.Send($"d {errors}");
        }
    }
}
