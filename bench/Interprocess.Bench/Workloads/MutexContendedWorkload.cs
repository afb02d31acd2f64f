using System.Globalization;
using System.Runtime.CompilerServices;
using Interprocess.Bench.Infrastructure;
using Interprocess.Memory;
using Interprocess.Synchronization;

namespace Interprocess.Bench.Workloads;

/// <summary>
/// W2: the parent and a child process each do N × <c>Lock(); ++counter; Unlock();</c> on one 64-bit counter in
/// shared memory, started together (N = 1,000,000 each, a warm-up of a tenth first); the time from "go" until
/// both are done, divided by 2N. The final count must be exactly 2N in every repetition.
/// </summary>
internal sealed class MutexContendedWorkload : IWorkload
{
    /// <summary>Where the counter lives: its own cache line, after the mutex.</summary>
    private const int CounterOffset = 64;

    /// <inheritdoc />
    public string Workload => "W2";

    /// <inheritdoc />
    public string System => "interprocess_mutex";

    /// <inheritdoc />
    public bool NeedsTwoCpus => false;

    /// <inheritdoc />
    public int Run()
    {
        long n = Harness.Scaled(1_000_000);
        string name = Harness.Uniq("ipb_w2_mutex");
        var perIncrement = new List<double>();
        bool ok = true;
        long lastFinal = 0;
        int childExit;
        try
        {
            using var shm = SharedMemoryObject.CreateNew(name, 4096);
            using var region = new MappedRegion(shm);
            ref long counter = ref region.GetRef<long>(CounterOffset);
            using var child = new ChildProcess(this, name);
            if (child.Recv() != "r")
            {
                return 1;
            }

            for (int r = -1; r < Harness.Reps(); ++r)
            {
                long k = r < 0 ? n / 10 : n;
                Volatile.Write(ref counter, 0);
                long t0 = Harness.NowNs();
                child.Send($"g {k}");
                Increments(region, k);
                if (child.Recv() != "d")
                {
                    return 1;
                }

                long t1 = Harness.NowNs();
                long final = Volatile.Read(ref counter);
                ok &= final == 2 * k;
                if (r >= 0)
                {
                    perIncrement.Add((double)(t1 - t0) / (2 * k));
                    lastFinal = final;
                }
            }

            child.Send("q");
            childExit = child.WaitExit();
        }
        finally
        {
            SharedMemoryObject.Remove(name);
        }

        Harness.Emit(Workload, System, "ns_per_increment", perIncrement, "ns");
        Harness.EmitValue(Workload, System, "final_counter", lastFinal.ToString(CultureInfo.InvariantCulture), "count");
        Harness.EmitValue(Workload, System, "check", ok ? "ok" : "LOST", $"expect={2 * n}");
        return childExit;
    }

    /// <inheritdoc />
    public int RunChild(IReadOnlyList<string> args)
    {
        using var shm = SharedMemoryObject.OpenExisting(args[0]);
        using var region = new MappedRegion(shm);
        ControlChannel.Send("r");
        while (true)
        {
            string cmd = ControlChannel.Recv();
            if (cmd == "q")
            {
                return 0;
            }

            Increments(region, long.Parse(cmd.AsSpan(2), provider: CultureInfo.InvariantCulture));
            ControlChannel.Send("d");
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Increments(MappedRegion region, long k)
    {
        ref var mutex = ref region.GetRef<InterprocessMutex>(0);
        ref long counter = ref region.GetRef<long>(CounterOffset);
        for (long i = 0; i < k; ++i)
        {
            mutex.Lock();
            ++counter;
            mutex.Unlock();
        }
    }
}
