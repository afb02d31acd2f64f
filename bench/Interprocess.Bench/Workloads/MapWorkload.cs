using System.Runtime.CompilerServices;
using Interprocess.Bench.Infrastructure;
using Interprocess.Managed;

namespace Interprocess.Bench.Workloads;

/// <summary>
/// W6 maps: a 1 GiB <see cref="ManagedSharedMemory"/> in one process, the anchors' exact sequence
/// (anchors/boost/w6_containers.cpp): 1,000,000 keys splitmix64(7).Next() &gt;&gt; 1; a fresh map per repetition,
/// no reserve (growth included); insert (key[i], i) in order, then find every key in the same order (each value
/// checked, their sum checked); destruction untimed. <typeparamref name="TOps"/> says which map.
/// </summary>
/// <typeparam name="TMap">The map's handle type.</typeparam>
/// <typeparam name="TOps">The map's calls.</typeparam>
internal sealed class MapWorkload<TMap, TOps> : IWorkload
    where TOps : struct, IBenchMap<TMap>
{
    private readonly string _segmentPrefix;

    /// <summary>A workload reported as <paramref name="system"/>, its segment named from <paramref name="segmentPrefix"/>.</summary>
    public MapWorkload(string system, string segmentPrefix)
    {
        System = system;
        _segmentPrefix = segmentPrefix;
    }

    /// <inheritdoc />
    public string Workload => "W6";

    /// <inheritdoc />
    public string System { get; }

    /// <inheritdoc />
    public bool NeedsTwoCpus => false;

    /// <inheritdoc />
    public int Run()
    {
        long n = Harness.Scaled(1_000_000);
        string name = Harness.Uniq(_segmentPrefix);
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
                var map = TOps.Create(m);
                long t0 = Harness.NowNs();
                Insert(map, keys);
                long t1 = Harness.NowNs();
                long sum = Find(map, keys, ref ok);
                long t2 = Harness.NowNs();
                if (TOps.Count(map) != n || sum != n * (n - 1) / 2)
                {
                    ok = false;
                }

                TOps.Destroy(map);
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
    private static void Insert(TMap map, long[] keys)
    {
        for (int i = 0; i < keys.Length; ++i)
        {
            TOps.TryAdd(map, keys[i], i);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long Find(TMap map, long[] keys, ref bool ok)
    {
        long sum = 0;
        for (int i = 0; i < keys.Length; ++i)
        {
            if (TOps.TryGetValue(map, keys[i], out long v))
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
