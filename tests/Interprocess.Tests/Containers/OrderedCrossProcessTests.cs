using Interprocess.Containers;
using Interprocess.Synchronization;
using Interprocess.Tests.Infrastructure;

namespace Interprocess.Tests.Containers;

/// <summary>Ordered containers used by two processes: one builds, the other finds them by name, reads and mutates under a mutex.</summary>
public sealed class OrderedCrossProcessTests : OrderedSegment
{
    [Fact]
    public void Child_FindsByName_ReadsAndMutatesUnderTheMutex_ParentSeesIt()
    {
        M.Construct("lock", new InterprocessMutex());
        var map = SharedMap<long, long>.Create(M, "map");
        var multi = SharedMultiMap<long, long>.Create(M, "multi");
        var flat = SharedFlatSet<long>.Create(M, "flat");
        var nested = SharedMap<long, SharedSet<long>>.Create(M, "nested");
        for (long i = 0; i < 1000; i++)
        {
            map[i] = i;
        }

        multi.Add(5, 50);
        var inner = SharedSet<long>.Create(M);
        inner.Add(1);
        nested[1] = inner;

        var (code, lines) = Driver.Run("ordered-read-mutate", Name);
        Assert.True(code == 0, string.Join("\n", lines));
        Assert.Equal(["SUM 499500 COUNT 1000", "DONE"], lines);
        Assert.Equal(42, map[-1]);
        Assert.False(map.ContainsKey(0));
        Assert.Equal(1000, map.Count);
        Assert.Equal([50, 500], multi.EqualRange(5).Select(x => x.Value));
        Assert.True(flat.Contains(777));
        Assert.Equal(new long[] { 1, 9 }, inner);
        map.CheckInvariants();
        multi.CheckInvariants();

        nested.Destroy();
        map.Destroy();
        multi.Destroy();
        flat.Destroy();
        Assert.True(M.Destroy<SharedMap<long, long>>("map"));
        Assert.True(M.Destroy<SharedMultiMap<long, long>>("multi"));
        Assert.True(M.Destroy<SharedFlatSet<long>>("flat"));
        Assert.True(M.Destroy<SharedMap<long, SharedSet<long>>>("nested"));

        M.Destroy<InterprocessMutex>("lock");
        AssertNothingLeaked();
    }

    [Fact]
    public void TwoProcesses_ChangeOneMapConcurrently_UnderTheMutex_NothingIsLost()
    {
        const int N = 2000;
        ref var mutex = ref M.Construct("lock", new InterprocessMutex());
        var map = SharedMap<long, long>.Create(M, "map");
        map[7] = 0;
        using var child = Driver.Start("ordered-increment", Name, N.ToString(System.Globalization.CultureInfo.InvariantCulture), "100000");
        child.Expect("READY");
        child.Send("GO");
        for (int i = 0; i < N; i++)
        {
            mutex.Lock();
            try
            {
                map.GetValueRef(7)++;
                map[200000 + i] = i;
            }
            finally
            {
                mutex.Unlock();
            }
        }

        child.Expect("DONE");
        Assert.Equal(0, child.WaitForExit());
        Assert.Equal(2 * N, map[7]);
        Assert.Equal(1 + (2 * N), map.Count);
        Assert.Equal(N, map.GetRange(100000, 199999).Count());
        map.CheckInvariants();
    }
}
