using CsCheck;
using Interprocess.Containers;
using Interprocess.Managed;

namespace Interprocess.Tests.Containers;

/// <summary>SharedList against LinkedList: Boost's list_test scenarios, random operation sequences, cursors, corruption.</summary>
public sealed unsafe class SharedListTests : IDisposable
{
    private readonly ManagedHeapMemory _heap = new(16L << 20);

    private SegmentManager M => _heap.Manager;

    public void Dispose() => _heap.Dispose();

    [Fact]
    public void PushPopInsertErase_MatchLinkedList()
    {
        var list = SharedList<int>.Create(M);
        var model = new LinkedList<int>();
        for (int i = 0; i < 50; i++)
        {
            list.AddLast(i);
            model.AddLast(i);
            list.AddFirst(-i);
            model.AddFirst(-i);
        }

        Assert.Equal(model, list.ToList());
        list.RemoveFirst();
        model.RemoveFirst();
        list.RemoveLast();
        model.RemoveLast();
        var at = list.Find(10);
        list.AddBefore(at, 1000);
        list.AddAfter(at, 2000);
        model.AddBefore(model.Find(10)!, 1000);
        model.AddAfter(model.Find(10)!, 2000);
        Assert.Equal(model, list.ToList());
        list.Remove(at);
        model.Remove(10);
        Assert.Equal(model, list.ToList());
        Assert.Equal(model.Reverse(), list.Reversed().ToList());
        Assert.Equal(model.First!.Value, list.First.Value);
        Assert.Equal(model.Last!.Value, list.Last.Value);
        Assert.Equal(model.First.Next!.Value, list.First.Next.Value);
        Assert.Equal(model.Last.Previous!.Value, list.Last.Previous.Value);
        Assert.True(list.Last.Next.IsNull);
        Assert.True(list.First.Previous.IsNull);
        list.First.Value = 77;
        Assert.Equal(77, list.ToList()[0]);
        list.Destroy();
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void ReverseSortRemoveUnique_MatchBoostListSemantics()
    {
        var list = SharedList<int>.Create(M);
        int[] values = [5, 3, 3, 9, 1, 1, 1, 7, 3, 0];
        foreach (int v in values)
        {
            list.AddLast(v);
        }

        list.Reverse();
        Assert.Equal(values.Reverse(), list.ToList());
        list.Sort();
        Assert.Equal(values.Order(), list.ToList());
        Assert.Equal(values.Order().Reverse(), list.Reversed().ToList());
        Assert.Equal(4, list.Unique());
        Assert.Equal([0, 1, 3, 5, 7, 9], list.ToList());
        Assert.True(list.Remove(5));
        Assert.False(list.Remove(5));
        Assert.Equal(2, list.RemoveAll(x => x > 5));
        Assert.Equal([0, 1, 3], list.ToList());
        list.Sort(Comparer<int>.Create((a, b) => b.CompareTo(a)));
        Assert.Equal([3, 1, 0], list.ToList());
        Assert.True(list.Contains(1));
        Assert.Equal(list.First.Next, list.FindLast(1));
        list.Clear();
        Assert.Equal(0, list.Count);
        Assert.True(list.First.IsNull);
        Assert.Throws<InvalidOperationException>(() => list.RemoveFirst());
        Assert.Throws<InvalidOperationException>(() => list.RemoveLast());
        list.Destroy();
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void Sort_IsStable()
    {
        var list = SharedList<(int Key, int Seq)>.Create(M);
        var rnd = new Random(3);
        var model = new List<(int Key, int Seq)>();
        for (int i = 0; i < 1000; i++)
        {
            var x = (rnd.Next(20), i);
            list.AddLast(x);
            model.Add(x);
        }

        list.Sort(Comparer<(int Key, int Seq)>.Create((a, b) => a.Key.CompareTo(b.Key)));
        Assert.Equal(model.OrderBy(x => x.Key), list.ToList());
        Assert.Equal(model.OrderBy(x => x.Key).Reverse(), list.Reversed().ToList());
        list.Destroy();
    }

    [Fact]
    public void Property_RandomOperations_MatchLinkedList()
    {
        Gen.Select(Gen.Int[0, 8], Gen.Int[0, 30]).Array[0, 150].Sample(ops =>
        {
            var list = SharedList<int>.Create(M);
            var model = new LinkedList<int>();
            foreach (var (op, x) in ops)
            {
                switch (op)
                {
                    case 0:
                        list.AddFirst(x);
                        model.AddFirst(x);
                        break;
                    case 1:
                        list.AddLast(x);
                        model.AddLast(x);
                        break;
                    case 2:
                        if (model.Count > 0)
                        {
                            list.RemoveFirst();
                            model.RemoveFirst();
                        }

                        break;
                    case 3:
                        if (model.Count > 0)
                        {
                            list.RemoveLast();
                            model.RemoveLast();
                        }

                        break;
                    case 4:
                        Assert.Equal(model.Remove(x), list.Remove(x));
                        break;
                    case 5:
                        var n = model.Find(x);
                        if (n is not null)
                        {
                            model.AddAfter(n, x + 100);
                            list.AddAfter(list.Find(x), x + 100);
                        }

                        break;
                    case 6:
                        list.Sort();
                        var sorted = model.Order().ToList();
                        model = new LinkedList<int>(sorted);
                        break;
                    case 7:
                        list.Reverse();
                        model = new LinkedList<int>(model.Reverse());
                        break;
                    default:
                        var f = model.FindLast(x);
                        if (f is not null)
                        {
                            model.AddBefore(f, -x);
                            list.AddBefore(list.FindLast(x), -x);
                        }

                        break;
                }
            }

            Assert.Equal(model, list.ToList());
            Assert.Equal(model.Reverse(), list.Reversed().ToList());
            list.Destroy();
        }, iter: 200);
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void Cursors_ToRemovedNodesOrOtherLists_AreRefused()
    {
        var a = SharedList<long>.Create(M);
        var b = SharedList<long>.Create(M);
        var n = a.AddLast(1);
        a.AddLast(2);
        var other = b.AddLast(3);
        Assert.Throws<ArgumentException>(() => a.AddAfter(other, 5));
        Assert.Throws<ArgumentException>(() => a.Remove(other));
        Assert.Throws<ArgumentException>(() => a.AddBefore(default, 5));
        a.Remove(n);
        Assert.Throws<ArgumentException>(() => a.Remove(n));
        Assert.Throws<ArgumentException>(() => n.Value);
        Assert.Throws<InvalidOperationException>(() => default(SharedListNode<long>).Value);
        Assert.Equal(a, n.List);
        a.Destroy();
        b.Destroy();
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void Enumeration_ThrowsWhenTheListChanges()
    {
        var list = SharedList<int>.Create(M);
        list.AddLast(1);
        list.AddLast(2);
        Assert.Throws<InvalidOperationException>(() =>
        {
            foreach (int x in list)
            {
                list.AddLast(x);
            }
        });
        list.Destroy();
    }

    [Fact]
    public void OwnedElements_AreDestroyed_ByEveryRemoval()
    {
        var list = SharedList<OwnedBlock>.Create(M);
        for (int i = 0; i < 10; i++)
        {
            list.AddLast(OwnedBlock.New(M, i));
        }

        list.RemoveFirst();
        list.RemoveLast();
        list.Remove(list.First.Next);
        Assert.Equal(1, list.RemoveAll(b => b.ReadTag() == 5));
        Assert.Equal(3, list.First.Next.Value.ReadTag());
        list.Clear();
        list.AddLast(OwnedBlock.New(M, 1));
        list.Destroy();
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void CorruptedLinks_GiveInterprocessException()
    {
        var list = SharedList<long>.Create(M);
        list.AddLast(1);
        var second = list.AddLast(2);
        list.AddLast(3);
        var header = (LinkedHeader*)ContainerTestHelpers.HeaderOf(list, M);
        var node = (ListNode<long>*)(M.BasePointer + second.NodeHandle);
        long next = node->Next;

        node->Next = M.Size - 8;
        Assert.Equal(InterprocessErrorCode.Corrupted, Assert.Throws<InterprocessException>(() => list.ToList()).ErrorCode);
        node->Next = header->Head;
        Assert.Equal(InterprocessErrorCode.Corrupted, Assert.Throws<InterprocessException>(() => list.ToList()).ErrorCode);
        node->Next = list.Find(1).NodeHandle; // a cycle back to the first node
        Assert.Throws<InterprocessException>(() => list.Sort());
        node->Next = next;
        node->Tag ^= 0x100;
        Assert.Throws<InterprocessException>(() => list.Contains(3));
        node->Tag ^= 0x100;
        Assert.Equal([1L, 2, 3], list.ToList());
        list.Destroy();
    }
}
