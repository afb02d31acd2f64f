using CsCheck;
using Interprocess.Containers;

namespace Interprocess.Tests.Containers;

/// <summary>Random operation sequences on every ordered container against a System.Collections.Generic model, with the invariants checked.</summary>
public sealed class OrderedPropertyTests : OrderedSegment
{
    private static readonly Gen<(int Op, int Key)[]> s_ops = Gen.Select(Gen.Int[0, 9], Gen.Int[-40, 40]).Array[0, 400];

    [Fact]
    public void Map_MatchesSortedDictionary()
    {
        s_ops.Sample(
            ops =>
            {
                var map = SharedMap<int, int>.Create(M);
                var std = new SortedDictionary<int, int>();
                try
                {
                    int step = 0;
                    foreach (var (op, k) in ops)
                    {
                        step++;
                        switch (op)
                        {
                            case 0:
                            case 1:
                                Assert.Equal(std.TryAdd(k, step), map.TryAdd(k, step));
                                break;
                            case 2:
                                map[k] = -step;
                                std[k] = -step;
                                break;
                            case 3:
                            case 4:
                                Assert.Equal(std.Remove(k), map.Remove(k));
                                break;
                            case 5:
                                Assert.Equal(std.TryGetValue(k, out int e), map.TryGetValue(k, out int a));
                                Assert.Equal(e, a);
                                break;
                            case 6:
                                if (std.ContainsKey(k))
                                {
                                    map.GetValueRef(k) += 3;
                                    std[k] += 3;
                                }

                                break;
                            case 7:
                                Assert.Equal(std.Where(x => x.Key >= k && x.Key <= k + 10), map.GetRange(k, k + 10));
                                Assert.Equal(std.Where(x => x.Key > k), map.UpperBound(k));
                                break;
                            case 8:
                                Assert.Equal(std.Remove(k, out int ev), map.Remove(k, out int av));
                                Assert.Equal(ev, av);
                                break;
                            default:
                                if (k == 40)
                                {
                                    map.Clear();
                                    std.Clear();
                                }

                                break;
                        }
                    }

                    map.CheckInvariants();
                    Assert.Equal(std, map);
                    Assert.Equal(std.Reverse(), map.Reverse());
                    Assert.Equal(std.Count, map.Count);
                }
                finally
                {
                    map.Destroy();
                }
            },
            iter: 150,
            threads: 1);
        AssertNothingLeaked();
    }

    [Fact]
    public void MultiMap_MatchesAStableSortedList()
    {
        s_ops.Sample(
            ops =>
            {
                var multi = SharedMultiMap<int, int>.Create(M);
                var model = new List<KeyValuePair<int, int>>();
                try
                {
                    int step = 0;
                    foreach (var (op, k) in ops)
                    {
                        step++;
                        switch (op)
                        {
                            case <= 3:
                                multi.Add(k, step);
                                model.Add(new(k, step));
                                break;
                            case 4:
                            case 5:
                                int at = model.FindIndex(x => x.Key == k);
                                Assert.Equal(at >= 0, multi.Remove(k));
                                if (at >= 0)
                                {
                                    model.RemoveAt(at);
                                }

                                break;
                            case 6:
                                Assert.Equal(model.RemoveAll(x => x.Key == k), multi.RemoveAll(k));
                                break;
                            case 7:
                                Assert.Equal(model.Count(x => x.Key == k), multi.CountOf(k));
                                Assert.Equal(model.Where(x => x.Key == k), multi.EqualRange(k));
                                break;
                            default:
                                Assert.Equal(model.Where(x => x.Key >= k).OrderBy(x => x.Key), multi.LowerBound(k));
                                break;
                        }
                    }

                    multi.CheckInvariants();
                    Assert.Equal(model.OrderBy(x => x.Key), multi);
                }
                finally
                {
                    multi.Destroy();
                }
            },
            iter: 150,
            threads: 1);
        AssertNothingLeaked();
    }

    [Fact]
    public void SetAndMultiSet_MatchSortedSetAndSortedList()
    {
        s_ops.Sample(
            ops =>
            {
                var set = SharedSet<int>.Create(M);
                var mset = SharedMultiSet<int>.Create(M);
                var std = new SortedSet<int>();
                var model = new List<int>();
                try
                {
                    foreach (var (op, k) in ops)
                    {
                        switch (op)
                        {
                            case <= 4:
                                Assert.Equal(std.Add(k), set.Add(k));
                                mset.Add(k);
                                model.Add(k);
                                break;
                            case <= 7:
                                Assert.Equal(std.Remove(k), set.Remove(k));
                                Assert.Equal(model.Remove(k), mset.Remove(k));
                                break;
                            case 8:
                                Assert.Equal(std.Contains(k), set.Contains(k));
                                Assert.Equal(model.Count(x => x == k), mset.CountOf(k));
                                break;
                            default:
                                Assert.Equal(std.GetViewBetween(k, k + 5), set.GetViewBetween(k, k + 5));
                                Assert.Equal(model.Where(x => x >= k && x <= k + 5).Order(), mset.GetViewBetween(k, k + 5));
                                break;
                        }
                    }

                    set.CheckInvariants();
                    mset.CheckInvariants();
                    Assert.Equal(std, set);
                    Assert.Equal(model.Order(), mset);
                    if (std.Count > 0)
                    {
                        Assert.Equal(std.Min, set.Min);
                        Assert.Equal(std.Max, set.Max);
                        Assert.Equal(model.Min(), mset.Min);
                    }
                }
                finally
                {
                    set.Destroy();
                    mset.Destroy();
                }
            },
            iter: 150,
            threads: 1);
        AssertNothingLeaked();
    }

    [Fact]
    public void FlatMapAndFlatSet_MatchSortedDictionaryAndSortedSet()
    {
        s_ops.Sample(
            ops =>
            {
                var map = SharedFlatMap<int, long>.Create(M);
                var set = SharedFlatSet<int>.Create(M);
                var std = new SortedDictionary<int, long>();
                var sstd = new SortedSet<int>();
                try
                {
                    long step = 0;
                    foreach (var (op, k) in ops)
                    {
                        step++;
                        switch (op)
                        {
                            case <= 3:
                                Assert.Equal(std.TryAdd(k, step), map.TryAdd(k, step));
                                Assert.Equal(sstd.Add(k), set.Add(k));
                                break;
                            case 4:
                                map[k] = step;
                                std[k] = step;
                                break;
                            case <= 6:
                                Assert.Equal(std.Remove(k), map.Remove(k));
                                Assert.Equal(sstd.Remove(k), set.Remove(k));
                                break;
                            case 7:
                                Assert.Equal(std.TryGetValue(k, out long e), map.TryGetValue(k, out long a));
                                Assert.Equal(e, a);
                                break;
                            case 8:
                                Assert.Equal(std.Keys.Where(x => x >= k && x <= k + 7), map.Keys[map.GetRange(k, k + 7)].ToArray());
                                break;
                            default:
                                if (k > 30)
                                {
                                    map.ShrinkToFit();
                                    set.Reserve(set.Count + k);
                                }

                                break;
                        }
                    }

                    map.CheckInvariants();
                    set.CheckInvariants();
                    Assert.Equal(std, map);
                    Assert.Equal(sstd, set);
                }
                finally
                {
                    map.Destroy();
                    set.Destroy();
                }
            },
            iter: 150,
            threads: 1);
        AssertNothingLeaked();
    }

    [Fact]
    public void LargeRandomTree_KeepsItsInvariants()
    {
        var map = SharedMap<long, long>.Create(M);
        var std = new SortedDictionary<long, long>();
        var rng = new Random(1234);
        for (int i = 0; i < 20000; i++)
        {
            long k = rng.Next(5000);
            if (rng.Next(3) == 0)
            {
                Assert.Equal(std.Remove(k), map.Remove(k));
            }
            else
            {
                map[k] = i;
                std[k] = i;
            }

            if (i % 2000 == 0)
            {
                map.CheckInvariants();
            }
        }

        map.CheckInvariants();
        Assert.Equal(std, map);
        map.Destroy();
        AssertNothingLeaked();
    }
}
