using Interprocess.Containers;
using Interprocess.Managed;

namespace Interprocess.Tests.Containers;

/// <summary>
/// The hash containers, lists and deques over every allocator kind, and SharedString keys (found by content
/// through <see cref="IStableHash{TSelf}"/>).
/// </summary>
public sealed class HashAndSequenceAllocatorTests : IDisposable
{
    private readonly ManagedHeapMemory _heap = new(32L << 20);

    private SegmentManager M => _heap.Manager;

    public void Dispose() => _heap.Dispose();

    public static TheoryData<AllocatorKind> Kinds() => [.. Enum.GetValues<AllocatorKind>()];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void EveryAllocatorKind_Works_AndGivesEverythingBack(AllocatorKind kind)
    {
        var map = SharedHashMap<long, long>.Create(M, kind);
        var list = SharedList<long>.Create(M, kind);
        var slist = SharedSList<long>.Create(M, kind);
        var deque = SharedDeque<long>.Create(M, kind);
        var set = SharedHashSet<int>.Create(M, kind);
        for (long i = 0; i < 3000; i++)
        {
            map[i] = i;
            list.AddLast(i);
            slist.AddFirst(i);
            deque.AddFirst(i);
            set.Add((int)i);
        }

        for (long i = 0; i < 3000; i += 2)
        {
            map.Remove(i);
            list.RemoveFirst();
            slist.RemoveFirst();
            deque.RemoveLast();
            set.Remove((int)i);
        }

        Assert.Equal(1500, map.Count);
        Assert.Equal(1500, list.Count);
        Assert.Equal(1500, slist.Count);
        Assert.Equal(1500, deque.Count);
        Assert.Equal(1500, set.Count);
        Assert.Equal(2999, map[2999]);
        map.Destroy();
        list.Destroy();
        slist.Destroy();
        deque.Destroy();
        set.Destroy();
        Assert.All(ContainerPools.GetPools(M), p => Assert.Equal(0, p.Users));
        ContainerPools.Shrink(M); // shared pools outlive their containers until shrunk
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void SharedStringKeys_AreFoundByContent_AndRemovedKeysAreDestroyed()
    {
        var map = SharedHashMap<SharedString, long>.Create(M);
        for (int i = 0; i < 200; i++)
        {
            map.Add(SharedString.From(M, "key-" + i), i);
        }

        var probe = SharedString.From(M, "key-42");
        Assert.Equal(42, map[probe]);
        Assert.Throws<ArgumentException>(() => map.Add(probe, 0));
        Assert.True(map.Remove(probe));
        Assert.False(map.ContainsKey(probe));
        probe.Destroy();
        var x1 = SharedString.From(M, "x");
        var x2 = SharedString.From(M, "x");
        Assert.Equal(x1.GetStableHashCode(), KeyHasher<SharedString>.Hash(x2));
        x1.Destroy();
        x2.Destroy();
        map.Destroy();
        Assert.True(M.AllMemoryDeallocated());
    }
}
