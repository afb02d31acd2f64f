using CsCheck;
using Interprocess.Containers;

namespace Interprocess.Tests.Containers;

/// <summary>Hinted insertion (Boost's insert(hint, v) / emplace_hint) into the ordered containers: O(1) comparisons when the hint is right, correct when it is wrong or stale.</summary>
public sealed class OrderedInsertHintTests : OrderedSegment
{
    /// <summary>Counts comparisons (the ordering of long).</summary>
    private sealed class CountingComparer : IComparer<long>
    {
        public int Count { get; set; }

        public int Compare(long x, long y)
        {
            Count++;
            return x.CompareTo(y);
        }
    }

    [Fact]
    public void AscendingInput_TakesAtMostTwoComparisonsPerInsert_TreeAndFlat()
    {
        var map = SharedMap<long, long>.Create(M);
        var flat = SharedFlatMap<long, long>.Create(M);
        var cmp = new CountingComparer();
        var hint = default(OrderedInsertHint);
        var fhint = default(OrderedInsertHint);
        const int N = 5000;
        for (long i = 0; i < N; i++)
        {
            Assert.True(map.Tree.TryAddHinted(i, -i, cmp, ref hint));
        }

        Assert.True(cmp.Count <= 2 * N, $"{cmp.Count} comparisons for {N} hinted inserts");
        Assert.False(hint.IsDefault);
        cmp.Count = 0;
        for (long i = 0; i < N; i++)
        {
            Assert.True(flat.Flat.TryAddHinted(i, -i, cmp, ref fhint));
        }

        Assert.True(cmp.Count <= 2 * N, $"{cmp.Count} comparisons for {N} hinted flat inserts");

        // Without a hint, a tree insertion descends from the root: about log2(N) comparisons each.
        var plain = SharedMap<long, long>.Create(M);
        cmp.Count = 0;
        for (long i = 0; i < N; i++)
        {
            plain.Tree.TryAdd(i, -i, cmp);
        }

        Assert.True(cmp.Count > 8 * N, $"{cmp.Count} comparisons for {N} plain inserts");

        Assert.Equal(Enumerable.Range(0, N).Select(i => (long)i), map.Select(kv => kv.Key));
        Assert.Equal(Enumerable.Range(0, N).Select(i => (long)-i), flat.Values.ToArray());
        map.CheckInvariants();
        flat.CheckInvariants();
        map.Destroy();
        flat.Destroy();
        plain.Destroy();
        AssertNothingLeaked();
    }

    [Fact]
    public void WrongStaleAndForeignHints_AreCorrect()
    {
        var a = SharedMap<long, long>.Create(M);
        var b = SharedMap<long, long>.Create(M);
        var hint = default(OrderedInsertHint);
        Assert.True(a.TryAdd(10, 1, ref hint));
        Assert.True(a.TryAdd(5, 2, ref hint)); // wrong: 5 is before 10
        Assert.False(a.TryAdd(10, 3, ref hint)); // present: the hint now points at 10
        Assert.Equal(1, a[10]);
        var fromA = hint;
        Assert.True(b.TryAdd(7, 7, ref fromA)); // a hint of another map is ignored
        a.Remove(10); // the hint's node is freed: the change counter makes the hint stale
        Assert.True(a.TryAdd(11, 4, ref hint));
        Assert.True(a.TryAdd(12, 5, ref hint));
        Assert.Equal([(5L, 2L), (11L, 4L), (12L, 5L)], a.Select(kv => (kv.Key, kv.Value)));
        Assert.Equal([7L], b.Select(kv => kv.Key));

        var plain = SharedSet<long>.Create(M);
        var set = SharedSet<long>.Create(M);
        var fset = SharedFlatSet<long>.Create(M);
        var sh = default(OrderedInsertHint);
        var fh = default(OrderedInsertHint);
        foreach (long x in new long[] { 50, 40, 45, 60, 60, 10, 70, 65, 45 })
        {
            bool added = plain.Add(x);
            Assert.Equal(added, set.Add(x, ref sh));
            Assert.Equal(added, fset.Add(x, ref fh));
        }

        Assert.Equal(new long[] { 10, 40, 45, 50, 60, 65, 70 }, set.ToList());
        Assert.Equal(set.ToList(), fset.ToList());
        a.CheckInvariants();
        set.CheckInvariants();
        fset.CheckInvariants();
        a.Destroy();
        b.Destroy();
        plain.Destroy();
        set.Destroy();
        fset.Destroy();
        AssertNothingLeaked();
    }

    [Fact]
    public void Property_HintedInserts_MatchSortedModels_AndKeepEqualKeysInInsertionOrder()
    {
        // op: 0 insert with the running hint, 1 insert with a fresh hint, 2 remove (makes the hint stale).
        Gen.Select(Gen.Int[0, 2], Gen.Long[0, 30]).Array[0, 150].Sample(ops =>
        {
            var map = SharedMap<long, long>.Create(M);
            var multi = SharedMultiMap<long, long>.Create(M);
            var mset = SharedMultiSet<long>.Create(M);
            var flat = SharedFlatMap<long, long>.Create(M);
            var model = new SortedDictionary<long, long>();
            var multiModel = new List<(long Key, long Seq)>();
            OrderedInsertHint h1 = default, h2 = default, h3 = default, h4 = default;
            long seq = 0;
            foreach (var (op, k) in ops)
            {
                if (op == 1)
                {
                    h1 = h2 = h3 = h4 = default;
                }

                if (op == 2)
                {
                    Assert.Equal(model.Remove(k), map.Remove(k));
                    flat.Remove(k);
                    int i = multiModel.FindIndex(e => e.Key == k);
                    Assert.Equal(i >= 0, multi.Remove(k));
                    mset.Remove(k);
                    if (i >= 0)
                    {
                        multiModel.RemoveAt(i);
                    }

                    continue;
                }

                seq++;
                Assert.Equal(model.TryAdd(k, seq), map.TryAdd(k, seq, ref h1));
                Assert.Equal(model.ContainsKey(k) && model[k] == seq, flat.TryAdd(k, seq, ref h2));
                multi.Add(k, seq, ref h3);
                mset.Add(k, ref h4);
                multiModel.Add((k, seq));
            }

            Assert.Equal(model.Select(kv => (kv.Key, kv.Value)), map.Select(kv => (kv.Key, kv.Value)));
            Assert.Equal(model.Select(kv => (kv.Key, kv.Value)), flat.Select(kv => (kv.Key, kv.Value)));
            var stable = multiModel.OrderBy(e => e.Key).ToList(); // OrderBy is stable: insertion order among equals
            Assert.Equal(stable.Select(e => (e.Key, e.Seq)), multi.Select(kv => (kv.Key, kv.Value)));
            Assert.Equal(stable.Select(e => e.Key), mset.ToList());
            map.CheckInvariants();
            multi.CheckInvariants();
            mset.CheckInvariants();
            flat.CheckInvariants();
            map.Destroy();
            multi.Destroy();
            mset.Destroy();
            flat.Destroy();
            AssertNothingLeaked();
        }, iter: 150, threads: 1);
    }
}
