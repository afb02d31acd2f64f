using CsCheck;
using Interprocess.Containers;
using Interprocess.Managed;

namespace Interprocess.Tests.Containers;

/// <summary>SharedDeque against List: Boost's deque_test scenarios, random operation sequences, corruption.</summary>
public sealed unsafe class SharedDequeTests : IDisposable
{
    private readonly ManagedHeapMemory _heap = new(32L << 20);

    private SegmentManager M => _heap.Manager;

    public void Dispose() => _heap.Dispose();

    [Fact]
    public void PushPopBothEnds_AndIndexing_MatchList()
    {
        var dq = SharedDeque<long>.Create(M);
        var model = new List<long>();
        for (long i = 0; i < 5000; i++)
        {
            dq.AddLast(i);
            model.Add(i);
            dq.AddFirst(-i);
            model.Insert(0, -i);
        }

        Assert.Equal(model.Count, dq.Count);
        for (int i = 0; i < model.Count; i += 97)
        {
            Assert.Equal(model[i], dq[i]);
        }

        Assert.Equal(model, dq.ToList());
        dq[10] = 12345;
        model[10] = 12345;
        dq[11] += 1;
        model[11] += 1;
        for (int i = 0; i < 3000; i++)
        {
            dq.RemoveFirst();
            model.RemoveAt(0);
            dq.RemoveLast();
            model.RemoveAt(model.Count - 1);
        }

        Assert.Equal(model, dq.ToArray());
        Assert.True(dq.TryTakeFirst(out long f));
        Assert.Equal(model[0], f);
        Assert.True(dq.TryTakeLast(out long l));
        Assert.Equal(model[^1], l);
        model.RemoveAt(0);
        model.RemoveAt(model.Count - 1);
        Assert.Equal(model, dq.ToList());
        dq.Clear();
        Assert.Equal(0, dq.Count);
        Assert.False(dq.TryTakeFirst(out _));
        Assert.Throws<InvalidOperationException>(() => dq.RemoveLast());
        dq.AddFirst(1);
        Assert.Equal(1, dq[0]);
        dq.Destroy();
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void InsertAndRemoveAt_ShiftTheShorterSide()
    {
        var dq = SharedDeque<int>.Create(M);
        var model = new List<int>();
        var rnd = new Random(11);
        for (int i = 0; i < 2000; i++)
        {
            int at = rnd.Next(model.Count + 1);
            dq.Insert(at, i);
            model.Insert(at, i);
        }

        Assert.Equal(model, dq.ToList());
        for (int i = 0; i < 1500; i++)
        {
            int at = rnd.Next(model.Count);
            dq.RemoveAt(at);
            model.RemoveAt(at);
        }

        Assert.Equal(model, dq.ToList());
        Assert.Throws<ArgumentOutOfRangeException>(() => dq.Insert(-1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => dq.Insert(model.Count + 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => dq.RemoveAt(model.Count));
        Assert.Throws<ArgumentOutOfRangeException>(() => dq[model.Count]);
        Assert.Throws<ArgumentOutOfRangeException>(() => dq[-1]);
        Assert.Throws<ArgumentException>(() => dq.CopyTo(new int[model.Count - 1]));
        dq.Destroy();
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void Property_RandomOperations_MatchList()
    {
        Gen.Select(Gen.Int[0, 7], Gen.Int, Gen.Int[0, 1000]).Array[0, 400].Sample(ops =>
        {
            var dq = SharedDeque<int>.Create(M);
            var model = new List<int>();
            foreach (var (op, x, pos) in ops)
            {
                switch (op)
                {
                    case 0:
                    case 1:
                        dq.AddLast(x);
                        model.Add(x);
                        break;
                    case 2:
                    case 3:
                        dq.AddFirst(x);
                        model.Insert(0, x);
                        break;
                    case 4:
                        Assert.Equal(model.Count > 0, dq.TryTakeFirst(out int a));
                        if (model.Count > 0)
                        {
                            Assert.Equal(model[0], a);
                            model.RemoveAt(0);
                        }

                        break;
                    case 5:
                        if (model.Count > 0)
                        {
                            Assert.Equal(model[^1], dq[model.Count - 1]);
                            dq.RemoveLast();
                            model.RemoveAt(model.Count - 1);
                        }

                        break;
                    case 6:
                        int at = pos % (model.Count + 1);
                        dq.Insert(at, x);
                        model.Insert(at, x);
                        break;
                    default:
                        if (model.Count > 0)
                        {
                            int r = pos % model.Count;
                            dq.RemoveAt(r);
                            model.RemoveAt(r);
                        }

                        break;
                }
            }

            Assert.Equal(model, dq.ToList());
            Assert.Equal(model, dq);
            dq.Destroy();
        }, iter: 200);
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void OwnedElements_AreDestroyed()
    {
        var dq = SharedDeque<OwnedBlock>.Create(M);
        for (int i = 0; i < 300; i++)
        {
            dq.AddLast(OwnedBlock.New(M, i));
            dq.AddFirst(OwnedBlock.New(M, -i));
        }

        dq.RemoveFirst();
        dq.RemoveLast();
        dq.RemoveAt(100);
        Assert.True(dq.TryTakeFirst(out var taken));
        taken.Destroy();
        dq.Clear();
        dq.AddLast(OwnedBlock.New(M, 5));
        dq.Destroy();
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void CorruptedMap_GivesInterprocessException()
    {
        var dq = SharedDeque<long>.Create(M);
        for (int i = 0; i < 1000; i++)
        {
            dq.AddLast(i);
        }

        var h = (DequeHeader*)ContainerTestHelpers.HeaderOf(dq, M);
        long* map = (long*)(M.BasePointer + h->Map);
        long block = map[h->FirstBlock];
        map[h->FirstBlock] = M.Size + 64;
        Assert.Equal(InterprocessErrorCode.Corrupted, Assert.Throws<InterprocessException>(() => dq[0]).ErrorCode);
        map[h->FirstBlock] = block;
        long count = h->Count;
        h->Count = 1L << 40;
        Assert.Equal(InterprocessErrorCode.Corrupted, Assert.Throws<InterprocessException>(() => dq.Count).ErrorCode);
        h->Count = count;
        Assert.Equal(999, dq[999]);
        dq.Destroy();
        Assert.Throws<InvalidOperationException>(() => dq.AddLast(1));
        Assert.True(M.AllMemoryDeallocated());
    }
}
