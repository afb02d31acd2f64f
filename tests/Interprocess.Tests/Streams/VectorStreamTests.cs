using System.Text;
using CsCheck;
using Interprocess.Containers;
using Interprocess.Managed;
using Interprocess.Streams;
using Interprocess.Synchronization;
using Interprocess.Tests.Containers;
using Interprocess.Tests.Infrastructure;

namespace Interprocess.Tests.Streams;

/// <summary>
/// VectorStream: MemoryStream's semantics over a SharedVector&lt;byte&gt; (unit tests and random operation sequences
/// against a MemoryStream), growth, Boost's extras (reserve, swap_vector), bad input, read-only and full segments,
/// stale and corrupted vectors, and two processes (one writes formatted data, the other reads every byte; a writer
/// killed in the middle of a write).
/// </summary>
public sealed class VectorStreamTests : IDisposable
{
    private readonly ManagedHeapMemory _heap = new(16L << 20);

    private SegmentManager M => _heap.Manager;

    public void Dispose() => _heap.Dispose();

    [Fact]
    public void Write_ThenSeekAndRead_RoundTripsInTheVector()
    {
        var v = SharedVector<byte>.Create(M);
        using var stream = new VectorStream(v);
        Assert.True(stream.CanRead && stream.CanWrite && stream.CanSeek);
        Assert.Equal(0, stream.Length);
        stream.Write("hello"u8);
        stream.WriteByte((byte)'!');
        Assert.Equal(6, stream.Length);
        Assert.Equal(6, stream.Position);
        Assert.Equal(6, v.Count);                                                            // the length is the vector's count
        Assert.Equal("hello!", Encoding.ASCII.GetString(v.AsReadOnlySpan()));                // in the vector, not a copy
        Assert.Equal(v, stream.Vector);

        Assert.Equal(1, stream.Seek(1, SeekOrigin.Begin));
        var buffer = new byte[10];
        Assert.Equal(5, stream.Read(buffer, 0, buffer.Length));                              // stops at the length
        Assert.Equal("ello!", Encoding.ASCII.GetString(buffer, 0, 5));
        Assert.Equal(0, stream.Read(buffer));
        Assert.Equal(-1, stream.ReadByte());
        Assert.Equal("hello!", Encoding.ASCII.GetString(stream.GetReadOnlySpan()));
        Assert.Equal("hello!"u8.ToArray(), stream.ToArray());
        v.Destroy();
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void Length_FollowsTheVector_WhenItChangesThroughAnotherHandle()
    {
        var v = SharedVector<byte>.Create(M);
        v.AddRange("abc"u8);
        using var stream = new VectorStream(v);
        Assert.Equal(3, stream.Length);                                                      // it keeps what the vector held
        Assert.Equal(0, stream.Position);
        var other = v;                                                                       // a copy of the handle: the same vector
        other.AddRange("def"u8);
        Assert.Equal(6, stream.Length);
        stream.Seek(0, SeekOrigin.End);
        stream.WriteByte((byte)'g');
        Assert.Equal("abcdefg", Encoding.ASCII.GetString(other.AsReadOnlySpan()));
        v.Destroy();
    }

    [Fact]
    public void Write_PastTheEnd_GrowsTheVectorByDoubling()
    {
        var v = SharedVector<byte>.Create(M);
        using var stream = new VectorStream(v);
        int growths = 0;
        int capacity = stream.Capacity;
        for (int i = 0; i < 100_000; i++)
        {
            stream.WriteByte((byte)i);
            if (stream.Capacity != capacity)
            {
                growths++;
                capacity = stream.Capacity;
            }
        }

        Assert.InRange(growths, 1, 20);                                                      // amortized: about log2(100000), not per byte
        Assert.Equal(100_000, stream.Length);
        var bytes = v.AsReadOnlySpan();
        for (int i = 0; i < bytes.Length; i++)
        {
            Assert.Equal((byte)i, bytes[i]);
        }

        v.Destroy();
    }

    [Fact]
    public void Write_AfterSeekingBeyondLength_ZeroFillsTheGap_OverOldBytesInTheBuffer()
    {
        var v = SharedVector<byte>.Create(M);
        using var stream = new VectorStream(v);
        stream.Write(Enumerable.Repeat((byte)0xAB, 32).ToArray());
        stream.SetLength(2);                                                                 // the buffer still holds 0xAB beyond the length
        Assert.Equal(2, stream.Position);
        stream.Position = 10;
        Assert.Equal(2, stream.Length);
        Assert.Equal(0, stream.Read(new byte[4]));                                           // beyond the length: nothing to read
        stream.WriteByte(7);
        Assert.Equal(11, stream.Length);
        Assert.Equal([0xAB, 0xAB, 0, 0, 0, 0, 0, 0, 0, 0, 7], v.ToArray());

        stream.Position = 5000;                                                              // beyond the capacity too: the write grows the vector
        stream.Write("xy"u8);
        Assert.Equal(5002, v.Count);
        Assert.True(v.AsReadOnlySpan()[11..5000].IndexOfAnyExcept((byte)0) < 0);
        v.Destroy();
    }

    [Fact]
    public void SetLength_ZeroesWhatItAdds_AndPullsThePositionBack()
    {
        var v = SharedVector<byte>.Create(M);
        using var stream = new VectorStream(v);
        stream.Write(Enumerable.Repeat((byte)0xCD, 8).ToArray());
        stream.SetLength(4);
        Assert.Equal(4, stream.Position);
        stream.SetLength(100);                                                               // grows past the capacity
        Assert.Equal(100, v.Count);
        Assert.Equal([0xCD, 0xCD, 0xCD, 0xCD, 0, 0, 0, 0], v.ToArray()[..8]);
        Assert.Equal(4, stream.Position);
        Assert.Throws<ArgumentOutOfRangeException>(() => stream.SetLength(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => stream.SetLength((long)Array.MaxLength + 1));
        Assert.Equal(100, stream.Length);
        v.Destroy();
    }

    [Fact]
    public void Seek_FromEachOrigin_AndBeforeTheBeginning()
    {
        var v = SharedVector<byte>.Create(M);
        v.Resize(10);
        using var stream = new VectorStream(v, FileAccess.Read);
        Assert.Equal(7, stream.Seek(-3, SeekOrigin.End));
        Assert.Equal(9, stream.Seek(2, SeekOrigin.Current));
        Assert.Throws<IOException>(() => stream.Seek(-10, SeekOrigin.Current));
        Assert.Equal(9, stream.Position);
        Assert.Throws<ArgumentOutOfRangeException>(() => stream.Position = -1);
        Assert.Throws<ArgumentException>(() => stream.Seek(0, (SeekOrigin)7));
        v.Destroy();
    }

    [Fact]
    public void AccessModes_ReadOnlyAndWriteOnlyStreams()
    {
        var v = SharedVector<byte>.Create(M);
        v.AddRange("data"u8);
        using (var reader = new VectorStream(v, FileAccess.Read))                          // ivectorstream
        {
            Assert.True(reader.CanRead);
            Assert.False(reader.CanWrite);
            Assert.Throws<NotSupportedException>(() => reader.Write([1]));
            Assert.Throws<NotSupportedException>(() => reader.WriteByte(1));
            Assert.Throws<NotSupportedException>(() => reader.SetLength(0));
            Assert.Throws<NotSupportedException>(() => reader.Reserve(10));
            Assert.Throws<NotSupportedException>(() => reader.Clear());
            Assert.Throws<NotSupportedException>(() => reader.SwapVector(SharedVector<byte>.Create(M)));
            Assert.Equal((byte)'d', reader.ReadByte());
        }

        using (var writer = new VectorStream(v, FileAccess.Write))                         // ovectorstream
        {
            Assert.False(writer.CanRead);
            Assert.Throws<NotSupportedException>(() => writer.ReadByte());
            Assert.Throws<NotSupportedException>(() => writer.Read(new byte[1]));
            Assert.Throws<NotSupportedException>(() => writer.GetReadOnlySpan());
            writer.Write("D"u8);
        }

        Assert.Equal("Data", Encoding.ASCII.GetString(v.AsReadOnlySpan()));
        Assert.Throws<ArgumentOutOfRangeException>(() => new VectorStream(v, (FileAccess)0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new VectorStream(v, (FileAccess)4));
    }

    [Fact]
    public void BadArguments_AreRefused()
    {
        var v = SharedVector<byte>.Create(M);
        using var stream = new VectorStream(v);
        Assert.Throws<ArgumentNullException>(() => stream.Write(null!, 0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => stream.Write(new byte[4], -1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => stream.Write(new byte[4], 0, -1));
        Assert.ThrowsAny<ArgumentException>(() => stream.Write(new byte[4], 3, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => stream.Read(new byte[4], -1, 1));
        Assert.ThrowsAny<ArgumentException>(() => stream.Read(new byte[4], 2, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => stream.Reserve(-1));
        Assert.Throws<ArgumentNullException>(() => stream.CopyTo(null!));
        Assert.Equal(0, stream.Length);                                                      // none of it wrote anything

        stream.Position = Array.MaxLength - 1;
        var e = Assert.Throws<IOException>(() => stream.Write("ab"u8));
        Assert.Contains("nothing was written", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, stream.Length);
        Assert.Throws<ArgumentException>(() => new VectorStream(default));
        v.Destroy();
    }

    [Fact]
    public void Dispose_ClosesTheStream_AndLeavesTheVector()
    {
        var v = SharedVector<byte>.Create(M);
        var stream = new VectorStream(v);
        stream.Write("abc"u8);
        stream.Dispose();
        Assert.False(stream.CanRead);
        Assert.False(stream.CanWrite);
        Assert.False(stream.CanSeek);
        Assert.Throws<ObjectDisposedException>(() => stream.Length);
        Assert.Throws<ObjectDisposedException>(() => stream.Position);
        Assert.Throws<ObjectDisposedException>(() => stream.Vector);
        Assert.Throws<ObjectDisposedException>(() => stream.ReadByte());
        Assert.Throws<ObjectDisposedException>(() => stream.Write([1]));
        Assert.Throws<ObjectDisposedException>(() => stream.Seek(0, SeekOrigin.Begin));
        Assert.Throws<ObjectDisposedException>(() => stream.SetLength(0));
        Assert.Throws<ObjectDisposedException>(() => stream.Flush());
        Assert.Equal("abc", Encoding.ASCII.GetString(v.AsReadOnlySpan()));
        v.Destroy();
    }

    [Fact]
    public void DestroyedVector_MakesEveryCallThrow_AndIsRefusedAtConstruction()
    {
        var v = SharedVector<byte>.Create(M);
        using var stream = new VectorStream(v);
        stream.Write("abc"u8);
        v.Destroy();
        Assert.Throws<InvalidOperationException>(() => stream.Length);
        Assert.Throws<InvalidOperationException>(() => stream.Write("d"u8));
        Assert.Throws<InvalidOperationException>(() => stream.ReadByte());
        Assert.Throws<InvalidOperationException>(() => stream.Seek(0, SeekOrigin.End));
        Assert.Throws<InvalidOperationException>(() => stream.SetLength(1));
        Assert.Throws<InvalidOperationException>(() => new VectorStream(v));
        Assert.True(M.AllMemoryDeallocated());                                               // the stream's writes did not resurrect it
    }

    [Fact]
    public unsafe void CorruptedHeader_IsRefusedWithInterprocessException_NotACrash()
    {
        var v = SharedVector<byte>.Create(M);
        v.AddRange("abcdef"u8);
        using var stream = new VectorStream(v);
        byte* header = ContainerTestHelpers.HeaderOf(v, M);
        int capacity = *(int*)(header + 60);
        *(int*)(header + 56) = capacity + 1;                                                 // count beyond the capacity
        var e = Assert.Throws<InterprocessException>(() => stream.ReadByte());
        Assert.Equal(InterprocessErrorCode.Corrupted, e.ErrorCode);
        Assert.Throws<InterprocessException>(() => stream.Write("x"u8));
        *(int*)(header + 56) = 6;
        *(long*)(header + 48) = long.MaxValue / 2;                                           // a buffer handle outside the segment
        Assert.Throws<InterprocessException>(() => stream.Read(new byte[3]));
        Assert.Throws<InterprocessException>(() => new VectorBufferWriter(v).GetSpan());
    }

    [Fact]
    public void FullSegment_WriteThrows_AndNothingChanged()
    {
        string name = UniqueName.New("vstream-full");
        try
        {
            using var shm = ManagedSharedMemory.CreateNew(name, 64 * 1024);
            var v = SharedVector<byte>.Create(shm.Manager, "v");
            using var stream = new VectorStream(v);
            byte[] first = Enumerable.Range(0, 1000).Select(i => (byte)i).ToArray();
            stream.Write(first);
            int capacity = stream.Capacity;
            stream.Position = 990;                                                           // overlaps the old bytes and ends beyond them
            var e = Assert.Throws<InterprocessException>(() => stream.Write(new byte[200_000]));
            Assert.Equal(InterprocessErrorCode.OutOfMemory, e.ErrorCode);
            Assert.Equal(1000, stream.Length);
            Assert.Equal(990, stream.Position);
            Assert.Equal(first, v.ToArray());                                                // not a byte of the failed write landed
            Assert.Equal(capacity, stream.Capacity);

            stream.Position = 100_000;                                                       // a gap that cannot be zero-filled
            Assert.Throws<InterprocessException>(() => stream.WriteByte(1));
            Assert.Throws<InterprocessException>(() => stream.SetLength(100_000));
            Assert.Equal(first, v.ToArray());
            Assert.Equal(100_000, stream.Position);

            var writer = new VectorBufferWriter(v);
            Assert.Throws<InterprocessException>(() => writer.GetSpan(100_000));
            Assert.Equal(first, v.ToArray());

            stream.Position = 1000;
            stream.Write("still works"u8);                                                   // what fits still fits
            Assert.Equal(1011, stream.Length);
        }
        finally
        {
            ManagedSharedMemory.Remove(name);
        }
    }

    [Fact]
    public void ReadOnlySegment_StreamCannotWrite()
    {
        string name = UniqueName.New("vstream-ro");
        try
        {
            using (var shm = ManagedSharedMemory.CreateNew(name, 1L << 20))
            {
                var v = SharedVector<byte>.Create(shm.Manager, "v");
                v.AddRange("read me"u8);
            }

            using var ro = ManagedSharedMemory.OpenReadOnly(name);
            var found = SharedVector<byte>.Find(ro.Manager, "v");
            using var stream = new VectorStream(found);                                      // read-only segment: a read-only stream
            Assert.True(stream.CanRead);
            Assert.False(stream.CanWrite);
            Assert.Equal("read me", new StreamReader(stream).ReadToEnd());
            Assert.Throws<NotSupportedException>(() => stream.Write("x"u8));
            Assert.Throws<NotSupportedException>(() => stream.SetLength(0));
            var e = Assert.Throws<ArgumentException>(() => new VectorStream(found, FileAccess.ReadWrite));
            Assert.Contains("read-only", e.Message, StringComparison.Ordinal);
            Assert.Throws<ArgumentException>(() => new VectorBufferWriter(found));
            Assert.Equal(7, found.Count);
        }
        finally
        {
            ManagedSharedMemory.Remove(name);
        }
    }

    [Fact]
    public void Reserve_AvoidsGrowth_AndClearKeepsTheCapacity()
    {
        var v = SharedVector<byte>.Create(M);
        using var stream = new VectorStream(v);
        stream.Reserve(500);
        int capacity = stream.Capacity;
        Assert.True(capacity >= 500);
        for (int i = 0; i < 100; i++)
        {
            stream.Write(Encoding.ASCII.GetBytes($"{i}\n"));
        }

        Assert.Equal(capacity, stream.Capacity);                                             // Boost's doc example: reserve, then no reallocation
        stream.Clear();
        Assert.Equal(0, stream.Length);
        Assert.Equal(0, stream.Position);
        Assert.Equal(capacity, stream.Capacity);
        v.Destroy();
    }

    [Fact]
    public unsafe void SwapVector_ExchangesContentsWithoutCopying_AndRewinds()
    {
        var v = SharedVector<byte>.Create(M);
        var named = SharedVector<byte>.Create(M, "MyString");
        named.AddRange("old"u8);
        using var stream = new VectorStream(v);
        stream.Write(Encoding.ASCII.GetBytes(new string('z', 300)));
        fixed (byte* before = v.AsReadOnlySpan())
        {
            stream.SwapVector(named);
            fixed (byte* after = SharedVector<byte>.Find(M, "MyString").AsReadOnlySpan())
            {
                Assert.True(before == after);                                                // the buffer moved to the other vector, not the bytes
            }
        }

        Assert.Equal(0, stream.Position);
        Assert.Equal(3, stream.Length);
        Assert.Equal("old", new StreamReader(stream).ReadToEnd());
        Assert.Equal(new string('z', 300), Encoding.ASCII.GetString(SharedVector<byte>.Find(M, "MyString").AsReadOnlySpan()));
        Assert.Equal(v, stream.Vector);                                                      // the handle did not move

        stream.SwapVector(v);                                                                // itself: only the position is reset
        Assert.Equal(3, stream.Length);
        Assert.Throws<ArgumentException>(() => stream.SwapVector(default));

        using var other = new ManagedHeapMemory(1L << 20);
        var elsewhere = SharedVector<byte>.Create(other.Manager);
        Assert.Throws<ArgumentException>(() => stream.SwapVector(elsewhere));
        Assert.Equal("old", Encoding.ASCII.GetString(v.AsReadOnlySpan()));

        SharedVector<byte>.Destroy(M, "MyString");
        v.Destroy();
        Assert.True(M.AllMemoryDeallocated());                                               // each buffer freed once
    }

    [Fact]
    public void Write_FromTheVectorsOwnBuffer_WhileGrowing_CopiesTheRightBytes()
    {
        var v = SharedVector<byte>.Create(M);
        using var stream = new VectorStream(v);
        stream.Write("0123456789"u8);
        stream.Write(v.AsReadOnlySpan());                                                    // the source moves when the vector grows
        stream.Write(v.AsReadOnlySpan()[..5]);
        Assert.Equal("0123456789012345678901234", Encoding.ASCII.GetString(v.AsReadOnlySpan()));
        stream.Position = 40;
        stream.Write(v.AsReadOnlySpan()[..4]);                                               // with a zero-filled gap
        Assert.Equal("0123", Encoding.ASCII.GetString(v.AsReadOnlySpan()[40..]));
        Assert.True(v.AsReadOnlySpan()[25..40].IndexOfAnyExcept((byte)0) < 0);
        v.Destroy();
    }

    [Fact]
    public void CopyTo_WritesTheRestInOneGo()
    {
        var v = SharedVector<byte>.Create(M);
        using var stream = new VectorStream(v);
        stream.Write("abcdefgh"u8);
        stream.Position = 3;
        var copy = new MemoryStream();
        stream.CopyTo(copy);
        Assert.Equal("defgh", Encoding.ASCII.GetString(copy.ToArray()));
        Assert.Equal(8, stream.Position);
        stream.CopyTo(copy);                                                                 // at the end: nothing
        Assert.Equal(5, copy.Length);
        v.Destroy();
    }

    [Fact]
    public async Task AsyncReadAndWrite_AndTextReadersAndWritersWork()
    {
        var v = SharedVector<byte>.Create(M);
        using var stream = new VectorStream(v);
        await using (var writer = new StreamWriter(stream, new UTF8Encoding(false), bufferSize: 16, leaveOpen: true))
        {
            await writer.WriteLineAsync("first line");
            await writer.WriteAsync("zweite Zeile: äöü");
        }

        stream.Position = 0;
        using (var reader = new StreamReader(stream, Encoding.UTF8, false, 16, leaveOpen: true))
        {
            Assert.Equal("first line", await reader.ReadLineAsync());
            Assert.Equal("zweite Zeile: äöü", await reader.ReadToEndAsync());
        }

        stream.Position = 6;
        var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        Assert.Equal("line\nzweite Zeile: äöü", Encoding.UTF8.GetString(copy.ToArray()));

        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await stream.WriteAsync(new byte[1], cancelled.Token));
        await stream.FlushAsync();
        v.Destroy();
    }

    /// <summary>Random sequences of stream operations give the same results, lengths, positions and bytes as a MemoryStream.</summary>
    [Fact]
    public void RandomOperationSequences_MatchMemoryStream() =>
        Gen.Select(Gen.Int[0, 9], Gen.Int[0, 300], Gen.Byte).Array[0, 120].Sample(ops =>
        {
            var v = SharedVector<byte>.Create(M);
            try
            {
                using var actual = new VectorStream(v);
                using var model = new MemoryStream();
                foreach (var (op, n, b) in ops)
                {
                    switch (op)
                    {
                        case 0:
                        case 1:
                            var bytes = Enumerable.Range(b, n % 70).Select(i => (byte)i).ToArray();
                            actual.Write(bytes);
                            model.Write(bytes);
                            break;
                        case 2:
                            actual.WriteByte(b);
                            model.WriteByte(b);
                            break;
                        case 3:
                            var x = new byte[n % 50];
                            var y = new byte[n % 50];
                            Assert.Equal(model.Read(y), actual.Read(x));
                            Assert.Equal(y, x);
                            break;
                        case 4:
                            Assert.Equal(model.ReadByte(), actual.ReadByte());
                            break;
                        case 5:
                            var origin = (SeekOrigin)(b % 3);
                            long offset = n - 150;
                            long start = origin switch { SeekOrigin.Begin => 0, SeekOrigin.Current => model.Position, _ => model.Length };
                            if (start + offset < 0)
                            {
                                Assert.Throws<IOException>(() => actual.Seek(offset, origin));
                                Assert.Throws<IOException>(() => model.Seek(offset, origin));
                            }
                            else
                            {
                                Assert.Equal(model.Seek(offset, origin), actual.Seek(offset, origin));
                            }

                            break;
                        case 6:
                            actual.Position = n;
                            model.Position = n;
                            break;
                        case 7:
                            actual.SetLength(n);
                            model.SetLength(n);
                            break;
                        case 8:
                            actual.Write(ReadOnlySpan<byte>.Empty);                          // an empty write beyond the end extends, as in MemoryStream
                            model.Write(ReadOnlySpan<byte>.Empty);
                            break;
                        default:
                            var rest = new MemoryStream();
                            var modelRest = new MemoryStream();
                            actual.CopyTo(rest);
                            model.CopyTo(modelRest);
                            Assert.Equal(modelRest.ToArray(), rest.ToArray());
                            break;
                    }

                    Assert.Equal(model.Length, actual.Length);
                    Assert.Equal(model.Position, actual.Position);
                }

                Assert.Equal(model.ToArray(), actual.ToArray());
                Assert.Equal(model.ToArray(), v.ToArray());
            }
            finally
            {
                v.Destroy();
            }
        });

    [Fact]
    public void OtherProcess_WritesFormattedDataUnderAMutex_ThisProcessReadsEveryByte_AndBack()
    {
        string name = UniqueName.New("vstream");
        using var shm = ManagedSharedMemory.CreateNew(name, 8L << 20);
        try
        {
            var m = shm.Manager;
            ref var mutex = ref m.Construct("lock", new InterprocessMutex());
            var v = SharedVector<byte>.Create(m, "text");

            // The child formats 3000 records into the named vector through a VectorStream (growing it many times).
            var (code, lines) = Driver.Run("vectorstream-write", name, "0", "3000");
            Assert.True(code == 0, string.Join('\n', lines));
            byte[] expected = Encoding.UTF8.GetBytes(Records(0, 3000));
            Assert.Equal($"WROTE {expected.Length}", Assert.Single(lines));
            mutex.Lock();
            try
            {
                Assert.Equal(expected.Length, v.Count);
                Assert.Equal(expected, v.ToArray());                                         // every byte

                // This process appends more through its own stream...
                using var stream = new VectorStream(v);
                stream.Seek(0, SeekOrigin.End);
                using var writer = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true);
                writer.Write(Records(3000, 1000));
            }
            finally
            {
                mutex.Unlock();
            }

            // ...and a child reads all of it back and checks every byte.
            (code, lines) = Driver.Run("vectorstream-check", name, "4000");
            Assert.True(code == 0, string.Join('\n', lines));
            Assert.Equal($"OK {Encoding.UTF8.GetByteCount(Records(0, 4000))}", Assert.Single(lines));
            SharedVector<byte>.Destroy(m, "text");
            m.Destroy<InterprocessMutex>("lock");
            Assert.True(m.AllMemoryDeallocated());
        }
        finally
        {
            ManagedSharedMemory.Remove(name);
        }
    }

    [Fact]
    public void WriterKilledInTheMiddleOfWriting_ReaderSeesOnlyWholeWrites()
    {
        string name = UniqueName.New("vstream-kill");
        using var shm = ManagedSharedMemory.CreateNew(name, 64L << 20);
        try
        {
            var m = shm.Manager;
            ref var mutex = ref m.Construct("lock", new InterprocessMutex());
            var v = SharedVector<byte>.Create(m, "text");
            using (var child = Driver.Start("vectorstream-flood", name))
            {
                child.Expect("WRITING");
                child.Kill();                                                                // in the middle of a write, holding the mutex
                child.WaitForExit();
            }

            Assert.Equal(LockStatus.AcquiredAbandoned, mutex.Acquire(TimeSpan.FromSeconds(30)));
            try
            {
                // Every byte below the count is the one the writer meant for that offset in its current round: the
                // count was never published ahead of its bytes (beyond the count lie zeros, or the previous round's
                // bytes, which differ at every offset; the pattern has no zero).
                int count = v.Count;
                Assert.True(count > 0);
                var bytes = v.AsReadOnlySpan();
                int shift = bytes[0] - 1;
                for (int i = 0; i < count; i++)
                {
                    if (bytes[i] != FloodByte(i, shift))
                    {
                        Assert.Fail($"byte {i} of {count} is {bytes[i]}, not {FloodByte(i, shift)}");
                    }
                }

                // The vector and the segment still work.
                using var stream = new VectorStream(v);
                stream.Seek(0, SeekOrigin.End);
                stream.Write(new byte[100_000]);
                Assert.Equal(count + 100_000, v.Count);
            }
            finally
            {
                mutex.Unlock();
            }
        }
        finally
        {
            ManagedSharedMemory.Remove(name);
        }
    }

    /// <summary>The text the driver's vectorstream-write formats: records <paramref name="first"/> .. first + count - 1.</summary>
    private static string Records(int first, int count)
    {
        var sb = new StringBuilder();
        for (int i = first; i < first + count; i++)
        {
            sb.Append(System.Globalization.CultureInfo.InvariantCulture, $"record {i}: {i * 7919 % 10007} {(i % 3 == 0 ? "Grüße" : "x")} {i * 0.5}\n");
        }

        return sb.ToString();
    }

    /// <summary>The byte vectorstream-flood writes at offset <paramref name="i"/> in the round with <paramref name="shift"/> (never zero).</summary>
    private static byte FloodByte(int i, int shift) => (byte)(((i + shift) % 251) + 1);
}
