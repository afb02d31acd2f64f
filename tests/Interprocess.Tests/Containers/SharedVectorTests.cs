using System.Runtime.CompilerServices;
using CsCheck;
using Interprocess.Containers;
using Interprocess.Managed;
using Interprocess.Synchronization;
using Interprocess.Tests.Infrastructure;

namespace Interprocess.Tests.Containers;

/// <summary>
/// SharedVector: Boost's vector_test scenarios checked against List&lt;T&gt;, random operation sequences against
/// List&lt;T&gt; (CsCheck), nesting, the copy rule, stale handles, read-only segments, bad inputs, two processes.
/// </summary>
public sealed unsafe class SharedVectorTests : IDisposable
{
    private readonly ManagedHeapMemory _heap = new(32L << 20);

    private SegmentManager M => _heap.Manager;

    public void Dispose() => _heap.Dispose();

    private struct Point : IEquatable<Point>
    {
        public int X;
        public long Y;

        public readonly bool Equals(Point other) => X == other.X && Y == other.Y;

        public override readonly bool Equals(object? obj) => obj is Point p && Equals(p);

        public override readonly int GetHashCode() => HashCode.Combine(X, Y);
    }

    private static void AssertSame<T>(List<T> expected, SharedVector<T> actual)
        where T : unmanaged
    {
        Assert.Equal(expected.Count, actual.Count);
        Assert.True(actual.Capacity >= actual.Count);
        Assert.Equal(expected, actual.ToArray());
        var viaEnumerator = new List<T>();
        foreach (var x in actual)
        {
            viaEnumerator.Add(x);
        }

        Assert.Equal(expected, viaEnumerator);
    }

    [Fact]
    public void BoostVectorTestScenarios_MatchList()
    {
        var v = SharedVector<int>.Create(M);
        var l = new List<int>();
        Assert.Equal(0, v.Count);
        Assert.Equal(0, v.Capacity);

        // push_back
        for (int i = 0; i < 50; i++)
        {
            v.Add(i);
            l.Add(i);
        }

        AssertSame(l, v);

        // insert at the front, the middle, the end; insert a range
        v.Insert(0, -1);
        l.Insert(0, -1);
        v.Insert(25, -25);
        l.Insert(25, -25);
        v.Insert(v.Count, -99);
        l.Insert(l.Count, -99);
        int[] range = [7, 8, 9, 10];
        v.InsertRange(3, range);
        l.InsertRange(3, range);
        v.AddRange(range);
        l.AddRange(range);
        AssertSame(l, v);

        // erase one, erase a range, remove by value
        v.RemoveAt(0);
        l.RemoveAt(0);
        v.RemoveRange(10, 5);
        l.RemoveRange(10, 5);
        Assert.Equal(l.Remove(-25), v.Remove(-25));
        Assert.Equal(l.Remove(12345), v.Remove(12345));
        AssertSame(l, v);

        // element access: front/back/operator[] by reference
        v[0] = 1000;
        l[0] = 1000;
        v[^1] += 5;
        l[^1] += 5;
        ref int r = ref v[10];
        r = 77;
        l[10] = 77;
        AssertSame(l, v);
        Assert.Equal(l.IndexOf(77), v.IndexOf(77));
        Assert.True(v.Contains(1000));
        Assert.False(v.Contains(-12345));

        // resize up (default and value) and down
        v.Resize(100);
        l.AddRange(new int[100 - l.Count]);
        v.Resize(120, 3);
        l.AddRange(Enumerable.Repeat(3, 20));
        AssertSame(l, v);
        v.Resize(10);
        l.RemoveRange(10, l.Count - 10);
        AssertSame(l, v);

        // reserve, shrink_to_fit, clear
        v.Reserve(1000);
        Assert.True(v.Capacity >= 1000);
        AssertSame(l, v);
        v.ShrinkToFit();
        Assert.True(v.Capacity < 1000);
        AssertSame(l, v);
        v.Clear();
        l.Clear();
        AssertSame(l, v);
        v.ShrinkToFit();
        Assert.Equal(0, v.Capacity);

        v.Destroy();
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void SpansCopyAndConversions_SeeTheElements()
    {
        var v = SharedVector<Point>.Create(M);
        for (int i = 0; i < 10; i++)
        {
            v.Add(new Point { X = i, Y = -i });
        }

        Span<Point> span = v.AsSpan();
        span[3].Y = 333;
        Assert.Equal(333, v.Get(3).Y);
        Assert.Equal(333, v.AsReadOnlySpan()[3].Y);
        var dest = new Point[12];
        v.CopyTo(dest);
        Assert.Equal(9, dest[9].X);
        Assert.Throws<ArgumentException>(() => v.CopyTo(new Point[5]));
        Assert.Equal(v.ToArray(), v.ToList());
        Assert.Equal(3, v.IndexOf(new Point { X = 3, Y = 333 }));
        v.Destroy();
    }

    [Fact]
    public void AddRange_FromItsOwnSpan_IsSafe_EvenWhenTheBufferMoves()
    {
        var v = SharedVector<int>.Create(M);
        var blocker = SharedVector<int>.Create(M);
        v.AddRange([1, 2, 3, 4]);
        blocker.Add(1); // the block after v's buffer is taken: v must move to grow
        var l = new List<int> { 1, 2, 3, 4 };
        for (int round = 0; round < 6; round++)
        {
            v.AddRange(v.AsReadOnlySpan());
            l.AddRange(l.ToArray());
            v.InsertRange(1, v.AsReadOnlySpan()[..2]);
            l.InsertRange(1, l.GetRange(0, 2));
        }

        AssertSame(l, v);
        v.Destroy();
        blocker.Destroy();
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void Growth_IsGeometric_AndExpandsInPlaceWhenTheNextBlockIsFree()
    {
        var v = SharedVector<long>.Create(M);
        int reallocations = 0;
        int lastCapacity = 0;
        v.Add(0);
        nint start = (nint)Unsafe.AsPointer(ref v[0]);
        bool moved = false;
        for (int i = 1; i < 100_000; i++)
        {
            v.Add(i);
            if (v.Capacity != lastCapacity)
            {
                reallocations++;
                Assert.True(v.Capacity >= lastCapacity * 2 || lastCapacity == 0, $"capacity {lastCapacity} -> {v.Capacity}");
                lastCapacity = v.Capacity;
                moved |= (nint)Unsafe.AsPointer(ref v[0]) != start;
            }
        }

        Assert.InRange(reallocations, 1, 20);
        Assert.False(moved); // nothing follows the buffer in this segment: every growth was in place
        Assert.Equal(99_999, v[^1]);
        v.Destroy();
    }

    [Fact]
    public void RandomOperationSequences_MatchList() =>
        Gen.Select(Gen.Int[0, 11], Gen.Int[-1000, 1000], Gen.Int[0, 64]).Array[0, 150].Sample(ops =>
        {
            var v = SharedVector<int>.Create(M);
            var l = new List<int>();
            try
            {
                foreach (var (op, value, k) in ops)
                {
                    switch (op)
                    {
                        case 0:
                        case 1:
                        case 2:
                            v.Add(value);
                            l.Add(value);
                            break;
                        case 3:
                            v.Insert(k % (l.Count + 1), value);
                            l.Insert(k % (l.Count + 1), value);
                            break;
                        case 4 when l.Count > 0:
                            v.RemoveAt(k % l.Count);
                            l.RemoveAt(k % l.Count);
                            break;
                        case 5 when l.Count > 0:
                            int at = k % l.Count;
                            int n = Math.Min(value & 7, l.Count - at);
                            v.RemoveRange(at, n);
                            l.RemoveRange(at, n);
                            break;
                        case 6:
                            var items = Enumerable.Range(value, k % 9).ToArray();
                            v.AddRange(items);
                            l.AddRange(items);
                            break;
                        case 7 when l.Count > 0:
                            v[k % l.Count] = value;
                            l[k % l.Count] = value;
                            break;
                        case 8:
                            v.Resize(k, value);
                            if (k < l.Count)
                            {
                                l.RemoveRange(k, l.Count - k);
                            }
                            else
                            {
                                l.AddRange(Enumerable.Repeat(value, k - l.Count));
                            }

                            break;
                        case 9:
                            Assert.Equal(l.Remove(value), v.Remove(value));
                            break;
                        case 10:
                            v.ShrinkToFit();
                            break;
                        case 11 when value % 10 == 0:
                            v.Clear();
                            l.Clear();
                            break;
                    }

                    Assert.Equal(l.Count, v.Count);
                }

                AssertSame(l, v);
            }
            finally
            {
                v.Destroy();
            }

            Assert.True(M.AllMemoryDeallocated());
        }, iter: 200, threads: 1); // one thread: the model check includes AllMemoryDeallocated of the shared segment

    [Fact]
    public void VectorOfStrings_DestroyFreesTheInnerStrings()
    {
        var v = SharedVector<SharedString>.Create(M);
        for (int i = 0; i < 100; i++)
        {
            v.Add(SharedString.From(M, i % 3 == 0 ? new string('z', 100) + i : "s" + i));
        }

        Assert.Equal("s1", v[1].ToString());
        Assert.True(v[0].Equals(new string('z', 100) + "0"));

        // RemoveAt and Clear destroy what they remove; overwriting does not.
        var removed = v[5];
        v.RemoveAt(5);
        Assert.Throws<InvalidOperationException>(() => removed.ToString());
        var kept = v[6];
        v[6] = SharedString.From(M, "replacement");
        Assert.Equal("s7", kept.ToString()); // the old value is still alive: the caller owns it now
        kept.Destroy();
        v.RemoveRange(0, 10);
        v.Resize(50);                       // drops 40 more
        Assert.Equal(50, v.Count);
        v.Destroy();
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void VectorOfVectors_Nests()
    {
        var outer = SharedVector<SharedVector<int>>.Create(M);
        for (int i = 0; i < 10; i++)
        {
            var inner = SharedVector<int>.Create(M);
            for (int j = 0; j < i; j++)
            {
                inner.Add(j);
            }

            outer.Add(inner);
        }

        Assert.Equal(120, outer.ToArray().Sum(x => x.ToArray().Sum())); // sum over i < 10 of 0 + ... + (i - 1)
        outer[3].Add(100); // the handle read from the outer vector aliases the inner vector
        Assert.Equal(4, outer[3].Count);
        outer.Clear();
        outer.Destroy();
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void CopiedHandles_AliasTheSameVector_AndEquality_IsIdentity()
    {
        var a = SharedVector<int>.Create(M);
        var b = a;
        b.Add(5);
        Assert.Equal(1, a.Count);
        var holder = SharedVector<SharedVector<int>>.Create(M);
        holder.Add(a);
        var c = holder[0];
        c.Add(6);
        Assert.Equal(new[] { 5, 6 }, a.ToArray());
        Assert.True(a == c);
        Assert.Equal(a.GetHashCode(), c.GetHashCode());
        var other = SharedVector<int>.Create(M);
        Assert.True(a != other);
        Assert.False(a.Equals((object)other));
        other.Destroy();
        holder.Destroy(); // destroys a too: it owns its elements
        Assert.Throws<InvalidOperationException>(() => b.Count);
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void StaleAndDefaultHandles_Throw()
    {
        var v = SharedVector<int>.Create(M);
        v.Add(1);
        var copy = v;
        v.Destroy();
        Assert.Throws<InvalidOperationException>(() => copy.Count);
        Assert.Throws<InvalidOperationException>(() => copy.Add(2));
        Assert.Throws<InvalidOperationException>(() => copy.Destroy());

        // The header's memory reused by another vector: the old handle is still refused (the stamp differs).
        var reuse = SharedVector<int>.Create(M);
        Assert.Throws<InvalidOperationException>(() => copy.Count);
        reuse.Destroy();

        SharedVector<int> none = default;
        Assert.True(none.IsDefault);
        Assert.Throws<InvalidOperationException>(() => none.Count);
        Assert.Throws<InvalidOperationException>(() => none.Add(1));
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void AHandleReinterpretedAsAnotherElementType_IsRefused()
    {
        var v = SharedVector<int>.Create(M);
        var asLong = Unsafe.As<SharedVector<int>, SharedVector<long>>(ref v);
        var e = Assert.Throws<InvalidOperationException>(() => asLong.Count);
        Assert.Contains("type", e.Message, StringComparison.Ordinal);
        v.Destroy();
    }

    [Fact]
    public void DamagedHeader_GivesCorrupted_NotACrash()
    {
        var v = SharedVector<int>.Create(M);
        v.AddRange([1, 2, 3]);
        long header = Unsafe.As<SharedVector<int>, ContainerHandle>(ref v).Header;
        var h = (VectorHeader*)(M.BasePointer + header);
        long data = h->Data;
        h->Data = 1L << 40;
        Assert.Equal(InterprocessErrorCode.Corrupted, Assert.Throws<InterprocessException>(() => v.Add(4)).ErrorCode);
        Assert.Equal(InterprocessErrorCode.Corrupted, Assert.Throws<InterprocessException>(() => v.Get(0)).ErrorCode);
        h->Data = data;
        h->Count = 1000;
        Assert.Equal(InterprocessErrorCode.Corrupted, Assert.Throws<InterprocessException>(() => v[0]).ErrorCode);
        h->Count = 3;
        Assert.Equal(6, v.ToArray().Sum());
        v.Destroy();
    }

    [Fact]
    public void BadInputs_GiveClearExceptions()
    {
        var v = SharedVector<int>.Create(M);
        v.AddRange([1, 2, 3]);
        Assert.Throws<ArgumentOutOfRangeException>(() => v[3]);
        Assert.Throws<ArgumentOutOfRangeException>(() => v[-1]);
        Assert.Throws<ArgumentOutOfRangeException>(() => v.Get(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => v.Insert(4, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => v.RemoveAt(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => v.RemoveRange(2, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => v.RemoveRange(-1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => v.Reserve(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => v.Resize(-1));
        Assert.Throws<ArgumentNullException>(() => SharedVector<int>.Create(null!));
        Assert.Equal(new[] { 1, 2, 3 }, v.ToArray());
        var tooBig = Assert.Throws<InterprocessException>(() => v.Reserve(100_000_000));
        Assert.Equal(InterprocessErrorCode.OutOfMemory, tooBig.ErrorCode);
        Assert.Equal(new[] { 1, 2, 3 }, v.ToArray());
        v.Destroy();
        Assert.True(M.AllMemoryDeallocated());
    }

    [Theory]
    [InlineData(AllocatorKind.General)]
    [InlineData(AllocatorKind.NodePool)]
    [InlineData(AllocatorKind.PrivateAdaptivePool)]
    [InlineData(AllocatorKind.CachedNodePool)]
    public void EveryAllocatorKind_Works_ForAVector(AllocatorKind kind)
    {
        var v = SharedVector<int>.Create(M, kind);
        for (int i = 0; i < 1000; i++)
        {
            v.Add(i);
        }

        Assert.Equal(499500, v.ToArray().Sum());
        v.Destroy();
        ContainerPools.Shrink(M);
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void Named_CreateFindOrCreateFindDestroy()
    {
        var v = SharedVector<int>.Create(M, "numbers");
        v.Add(42);
        Assert.Equal(v, SharedVector<int>.Find(M, "numbers"));
        Assert.Equal(v, SharedVector<int>.FindOrCreate(M, "numbers"));
        Assert.Equal(v, M.Find<SharedVector<int>>("numbers").Value);
        Assert.Throws<InterprocessException>(() => SharedVector<int>.Create(M, "numbers"));
        Assert.Throws<InvalidCastException>(() => SharedVector<long>.Find(M, "numbers"));
        var created = SharedVector<int>.FindOrCreate(M, "other");
        Assert.Equal(0, created.Count);
        Assert.True(SharedVector<int>.Destroy(M, "numbers"));
        Assert.True(SharedVector<int>.Destroy(M, "other"));
        Assert.False(SharedVector<int>.Destroy(M, "numbers"));
        Assert.Throws<InvalidOperationException>(() => v.Count);
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void OtherProcess_FindsTheVector_MutatesItUnderAMutex_AndThisProcessSeesIt()
    {
        string name = UniqueName.New("vec");
        using var shm = ManagedSharedMemory.CreateNew(name, 4L << 20);
        try
        {
            var m = shm.Manager;
            ref var mutex = ref m.Construct("lock", new InterprocessMutex());
            var v = SharedVector<long>.Create(m, "v");
            mutex.Lock();
            for (int i = 1; i <= 100; i++)
            {
                v.Add(i);
            }

            mutex.Unlock();
            using (var child = Driver.Start("vector-mutate", name))
            {
                child.Expect("SUM 5050");
                child.Expect("DONE");
                Assert.Equal(0, child.WaitForExit());
            }

            mutex.Lock();
            Assert.Equal(101, v.Count);
            Assert.Equal(10100 + 1000, v.ToArray().Sum());
            Assert.Equal(200, v[99]);
            mutex.Unlock();
            SharedVector<long>.Destroy(m, "v");
            m.Destroy<InterprocessMutex>("lock");
            Assert.True(m.AllMemoryDeallocated());
        }
        finally
        {
            ManagedSharedMemory.Remove(name);
        }
    }

    [Fact]
    public void OtherProcess_BuildsAVectorOfStrings_ThisProcessReadsAndDestroysIt()
    {
        string name = UniqueName.New("vecstr");
        using var shm = ManagedSharedMemory.CreateNew(name, 4L << 20);
        try
        {
            var (code, lines) = Driver.Run("vector-strings-create", name, "50");
            Assert.Equal(0, code);
            Assert.Equal("CREATED", Assert.Single(lines));
            var m = shm.Manager;
            var v = SharedVector<SharedString>.Find(m, "names");
            Assert.Equal(50, v.Count);
            for (int i = 0; i < 50; i++)
            {
                Assert.Equal(i % 5 == 0 ? $"name-{i}-" + new string('x', 40) : $"name-{i}", v[i].ToString());
            }

            SharedVector<SharedString>.Destroy(m, "names");
            Assert.True(m.AllMemoryDeallocated());
        }
        finally
        {
            ManagedSharedMemory.Remove(name);
        }
    }

    [Fact]
    public void ReadOnlySegment_ReadsButRefusesWrites()
    {
        string name = UniqueName.New("vecro");
        using var shm = ManagedSharedMemory.CreateNew(name, 1L << 20);
        try
        {
            var v = SharedVector<long>.Create(shm.Manager, "v");
            v.AddRange([7, 8, 9]);
            // In a child process the read-only mapping is the only one, so the handle resolves to it.
            var (code, lines) = Driver.Run("vector-read-only", name);
            Assert.Equal(0, code);
            Assert.Equal(new[] { "COUNT 3 FIRST 7", "REFUSED" }, lines);
            Assert.Equal(3, v.Count);
        }
        finally
        {
            ManagedSharedMemory.Remove(name);
        }
    }
}
