using System.Runtime.InteropServices;
using System.Text;
using Interprocess.Managed;
using Interprocess.Memory;
using Interprocess.Streams;
using Interprocess.Tests.Infrastructure;

namespace Interprocess.Tests.Streams;

public sealed class BufferStreamTests : IDisposable
{
    private const int Size = 4096;
    private readonly string _name = UniqueName.New("stream");
    private readonly SharedMemoryObject _shm;
    private readonly MappedRegion _region;

    public BufferStreamTests()
    {
        _shm = SharedMemoryObject.CreateNew(_name, Size);
        _region = new MappedRegion(_shm);
    }

    public void Dispose()
    {
        _region.Dispose();
        _shm.Dispose();
        SharedMemoryObject.Remove(_name);
    }

    [Fact]
    public void Write_ThenSeekAndRead_RoundTripsInPlace()
    {
        using var stream = new BufferStream(_region, offset: 100, length: 0, capacity: 50, FileAccess.ReadWrite);
        Assert.Equal(0, stream.Length);
        Assert.Equal(50, stream.Capacity);
        stream.Write("hello"u8);
        stream.WriteByte((byte)'!');
        Assert.Equal(6, stream.Length);
        Assert.Equal(6, stream.Position);
        Assert.Equal("hello!", Encoding.ASCII.GetString(_region.GetReadOnlySpan(100, 6)));   // in the region, not a copy

        Assert.Equal(1, stream.Seek(1, SeekOrigin.Begin));
        var buffer = new byte[10];
        Assert.Equal(5, stream.Read(buffer, 0, buffer.Length));                                  // stops at the length
        Assert.Equal("ello!", Encoding.ASCII.GetString(buffer, 0, 5));
        Assert.Equal(0, stream.Read(buffer));
        Assert.Equal(-1, stream.ReadByte());
        Assert.Equal("hello!", Encoding.ASCII.GetString(stream.GetReadOnlySpan()));
    }

    [Fact]
    public void Write_BeyondCapacity_ThrowsAndWritesNothing()
    {
        _region.GetSpan(0, 16).Fill(0xEE);
        using var stream = new BufferStream(_region, 0, 0, capacity: 8, FileAccess.Write);
        stream.Write("12345"u8);
        var e = Assert.Throws<NotSupportedException>(() => stream.Write("6789"u8));
        Assert.Contains("capacity of 8 bytes", e.Message, StringComparison.Ordinal);
        Assert.Equal(5, stream.Length);
        Assert.Equal(5, stream.Position);
        Assert.Equal(0xEE, _region.Read<byte>(5));                                                // nothing of the failed write landed

        stream.Write("678"u8);                                                                   // exactly up to the capacity is fine
        Assert.Equal(8, stream.Length);
        Assert.Throws<NotSupportedException>(() => stream.WriteByte(0));
        Assert.Equal(0xEE, _region.Read<byte>(8));
    }

    [Fact]
    public void Write_AfterSeekingBeyondLength_ZeroFillsTheGap()
    {
        _region.GetSpan(0, 32).Fill(0xAB);
        using var stream = new BufferStream(_region, 0, 2, capacity: 32, FileAccess.ReadWrite);
        stream.Position = 10;
        Assert.Equal(2, stream.Length);
        stream.WriteByte(7);
        Assert.Equal(11, stream.Length);
        Assert.Equal([0xAB, 0xAB, 0, 0, 0, 0, 0, 0, 0, 0, 7, 0xAB], _region.GetReadOnlySpan(0, 12).ToArray());

        stream.Position = 100;                                                                    // beyond the capacity: allowed, a write there is not
        Assert.Equal(0, stream.Read(new byte[4]));
        Assert.Throws<NotSupportedException>(() => stream.WriteByte(1));
        Assert.Equal(11, stream.Length);
    }

    [Fact]
    public void SetLength_WithinCapacity_ZeroesNewBytes_BeyondCapacity_ThrowsIOException()
    {
        _region.GetSpan(0, 32).Fill(0xCD);
        using var stream = new BufferStream(_region, 0, 4, capacity: 16, FileAccess.ReadWrite);
        stream.Position = 4;
        stream.SetLength(8);
        Assert.Equal(new byte[] { 0xCD, 0xCD, 0xCD, 0xCD, 0, 0, 0, 0, 0xCD }, _region.GetReadOnlySpan(0, 9).ToArray());
        stream.SetLength(2);
        Assert.Equal(2, stream.Position);                                                         // the position follows a shrink
        Assert.Throws<IOException>(() => stream.SetLength(17));
        Assert.Throws<ArgumentOutOfRangeException>(() => stream.SetLength(-1));
        Assert.Equal(2, stream.Length);
    }

    [Fact]
    public void Seek_FromEachOrigin_AndBeforeTheBeginning()
    {
        using var stream = new BufferStream(_region, 0, 10, capacity: 20, FileAccess.Read);
        Assert.Equal(7, stream.Seek(-3, SeekOrigin.End));
        Assert.Equal(9, stream.Seek(2, SeekOrigin.Current));
        Assert.Throws<IOException>(() => stream.Seek(-10, SeekOrigin.Current));
        Assert.Equal(9, stream.Position);
        Assert.Throws<ArgumentOutOfRangeException>(() => stream.Position = -1);
    }

    [Fact]
    public void ReadOnlyStream_RefusesWrites()
    {
        using var stream = new BufferStream(_region, 0, 10);
        Assert.True(stream.CanRead);
        Assert.True(stream.CanSeek);
        Assert.False(stream.CanWrite);
        Assert.Equal(10, stream.Length);
        Assert.Equal(10, stream.Capacity);
        Assert.Throws<NotSupportedException>(() => stream.Write([1]));
        Assert.Throws<NotSupportedException>(() => stream.SetLength(1));

        using var writeOnly = new BufferStream(_region, 0, 0, 10, FileAccess.Write);
        Assert.False(writeOnly.CanRead);
        Assert.Throws<NotSupportedException>(() => writeOnly.ReadByte());
    }

    [Fact]
    public void Constructor_ChecksTheRangeAndTheAccess()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new BufferStream(_region, Size - 10, 11));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BufferStream(_region, -1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BufferStream(_region, 0, length: 11, capacity: 10, FileAccess.ReadWrite));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BufferStream(_region, 0, 0, 10, (FileAccess)0));
        Assert.Throws<ArgumentNullException>(() => new BufferStream((MappedRegion)null!, 0, 1));

        using var readOnly = new MappedRegion(_shm, AccessMode.ReadOnly);
        var e = Assert.Throws<ArgumentException>(() => new BufferStream(readOnly, 0, 0, 10, FileAccess.ReadWrite));
        Assert.Contains("read-only", e.Message, StringComparison.Ordinal);
        using var reader = new BufferStream(readOnly, 0, 10);
        Assert.Equal(10, reader.Read(new byte[20]));
    }

    [Fact]
    public void Dispose_ClosesTheStream_AndLeavesTheMemory()
    {
        var stream = new BufferStream(_region, 0, 0, 10, FileAccess.ReadWrite);
        stream.Write("abc"u8);
        stream.Dispose();
        Assert.False(stream.CanRead);
        Assert.False(stream.CanWrite);
        Assert.False(stream.CanSeek);
        Assert.Throws<ObjectDisposedException>(() => stream.Length);
        Assert.Throws<ObjectDisposedException>(() => stream.ReadByte());
        Assert.Throws<ObjectDisposedException>(() => stream.Write([1]));
        Assert.Equal("abc", Encoding.ASCII.GetString(_region.GetReadOnlySpan(0, 3)));
    }

    [Fact]
    public async Task AsyncReadAndWrite_CopyTo_AndTextReadersWork()
    {
        using var stream = new BufferStream(_region, 0, 0, 1024, FileAccess.ReadWrite);
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
        await Assert.ThrowsAsync<NotSupportedException>(async () => await stream.WriteAsync(new byte[2000]));
    }

    [Fact]
    public unsafe void OverPointer_BehavesTheSame()
    {
        byte* memory = (byte*)NativeMemory.AllocZeroed(64);
        try
        {
            using (var stream = new BufferStream(memory, 0, 64, FileAccess.ReadWrite))
            {
                using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
                writer.Write(12345678L);
                writer.Write("x");
                Assert.Equal(10, stream.Length);
            }

            Assert.Equal(12345678L, *(long*)memory);
            using var reader = new BinaryReader(new BufferStream(memory, 10));
            Assert.Equal(12345678L, reader.ReadInt64());
            Assert.Equal("x", reader.ReadString());
            Assert.Throws<ArgumentNullException>(() => new BufferStream(null, 1));
        }
        finally
        {
            NativeMemory.Free(memory);
        }
    }

    [Fact]
    public void OverSegmentBlock_IsBoundedByTheBlock()
    {
        string name = UniqueName.New("stream-seg");
        try
        {
            using var segment = ManagedSharedMemory.CreateNew(name, 64 * 1024);
            long handle = segment.Manager.Allocate(100);
            long blockSize = segment.Manager.GetBlockSize(handle);
            using (var stream = new BufferStream(segment.Manager, handle, 0, 100, FileAccess.Write))
            {
                stream.Write(new byte[100]);
                Assert.Throws<NotSupportedException>(() => stream.WriteByte(1));
            }

            Assert.Throws<ArgumentOutOfRangeException>(() => new BufferStream(segment.Manager, handle, 0, blockSize + 1, FileAccess.Write));
            Assert.Throws<ArgumentException>(() => new BufferStream(segment.Manager, handle + 8, 8));    // not an allocated block
            Assert.Equal(100, new BufferStream(segment.Manager, handle, 100).Length);
        }
        finally
        {
            ManagedSharedMemory.Remove(name);
        }
    }

    [Fact]
    public void WrittenByOneProcess_ReadByAnother()
    {
        string[] lines = ["first record", "zweiter Datensatz — äöü", new string('x', 1000)];
        using (var stream = new BufferStream(_region, offset: 64, length: 0, capacity: Size - 64, FileAccess.Write))
        using (var writer = new BinaryWriter(stream, Encoding.UTF8))
        {
            writer.Write(lines.Length);
            foreach (string line in lines)
            {
                writer.Write(line);
            }

            writer.Flush();
            Volatile.Write(ref _region.GetRef<long>(0), stream.Length);   // publishes the bytes stored before it
        }

        var (code, output) = Driver.Run("stream-read", _name);
        Assert.True(code == 0, string.Join('\n', output));
        Assert.Equal(["COUNT 3", .. lines, $"END {_region.Read<long>(0)} -1"], output);
    }
}
