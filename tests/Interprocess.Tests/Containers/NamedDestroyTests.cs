using Interprocess.Containers;
using Interprocess.Managed;

namespace Interprocess.Tests.Containers;

/// <summary>
/// <c>X.Destroy(manager, name)</c> on every container type (Boost's <c>destroy&lt;T&gt;(name)</c>): it frees the
/// container with everything it owns and removes the name; a missing name gives false, another type throws, a stale
/// stored handle throws and keeps the name.
/// </summary>
public sealed class NamedDestroyTests : IDisposable
{
    private readonly ManagedHeapMemory _heap = new(16L << 20);

    private SegmentManager M => _heap.Manager;

    public void Dispose() => _heap.Dispose();

    /// <summary>Each container type: creates it under a name with nested strings in it, and destroys it by name.</summary>
    public static TheoryData<string> Kinds => new()
    {
        "list", "slist", "deque", "map", "multimap", "set", "multiset", "flatmap", "flatset", "hashmap", "hashset",
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void DestroyByName_FreesTheContainerAndWhatItOwns_AndRemovesTheName(string kind)
    {
        foreach (var allocator in new[] { AllocatorKind.General, AllocatorKind.NodePool, AllocatorKind.PrivateAdaptivePool })
        {
            Fill(kind, "c", allocator);
            Assert.Equal(1, M.NamedObjectCount);
            Assert.True(DestroyByName(kind, "c"));
            Assert.Equal(0, M.NamedObjectCount);
            Assert.False(DestroyByName(kind, "c"));
            ContainerPools.Shrink(M);
            Assert.True(M.AllMemoryDeallocated(), $"{kind} with {allocator} left memory allocated");
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void DestroyByName_OfAnotherType_Throws_AndKeepsEverything(string kind)
    {
        var other = SharedVector<int>.Create(M, "c");
        other.Add(1);
        Assert.Throws<InvalidCastException>(() => DestroyByName(kind, "c"));
        Assert.Equal([1], SharedVector<int>.Find(M, "c").ToArray());
        Assert.True(SharedVector<int>.Destroy(M, "c"));
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void DestroyByName_WhenTheStoredHandleIsStale_Throws_AndKeepsTheName()
    {
        var list = SharedList<long>.Create(M, "l");
        list.Destroy();                                  // destroyed through a handle: the name holds a stale one
        Assert.Throws<InvalidOperationException>(() => SharedList<long>.Destroy(M, "l"));
        Assert.Equal(1, M.NamedObjectCount);
        Assert.True(M.Destroy<SharedList<long>>("l"));   // the name alone
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void DestroyByName_WhenTheStoredHandleIsDefault_RemovesTheName()
    {
        M.Construct("m", default(SharedMap<int, int>));
        Assert.True(SharedMap<int, int>.Destroy(M, "m"));
        Assert.Equal(0, M.NamedObjectCount);
        Assert.True(M.AllMemoryDeallocated());
    }

    private void Fill(string kind, string name, AllocatorKind allocator)
    {
        SharedString S(int i) => SharedString.From(M, $"a string long enough to have its own buffer, number {i}");
        switch (kind)
        {
            case "list": var l = SharedList<SharedString>.Create(M, name, allocator); for (int i = 0; i < 50; i++) { l.AddLast(S(i)); } break;
            case "slist": var sl = SharedSList<SharedString>.Create(M, name, allocator); for (int i = 0; i < 50; i++) { sl.AddFirst(S(i)); } break;
            case "deque": var d = SharedDeque<SharedString>.Create(M, name, allocator); for (int i = 0; i < 50; i++) { d.AddLast(S(i)); } break;
            case "map": var m = SharedMap<int, SharedString>.Create(M, name, allocator); for (int i = 0; i < 50; i++) { m.Add(i, S(i)); } break;
            case "multimap": var mm = SharedMultiMap<int, SharedString>.Create(M, name, allocator); for (int i = 0; i < 50; i++) { mm.Add(i % 5, S(i)); } break;
            case "set": var s = SharedSet<SharedString>.Create(M, name, allocator); for (int i = 0; i < 50; i++) { s.Add(S(i)); } break;
            case "multiset": var ms = SharedMultiSet<SharedString>.Create(M, name, allocator); for (int i = 0; i < 50; i++) { ms.Add(S(i % 5)); } break;
            case "flatmap": var fm = SharedFlatMap<int, SharedString>.Create(M, name, allocator); for (int i = 0; i < 50; i++) { fm.Add(i, S(i)); } break;
            case "flatset": var fs = SharedFlatSet<SharedString>.Create(M, name, allocator); for (int i = 0; i < 50; i++) { fs.Add(S(i)); } break;
            case "hashmap": var hm = SharedHashMap<int, SharedString>.Create(M, name, allocator); for (int i = 0; i < 50; i++) { hm.Add(i, S(i)); } break;
            case "hashset": var hs = SharedHashSet<SharedString>.Create(M, name, allocator); for (int i = 0; i < 50; i++) { hs.Add(S(i)); } break;
            default: throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    private bool DestroyByName(string kind, string name) => kind switch
    {
        "list" => SharedList<SharedString>.Destroy(M, name),
        "slist" => SharedSList<SharedString>.Destroy(M, name),
        "deque" => SharedDeque<SharedString>.Destroy(M, name),
        "map" => SharedMap<int, SharedString>.Destroy(M, name),
        "multimap" => SharedMultiMap<int, SharedString>.Destroy(M, name),
        "set" => SharedSet<SharedString>.Destroy(M, name),
        "multiset" => SharedMultiSet<SharedString>.Destroy(M, name),
        "flatmap" => SharedFlatMap<int, SharedString>.Destroy(M, name),
        "flatset" => SharedFlatSet<SharedString>.Destroy(M, name),
        "hashmap" => SharedHashMap<int, SharedString>.Destroy(M, name),
        "hashset" => SharedHashSet<SharedString>.Destroy(M, name),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
