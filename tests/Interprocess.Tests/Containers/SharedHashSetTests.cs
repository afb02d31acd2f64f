using CsCheck;
using Interprocess.Containers;
using Interprocess.Managed;

namespace Interprocess.Tests.Containers;

/// <summary>SharedHashSet against HashSet: Boost's unordered_set scenarios and random operation sequences.</summary>
public sealed class SharedHashSetTests : IDisposable
{
    private readonly ManagedHeapMemory _heap = new(16L << 20);

    private SegmentManager M => _heap.Manager;

    public void Dispose() => _heap.Dispose();

    [Fact]
    public void AddContainsRemove_MatchHashSet()
    {
        var set = SharedHashSet<int>.Create(M);
        var model = new HashSet<int>();
        for (int i = 0; i < 4000; i++)
        {
            int x = (i * 31) % 1777;
            Assert.Equal(model.Add(x), set.Add(x));
        }

        Assert.Equal(model.Count, set.Count);
        Assert.True(model.SetEquals(set.ToHashSet()));
        Assert.True(model.SetEquals(set));
        for (int i = 0; i < 1777; i += 2)
        {
            Assert.Equal(model.Remove(i), set.Remove(i));
        }

        Assert.True(model.SetEquals(set.ToHashSet()));
        Assert.True(set.TryGetValue(1, out int actual));
        Assert.Equal(1, actual);
        Assert.False(set.Contains(2));
        Assert.True(set.EnsureCapacity(10_000) >= 10_000);
        set.TrimExcess();
        Assert.True(model.SetEquals(set.ToHashSet()));
        set.Clear();
        Assert.Equal(0, set.Count);
        set.Destroy();
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void Property_RandomOperations_MatchHashSet()
    {
        Gen.Select(Gen.Int[0, 3], Gen.Short[0, 40]).Array[0, 200].Sample(ops =>
        {
            var set = SharedHashSet<short>.Create(M);
            var model = new HashSet<short>();
            foreach (var (op, x) in ops)
            {
                switch (op)
                {
                    case 0:
                    case 1:
                        Assert.Equal(model.Add(x), set.Add(x));
                        break;
                    case 2:
                        Assert.Equal(model.Remove(x), set.Remove(x));
                        break;
                    default:
                        Assert.Equal(model.Contains(x), set.Contains(x));
                        break;
                }
            }

            Assert.True(model.SetEquals(set.ToHashSet()));
            set.Destroy();
        }, iter: 200);
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void OwnedElements_AreDestroyed()
    {
        var set = SharedHashSet<OwnedBlock>.Create(M);
        var kept = OwnedBlock.New(M, 1);
        set.Add(kept);
        for (int i = 0; i < 10; i++)
        {
            set.Add(OwnedBlock.New(M, i));
        }

        Assert.True(set.Remove(kept));
        set.Destroy();
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void StaleAndDefaultHandles_Throw()
    {
        var set = SharedHashSet<long>.Create(M);
        var copy = set;
        set.Destroy();
        Assert.Throws<InvalidOperationException>(() => copy.Add(1));
        Assert.Throws<InvalidOperationException>(() => default(SharedHashSet<long>).Contains(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => SharedHashSet<long>.Create(M).EnsureCapacity(-5));
    }
}
