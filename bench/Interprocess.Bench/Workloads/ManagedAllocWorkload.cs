using System.Globalization;
using System.Runtime.CompilerServices;
using Interprocess.Bench.Infrastructure;
using Interprocess.Managed;

namespace Interprocess.Bench.Workloads;

/// <summary>
/// W5: a 256 MiB <see cref="ManagedSharedMemory"/> in one process, with the anchors' exact operation sequence
/// (anchors/boost/w5_alloc.cpp): a) prefill 10,000 blocks untimed, then 1,000,000 timed mixed operations from
/// splitmix64(42): allocate 16 + (r &gt;&gt; 1) % 1009 bytes if no block is live or (r &amp; 1) == 0, else free
/// live[(r &gt;&gt; 1) % live.Count] with swap-remove; the rest freed untimed, the segment reused by every
/// repetition. b) 100,000 Construct&lt;long&gt;("k{i}", i), then Find&lt;long&gt; of each (verified), destroyed untimed.
/// The default segment (TLSF + hash index) is <c>interprocess_managed_shm</c>; the variants add a suffix
/// (<c>_seqfit</c>: sequential fit + hash index; <c>_ordered_index</c>: TLSF + ordered index). Sequential fit is
/// O(free blocks) per operation (tens of microseconds here, thousands of free blocks), so its mixed part runs one
/// timed repetition without a warm-up, to stay inside the anchors' per-program timeout.
/// </summary>
internal sealed class ManagedAllocWorkload : IWorkload
{
    /// <summary>The segment's algorithm and index.</summary>
    private readonly ManagedSegmentOptions _options;

    /// <summary>True: the mixed part runs once, untimed warm-up skipped (a slow algorithm).</summary>
    private readonly bool _singleMixedRep;

    /// <summary>The default segment (<c>interprocess_managed_shm</c>).</summary>
    public ManagedAllocWorkload()
        : this(ManagedSegmentOptions.Default, string.Empty)
    {
    }

    /// <summary>A variant: <paramref name="options"/>, reported as <c>interprocess_managed_shm</c> + <paramref name="suffix"/>.</summary>
    public ManagedAllocWorkload(ManagedSegmentOptions options, string suffix)
    {
        _options = options;
        System = "interprocess_managed_shm" + suffix;
        _singleMixedRep = options.Algorithm == AllocationAlgorithm.SequentialFit;
    }

    /// <inheritdoc />
    public string Workload => "W5";

    /// <inheritdoc />
    public string System { get; }

    /// <inheritdoc />
    public bool NeedsTwoCpus => false;

    /// <inheritdoc />
    public int Run()
    {
        long ops = Harness.Scaled(1_000_000);
        const long Prefill = 10_000;
        long names = Harness.Scaled(100_000);
        string name = Harness.Uniq("ipb_w5_seg");
        ManagedSharedMemory.Remove(name);
        try
        {
            using var shm = ManagedSharedMemory.CreateNew(name, 256L << 20, options: _options);
            var m = shm.Manager;

            // ---- a) mixed allocate / deallocate ----
            var nsOp = new List<double>();
            long allocsTotal = 0, freesTotal = 0;
            var live = new List<long>((int)(Prefill + ops));
            var rs = new ulong[ops];
            int firstRep = _singleMixedRep ? 0 : -1, reps = _singleMixedRep ? 1 : Harness.Reps();
            for (int r = firstRep; r < reps; ++r)
            {
                var rng = new SplitMix64(42);
                live.Clear();
                for (long i = 0; i < Prefill; ++i)
                {
                    live.Add(m.Allocate(16 + (long)(rng.Next() % 1009)));
                }

                for (long i = 0; i < ops; ++i)
                {
                    rs[i] = rng.Next();
                }

                long t0 = Harness.NowNs();
                var (allocs, frees) = Mixed(m, live, rs);
                long t1 = Harness.NowNs();
                foreach (long h in live)
                {
                    m.Deallocate(h);
                }

                if (r >= 0)
                {
                    nsOp.Add((double)(t1 - t0) / ops);
                    allocsTotal = allocs;
                    freesTotal = frees;
                }
            }

            Harness.Emit(Workload, System, "alloc_free_mixed_ns_per_op", nsOp, "ns");
            Harness.EmitValue(Workload, System, "mix_allocs_frees", $"{allocsTotal}/{freesTotal}", "count");

            // ---- b) named construct + find ----
            var keys = new string[names];
            for (long i = 0; i < names; ++i)
            {
                keys[i] = "k" + i.ToString(CultureInfo.InvariantCulture);
            }

            var nsConstruct = new List<double>();
            var nsFind = new List<double>();
            bool ok = true;
            for (int r = -1; r < Harness.Reps(); ++r)
            {
                long t0 = Harness.NowNs();
                Construct(m, keys);
                long t1 = Harness.NowNs();
                long sum = Find(m, keys, ref ok);
                long t2 = Harness.NowNs();
                foreach (string k in keys)
                {
                    m.Destroy<long>(k);
                }

                if (sum != names * (names - 1) / 2)
                {
                    ok = false;
                }

                if (r >= 0)
                {
                    nsConstruct.Add((double)(t1 - t0) / names);
                    nsFind.Add((double)(t2 - t1) / names);
                }
            }

            ok &= m.AllMemoryDeallocated() && m.CheckSanity();
            Harness.Emit(Workload, System, "named_construct_ns_per_op", nsConstruct, "ns");
            Harness.Emit(Workload, System, "named_find_ns_per_op", nsFind, "ns");
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
    private static (long Allocs, long Frees) Mixed(SegmentManager m, List<long> live, ulong[] rs)
    {
        long allocs = 0, frees = 0;
        foreach (ulong x in rs)
        {
            if (live.Count == 0 || (x & 1) == 0)
            {
                live.Add(m.Allocate(16 + (long)((x >> 1) % 1009)));
                ++allocs;
            }
            else
            {
                int k = (int)((x >> 1) % (ulong)live.Count);
                m.Deallocate(live[k]);
                live[k] = live[^1];
                live.RemoveAt(live.Count - 1);
                ++frees;
            }
        }

        return (allocs, frees);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Construct(SegmentManager m, string[] keys)
    {
        for (int i = 0; i < keys.Length; ++i)
        {
            m.Construct<long>(keys[i], i);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long Find(SegmentManager m, string[] keys, ref bool ok)
    {
        long sum = 0;
        for (int i = 0; i < keys.Length; ++i)
        {
            var o = m.Find<long>(keys[i]);
            if (o.IsNull || o.Value != i)
            {
                ok = false;
            }
            else
            {
                sum += o.Value;
            }
        }

        return sum;
    }
}
