using Interprocess.Containers;

namespace Interprocess.Tests.Containers;

/// <summary>SharedFlatMap and SharedFlatSet: Boost's flat_map / flat_set scenarios against SortedDictionary / SortedSet, spans, capacity, bad inputs.</summary>
public sealed class SharedFlatTests : OrderedSegment
{
    [Fact]
    public void BoostFlatMapTest_Scenario_MatchesSortedDictionary()
    {
        var map = SharedFlatMap<int, int>.Create(M, "MyShmFlatMap");
        var std = new SortedDictionary<int, int>();
        for (int i = 0; i < 50; i++)
        {
            map.TryAdd(i / 2, i / 2);
            std.TryAdd(i / 2, i / 2);
        }

        Assert.Equal(std, map);
        map.Clear();
        std.Clear();
        for (int i = 0; i < 100; i++)
        {
            map.Add(i, i);
            std.Add(i, i);
        }

        for (int r = 0; r < 2; r++)
        {
            map.Remove(map.Min.Key);
            std.Remove(std.Keys.First());
        }

        for (int i = 0; i < 100; i++)
        {
            Assert.Equal(std.TryAdd(-1, -1), map.TryAdd(-1, -1));
        }

        for (int i = 0, j = map.Count; i < j; i++)
        {
            Assert.Equal(std.Remove(i), map.Remove(i));
        }

        Assert.Equal(std, map.ToSortedDictionary());
        for (int i = 0; i < 100; i += 3)
        {
            map[i] = i * 10;
            std[i] = i * 10;
        }

        Assert.Equal(std.Keys, map.Keys.ToArray());
        Assert.Equal(std.Values, map.Values.ToArray());
        for (int i = -2; i < 102; i++)
        {
            var keys = std.Keys.ToList();
            int lb = keys.FindIndex(k => k >= i);
            int ub = keys.FindIndex(k => k > i);
            Assert.Equal(lb < 0 ? keys.Count : lb, map.LowerBound(i));
            Assert.Equal(ub < 0 ? keys.Count : ub, map.UpperBound(i));
            Assert.Equal(keys.IndexOf(i), map.IndexOfKey(i));
            Assert.Equal(std.ContainsKey(i), map.ContainsKey(i));
        }

        var range = map.GetRange(10, 40);
        Assert.Equal(std.Keys.Where(k => k is >= 10 and <= 40), map.Keys[range].ToArray());
        Assert.Equal(std.Where(x => x.Key is >= 10 and <= 40).Select(x => x.Value), map.Values[range].ToArray());
        Assert.Equal(std, map.ToDictionary().OrderBy(x => x.Key));
        map.CheckInvariants();
        map.Destroy();
        M.Destroy<SharedFlatMap<int, int>>("MyShmFlatMap");
        AssertNothingLeaked();
    }

    [Fact]
    public void BoostFlatSetTest_Scenario_MatchesSortedSet()
    {
        var set = SharedFlatSet<long>.Create(M);
        var std = new SortedSet<long>();
        var rng = new Random(11);
        for (int i = 0; i < 500; i++)
        {
            long x = rng.Next(300);
            Assert.Equal(std.Add(x), set.Add(x));
        }

        Assert.Equal(std, set);
        Assert.Equal(std.ToArray(), set.AsSpan().ToArray());
        for (int i = 0; i < 200; i++)
        {
            long x = rng.Next(300);
            Assert.Equal(std.Remove(x), set.Remove(x));
        }

        Assert.Equal(std, set.ToSortedSet());
        Assert.Equal(std.Min, set.Min);
        Assert.Equal(std.Max, set.Max);
        Assert.Equal(std.GetViewBetween(50, 150), set.AsSpan()[set.GetViewBetween(50, 150)].ToArray());
        Assert.True(set.TryGetValue(std.Min, out long min));
        Assert.Equal(std.Min, min);
        Assert.Equal(0, set.IndexOf(std.Min));
        set.RemoveAt(0);
        std.Remove(std.Min);
        Assert.Equal(std.ToList(), set.ToList());
        Assert.Throws<ArgumentOutOfRangeException>(() => set.RemoveAt(set.Count));
        Assert.Throws<ArgumentOutOfRangeException>(() => set.RemoveAt(-1));
        set.CheckInvariants();
        set.Destroy();
        AssertNothingLeaked();
    }

    [Fact]
    public void ReserveAndShrinkToFit_ManageCapacity()
    {
        var map = SharedFlatMap<int, long>.Create(M);
        Assert.Equal(0, map.Capacity);
        map.Reserve(100);
        Assert.Equal(100, map.Capacity);
        for (int i = 0; i < 100; i++)
        {
            map[99 - i] = i;
        }

        Assert.Equal(100, map.Capacity);
        map[1000] = 1;
        Assert.True(map.Capacity >= 101);
        map.ShrinkToFit();
        Assert.Equal(101, map.Capacity);
        Assert.Equal(99, map[0]);
        Assert.Equal(1, map[1000]);
        Assert.Throws<ArgumentOutOfRangeException>(() => map.Reserve(-1));
        map.Clear();
        Assert.Equal(101, map.Capacity);
        map.ShrinkToFit();
        Assert.Equal(0, map.Capacity);
        map.Destroy();
        AssertNothingLeaked();
    }

    [Fact]
    public void FlatMap_ApiAndComparerView()
    {
        var map = SharedFlatMap<int, int>.Create(M);
        var desc = map.WithComparer(Comparer<int>.Create((a, b) => b.CompareTo(a)));
        for (int i = 0; i < 20; i++)
        {
            desc[i] = i * 2;
        }

        Assert.Equal(Enumerable.Range(0, 20).Reverse(), map.Keys.ToArray());
        Assert.Throws<ArgumentException>(() => desc.Add(3, 0));
        Assert.False(desc.TryAdd(3, 0));
        Assert.True(desc.TryGetValue(3, out int v));
        Assert.Equal(6, v);
        Assert.Equal(16, desc.IndexOfKey(3));
        Assert.Equal(6, desc[3]);
        desc.GetValueRef(3) = 7;
        Assert.Equal(7, desc[3]);
        ref int added = ref desc.GetValueRefOrAddDefault(100, out bool exists);
        Assert.False(exists);
        added = 1;
        Assert.Equal(0, desc.IndexOfKey(100));
        Assert.Equal(new Range(1, 4), desc.GetRange(19, 17));
        Assert.Equal(1, desc.LowerBound(19));
        Assert.Equal(2, desc.UpperBound(19));
        Assert.True(desc.Remove(100, out int removed));
        Assert.Equal(1, removed);
        Assert.True(desc.Remove(19));
        Assert.False(desc.ContainsKey(19));
        desc.CheckInvariants();
        Assert.Throws<InvalidOperationException>(() => map.CheckInvariants());

        var set = SharedFlatSet<int>.Create(M);
        var sdesc = set.WithComparer(Comparer<int>.Create((a, b) => b.CompareTo(a)));
        for (int i = 0; i < 10; i++)
        {
            sdesc.Add(i);
        }

        Assert.Equal([9, 8, 7, 6, 5, 4, 3, 2, 1, 0], set.AsSpan().ToArray());
        Assert.True(sdesc.Contains(4));
        Assert.Equal(5, sdesc.IndexOf(4));
        Assert.True(sdesc.TryGetValue(4, out _));
        Assert.Equal(new Range(2, 5), sdesc.GetViewBetween(7, 5));
        Assert.Equal(2, sdesc.LowerBound(7));
        Assert.Equal(3, sdesc.UpperBound(7));
        Assert.True(sdesc.Remove(4));
        sdesc.CheckInvariants();

        Assert.Throws<KeyNotFoundException>(() => map[12345]);
        Assert.Throws<KeyNotFoundException>(() => map.GetValueRef(12345));
        Assert.Throws<ArgumentException>(() => map.GetRange(5, 4));
        map.Destroy();
        set.Destroy();
        AssertNothingLeaked();
    }

    [Fact]
    public void Enumeration_DetectsChanges_AndCopiesAlias()
    {
        var map = SharedFlatMap<int, int>.Create(M);
        var copy = map;
        for (int i = 0; i < 10; i++)
        {
            copy[i] = i;
        }

        Assert.Equal(10, map.Count);
        Assert.Throws<InvalidOperationException>(() =>
        {
            foreach (var kv in map)
            {
                map[kv.Key + 100] = 0;
            }
        });
        foreach (var kv in map)
        {
            map.GetValueRef(kv.Key)++;
        }

        Assert.Equal(Enumerable.Range(1, 10), map.Values[..10].ToArray());
        map.Destroy();
        Assert.Throws<InvalidOperationException>(() => copy.Count);
        Assert.Throws<InvalidOperationException>(() => default(SharedFlatSet<int>).AsSpan().Length);
        AssertNothingLeaked();
    }

    [Fact]
    public void ReadOnlySegment_RefusesWrites()
    {
        var map = SharedFlatMap<int, int>.Create(M, "fm");
        var set = SharedFlatSet<int>.Create(M, "fs");
        map[1] = 1;
        set.Add(1);
        ReopenReadOnly();
        map = SharedFlatMap<int, int>.Find(M, "fm");
        set = SharedFlatSet<int>.Find(M, "fs");
        Assert.Equal(1, map[1]);
        Assert.True(set.Contains(1));
        Assert.Throws<NotSupportedException>(() => map[2] = 2);
        Assert.Throws<NotSupportedException>(() => map.Reserve(10));
        Assert.Throws<NotSupportedException>(() => set.Add(2));
        Assert.Throws<NotSupportedException>(() => set.Clear());
    }

    [Fact]
    public unsafe void CorruptedHeader_GivesInterprocessException()
    {
        var map = SharedFlatMap<long, long>.Create(M);
        map[1] = 1;
        var h = (FlatHeader*)M.GetAddress(map.Handle.Header);
        long data = h->Data;
        h->Data = M.Size - 8;
        Assert.Equal(InterprocessErrorCode.Corrupted, Assert.Throws<InterprocessException>(() => map.ContainsKey(1)).ErrorCode);
        h->Data = data;
        h->Count = h->Capacity + 1;
        Assert.Throws<InterprocessException>(() => map.Count);
        h->Count = -1;
        Assert.Throws<InterprocessException>(() => map.Keys.Length);
        h->Count = 1;
        h->Capacity = long.MaxValue;
        Assert.Throws<InterprocessException>(() => map[1]);
        h->Capacity = 4;
        Assert.Equal(1, map[1]);
        map.Destroy();
        AssertNothingLeaked();
    }
}
