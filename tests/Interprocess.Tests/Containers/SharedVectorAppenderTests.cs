using System.Globalization;
using CsCheck;
using Interprocess.Containers;
using Interprocess.Managed;
using Interprocess.Synchronization;
using Interprocess.Tests.Infrastructure;

namespace Interprocess.Tests.Containers;

/// <summary>
/// SharedVector&lt;T&gt;.Appender: the same result as Add (random sequences against List&lt;T&gt;, growth from empty and from
/// a reserved capacity, large elements); a change behind the appender's back (another handle, another process,
/// Destroy) throws and writes nothing; a disposed or read-only segment; two processes; a process killed while
/// appending leaves only whole, ordered elements below the count.
/// </summary>
public sealed unsafe class SharedVectorAppenderTests : IDisposable
{
    private readonly ManagedHeapMemory _heap = new(32L << 20);

    private SegmentManager M => _heap.Manager;

    public void Dispose() => _heap.Dispose();

    /// <summary>An element larger than the vector's small-element fast bound (104 bytes).</summary>
    private readonly record struct Big(long A, long B, long C, long D, long E, long F, long G, long H, long I, long J, long K, long L, long N)
    {
        public static Big Of(int v) => new(v, -v, v * 3L, 4, 5, 6, 7, 8, 9, 10, 11, v ^ 0x5555, ~(long)v);
    }

    /// <summary>How the vector looks when the appender begins.</summary>
    private enum Start
    {
        Empty,
        Reserved,
        Prefilled,
    }

    /// <summary>The value at index <paramref name="i"/> in the cross-process tests (the driver's VectorAppenderCommands.Value).</summary>
    private static long Value(long i) => (i * 7919) + 13;

    /// <summary>The value at index <paramref name="i"/> of round <paramref name="round"/> in vector-appender-flood.</summary>
    private static long FloodValue(long round, long i) => (round << 40) | i;

    [Fact]
    public void RandomSequences_GiveWhatListGives_AndEveryAddIsVisibleToOtherHandles() =>
        Gen.Select(Gen.Int[0, 2], Gen.Int[0, 40], Gen.Select(Gen.Int[0, 4], Gen.Int[-1000, 1000], Gen.Int[0, 9]).Array[0, 300])
            .Sample((start, k, ops) => RunModel((Start)start, k, ops, i => i), iter: 150, threads: 1);

    [Fact]
    public void RandomSequences_OfLargeElements_GiveWhatListGives() =>
        Gen.Select(Gen.Int[0, 2], Gen.Int[0, 40], Gen.Select(Gen.Int[0, 4], Gen.Int[-1000, 1000], Gen.Int[0, 9]).Array[0, 200])
            .Sample((start, k, ops) => RunModel((Start)start, k, ops, Big.Of), iter: 100, threads: 1);

    /// <summary>
    /// Builds the start state, then runs <paramref name="ops"/> through one appender and through a List: ops 0-3 are
    /// Add(value), op 4 is AddRange(len values from value). After every call the vector, read through its handle,
    /// has the appender's count and the last element appended. One thread: the check includes AllMemoryDeallocated.
    /// </summary>
    private void RunModel<T>(Start start, int k, (int Op, int Value, int Len)[] ops, Func<int, T> make)
        where T : unmanaged, IEquatable<T>
    {
        var v = SharedVector<T>.Create(M);
        var model = new List<T>();
        try
        {
            switch (start)
            {
                case Start.Reserved:
                    v.Reserve(k);
                    break;
                case Start.Prefilled:
                    for (int i = 0; i < k; i++)
                    {
                        v.Add(make(-i));
                        model.Add(make(-i));
                    }

                    break;
            }

            using (var app = v.BeginAppend())
            {
                Assert.Equal(model.Count, app.Count);
                foreach (var (op, value, len) in ops)
                {
                    if (op < 4)
                    {
                        app.Add(make(value));
                        model.Add(make(value));
                    }
                    else
                    {
                        var items = Enumerable.Range(value, len).Select(make).ToArray();
                        app.AddRange(items);
                        model.AddRange(items);
                    }

                    Assert.Equal(model.Count, app.Count);
                    Assert.Equal(model.Count, v.Count);
                    if (model.Count > 0)
                    {
                        Assert.Equal(model[^1], v.Get(model.Count - 1));
                    }
                }
            }

            Assert.Equal(model.Count, v.Count);
            Assert.True(v.Capacity >= v.Count);
            Assert.Equal(model, v.ToArray());
        }
        finally
        {
            v.Destroy();
        }

        Assert.True(M.AllMemoryDeallocated());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void GrowthFromEmptyAndFromAReservedCapacity_KeepsEveryElement_AndDestroyFreesAll(bool reserve)
    {
        var v = SharedVector<int>.Create(M);
        var blocker = SharedVector<int>.Create(M);
        if (reserve)
        {
            v.Reserve(10);
        }

        using (var app = v.BeginAppend())
        {
            for (int i = 0; i < 100_000; i++)
            {
                app.Add(i);
                if (i == 50)
                {
                    blocker.Add(1); // the block after v's buffer is taken: from here growth must move the buffer
                }
            }

            Assert.Equal(100_000, app.Count);
        }

        Assert.Equal(100_000, v.Count);
        Assert.True(v.Capacity >= 100_000);
        var span = v.AsReadOnlySpan();
        for (int i = 0; i < span.Length; i++)
        {
            Assert.Equal(i, span[i]);
        }

        v.Destroy();
        blocker.Destroy();
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void AddRange_FromTheVectorsOwnSpan_IsSafe_EvenWhenTheBufferMoves()
    {
        var v = SharedVector<int>.Create(M);
        var blocker = SharedVector<int>.Create(M);
        v.AddRange([1, 2, 3, 4]);
        blocker.Add(1);
        var model = new List<int> { 1, 2, 3, 4 };
        using (var app = v.BeginAppend())
        {
            for (int round = 0; round < 6; round++)
            {
                app.AddRange(v.AsReadOnlySpan());
                model.AddRange(model.ToArray());
                app.AddRange(ReadOnlySpan<int>.Empty);
            }
        }

        Assert.Equal(model, v.ToArray());
        v.Destroy();
        blocker.Destroy();
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void VectorOfStrings_AppendedHandles_AreOwnedAndFreedByDestroy()
    {
        var v = SharedVector<SharedString>.Create(M);
        using (var app = v.BeginAppend())
        {
            for (int i = 0; i < 200; i++)
            {
                app.Add(SharedString.From(M, i % 3 == 0 ? new string('q', 80) + i : "s" + i));
            }
        }

        Assert.Equal("s7", v[7].ToString());
        Assert.Equal(new string('q', 80) + "9", v[9].ToString());
        v.Destroy();
        Assert.True(M.AllMemoryDeallocated());
    }

    /// <summary>The changes another handle can make behind an appender's back.</summary>
    public enum Change
    {
        OtherHandleAdd,
        OtherHandleRemoveAt,
        Clear,
        ReserveThatMovesTheBuffer,
        ShrinkToFit,
        Destroy,
        DestroyAndCreateAVectorOfTheSameShape,
    }

    [Theory]
    [InlineData(Change.OtherHandleAdd, false)]
    [InlineData(Change.OtherHandleAdd, true)]
    [InlineData(Change.OtherHandleRemoveAt, false)]
    [InlineData(Change.OtherHandleRemoveAt, true)]
    [InlineData(Change.Clear, false)]
    [InlineData(Change.Clear, true)]
    [InlineData(Change.ReserveThatMovesTheBuffer, false)]
    [InlineData(Change.ReserveThatMovesTheBuffer, true)]
    [InlineData(Change.ShrinkToFit, false)]
    [InlineData(Change.Destroy, false)]
    [InlineData(Change.Destroy, true)]
    [InlineData(Change.DestroyAndCreateAVectorOfTheSameShape, false)]
    [InlineData(Change.DestroyAndCreateAVectorOfTheSameShape, true)]
    public void ChangedBehindTheAppendersBack_Throws_AndWritesNothing(Change change, bool full)
    {
        // full: the appender's buffer is full, so its next Add takes the growth path (the checks there are separate code).
        const long Marker = 0x7777_7777_7777;
        int count = full ? 16 : 11;
        var v = SharedVector<long>.Create(M);
        for (int i = 0; i < count - 1; i++)
        {
            v.Add(i);
        }

        Assert.Equal(16, v.Capacity);
        var app = v.BeginAppend();
        app.Add(count - 1);                            // count of 16 after one Add through the appender
        long* oldBuffer = v.GetWritableBuffer(out _, out _);
        var other = v;                                 // a second handle to the same vector
        var blocker = SharedVector<long>.Create(M);    // allocated after v's buffer: Reserve must move it
        SharedVector<long> expected = v;               // the vector whose contents must not change
        switch (change)
        {
            case Change.OtherHandleAdd:
                other.Add(100);
                break;
            case Change.OtherHandleRemoveAt:
                other.RemoveAt(0);
                break;
            case Change.Clear:
                other.Clear();
                break;
            case Change.ReserveThatMovesTheBuffer:
                blocker.Add(1);
                other.Reserve(1000);
                Assert.NotEqual((nint)oldBuffer, (nint)v.GetWritableBuffer(out _, out _));
                break;
            case Change.ShrinkToFit:
                other.ShrinkToFit();
                Assert.True(v.Capacity < 16);
                break;
            case Change.Destroy:
                other.Destroy();
                break;
            case Change.DestroyAndCreateAVectorOfTheSameShape:
                other.Destroy();
                expected = SharedVector<long>.Create(M);
                for (int i = 0; i < count; i++)
                {
                    expected.Add(-i);
                }

                // The new vector reuses the old header and buffer, with the same count and capacity: only the stamp tells them apart.
                Assert.Equal(16, expected.Capacity);
                Assert.Equal((nint)ContainerTestHelpers.HeaderOf(v, M), (nint)ContainerTestHelpers.HeaderOf(expected, M));
                Assert.Equal((nint)oldBuffer, (nint)expected.GetWritableBuffer(out _, out _));
                break;
        }

        bool destroyed = change == Change.Destroy;
        long[] before = destroyed ? [] : expected.ToArray();
        long[] rawBefore = new Span<long>(oldBuffer, 16).ToArray();

        var e = AddThrows<InvalidOperationException, long>(ref app, Marker);
        Assert.Contains("changed behind the appender's back", e.Message, StringComparison.Ordinal);
        e = AddRangeThrows<InvalidOperationException, long>(ref app, [Marker, Marker]);
        Assert.Contains("nothing was written", e.Message, StringComparison.Ordinal);
        AddThrows<InvalidOperationException, long>(ref app, Marker); // still refused: the appender never re-reads the header as its own

        // Nothing was written: not into the vector, not into the buffer the appender had cached.
        Assert.Equal(rawBefore, new Span<long>(oldBuffer, 16).ToArray());
        if (!destroyed)
        {
            Assert.Equal(before, expected.ToArray());
        }

        app.Dispose();
        if (!destroyed)
        {
            // A new appender sees the vector as it is now.
            using var again = expected.BeginAppend();
            again.Add(Marker);
            Assert.Equal(before.Append(Marker).ToArray(), expected.ToArray());
            expected.Destroy();
        }

        blocker.Destroy();
        Assert.True(M.CheckSanity(out var problems), string.Join("; ", problems));
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void BufferSwappedForOneOfTheSameShape_IsDetected_AndNothingIsWritten()
    {
        var a = SharedVector<byte>.Create(M);
        var b = SharedVector<byte>.Create(M);
        a.Reserve(64);
        b.Reserve(64);
        a.AddRange([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        b.AddRange([11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21]);
        var app = a.BeginAppend();
        app.Add(11);
        Assert.Equal(a.Capacity, b.Capacity);
        byte* aBuffer = a.GetWritableBuffer(out _, out int capacity);
        byte* bBuffer = b.GetWritableBuffer(out _, out _);

        // Only the buffer handle changes: the count (11) and the capacity are the same in both headers.
        using (var stream = new Interprocess.Streams.VectorStream(a))
        {
            stream.SwapVector(b);
        }

        byte[] aRaw = new Span<byte>(aBuffer, capacity).ToArray();
        byte[] bRaw = new Span<byte>(bBuffer, capacity).ToArray();
        var e = AddThrows<InvalidOperationException, byte>(ref app, 99);
        Assert.Contains("buffer", e.Message, StringComparison.Ordinal);
        Assert.Equal(new byte[] { 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21 }, a.ToArray());
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 }, b.ToArray());
        Assert.Equal(aRaw, new Span<byte>(aBuffer, capacity).ToArray());
        Assert.Equal(bRaw, new Span<byte>(bBuffer, capacity).ToArray());
        app.Dispose();
        a.Destroy();
        b.Destroy();
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void DefaultStaleAndCorruptedVectors_AreRefusedByBeginAppend_AsByAdd()
    {
        SharedVector<int> none = default;
        Assert.Throws<InvalidOperationException>(() => { _ = none.BeginAppend(); });

        var v = SharedVector<int>.Create(M);
        v.AddRange([1, 2, 3]);
        var stale = v;
        v.Destroy();
        Assert.Throws<InvalidOperationException>(() => { _ = stale.BeginAppend(); });
        Assert.Throws<InvalidOperationException>(() => stale.Add(1));

        var damaged = SharedVector<int>.Create(M);
        damaged.AddRange([1, 2, 3]);
        var h = (VectorHeader*)ContainerTestHelpers.HeaderOf(damaged, M);
        long data = h->Data;
        h->Data = 1L << 40;
        Assert.Equal(InterprocessErrorCode.Corrupted, Assert.Throws<InterprocessException>(() => { _ = damaged.BeginAppend(); }).ErrorCode);
        Assert.Equal(InterprocessErrorCode.Corrupted, Assert.Throws<InterprocessException>(() => damaged.Add(4)).ErrorCode);
        h->Data = data;
        h->Count = 1000;
        Assert.Equal(InterprocessErrorCode.Corrupted, Assert.Throws<InterprocessException>(() => { _ = damaged.BeginAppend(); }).ErrorCode);
        h->Count = 3;
        damaged.Destroy();
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void DefaultAndDisposedAppenders_Throw_AndWriteNothing()
    {
        SharedVector<int>.Appender none = default;
        var e = AddThrows<InvalidOperationException, int>(ref none, 1);
        Assert.Contains("BeginAppend", e.Message, StringComparison.Ordinal);
        AddRangeThrows<InvalidOperationException, int>(ref none, [1]);
        Assert.IsType<InvalidOperationException>(CountThrows(ref none));
        none.Dispose();

        var v = SharedVector<int>.Create(M);
        var app = v.BeginAppend();
        app.Add(1);
        app.Dispose();
        var disposed = AddThrows<ObjectDisposedException, int>(ref app, 2);
        Assert.Contains("disposed", disposed.Message, StringComparison.Ordinal);
        AddRangeThrows<ObjectDisposedException, int>(ref app, [2, 3]);
        Assert.IsType<ObjectDisposedException>(CountThrows(ref app));
        app.Dispose(); // twice is fine
        Assert.Equal(new[] { 1 }, v.ToArray());
        v.Destroy();
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void SegmentFull_Throws_LeavesTheVectorWhole_AndTheAppenderUsable()
    {
        using var small = new ManagedHeapMemory(256 << 10);
        var v = SharedVector<long>.Create(small.Manager);
        var app = v.BeginAppend();
        InterprocessException? full = null;
        for (long i = 0; full is null; i++)
        {
            try
            {
                app.Add(Value(i));
            }
            catch (InterprocessException ex)
            {
                full = ex;
            }
        }

        Assert.Equal(InterprocessErrorCode.OutOfMemory, full.ErrorCode);
        int count = app.Count;
        Assert.True(count > 1000);
        Assert.Equal(count, v.Count);
        Assert.Equal(count, v.Capacity);
        Assert.Equal(Enumerable.Range(0, count).Select(i => Value(i)), v.ToArray());

        // Still usable: the same failure again, an empty range, and no change.
        Assert.Equal(InterprocessErrorCode.OutOfMemory, AddThrows<InterprocessException, long>(ref app, 1).ErrorCode);
        Assert.Equal(InterprocessErrorCode.OutOfMemory, AddRangeThrows<InterprocessException, long>(ref app, [1, 2]).ErrorCode);
        app.AddRange([]);
        Assert.Equal(count, app.Count);
        Assert.Equal(count, v.Count);
        app.Dispose();
        v.Destroy();
        Assert.True(small.Manager.AllMemoryDeallocated());
    }

    [Fact]
    public void DisposedSegment_Throws_NoCrash()
    {
        string name = UniqueName.New("vecapp-disposed");
        try
        {
            var shm = ManagedSharedMemory.CreateNew(name, 1L << 20);
            var v = SharedVector<long>.Create(shm.Manager);
            v.AddRange([1, 2, 3]);
            var app = v.BeginAppend();
            app.Add(4);                 // 4 of 4: the next Add would grow
            var roomy = SharedVector<long>.Create(shm.Manager);
            roomy.Reserve(100);
            var fast = roomy.BeginAppend();
            fast.Add(1);                // room left: the next Add would take the fast path
            shm.Dispose();              // unmapped: a write through either appender would crash the process

            var e = AddThrows<ObjectDisposedException, long>(ref fast, 2);
            Assert.Contains(name, e.Message, StringComparison.Ordinal);
            AddThrows<ObjectDisposedException, long>(ref app, 5);
            AddRangeThrows<ObjectDisposedException, long>(ref fast, [2, 3]);
            Assert.Equal(1, fast.Count); // the cached count needs no segment

            // A vector handle of the disposed segment refuses BeginAppend as it refuses Add.
            var addError = Assert.ThrowsAny<InvalidOperationException>(() => v.Add(5));
            var beginError = Assert.ThrowsAny<InvalidOperationException>(() => { _ = v.BeginAppend(); });
            Assert.Equal(addError.GetType(), beginError.GetType());
            app.Dispose();
            fast.Dispose();
        }
        finally
        {
            ManagedSharedMemory.Remove(name);
        }
    }

    [Fact]
    public void ReadOnlySegment_RefusesBeginAppend_WithNotSupportedException()
    {
        string name = UniqueName.New("vecapp-ro");
        try
        {
            using (var shm = ManagedSharedMemory.CreateNew(name, 1L << 20))
            {
                var v = SharedVector<long>.Create(shm.Manager, "v");
                v.AddRange([7, 8, 9]);
            }

            // The writable mapping is gone: in this process the handle now resolves to the read-only one.
            using var ro = ManagedSharedMemory.OpenReadOnly(name);
            var found = SharedVector<long>.Find(ro.Manager, "v");
            Assert.Throws<NotSupportedException>(() => { _ = found.BeginAppend(); });
            Assert.Throws<NotSupportedException>(() => found.Add(10));
            Assert.Equal(new long[] { 7, 8, 9 }, found.ToArray());
        }
        finally
        {
            ManagedSharedMemory.Remove(name);
        }
    }

    [Fact]
    public void ChangedByAnotherProcess_Throws_AndWritesNothing()
    {
        string name = UniqueName.New("vecapp-other");
        using var shm = ManagedSharedMemory.CreateNew(name, 4L << 20);
        try
        {
            var m = shm.Manager;
            m.Construct("lock", new InterprocessMutex());
            var v = SharedVector<long>.Create(m, "v");
            var app = v.BeginAppend();
            for (int i = 1; i <= 10; i++)
            {
                app.Add(i);
            }

            // Against the rule: the child changes the vector while this process's appender is in use.
            using (var child = Driver.Start("vector-mutate", name))
            {
                child.Expect("SUM 55");
                child.Expect("DONE");
                Assert.Equal(0, child.WaitForExit());
            }

            long[] theirs = v.ToArray();
            Assert.Equal(11, theirs.Length);
            long* buffer = v.GetWritableBuffer(out _, out int capacity);
            long[] rawBefore = new Span<long>(buffer, capacity).ToArray();
            var e = AddThrows<InvalidOperationException, long>(ref app, 12);
            Assert.Contains("count 10 -> 11", e.Message, StringComparison.Ordinal);
            Assert.Equal(theirs, v.ToArray());
            Assert.Equal(rawBefore, new Span<long>(buffer, capacity).ToArray());
            Assert.Equal(1000, v[10]);
            app.Dispose();
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
    public void AppendedInOneProcess_AreReadByAnother_AndTheOtherWay()
    {
        string name = UniqueName.New("vecapp-xproc");
        using var shm = ManagedSharedMemory.CreateNew(name, 16L << 20);
        try
        {
            var m = shm.Manager;
            ref var mutex = ref m.Construct("lock", new InterprocessMutex());
            var v = SharedVector<long>.Create(m, "v");
            mutex.Lock();
            using (var app = v.BeginAppend())
            {
                for (int i = 0; i < 30_000; i++)
                {
                    app.Add(Value(i));
                }

                app.AddRange(Enumerable.Range(30_000, 20_000).Select(i => Value(i)).ToArray());
            }

            mutex.Unlock();
            var (code, lines) = Driver.Run("vector-appender-check", name);
            Assert.Equal(0, code);
            Assert.Equal(new[] { "COUNT 50000", "OK" }, lines);

            (code, lines) = Driver.Run("vector-appender-append", name, "70000");
            Assert.Equal(0, code);
            Assert.Equal(new[] { "APPENDED 120000" }, lines);
            mutex.Lock();
            var span = v.AsReadOnlySpan();
            Assert.Equal(120_000, span.Length);
            for (int i = 0; i < span.Length; i++)
            {
                if (span[i] != Value(i))
                {
                    Assert.Fail($"element {i} is {span[i]}, not {Value(i)}");
                }
            }

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
    public void ProcessKilledInTheMiddleOfAppending_LeavesOnlyAppendedValues_InOrder_BelowTheCount()
    {
        string name = UniqueName.New("vecapp-kill");
        using var shm = ManagedSharedMemory.CreateNew(name, 64L << 20);
        try
        {
            var m = shm.Manager;
            ref var mutex = ref m.Construct("lock", new InterprocessMutex());
            var v = SharedVector<long>.Create(m, "v");
            var rng = new Random(6);
            long seen = 0;
            for (int kill = 0; kill < 8; kill++)
            {
                using (var child = Driver.Start("vector-appender-flood", name, (1 << 20).ToString(CultureInfo.InvariantCulture)))
                {
                    child.Expect("APPENDING");
                    Thread.Sleep(rng.Next(0, 40));
                    child.Kill(); // in the middle of the loop (or between rounds), holding the mutex
                    child.WaitForExit();
                }

                Assert.Equal(LockStatus.AcquiredAbandoned, mutex.Acquire(TimeSpan.FromSeconds(30)));
                try
                {
                    // Every element below the count is the value appended at that index in one round (the first
                    // element's round): never a value of an earlier round, or zero, that the buffer held before.
                    var span = v.AsReadOnlySpan();
                    long round = span.Length > 0 ? span[0] >> 40 : 0;
                    for (int i = 0; i < span.Length; i++)
                    {
                        if (span[i] != FloodValue(round, i))
                        {
                            Assert.Fail($"element {i} of {span.Length} is 0x{span[i]:x}, not 0x{FloodValue(round, i):x}");
                        }
                    }

                    seen += span.Length;

                    // The vector and the segment still work.
                    int count = span.Length;
                    using (var app = v.BeginAppend())
                    {
                        for (int i = 0; i < 1000; i++)
                        {
                            app.Add(FloodValue(round, count + i));
                        }
                    }

                    Assert.Equal(count + 1000, v.Count);
                    Assert.Equal(FloodValue(round, count + 999), v[^1]);
                    Assert.True(m.CheckSanity(out var problems), string.Join("; ", problems));
                }
                finally
                {
                    mutex.Unlock();
                }
            }

            Assert.True(seen > 0, "no kill landed while elements were being appended");
        }
        finally
        {
            ManagedSharedMemory.Remove(name);
        }
    }

    // ---------------------------------------------------------------- helpers (a ref struct cannot be captured by a lambda)

    private static TException AddThrows<TException, T>(ref SharedVector<T>.Appender app, T item)
        where TException : Exception
        where T : unmanaged
    {
        try
        {
            app.Add(item);
        }
        catch (Exception e)
        {
            return Assert.IsType<TException>(e);
        }

        Assert.Fail($"Add did not throw {typeof(TException).Name}");
        return null!;
    }

    private static TException AddRangeThrows<TException, T>(ref SharedVector<T>.Appender app, T[] items)
        where TException : Exception
        where T : unmanaged
    {
        try
        {
            app.AddRange(items);
        }
        catch (Exception e)
        {
            return Assert.IsType<TException>(e);
        }

        Assert.Fail($"AddRange did not throw {typeof(TException).Name}");
        return null!;
    }

    private static Exception CountThrows<T>(ref SharedVector<T>.Appender app)
        where T : unmanaged
    {
        try
        {
            _ = app.Count;
        }
        catch (Exception e)
        {
            return e;
        }

        Assert.Fail("Count did not throw");
        return null!;
    }
}
