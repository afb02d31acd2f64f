using System.Globalization;
using Interprocess.Managed;
using Interprocess.Synchronization;
using Interprocess.Tests.Infrastructure;

namespace Interprocess.Tests.Managed;

/// <summary>Processes killed in the middle of segment operations, and many processes racing on the same names.</summary>
public sealed class ManagedRobustnessTests : IDisposable
{
    private readonly string _name = UniqueName.New("managed-robust");

    public void Dispose() => ManagedSharedMemory.Remove(_name);

    [Fact]
    public void ProcessKilledDuringAllocationsAndConstructions_NextUserLearns_AndTheSegmentIsRepaired()
    {
        using var seg = ManagedSharedMemory.CreateNew(_name, 8L << 20);
        var m = seg.Manager;
        var rng = new Random(77);
        const int Kills = 25;
        int abandoned = 0;
        var reports = new List<string>();
        for (int iteration = 0; iteration < Kills; iteration++)
        {
            using (var child = Driver.Start("managed-churn", _name, iteration.ToString(CultureInfo.InvariantCulture)))
            {
                child.Expect("RUNNING", TimeSpan.FromSeconds(60));
                Thread.Sleep(rng.Next(0, 40));
                child.Kill();
                child.WaitForExit();
            }

            if (iteration == 0)
            {
                // Another process is the next user: it is told too.
                var (code, lines) = Driver.Run("managed-lock-status", _name);
                Assert.Equal(0, code);
                if (lines.Single() == nameof(LockStatus.AcquiredAbandoned))
                {
                    abandoned++;
                }

                Assert.Equal(abandoned, m.Recoveries);
            }
            else
            {
                var status = m.AtomicFunc(static () => { });
                Assert.NotEqual(LockStatus.NotAcquired, status);
                if (status == LockStatus.AcquiredAbandoned)
                {
                    abandoned++;
                    reports.Add(m.LastRecoveryReport!);
                }
            }

            Assert.True(m.CheckSanity(out var problems), $"after kill {iteration}: {string.Join("; ", problems)}");
            foreach (var info in m.GetNamedObjects())
            {
                var arr = m.Find<long>(info.Name);
                Assert.True(arr.AsSpan().IndexOfAnyExcept(7L) < 0, $"{info.Name} holds a value it was never given");
            }
        }

        // The child holds the lock for nearly all of its life: most kills leave it abandoned.
        Assert.True(abandoned >= Kills / 2, $"only {abandoned} of {Kills} kills left the lock abandoned");
        Assert.Equal(abandoned, m.Recoveries);
        Assert.Contains(reports, r => r.Contains("during operation", StringComparison.Ordinal));

        // The segment is fully usable: objects are destroyed, memory is allocated and freed.
        foreach (var info in m.GetNamedObjects())
        {
            Assert.True(m.Destroy<long>(info.Name));
        }

        var handles = new List<long>();
        while (handles.Count < 1000 && m.TryAllocate(1000, out long h))
        {
            handles.Add(h);
        }

        handles.ForEach(m.Deallocate);
        Assert.Equal(0, m.NamedObjectCount);
        Assert.True(m.CheckSanity(out var end), string.Join("; ", end));
    }

    [Theory]
    [InlineData(AllocationAlgorithm.Tlsf, NameIndexKind.Hash)]
    [InlineData(AllocationAlgorithm.SequentialFit, NameIndexKind.Ordered)]
    public void ProcessKilledDuringConstructions_LeavesNoHalfBuiltObjects(AllocationAlgorithm algorithm, NameIndexKind index)
    {
        using var seg = ManagedSharedMemory.CreateNew(_name, 8L << 20, options: new ManagedSegmentOptions { Algorithm = algorithm, Index = index });
        var m = seg.Manager;
        for (int iteration = 0; iteration < 10; iteration++)
        {
            using (var child = Driver.Start("managed-churn", _name, (1000 + iteration).ToString(CultureInfo.InvariantCulture)))
            {
                child.Expect("RUNNING", TimeSpan.FromSeconds(60));
                Thread.Sleep(5 + iteration);
                child.Kill();
                child.WaitForExit();
            }

            // A plain operation (not AtomicFunc) as the next user repairs without being asked to.
            m.FindOrConstruct("parent", (long)iteration);
            Assert.True(m.CheckSanity(out var problems), string.Join("; ", problems));
            Assert.All(m.GetNamedObjects(), o => Assert.Equal("System.Int64", o.TypeName));
        }

        Assert.Equal(0, m.Find<long>("parent").Value);
    }

    [Theory]
    [InlineData(AllocationAlgorithm.Tlsf, NameIndexKind.Hash)]
    [InlineData(AllocationAlgorithm.SequentialFit, NameIndexKind.Ordered)]
    public void ManyProcesses_ConstructAndDestroyTheSameNames_TheSegmentStaysConsistent(AllocationAlgorithm algorithm, NameIndexKind index)
    {
        const int Children = 3;
        const int Iterations = 10_000;
        using var seg = ManagedSharedMemory.CreateNew(_name, 4L << 20, options: new ManagedSegmentOptions { Algorithm = algorithm, Index = index });
        var m = seg.Manager;
        var children = new List<Driver>();
        try
        {
            for (int i = 0; i < Children; i++)
            {
                var d = Driver.Start("managed-race", _name, i.ToString(CultureInfo.InvariantCulture), Iterations.ToString(CultureInfo.InvariantCulture));
                children.Add(d);
                d.Expect("READY", TimeSpan.FromSeconds(60));
            }

            children.ForEach(d => d.Send("go"));
            foreach (var d in children)
            {
                d.Expect("DONE", TimeSpan.FromMinutes(5));
                Assert.Equal(0, d.WaitForExit());
            }
        }
        finally
        {
            children.ForEach(d => d.Dispose());
        }

        Assert.Equal(0, m.Recoveries);
        Assert.True(m.CheckSanity(out var problems), string.Join("; ", problems));
        foreach (var info in m.GetNamedObjects())
        {
            var arr = m.Find<long>(info.Name);
            Assert.True(arr.AsSpan().IndexOfAnyExcept(arr.Count) < 0);
            Assert.True(m.Destroy<long>(info.Name));
        }

        Assert.True(m.AllMemoryDeallocated());
        Assert.True(m.CheckSanity());
    }
}
