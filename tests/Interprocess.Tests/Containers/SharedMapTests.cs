using Interprocess.Containers;

namespace Interprocess.Tests.Containers;

/// <summary>SharedMap and SharedMultiMap: Boost's map_test scenarios against SortedDictionary / a sorted list, API, bad inputs.</summary>
public sealed class SharedMapTests : OrderedSegment
{
    private static List<KeyValuePair<int, int>> MultiModel(IEnumerable<(int K, int V)> items) =>
        [.. items.Select((kv, i) => (kv, i)).OrderBy(x => x.kv.K).ThenBy(x => x.i).Select(x => new KeyValuePair<int, int>(x.kv.K, x.kv.V))];

    [Fact]
    public void BoostMapTest_Scenario_MatchesSortedDictionaryAndMultimapModel()
    {
        var map = SharedMap<int, int>.Create(M, "MyShmMap");
        var multi = SharedMultiMap<int, int>.Create(M, "MyShmMultiMap");
        var std = new SortedDictionary<int, int>();
        var stdMulti = new List<(int, int)>();

        // Construction from a range with duplicates (i/2).
        var map2 = SharedMap<int, int>.Create(M);
        var multi2 = SharedMultiMap<int, int>.Create(M);
        for (int i = 0; i < 50; i++)
        {
            map2.TryAdd(i / 2, i / 2);
            multi2.Add(i / 2, i / 2);
        }

        Assert.Equal(Enumerable.Range(0, 25).Select(i => new KeyValuePair<int, int>(i, i)), map2);
        Assert.Equal(MultiModel(Enumerable.Range(0, 50).Select(i => (i / 2, i / 2))), multi2.ToList());
        map2.Destroy();
        multi2.Destroy();

        for (int i = 0; i < 100; i++)
        {
            map.TryAdd(i, i);
            std.TryAdd(i, i);
            multi.Add(i, i);
            stdMulti.Add((i, i));
        }

        Assert.Equal(std, map.ToSortedDictionary());
        Assert.Equal(MultiModel(stdMulti), multi.ToList());

        // erase(begin()) twice.
        for (int r = 0; r < 2; r++)
        {
            Assert.True(map.Remove(map.Min.Key));
            std.Remove(std.Keys.First());
            Assert.True(multi.Remove(multi.Min.Key));
            stdMulti.Remove(MultiModel(stdMulti)[0] is var first ? (first.Key, first.Value) : default);
        }

        Assert.Equal(std, map.ToSortedDictionary());
        Assert.Equal(MultiModel(stdMulti), multi.ToList());

        // Insert 50 copies of -1 (twice): the map keeps one, the multimap all.
        for (int r = 0; r < 2; r++)
        {
            for (int i = 0; i < 50; i++)
            {
                map.TryAdd(-1, -1);
                std.TryAdd(-1, -1);
                multi.Add(-1, -1);
                stdMulti.Add((-1, -1));
            }
        }

        Assert.Equal(std, map.ToSortedDictionary());
        Assert.Equal(MultiModel(stdMulti), multi.ToList());
        Assert.Equal(100, multi.CountOf(-1));

        // erase(key) for 0..size.
        for (int i = 0, j = map.Count; i < j; i++)
        {
            Assert.Equal(std.Remove(i), map.Remove(i));
            Assert.Equal(stdMulti.RemoveAll(x => x.Item1 == i), multi.RemoveAll(i));
        }

        Assert.Equal(std, map.ToSortedDictionary());
        Assert.Equal(MultiModel(stdMulti), multi.ToList());

        // Insert again, then equal_range / count / lower and upper bounds for every key.
        for (int i = 0; i < 100; i++)
        {
            map.TryAdd(i, i);
            std.TryAdd(i, i);
            multi.Add(i, i);
            multi.Add(i, i + 1000);
            stdMulti.Add((i, i));
            stdMulti.Add((i, i + 1000));
        }

        var model = MultiModel(stdMulti);
        for (int i = -2; i < 102; i++)
        {
            Assert.Equal(std.ContainsKey(i) ? 1 : 0, map.ContainsKey(i) ? 1 : 0);
            Assert.Equal(model.Where(x => x.Key == i), multi.EqualRange(i));
            Assert.Equal(model.Count(x => x.Key == i), multi.CountOf(i));
            Assert.Equal(std.Where(x => x.Key >= i), map.LowerBound(i));
            Assert.Equal(std.Where(x => x.Key > i), map.UpperBound(i));
            Assert.Equal(model.Where(x => x.Key >= i), multi.LowerBound(i));
            Assert.Equal(model.Where(x => x.Key > i), multi.UpperBound(i));
        }

        map.CheckInvariants();
        multi.CheckInvariants();
        map.Destroy();
        multi.Destroy();
        M.Destroy<SharedMap<int, int>>("MyShmMap");
        M.Destroy<SharedMultiMap<int, int>>("MyShmMultiMap");
        AssertNothingLeaked();
    }

    [Fact]
    public void IndexerAddTryAdd_BehaveLikeSortedDictionary()
    {
        var map = SharedMap<long, double>.Create(M);
        map[5] = 1.5;
        map[5] = 2.5;
        Assert.Equal(2.5, map[5]);
        map.Add(3, 0.5);
        var e = Assert.Throws<ArgumentException>(() => map.Add(3, 9));
        Assert.Contains("already", e.Message, StringComparison.Ordinal);
        Assert.False(map.TryAdd(3, 9));
        Assert.Equal(0.5, map[3]);
        Assert.Throws<KeyNotFoundException>(() => map[4]);
        Assert.False(map.TryGetValue(4, out _));
        Assert.True(map.TryGetValue(5, out double v));
        Assert.Equal(2.5, v);
        Assert.Equal(2, map.Count);
        Assert.Equal(new KeyValuePair<long, double>(3, 0.5), map.Min);
        Assert.Equal(new KeyValuePair<long, double>(5, 2.5), map.Max);
        Assert.True(map.Remove(3, out double removed));
        Assert.Equal(0.5, removed);
        Assert.False(map.Remove(3));
        map.Clear();
        Assert.Equal(0, map.Count);
        Assert.Throws<InvalidOperationException>(() => map.Min);
        Assert.Empty(map);
        map.Destroy();
        AssertNothingLeaked();
    }

    [Fact]
    public void GetValueRef_WritesInPlace_AndStaysValidWhileOtherKeysChange()
    {
        var map = SharedMap<int, long>.Create(M);
        ref long a = ref map.GetValueRefOrAddDefault(1, out bool exists);
        Assert.False(exists);
        Assert.Equal(0, a);
        a = 10;
        for (int i = 2; i < 500; i++)
        {
            map[i] = i;
        }

        for (int i = 2; i < 500; i += 2)
        {
            map.Remove(i);
        }

        a += 5;
        Assert.Equal(15, map[1]);
        map.GetValueRef(3) = 33;
        Assert.Equal(33, map[3]);
        ref long b = ref map.GetValueRefOrAddDefault(3, out exists);
        Assert.True(exists);
        Assert.Equal(33, b);
        Assert.Throws<KeyNotFoundException>(() => map.GetValueRef(2));
        map.CheckInvariants();
        map.Destroy();
    }

    [Fact]
    public void Ranges_AndReverse_MatchTheModel()
    {
        var map = SharedMap<int, int>.Create(M);
        var std = new SortedDictionary<int, int>();
        var rng = new Random(5);
        for (int i = 0; i < 300; i++)
        {
            int k = rng.Next(1000);
            map[k] = i;
            std[k] = i;
        }

        for (int i = 0; i < 200; i++)
        {
            int a = rng.Next(-10, 1010), b = rng.Next(-10, 1010);
            (a, b) = a <= b ? (a, b) : (b, a);
            var range = map.GetRange(a, b);
            Assert.Equal(std.Where(x => x.Key >= a && x.Key <= b), range);
            Assert.Equal(std.Where(x => x.Key >= a && x.Key <= b).Reverse(), range.Reverse());
            Assert.Equal(!std.Any(x => x.Key >= a && x.Key <= b), range.IsEmpty);
        }

        Assert.Equal(std.Reverse(), map.Reverse());
        Assert.Throws<ArgumentException>(() => map.GetRange(5, 4));
        Assert.Equal(std, map.ToDictionary().OrderBy(x => x.Key));
        map.Destroy();
    }

    [Fact]
    public void ChangingTheMap_DuringEnumeration_Throws()
    {
        var map = SharedMap<int, int>.Create(M);
        for (int i = 0; i < 10; i++)
        {
            map[i] = i;
        }

        var range = map.GetRange(2, 8);
        map.Remove(9);
        Assert.Throws<InvalidOperationException>(() =>
        {
            foreach (var kv in range)
            {
                GC.KeepAlive(kv);
            }
        });
        Assert.Throws<InvalidOperationException>(() =>
        {
            foreach (var kv in map)
            {
                map[100 + kv.Key] = 0;
            }
        });

        // Changing a value in place is not a change of shape: enumeration goes on.
        foreach (var kv in map)
        {
            map.GetValueRef(kv.Key) = kv.Value + 1;
        }

        map.Destroy();
    }

    [Fact]
    public void CustomComparer_OrdersByIt_AndTheViewSeesTheSameMap()
    {
        var map = SharedMap<int, int>.Create(M);
        var desc = map.WithComparer(Comparer<int>.Create((a, b) => b.CompareTo(a)));
        for (int i = 0; i < 100; i++)
        {
            desc.Add(i * 7 % 101, i);
        }

        Assert.Throws<ArgumentException>(() => desc.Add(0, 1));
        Assert.Equal(Enumerable.Range(0, 100).Select(i => i * 7 % 101).OrderDescending(), map.Select(x => x.Key));
        Assert.True(desc.ContainsKey(14));
        Assert.True(desc.TryGetValue(14, out int v));
        Assert.Equal(2, v);
        Assert.Equal([50, 49, 48], desc.GetRange(50, 48).Select(x => x.Key));
        Assert.Equal(49, desc.UpperBound(50).First().Key);
        Assert.Equal(50, desc.LowerBound(50).First().Key);
        desc[14] = 99;
        Assert.Equal(99, desc.GetValueRef(14));
        Assert.True(desc.Remove(14));
        desc.CheckInvariants();
        Assert.Throws<InvalidOperationException>(() => map.CheckInvariants());
        Assert.Throws<ArgumentNullException>(() => map.WithComparer<IComparer<int>>(null!));
        desc.Map.Destroy();
        AssertNothingLeaked();
    }

    [Fact]
    public void MultiMap_KeepsEqualKeysInInsertionOrder_AndRemoveTakesTheFirst()
    {
        var multi = SharedMultiMap<int, int>.Create(M);
        for (int i = 0; i < 30; i++)
        {
            multi.Add(i % 3, i);
        }

        Assert.Equal([1, 4, 7, 10, 13, 16, 19, 22, 25, 28], multi.EqualRange(1).Select(x => x.Value));
        Assert.True(multi.TryGetValue(1, out int first));
        Assert.Equal(1, first);
        Assert.True(multi.Remove(1, out int removed));
        Assert.Equal(1, removed);
        Assert.Equal(4, multi.GetValueRef(1));
        Assert.Equal(9, multi.CountOf(1));
        Assert.Equal(10, multi.RemoveAll(2));
        Assert.Equal(0, multi.RemoveAll(2));
        Assert.False(multi.ContainsKey(2));
        Assert.Equal(19, multi.Count);
        Assert.True(multi.EqualRange(7).IsEmpty);
        Assert.Equal([28, 25, 22], multi.EqualRange(1).Reverse().Take(3).Select(x => x.Value));
        multi.CheckInvariants();
        multi.Destroy();
        AssertNothingLeaked();
    }

    [Fact]
    public void HandleCopies_AliasTheSameMap_AndUseAfterDestroyThrows()
    {
        var map = SharedMap<int, int>.Create(M);
        var copy = map;
        copy[1] = 2;
        Assert.Equal(2, map[1]);
        Assert.True(map == copy);
        Assert.Equal(map.GetHashCode(), copy.GetHashCode());
        var other = SharedMap<int, int>.Create(M);
        Assert.True(map != other);

        // A handle stored in the segment (as a named object) aliases too.
        M.Construct("stored", map);
        var found = M.Find<SharedMap<int, int>>("stored").Value;
        found[3] = 4;
        Assert.Equal(4, map[3]);

        map.Destroy();
        Assert.Throws<InvalidOperationException>(() => copy[1]);
        Assert.Throws<InvalidOperationException>(() => found.Count);
        Assert.Throws<InvalidOperationException>(() => copy.Destroy());
        Assert.Throws<InvalidOperationException>(() => default(SharedMap<int, int>).Count);
        Assert.True(default(SharedMap<int, int>).IsDefault);
        Assert.False(other.IsDefault);

        // A map of another type over the same memory is refused.
        M.Construct("other", other);
        Assert.Throws<InvalidCastException>(() => M.Find<SharedMap<int, long>>("other"));
        other.Destroy();
        M.Destroy<SharedMap<int, int>>("stored");
        M.Destroy<SharedMap<int, int>>("other");
        AssertNothingLeaked();
    }

    [Fact]
    public void Named_CreateFindFindOrCreate()
    {
        var a = SharedMap<int, int>.Create(M, "prices");
        Assert.Throws<InterprocessException>(() => SharedMap<int, int>.Create(M, "prices"));
        Assert.Equal(a, SharedMap<int, int>.Find(M, "prices"));
        Assert.Equal(a, SharedMap<int, int>.FindOrCreate(M, "prices"));
        var b = SharedMap<int, int>.FindOrCreate(M, "other");
        Assert.NotEqual(a, b);
        Assert.Throws<InvalidOperationException>(() => SharedMap<int, int>.Find(M, "missing"));
        Assert.Throws<ArgumentNullException>(() => SharedMap<int, int>.Create(null!));
        Assert.Same(M, a.Manager);
        a.Destroy();
        b.Destroy();
        M.Destroy<SharedMap<int, int>>("prices");
        M.Destroy<SharedMap<int, int>>("other");
        AssertNothingLeaked();
    }

    [Fact]
    public void ReadOnlySegment_AllowsReads_RefusesWrites()
    {
        var map = SharedMap<int, int>.Create(M, "ro");
        var multi = SharedMultiMap<int, int>.Create(M, "rom");
        map[1] = 10;
        multi.Add(1, 1);
        ReopenReadOnly();
        map = SharedMap<int, int>.Find(M, "ro");
        multi = SharedMultiMap<int, int>.Find(M, "rom");
        Assert.Equal(10, map[1]);
        Assert.Single(map);
        Assert.Throws<NotSupportedException>(() => map[2] = 1);
        Assert.Throws<NotSupportedException>(() => map.Remove(1));
        Assert.Throws<NotSupportedException>(() => map.Clear());
        Assert.Throws<NotSupportedException>(() => map.Destroy());
        Assert.Throws<NotSupportedException>(() => multi.Add(1, 2));
        Assert.Throws<NotSupportedException>(() => multi.RemoveAll(1));
        Assert.Equal(10, map[1]);
    }

    [Fact]
    public unsafe void CorruptedLinks_GiveInterprocessException_NotACrash()
    {
        var map = SharedMap<long, long>.Create(M);
        for (int i = 0; i < 100; i++)
        {
            map[i] = i;
        }

        var header = (TreeHeader*)M.GetAddress(map.Handle.Header);
        var root = (TreeNode<long, long>*)M.GetAddress(header->Root);
        long savedLeft = root->Left;

        root->Left = long.MaxValue - 8;
        Assert.Equal(InterprocessErrorCode.Corrupted, Assert.Throws<InterprocessException>(() => map.ContainsKey(0)).ErrorCode);
        Assert.Throws<InterprocessException>(() => map[-1] = 1);
        root->Left = 24;
        Assert.Throws<InterprocessException>(() => map.ContainsKey(0));

        // A cycle: the left child points back at the root.
        root->Left = header->Root;
        Assert.Equal(InterprocessErrorCode.Corrupted, Assert.Throws<InterprocessException>(() => map.ContainsKey(-5)).ErrorCode);
        root->Left = savedLeft;

        // A cycle an enumeration walks into: the root's right link leads back to the smallest node.
        long savedRight = root->Right;
        root->Right = header->Leftmost;
        Assert.Throws<InterprocessException>(() => map.Count());
        root->Right = savedRight;
        map.CheckInvariants();
        long savedRoot = header->Root;
        header->Root = M.Size + 4096;
        Assert.Throws<InterprocessException>(() => map.TryGetValue(5, out _));
        header->Root = savedRoot;

        header->NodeSize = 8;
        Assert.Throws<InterprocessException>(() => map.Count);
        header->NodeSize = sizeof(TreeNode<long, long>);
        Assert.Equal(100, map.Count);
        map.Destroy();
        AssertNothingLeaked();
    }
}
