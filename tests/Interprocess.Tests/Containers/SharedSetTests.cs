using Interprocess.Containers;

namespace Interprocess.Tests.Containers;

/// <summary>SharedSet and SharedMultiSet: Boost's set_test scenarios against SortedSet / a sorted list, API, bad inputs.</summary>
public sealed class SharedSetTests : OrderedSegment
{
    [Fact]
    public void BoostSetTest_Scenario_MatchesSortedSetAndMultisetModel()
    {
        var set = SharedSet<int>.Create(M, "MyShmSet");
        var multi = SharedMultiSet<int>.Create(M, "MyShmMultiSet");
        var std = new SortedSet<int>();
        var stdMulti = new List<int>();

        // Construction from a range with duplicates (i/2), then from an ordered range.
        var set2 = SharedSet<int>.Create(M);
        var multi2 = SharedMultiSet<int>.Create(M);
        for (int i = 0; i < 50; i++)
        {
            set2.Add(i / 2);
            multi2.Add(i / 2);
        }

        Assert.Equal(Enumerable.Range(0, 25), set2);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => i / 2), multi2);
        set2.Destroy();
        multi2.Destroy();

        for (int i = 0; i < 100; i++)
        {
            Assert.True(set.Add(i));
            std.Add(i);
            multi.Add(i);
            stdMulti.Add(i);
        }

        Assert.Equal(std, set);
        Assert.Equal(stdMulti.Order(), multi);

        // erase(begin()) twice.
        for (int r = 0; r < 2; r++)
        {
            set.Remove(set.Min);
            std.Remove(std.Min);
            multi.Remove(multi.Min);
            stdMulti.Remove(stdMulti.Min());
        }

        Assert.Equal(std, set);
        Assert.Equal(stdMulti.Order(), multi);

        // Insert -1 fifty times, twice.
        for (int r = 0; r < 2; r++)
        {
            for (int i = 0; i < 50; i++)
            {
                Assert.Equal(std.Add(-1), set.Add(-1));
                multi.Add(-1);
                stdMulti.Add(-1);
            }
        }

        Assert.Equal(std, set);
        Assert.Equal(stdMulti.Order(), multi);
        Assert.Equal(100, multi.CountOf(-1));

        // erase(key) for 0..size.
        for (int i = 0, j = set.Count; i < j; i++)
        {
            Assert.Equal(std.Remove(i), set.Remove(i));
            Assert.Equal(stdMulti.RemoveAll(x => x == i), multi.RemoveAll(i));
        }

        Assert.Equal(std, set);
        Assert.Equal(stdMulti.Order(), multi);

        // find, count, lower_bound, upper_bound, equal_range for every value.
        for (int i = 0; i < 100; i++)
        {
            set.Add(i);
            std.Add(i);
            multi.Add(i);
            multi.Add(i);
            stdMulti.Add(i);
            stdMulti.Add(i);
        }

        for (int i = -3; i < 103; i++)
        {
            Assert.Equal(std.Contains(i), set.Contains(i));
            Assert.Equal(stdMulti.Count(x => x == i), multi.CountOf(i));
            Assert.Equal(std.Where(x => x >= i), set.LowerBound(i));
            Assert.Equal(std.Where(x => x > i), set.UpperBound(i));
            Assert.Equal(stdMulti.Where(x => x == i), multi.EqualRange(i));
            Assert.Equal(stdMulti.Where(x => x >= i).Order(), multi.LowerBound(i));
            Assert.Equal(stdMulti.Where(x => x > i).Order(), multi.UpperBound(i));
        }

        Assert.Equal(std.GetViewBetween(10, 20), set.GetViewBetween(10, 20));
        Assert.Equal(stdMulti.Where(x => x is >= 10 and <= 20).Order(), multi.GetViewBetween(10, 20));
        Assert.Equal(std.Reverse(), set.Reverse());
        Assert.Equal(stdMulti.OrderDescending(), multi.Reverse());
        Assert.Equal(std, set.ToSortedSet());
        Assert.Equal(stdMulti.Order(), multi.ToList());
        set.CheckInvariants();
        multi.CheckInvariants();
        set.Destroy();
        multi.Destroy();
        M.Destroy<SharedSet<int>>("MyShmSet");
        M.Destroy<SharedMultiSet<int>>("MyShmMultiSet");
        AssertNothingLeaked();
    }

    private readonly record struct Tagged(int Key, int Tag);

    private sealed class ByKey : IComparer<Tagged>
    {
        public int Compare(Tagged x, Tagged y) => x.Key.CompareTo(y.Key);
    }

    [Fact]
    public void MultiSet_KeepsEqualElementsInInsertionOrder_WithACustomComparer()
    {
        var multi = SharedMultiSet<Tagged>.Create(M);
        var byKey = multi.WithComparer(new ByKey());
        for (int i = 0; i < 40; i++)
        {
            byKey.Add(new Tagged(i % 4, i));
        }

        Assert.Equal([2, 6, 10, 14, 18, 22, 26, 30, 34, 38], byKey.EqualRange(new Tagged(2, 0)).Select(t => t.Tag));
        Assert.True(byKey.Remove(new Tagged(2, -1)));
        Assert.Equal(6, byKey.EqualRange(new Tagged(2, 0)).First().Tag);
        Assert.Equal(10, byKey.RemoveAll(new Tagged(3, 0)));
        Assert.Equal(0, byKey.CountOf(new Tagged(3, 0)));
        Assert.True(byKey.Contains(new Tagged(1, 1000)));
        Assert.Equal(10, byKey.GetViewBetween(new Tagged(1, 0), new Tagged(1, 0)).Count());
        Assert.Equal(19, byKey.LowerBound(new Tagged(1, 0)).Count());
        Assert.Equal(9, byKey.UpperBound(new Tagged(1, 0)).Count());
        byKey.CheckInvariants();
        byKey.Set.Destroy();
        AssertNothingLeaked();
    }

    [Fact]
    public void Set_TryGetValue_ReturnsTheStoredElement_AndViewOperationsWork()
    {
        var set = SharedSet<Tagged>.Create(M);
        var view = set.WithComparer(new ByKey());
        Assert.True(view.Add(new Tagged(1, 10)));
        Assert.False(view.Add(new Tagged(1, 20)));
        Assert.True(view.TryGetValue(new Tagged(1, 0), out var actual));
        Assert.Equal(10, actual.Tag);
        Assert.True(view.Contains(new Tagged(1, 99)));
        Assert.Single(view.GetViewBetween(new Tagged(0, 0), new Tagged(5, 0)));
        Assert.Single(view.LowerBound(new Tagged(1, 0)));
        Assert.Empty(view.UpperBound(new Tagged(1, 0)));
        Assert.True(view.Remove(new Tagged(1, 0)));
        Assert.Equal(0, set.Count);
        view.CheckInvariants();

        var longs = SharedSet<long>.Create(M);
        longs.Add(3);
        Assert.True(longs.TryGetValue(3, out long three));
        Assert.Equal(3, three);
        Assert.False(longs.TryGetValue(4, out _));
        Assert.Equal(3, longs.Max);
        Assert.Throws<ArgumentException>(() => longs.GetViewBetween(2, 1));
        longs.Destroy();
        set.Destroy();
        Assert.Throws<InvalidOperationException>(() => set.Add(default));
        AssertNothingLeaked();
    }

    [Fact]
    public void ReadOnlySegment_RefusesWrites()
    {
        var set = SharedSet<int>.Create(M, "s");
        var multi = SharedMultiSet<int>.Create(M, "ms");
        set.Add(1);
        multi.Add(1);
        ReopenReadOnly();
        set = SharedSet<int>.Find(M, "s");
        multi = SharedMultiSet<int>.Find(M, "ms");
        Assert.True(set.Contains(1));
        Assert.Equal(1, multi.CountOf(1));
        Assert.Throws<NotSupportedException>(() => set.Add(2));
        Assert.Throws<NotSupportedException>(() => multi.Add(2));
        Assert.Throws<NotSupportedException>(() => set.Remove(1));
        Assert.Throws<NotSupportedException>(() => multi.Clear());
    }
}
