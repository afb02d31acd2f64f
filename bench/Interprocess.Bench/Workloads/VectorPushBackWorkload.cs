using System.Runtime.CompilerServices;
using Interprocess.Bench.Infrastructure;
using Interprocess.Containers;
using Interprocess.Managed;

namespace Interprocess.Bench.Workloads;

/// <summary>
/// W6 vector: a 1 GiB <see cref="ManagedSharedMemory"/> in one process, as anchors/boost/w6_containers.cpp does for
/// <c>boost::interprocess::vector&lt;int&gt;</c>: in every repetition a fresh <see cref="SharedVector{T}"/> of int
/// (general allocator), 10,000,000 <c>Add(i)</c> with no reserve (growth included), timed; then the size and the last
/// element checked and the vector destroyed, untimed. One untimed warm-up repetition first.
/// </summary>
/// <remarks>
/// Two systems: <c>interprocess_vector</c> calls <see cref="SharedVector{T}.Add"/> (what a user writes with no bulk
/// API); <c>interprocess_vector_appender</c> makes the same 10,000,000 appends through one
/// <see cref="SharedVector{T}.Appender"/> (<see cref="SharedVector{T}.BeginAppend"/> inside the timed region).
/// </remarks>
/// <param name="appender">Append through an <see cref="SharedVector{T}.Appender"/> instead of <see cref="SharedVector{T}.Add"/>.</param>
internal sealed class VectorPushBackWorkload(bool appender = false) : IWorkload
{
    /// <inheritdoc />
    public string Workload => "W6";

    /// <inheritdoc />
    public string System => appender ? "interprocess_vector_appender" : "interprocess_vector";

    /// <inheritdoc />
    public bool NeedsTwoCpus => false;

    /// <inheritdoc />
    public int Run()
    {
        long n = Harness.Scaled(10_000_000);
        string name = Harness.Uniq("ipb_w6_seg");
        ManagedSharedMemory.Remove(name);
        try
        {
            using var shm = ManagedSharedMemory.CreateNew(name, 1L << 30);
            var m = shm.Manager;
            var ns = new List<double>();
            bool ok = true;
            for (int r = -1; r < Harness.Reps(); ++r)
            {
                var v = SharedVector<int>.Create(m);
                long t0 = Harness.NowNs();
                if (appender)
                {
                    PushBackAppender(v, (int)n);
                }
                else
                {
                    PushBack(v, (int)n);
                }

                long t1 = Harness.NowNs();
                if (v.Count != n || v.Get((int)n - 1) != (int)(n - 1))
                {
                    ok = false;
                }

                v.Destroy();
                if (r >= 0)
                {
                    ns.Add((double)(t1 - t0) / n);
                }
            }

            ok &= m.AllMemoryDeallocated();
            Harness.Emit(Workload, System, "push_back_ns_per_op", ns, "ns");
            Harness.EmitValue(Workload, System, "check", ok ? "ok" : "BAD", "size");
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
    private static void PushBack(SharedVector<int> v, int n)
    {
        for (int i = 0; i < n; ++i)
        {
            v.Add(i);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void PushBackAppender(SharedVector<int> v, int n)
    {
        using var app = v.BeginAppend();
        for (int i = 0; i < n; ++i)
        {
            app.Add(i);
        }
    }
}
