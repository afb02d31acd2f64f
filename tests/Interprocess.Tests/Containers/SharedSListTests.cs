using CsCheck;
using Interprocess.Containers;
using Interprocess.Managed;

namespace Interprocess.Tests.Containers;

/// <summary>SharedSList against List: Boost's slist_test scenarios and random operation sequences.</summary>
public sealed unsafe class SharedSListTests : IDisposable
{
    private readonly ManagedHeapMemory _heap = new(16L << 20);

    private SegmentManager M => _heap.Manager;

    public void Dispose() => _heap.Dispose();

    [Fact]
    public void InsertAfterEraseAfter_MatchList()
    {
        var list = SharedSList<int>.Create(M);
        var model = new List<int>();
        for (int i = 0; i < 20; i++)
        {
            list.AddFirst(i);
            model.Insert(0, i);
            list.AddLast(100 + i);
            model.Add(100 + i);
        }

        Assert.Equal(model, list.ToList());
        var at = list.Find(5);
        var added = list.InsertAfter(at, 555);
        model.Insert(model.IndexOf(5) + 1, 555);
        Assert.Equal(555, added.Value);
        Assert.Equal(555, at.Next.Value);
        Assert.True(list.RemoveAfter(added));
        model.RemoveAt(model.IndexOf(555) + 1);
        Assert.Equal(model, list.ToList());
        Assert.False(list.RemoveAfter(list.Last));
        list.RemoveFirst();
        model.RemoveAt(0);
        Assert.Equal(model, list.ToList());
        Assert.Equal(model[^1], list.Last.Value);
        list.Reverse();
        model.Reverse();
        Assert.Equal(model, list.ToList());
        list.AddLast(-1);
        model.Add(-1);
        list.Sort();
        model.Sort();
        Assert.Equal(model, list.ToList());
        Assert.Equal(model[^1], list.Last.Value);
        list.AddLast(1000);
        Assert.Equal(1000, list.Last.Value);
        Assert.True(list.Remove(1000));
        Assert.Equal(model[^1], list.Last.Value);
        Assert.Equal(model.RemoveAll(x => x % 3 == 0), list.RemoveAll(x => x % 3 == 0));
        Assert.Equal(model, list.ToList());
        Assert.Equal(model[^1], list.Last.Value);
        list.Clear();
        Assert.Throws<InvalidOperationException>(() => list.RemoveFirst());
        list.Destroy();
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void Property_RandomOperations_MatchList()
    {
        Gen.Select(Gen.Int[0, 6], Gen.Int[0, 20]).Array[0, 150].Sample(ops =>
        {
            var list = SharedSList<int>.Create(M);
            var model = new List<int>();
            foreach (var (op, x) in ops)
            {
                switch (op)
                {
                    case 0:
                        list.AddFirst(x);
                        model.Insert(0, x);
                        break;
                    case 1:
                        list.AddLast(x);
                        model.Add(x);
                        break;
                    case 2:
                        if (model.Count > 0)
                        {
                            list.RemoveFirst();
                            model.RemoveAt(0);
                        }

                        break;
                    case 3:
                        Assert.Equal(model.Remove(x), list.Remove(x));
                        break;
                    case 4:
                        int i = model.IndexOf(x);
                        if (i >= 0)
                        {
                            list.InsertAfter(list.Find(x), -x);
                            model.Insert(i + 1, -x);
                        }

                        break;
                    case 5:
                        list.Sort();
                        model.Sort();
                        break;
                    default:
                        list.Reverse();
                        model.Reverse();
                        break;
                }

                Assert.Equal(model.Count, list.Count);
                if (model.Count > 0)
                {
                    Assert.Equal(model[^1], list.Last.Value);
                }
            }

            Assert.Equal(model, list.ToList());
            list.Destroy();
        }, iter: 200);
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void OwnedElements_AndBadCursors()
    {
        var list = SharedSList<OwnedBlock>.Create(M);
        var first = list.AddLast(OwnedBlock.New(M, 1));
        list.AddLast(OwnedBlock.New(M, 2));
        list.AddLast(OwnedBlock.New(M, 3));
        Assert.True(list.RemoveAfter(first));
        list.RemoveFirst();
        Assert.Throws<ArgumentException>(() => list.InsertAfter(first, default));
        Assert.Throws<ArgumentException>(() => list.RemoveAfter(default));
        list.Destroy();
        Assert.True(M.AllMemoryDeallocated());
        Assert.Throws<InvalidOperationException>(() => list.Count);
    }

    [Fact]
    public void CorruptedLinks_GiveInterprocessException()
    {
        var list = SharedSList<long>.Create(M);
        var first = list.AddLast(1);
        list.AddLast(2);
        var node = (SListNode<long>*)(M.BasePointer + first.NodeHandle);
        long next = node->Next;
        node->Next = 3;
        Assert.Equal(InterprocessErrorCode.Corrupted, Assert.Throws<InterprocessException>(() => list.ToList()).ErrorCode);
        node->Next = first.NodeHandle;
        Assert.Throws<InterprocessException>(() => list.Reverse());
        Assert.Throws<InterprocessException>(() => list.Contains(7));
        node->Next = next;
        Assert.Equal([1L, 2], list.ToList());
        list.Destroy();
    }
}
