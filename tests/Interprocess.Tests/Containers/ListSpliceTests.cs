using CsCheck;
using Interprocess.Containers;
using Interprocess.Managed;

namespace Interprocess.Tests.Containers;

/// <summary>
/// SharedList / SharedSList splice, merge, unique (Boost's list and slist operations), checked against
/// List&lt;T&gt; models, with random operation sequences over two lists.
/// </summary>
public sealed class ListSpliceTests : IDisposable
{
    private readonly ManagedHeapMemory _heap = new(16L << 20);

    private SegmentManager M => _heap.Manager;

    public void Dispose() => _heap.Dispose();

    private static SharedListNode<T> At<T>(SharedList<T> list, int index)
        where T : unmanaged
    {
        var n = list.First;
        for (int i = 0; i < index; i++)
        {
            n = n.Next;
        }

        return n;
    }

    private static SharedSListNode<T> At<T>(SharedSList<T> list, int index)
        where T : unmanaged
    {
        var n = list.First;
        for (int i = 0; i < index; i++)
        {
            n = n.Next;
        }

        return n;
    }

    private static SharedList<int> ListOf(SegmentManager m, IEnumerable<int> values, AllocatorKind kind = AllocatorKind.General)
    {
        var l = SharedList<int>.Create(m, kind);
        foreach (int v in values)
        {
            l.AddLast(v);
        }

        return l;
    }

    private static SharedSList<int> SListOf(SegmentManager m, IEnumerable<int> values, AllocatorKind kind = AllocatorKind.General)
    {
        var l = SharedSList<int>.Create(m, kind);
        foreach (int v in values)
        {
            l.AddLast(v);
        }

        return l;
    }

    [Fact]
    public void Splice_WholeList_OneNode_Range_MatchTheModel()
    {
        var a = ListOf(M, [1, 2, 3]);
        var b = ListOf(M, [10, 20, 30, 40]);
        var keep = b.First; // a cursor of b: no longer valid once its node moved
        ref int inB = ref b.First.Value;

        a.Splice(At(a, 1), b); // before 2
        Assert.Equal([1, 10, 20, 30, 40, 2, 3], a.ToList());
        Assert.Equal(0, b.Count);
        Assert.Empty(b.ToList());
        Assert.Equal(10, inB); // the element did not move
        inB = 11;
        Assert.Equal(11, At(a, 1).Value);
        Assert.Throws<ArgumentException>(() => b.Remove(keep));
        Assert.Equal([3, 2, 40, 30, 20, 11, 1], a.Reversed().ToList());

        b.AddLast(5);
        b.Splice(default, a, At(a, 0)); // one node from a to b's end
        Assert.Equal([5, 1], b.ToList());
        a.Splice(default, a, At(a, 0)); // within a: first to the end
        Assert.Equal([20, 30, 40, 2, 3, 11], a.ToList());
        a.Splice(At(a, 0), a, At(a, 3), default); // [2, 3, 11] to the front
        Assert.Equal([2, 3, 11, 20, 30, 40], a.ToList());
        b.Splice(At(b, 1), a, At(a, 1), At(a, 3)); // [3, 11] before b's second
        Assert.Equal([5, 3, 11, 1], b.ToList());
        Assert.Equal([2, 20, 30, 40], a.ToList());
        Assert.Equal([1, 11, 3, 5], b.Reversed().ToList());
        Assert.Equal([40, 30, 20, 2], a.Reversed().ToList());

        Assert.Throws<ArgumentException>(() => a.Splice(At(a, 1), a, At(a, 0), default)); // position inside the range
        Assert.Throws<ArgumentException>(() => a.Splice(default, b, At(b, 2), At(b, 0))); // last before first: reaches the end
        Assert.Equal([5, 3, 11, 1], b.ToList());
        Assert.Throws<ArgumentException>(() => a.Splice(At(b, 0), b)); // position in another list

        a.Destroy();
        b.Destroy();
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void Create_WithAnUnknownAllocatorKind_Throws_AndLeaksNothing()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SharedList<int>.Create(M, (AllocatorKind)99));
        Assert.Throws<ArgumentOutOfRangeException>(() => SharedSList<int>.Create(M, (AllocatorKind)99));
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void Merge_IsStable_AndEmptiesTheSource()
    {
        var cmp = Comparer<(int Key, int From)>.Create((x, y) => x.Key.CompareTo(y.Key));
        var a = SharedList<(int Key, int From)>.Create(M);
        var b = SharedList<(int Key, int From)>.Create(M);
        foreach (int k in new[] { 1, 3, 3, 7 })
        {
            a.AddLast((k, 0));
        }

        foreach (int k in new[] { 0, 3, 5, 7, 9 })
        {
            b.AddLast((k, 1));
        }

        a.Merge(b, cmp);
        Assert.Equal([(0, 1), (1, 0), (3, 0), (3, 0), (3, 1), (5, 1), (7, 0), (7, 1), (9, 1)], a.ToList());
        Assert.Equal(a.ToList().AsEnumerable().Reverse(), a.Reversed().ToList());
        Assert.Equal(0, b.Count);
        a.Merge(a, cmp); // itself: nothing
        Assert.Equal(9, a.Count);

        var s = SharedSList<(int Key, int From)>.Create(M);
        var t = SharedSList<(int Key, int From)>.Create(M);
        s.AddLast((2, 0));
        s.AddLast((4, 0));
        t.AddLast((2, 1));
        t.AddLast((6, 1));
        s.Merge(t, cmp);
        Assert.Equal([(2, 0), (2, 1), (4, 0), (6, 1)], s.ToList());
        Assert.Equal((6, 1), s.Last.Value);
        s.AddLast((8, 0));
        Assert.Equal(5, s.Count);

        a.Destroy();
        b.Destroy();
        s.Destroy();
        t.Destroy();
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void Splice_IsRefused_AcrossSegments_AllocatorKinds_AndPrivatePools()
    {
        using var other = new ManagedHeapMemory(1L << 20);
        var a = ListOf(M, [1]);
        var far = ListOf(other.Manager, [2]);
        var pooled = ListOf(M, [3], AllocatorKind.NodePool);
        var priv1 = ListOf(M, [4], AllocatorKind.PrivateNodePool);
        var priv2 = ListOf(M, [5], AllocatorKind.PrivateNodePool);
        Assert.Throws<ArgumentException>(() => a.Splice(default, far));
        Assert.Throws<ArgumentException>(() => a.Merge(far));
        Assert.Throws<ArgumentException>(() => a.Splice(default, pooled));
        Assert.Throws<ArgumentException>(() => priv1.Splice(default, priv2));
        Assert.Throws<InvalidOperationException>(() => a.Splice(default, default(SharedList<int>)));
        Assert.Equal([1], a.ToList());
        Assert.Equal([3], pooled.ToList());
        Assert.Equal([5], priv2.ToList());
        priv1.Splice(default, priv1, priv1.First); // within one private list: fine
        var sa = SListOf(M, [1]);
        var sp = SListOf(M, [2], AllocatorKind.AdaptivePool);
        Assert.Throws<ArgumentException>(() => sa.SpliceAfter(default, sp));
        Assert.Throws<ArgumentException>(() => sa.SpliceAfter(default, SListOf(other.Manager, [9])));

        // Lists with the same pooled kind share the pool: nodes may move, and the destination frees them.
        var pooled2 = ListOf(M, [6, 7], AllocatorKind.NodePool);
        pooled.Splice(default, pooled2);
        pooled2.Destroy();
        Assert.Equal([3, 6, 7], pooled.ToList());

        foreach (var l in new[] { a, pooled, priv1, priv2 })
        {
            l.Destroy();
        }

        sa.Destroy();
        sp.Destroy();
        far.Destroy();
        ContainerPools.Shrink(M);
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void SList_SpliceAfter_AndUnique_MatchTheModel()
    {
        var a = SListOf(M, [1, 2, 3]);
        var b = SListOf(M, [10, 20, 30]);
        a.SpliceAfter(At(a, 0), b);
        Assert.Equal([1, 10, 20, 30, 2, 3], a.ToList());
        Assert.Equal(0, b.Count);
        b.AddLast(7);
        b.SpliceAfter(default, a, default); // a's first to b's front
        Assert.Equal([1, 7], b.ToList());
        b.SpliceAfter(At(b, 1), a, At(a, 2)); // the node after 30 (= 2) to b's end
        Assert.Equal([1, 7, 2], b.ToList());
        Assert.Equal(2, b.Last.Value);
        Assert.Equal([10, 20, 30, 3], a.ToList());
        a.SpliceAfter(default, a, At(a, 1), At(a, 3)); // [30, 3] to the front
        Assert.Equal([30, 3, 10, 20], a.ToList());
        Assert.Equal(20, a.Last.Value);
        a.SpliceAfter(At(a, 3), b, default, At(b, 1)); // [1, 7] after 20
        Assert.Equal([30, 3, 10, 20, 1, 7], a.ToList());
        Assert.Equal(7, a.Last.Value);
        Assert.Equal([2], b.ToList());
        Assert.Equal(2, b.Last.Value);
        Assert.Throws<ArgumentException>(() => a.SpliceAfter(At(a, 2), a, default, At(a, 3))); // position inside
        Assert.Throws<ArgumentException>(() => a.SpliceAfter(default, b, At(b, 0))); // nothing follows

        var u = SListOf(M, [1, 1, 2, 2, 2, 1, 3, 3]);
        Assert.Equal(4, u.Unique());
        Assert.Equal([1, 2, 1, 3], u.ToList());
        Assert.Equal(3, u.Last.Value);

        a.Destroy();
        b.Destroy();
        u.Destroy();
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void Property_TwoListsUnderRandomSpliceMergeSortUnique_MatchListModels()
    {
        var gOp = Gen.Select(Gen.Int[0, 10], Gen.Int[0, 1000], Gen.Int[0, 1000], Gen.Int[0, 1000]);
        gOp.Array[0, 60].Sample(ops =>
        {
            var lists = new[] { SharedList<int>.Create(M), SharedList<int>.Create(M) };
            var models = new[] { new List<int>(), new List<int>() };
            foreach (var (op, p, q, r) in ops)
            {
                int d = p % 2, s = q % 2;
                var (dl, dm, sl, sm) = (lists[d], models[d], lists[s], models[s]);
                switch (op)
                {
                    case 0:
                    case 1:
                        dl.AddLast(r % 7);
                        dm.Add(r % 7);
                        break;
                    case 2: // whole list
                        if (d != s)
                        {
                            int at = r % (dm.Count + 1);
                            dl.Splice(at == dm.Count ? default : At(dl, at), sl);
                            dm.InsertRange(at, sm);
                            sm.Clear();
                        }

                        break;
                    case 3: // one node
                        if (sm.Count > 0)
                        {
                            int i = q % sm.Count;
                            int v = sm[i];
                            var node = At(sl, i);
                            int at = r % (dm.Count + 1);
                            var before = at == dm.Count ? default : At(dl, at);
                            dl.Splice(before, sl, node);
                            if (d == s)
                            {
                                // Model: remove then insert before the same element.
                                if (at != i)
                                {
                                    sm.RemoveAt(i);
                                    sm.Insert(at > i ? at - 1 : at, v);
                                }
                            }
                            else
                            {
                                sm.RemoveAt(i);
                                dm.Insert(at, v);
                            }
                        }

                        break;
                    case 4: // a range
                        if (sm.Count > 0)
                        {
                            int i = q % sm.Count;
                            int j = i + (r % (sm.Count - i + 1));
                            int at = p % (dm.Count + 1);
                            if (d == s && at > i && at <= j - 1)
                            {
                                break; // the position would be inside the range
                            }

                            var first = At(sl, i);
                            var last = j == sm.Count ? default : At(sl, j);
                            var before = at == dm.Count ? default : At(dl, at);
                            dl.Splice(before, sl, first, last);
                            var moved = sm.GetRange(i, j - i);
                            if (d == s)
                            {
                                if (j > i && at != i && at != j)
                                {
                                    sm.RemoveRange(i, j - i);
                                    sm.InsertRange(at > i ? at - (j - i) : at, moved);
                                }
                            }
                            else
                            {
                                sm.RemoveRange(i, j - i);
                                dm.InsertRange(at, moved);
                            }
                        }

                        break;
                    case 5:
                        dl.Sort();
                        dm.Sort();
                        break;
                    case 6:
                        if (d != s)
                        {
                            dl.Sort();
                            sl.Sort();
                            dm.Sort();
                            sm.Sort();
                            dl.Merge(sl);
                            dm.AddRange(sm);
                            dm.Sort();
                            sm.Clear();
                        }

                        break;
                    case 7:
                        int removed = 0;
                        for (int i = dm.Count - 1; i > 0; i--)
                        {
                            if (dm[i] == dm[i - 1])
                            {
                                dm.RemoveAt(i);
                                removed++;
                            }
                        }

                        Assert.Equal(removed, dl.Unique());
                        break;
                    case 8:
                        dl.Reverse();
                        dm.Reverse();
                        break;
                    case 9:
                        Assert.Equal(dm.RemoveAll(x => x % 3 == 0), dl.RemoveAll(x => x % 3 == 0));
                        break;
                    default:
                        dl.RemoveFirstIfAny(dm);
                        break;
                }

                for (int k = 0; k < 2; k++)
                {
                    Assert.Equal(models[k], lists[k].ToList());
                    Assert.Equal(models[k].AsEnumerable().Reverse(), lists[k].Reversed().ToList());
                    Assert.Equal(models[k].Count, lists[k].Count);
                }
            }

            lists[0].Destroy();
            lists[1].Destroy();
            Assert.True(M.AllMemoryDeallocated());
        }, iter: 150, threads: 1);
    }

    [Fact]
    public void Property_SListsUnderRandomSpliceAfterMergeUnique_MatchListModels()
    {
        var gOp = Gen.Select(Gen.Int[0, 7], Gen.Int[0, 1000], Gen.Int[0, 1000], Gen.Int[0, 1000]);
        gOp.Array[0, 60].Sample(ops =>
        {
            var lists = new[] { SharedSList<int>.Create(M), SharedSList<int>.Create(M) };
            var models = new[] { new List<int>(), new List<int>() };
            foreach (var (op, p, q, r) in ops)
            {
                int d = p % 2, s = q % 2;
                var (dl, dm, sl, sm) = (lists[d], models[d], lists[s], models[s]);
                switch (op)
                {
                    case 0:
                    case 1:
                        dl.AddLast(r % 5);
                        dm.Add(r % 5);
                        break;
                    case 2:
                        if (d != s)
                        {
                            int at = r % (dm.Count + 1); // insert after the at-th element (0 = front)
                            dl.SpliceAfter(at == 0 ? default : At(dl, at - 1), sl);
                            dm.InsertRange(at, sm);
                            sm.Clear();
                        }

                        break;
                    case 3: // a range (previous, last]
                        if (sm.Count > 0)
                        {
                            int i = q % sm.Count; // first moved index
                            int j = i + (r % (sm.Count - i)); // last moved index
                            int at = p % (dm.Count + 1);
                            if (d == s && at > i && at <= j + 1)
                            {
                                if (at != i)
                                {
                                    break; // position inside the range (or right after `previous`: no change, tested below)
                                }
                            }

                            var prev = i == 0 ? default : At(sl, i - 1);
                            var last = At(sl, j);
                            var pos = at == 0 ? default : At(dl, at - 1);
                            if (d == s && at == i)
                            {
                                dl.SpliceAfter(pos, sl, prev, last); // after `previous` itself: nothing changes
                                break;
                            }

                            dl.SpliceAfter(pos, sl, prev, last);
                            var moved = sm.GetRange(i, j - i + 1);
                            if (d == s)
                            {
                                sm.RemoveRange(i, moved.Count);
                                sm.InsertRange(at > i ? at - moved.Count : at, moved);
                            }
                            else
                            {
                                sm.RemoveRange(i, moved.Count);
                                dm.InsertRange(at, moved);
                            }
                        }

                        break;
                    case 4:
                        if (d != s)
                        {
                            dl.Sort();
                            sl.Sort();
                            dl.Merge(sl);
                            dm.AddRange(sm);
                            dm.Sort();
                            sm.Clear();
                        }

                        break;
                    case 5:
                        int removed = 0;
                        for (int i = dm.Count - 1; i > 0; i--)
                        {
                            if (dm[i] == dm[i - 1])
                            {
                                dm.RemoveAt(i);
                                removed++;
                            }
                        }

                        Assert.Equal(removed, dl.Unique());
                        break;
                    case 6:
                        dl.Reverse();
                        dm.Reverse();
                        break;
                    default:
                        if (dm.Count > 0)
                        {
                            dl.RemoveFirst();
                            dm.RemoveAt(0);
                        }

                        break;
                }

                for (int k = 0; k < 2; k++)
                {
                    Assert.Equal(models[k], lists[k].ToList());
                    Assert.Equal(models[k].Count, lists[k].Count);
                    if (models[k].Count > 0)
                    {
                        Assert.Equal(models[k][^1], lists[k].Last.Value);
                    }
                }

                // The tail is right: adding at the end lands after the last element.
                dl.AddLast(99);
                dm.Add(99);
                Assert.Equal(dm, dl.ToList());
            }

            lists[0].Destroy();
            lists[1].Destroy();
            Assert.True(M.AllMemoryDeallocated());
        }, iter: 150, threads: 1);
    }
}

/// <summary>Small helpers for the list tests.</summary>
internal static class ListTestExtensions
{
    public static void RemoveFirstIfAny(this SharedList<int> list, List<int> model)
    {
        if (model.Count > 0)
        {
            list.RemoveFirst();
            model.RemoveAt(0);
        }
    }
}
