using System.Runtime.CompilerServices;
using Interprocess.Bench.Infrastructure;
using Interprocess.Containers;
using Interprocess.Managed;

namespace Interprocess.Bench.Workloads;

/// <summary>
/// W6 ordered map: a 1 GiB <see cref="ManagedSharedMemory"/> in one process, the anchors' exact sequence
/// (anchors/boost/w6_containers.cpp): 1,000,000 keys splitmix64(7).Next() &gt;&gt; 1; a fresh
/// <see cref="SharedMap{TKey,TValue}"/>&lt;long, long&gt; per repetition; insert (key[i], i) in order, then find
/// every key in the same order (each value checked, their sum checked); destruction untimed.
/// </summary>
internal sealed class ContainerMapWorkload : IWorkload
{
    /// <inheritdoc />
    public string Workload => "W6";

    /// <inheritdoc />
    public string System => "interprocess_map";

    /// <inheritdoc />
    public bool NeedsTwoCpus => false;

    /// <inheritdoc />
    public int Run()
    {
        long n = Harness.Scaled(1_000_000);
        string name = Harness.Uniq("ipb_w6_map");
        ManagedSharedMemory.Remove(name);
        try
        {
            using var shm = ManagedSharedMemory.CreateNew(name, 1L << 30);
            var m = shm.Manager;
            var rng = new SplitMix64(7);
            var keys = new long[n];
            for (long i = 0; i < n; ++i)
            {
                keys[i] = (long)(rng.Next() >> 1);
            }

            var ins = new List<double>();
            var fnd = new List<double>();
            bool ok = true;
            for (int r = -1; r < Harness.Reps(); ++r)
            {
                var map = SharedMap<long, long>.Create(m);
                long t0 = Harness.NowNs();
                Insert(map, keys);
                long t1 = Harness.NowNs();
                long sum = Find(map, keys, ref ok);
                long t2 = Harness.NowNs();
                if (map.Count != n || sum != n * (n - 1) / 2)
                {
                    ok = false;
                }

                map.Destroy();
                if (r >= 0)
                {
                    ins.Add((double)(t1 - t0) / n);
                    fnd.Add((double)(t2 - t1) / n);
                }
            }

            ok &= m.AllMemoryDeallocated();
            Harness.Emit(Workload, System, "insert_ns_per_op", ins, "ns");
            Harness.Emit(Workload, System, "find_ns_per_op", fnd, "ns");
            Harness.EmitValue(Workload, System, "check", ok ? "ok" : "BAD", "find");
        }
        finally
        {
            ManagedSharedMemory.Remove(name);
        }

        return 0;
    }

    /// <inheritdoc />
    public int RunChild(IReadOnlyList<string> args) => 0;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Insert(SharedMap<long, long> map, long[] keys)
    {
        for (int i = 0; i < keys.Length; ++i)
        {
            map.TryAdd(keys[i], i);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long Find(SharedMap<long, long> map, long[] keys, ref bool ok)
    {
        long sum = 0;
        for (int i = 0; i < keys.Length; ++i)
        {
            if (map.TryGetValue(keys[i], out long v))
            {
                sum += v;
            }
            else
            {
                ok = false;
            }
        }

        return sum;
    }
}
