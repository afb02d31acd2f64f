using System.Runtime.CompilerServices;
using Interprocess.Bench.Infrastructure;
using Interprocess.Memory;
using Interprocess.Synchronization;

namespace Interprocess.Bench.Workloads;

/// <summary>
/// W1: an uncontended <c>Lock(); Unlock();</c> pair of an <see cref="InterprocessMutex"/> in shared memory, in
/// one process, as the anchors' <c>boost_interprocess_mutex</c> (10,000,000 pairs a repetition, a warm-up of a
/// tenth first).
/// </summary>
internal sealed class MutexUncontendedWorkload : IWorkload
{
    /// <inheritdoc />
    public string Workload => "W1";

    /// <inheritdoc />
    public string System => "interprocess_mutex";

    /// <inheritdoc />
    public bool NeedsTwoCpus => false;

    /// <inheritdoc />
    public int Run()
    {
        long n = Harness.Scaled(10_000_000);
        string name = Harness.Uniq("ipb_w1_mutex");
        var perPair = new List<double>();
        try
        {
            using var shm = SharedMemoryObject.CreateNew(name, 4096);
            using var region = new MappedRegion(shm);
            ref var mutex = ref region.GetRef<InterprocessMutex>(0);
            for (int r = -1; r < Harness.Reps(); ++r)
            {
                long k = r < 0 ? n / 10 : n;
                long t0 = Harness.NowNs();
                Pairs(ref mutex, k);
                long t1 = Harness.NowNs();
                if (r >= 0)
                {
                    perPair.Add((double)(t1 - t0) / k);
                }
            }
        }
        finally
        {
            SharedMemoryObject.Remove(name);
        }

        Harness.Emit(Workload, System, "ns_per_pair", perPair, "ns");
        return 0;
    }

    /// <inheritdoc />
    public int RunChild(IReadOnlyList<string> args) => 0;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Pairs(ref InterprocessMutex mutex, long k)
    {
        for (long i = 0; i < k; ++i)
        {
            mutex.Lock();
            mutex.Unlock();
        }
    }
}
