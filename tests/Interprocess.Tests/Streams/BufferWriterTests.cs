using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Interprocess.Managed;
using Interprocess.Memory;
using Interprocess.Streams;
using Interprocess.Tests.Infrastructure;

namespace Interprocess.Tests.Streams;

public sealed unsafe class BufferWriterTests : IDisposable
{
    private const int Size = 4096;
    private readonly string _name = UniqueName.New("bufwriter");
    private readonly SharedMemoryObject _shm;
    private readonly MappedRegion _region;

    public BufferWriterTests()
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
    public void GetSpanAndAdvance_WriteInPlace()
    {
        var writer = new BufferWriter(_region, offset: 10, capacity: 20);
        Assert.Equal(20, writer.FreeCapacity);
        Span<byte> span = writer.GetSpan(5);
        Assert.Equal(20, span.Length);                                  // all the free memory
        "abcde"u8.CopyTo(span);
        writer.Advance(5);
        "fgh"u8.CopyTo(writer.GetSpan());
        writer.Advance(3);

        Assert.Equal(8, writer.WrittenCount);
        Assert.Equal(12, writer.FreeCapacity);
        Assert.Equal("abcdefgh", Encoding.ASCII.GetString(writer.WrittenSpan));
        Assert.Equal("abcdefgh", Encoding.ASCII.GetString(_region.GetReadOnlySpan(10, 8)));
        Assert.True(writer.WrittenSpan.Overlaps(_region.GetReadOnlySpan(10, 8)));   // no copy

        writer.ResetWrittenCount();
        Assert.Equal(0, writer.WrittenCount);
        Assert.Equal("abcdefgh", Encoding.ASCII.GetString(_region.GetReadOnlySpan(10, 8)));   // not cleared
    }

    [Fact]
    public void GetMemory_IsTheRegionsMemory()
    {
        var writer = new BufferWriter(_region, 100, 50);
        "xy"u8.CopyTo(writer.GetMemory(2).Span);
        writer.Advance(2);
        Memory<byte> rest = writer.GetMemory();
        Assert.Equal(48, rest.Length);
        using (var pin = rest.Pin())
        {
            Assert.Equal(_region.Address + 102, (nint)pin.Pointer);
        }

        Assert.True(MemoryMarshal.TryGetMemoryManager<byte, System.Buffers.MemoryManager<byte>>(rest, out _));
        Assert.Equal("xy", Encoding.ASCII.GetString(writer.WrittenMemory.Span));
        Assert.Equal("xy", Encoding.ASCII.GetString(_region.GetReadOnlySpan(100, 2)));
    }

    [Fact]
    public void AskingForMoreThanIsFree_Throws()
    {
        var writer = new BufferWriter(_region, 0, 8);
        writer.Advance(6);
        var e = Assert.Throws<InvalidOperationException>(() => writer.GetSpan(3));
        Assert.Contains("fixed capacity of 8 bytes has 2 free; 3 were asked for", e.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => writer.GetMemory(3));
        Assert.Throws<InvalidOperationException>(() => writer.Advance(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Advance(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.GetSpan(-1));
        writer.Advance(2);
        Assert.Throws<InvalidOperationException>(() => writer.GetSpan());   // a hint of 0 still needs one byte
        Assert.Equal(8, writer.WrittenCount);
    }

    [Fact]
    public void Constructor_ChecksTheRangeAndTheAccess()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new BufferWriter(_region, Size - 4, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BufferWriter(_region, 0, -1));
        using var readOnly = new MappedRegion(_shm, AccessMode.ReadOnly);
        Assert.Throws<ArgumentException>(() => new BufferWriter(readOnly, 0, 4));
        Assert.Throws<ArgumentNullException>(() => new BufferWriter(null, 4));
    }

    [Fact]
    public void Utf8JsonWriter_SerializesIntoSharedMemory()
    {
        var writer = new BufferWriter(_region, 0, 256);
        using (var json = new Utf8JsonWriter(writer))
        {
            JsonSerializer.Serialize(json, new { Symbol = "ACME", Price = 12.5 });
        }

        Assert.Equal("""{"Symbol":"ACME","Price":12.5}""", Encoding.UTF8.GetString(_region.GetReadOnlySpan(0, writer.WrittenCount)));

        var small = new BufferWriter(_region, 0, 8);
        using var tooSmall = new Utf8JsonWriter(small);
        Assert.Throws<InvalidOperationException>(() => JsonSerializer.Serialize(tooSmall, new { Symbol = "a long enough string" }));
    }

    [Fact]
    public void OverPointer_Works()
    {
        byte* memory = (byte*)NativeMemory.AllocZeroed(16);
        try
        {
            var writer = new BufferWriter(memory, 16);
            writer.GetSpan(4).Fill(9);
            writer.Advance(4);
            Assert.Equal(0x09090909, *(int*)memory);
        }
        finally
        {
            NativeMemory.Free(memory);
        }
    }

    [Fact]
    public void ChildSerializesIntoSegmentBlock_ParentReadsItWithABufferStream()
    {
        string name = UniqueName.New("bufwriter-seg");
        try
        {
            using var segment = ManagedSharedMemory.CreateNew(name, 64 * 1024);
            var (code, output) = Driver.Run("stream-json", name, "answer", "42");
            Assert.True(code == 0, string.Join('\n', output));

            Span<long> published = segment.Manager.Find<long>("json").AsSpan();
            long handle = published[0], length = published[1];
            Assert.Equal([$"WROTE {length}"], output);
            using var stream = new BufferStream(segment.Manager, handle, length);
            using var document = JsonDocument.Parse(stream);
            Assert.Equal("answer", document.RootElement.GetProperty("key").GetString());
            Assert.Equal(42, document.RootElement.GetProperty("value").GetInt64());
        }
        finally
        {
            ManagedSharedMemory.Remove(name);
        }
    }
}
