using System.Buffers;
using System.Text;
using System.Text.Json;
using Interprocess.Containers;
using Interprocess.Managed;
using Interprocess.Streams;

namespace Interprocess.Tests.Streams;

/// <summary>VectorBufferWriter: appending to a SharedVector&lt;byte&gt; through IBufferWriter, growth, Advance's checks, serializers.</summary>
public sealed unsafe class VectorBufferWriterTests : IDisposable
{
    private readonly ManagedHeapMemory _heap = new(16L << 20);

    private SegmentManager M => _heap.Manager;

    public void Dispose() => _heap.Dispose();

    [Fact]
    public void GetSpanAndAdvance_AppendToWhatTheVectorHeld()
    {
        var v = SharedVector<byte>.Create(M);
        v.AddRange("abc"u8);
        var writer = new VectorBufferWriter(v);
        Assert.Equal(3, writer.WrittenCount);
        var span = writer.GetSpan(5);
        Assert.True(span.Length >= 5);
        Assert.Equal(writer.Capacity - 3, span.Length);                                     // all the free memory
        "defgh"u8.CopyTo(span);
        Assert.Equal(3, v.Count);                                                           // nothing counts before Advance
        writer.Advance(5);
        Assert.Equal(8, v.Count);
        Assert.Equal("abcdefgh", Encoding.ASCII.GetString(writer.WrittenSpan));
        Assert.Equal(v, writer.Vector);
        Assert.Equal(writer.Capacity - 8, writer.FreeCapacity);
        v.Destroy();
    }

    [Fact]
    public void Growth_IsAmortized()
    {
        var v = SharedVector<byte>.Create(M);
        var writer = new VectorBufferWriter(v);
        int growths = 0;
        int capacity = writer.Capacity;
        for (int i = 0; i < 100_000; i++)
        {
            writer.GetSpan()[0] = (byte)i;
            writer.Advance(1);
            if (writer.Capacity != capacity)
            {
                growths++;
                capacity = writer.Capacity;
            }
        }

        Assert.InRange(growths, 1, 20);
        Assert.Equal(100_000, writer.WrittenCount);
        Assert.Equal(unchecked((byte)99_999), v.Get(99_999));
        v.Destroy();
    }

    [Fact]
    public void Utf8JsonWriter_SerializesStraightIntoTheVector()
    {
        var v = SharedVector<byte>.Create(M);
        var order = new Order { Id = 42, Symbol = "ACME", Lines = Enumerable.Range(0, 500).ToArray() };
        using (var json = new Utf8JsonWriter(new VectorBufferWriter(v)))                    // uses GetMemory; grows many times
        {
            JsonSerializer.Serialize(json, order);
        }

        var back = JsonSerializer.Deserialize<Order>(v.AsReadOnlySpan())!;
        Assert.Equal(42, back.Id);
        Assert.Equal("ACME", back.Symbol);
        Assert.Equal(order.Lines, back.Lines);
        Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(order), v.ToArray());
        v.Destroy();
    }

    [Fact]
    public void GetMemory_FollowsTheBufferWhenItMoves()
    {
        var v = SharedVector<byte>.Create(M);
        var writer = new VectorBufferWriter(v);
        var memory = writer.GetMemory(4);
        "1234"u8.CopyTo(memory.Span);
        writer.Advance(4);
        var big = writer.GetMemory(10_000);                                                  // grows
        Assert.True(big.Length >= 10_000);
        big.Span[0] = (byte)'5';
        using (var pin = big.Pin())
        {
            Assert.True(pin.Pointer != null);
        }

        writer.Advance(1);
        Assert.Equal("12345", Encoding.ASCII.GetString(v.AsReadOnlySpan()));
        v.Destroy();
    }

    [Fact]
    public void Advance_BeyondTheSpanGiven_OrWithoutOne_OrNegative_Throws()
    {
        var v = SharedVector<byte>.Create(M);
        var writer = new VectorBufferWriter(v);
        Assert.Throws<InvalidOperationException>(() => writer.Advance(1));                  // no span handed out
        writer.Advance(0);                                                                  // nothing to commit: fine
        int free = writer.GetSpan(8).Length;
        Assert.Throws<InvalidOperationException>(() => writer.Advance(free + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Advance(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.GetSpan(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.GetMemory(-1));
        writer.Advance(2);
        writer.Advance(free - 2);                                                           // the rest of the same span
        Assert.Throws<InvalidOperationException>(() => writer.Advance(1));
        Assert.Equal(free, v.Count);
        v.Destroy();
    }

    [Fact]
    public void Advance_AfterTheVectorChangedElsewhere_CommitsNothing()
    {
        var v = SharedVector<byte>.Create(M);
        var writer = new VectorBufferWriter(v);
        var span = writer.GetSpan(4);
        "wxyz"u8.CopyTo(span);
        var other = v;
        other.Add((byte)'!');                                                               // another handle appends in between
        var e = Assert.Throws<InvalidOperationException>(() => writer.Advance(4));
        Assert.Contains("changed", e.Message, StringComparison.Ordinal);
        Assert.Equal("!", Encoding.ASCII.GetString(v.AsReadOnlySpan()));

        fixed (byte* before = writer.GetSpan(4))
        {
            M.Allocate(64);                                                                 // (most likely) right after the buffer: it cannot grow in place
            other.Reserve(10_000);                                                          // the count stays; the buffer moves, or grows in place
            fixed (byte* after = v.AsSpan())
            {
                if (before - 1 != after)
                {
                    Assert.Throws<InvalidOperationException>(() => writer.Advance(1));      // the span handed out is in freed memory
                    Assert.Equal(1, v.Count);
                }
                else
                {
                    writer.Advance(1);                                                      // grown in place: the span is still the vector's
                    Assert.Equal(2, v.Count);
                }
            }
        }

        writer.Clear();
        Assert.Equal(0, v.Count);
        Assert.Throws<InvalidOperationException>(() => writer.Advance(1));                  // spans from before Clear are gone
        v.Destroy();
    }

    [Fact]
    public void DefaultOrDestroyedVector_IsRefused()
    {
        Assert.Throws<ArgumentException>(() => new VectorBufferWriter(default));
        var v = SharedVector<byte>.Create(M);
        var writer = new VectorBufferWriter(v);
        writer.GetSpan(1);
        v.Destroy();
        Assert.Throws<InvalidOperationException>(() => writer.GetSpan(1));
        Assert.Throws<InvalidOperationException>(() => writer.Advance(1));
        Assert.Throws<InvalidOperationException>(() => writer.WrittenCount);
        Assert.Throws<InvalidOperationException>(() => new VectorBufferWriter(v));
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void ImplementsIBufferWriter_ForGenericCode()
    {
        var v = SharedVector<byte>.Create(M);
        IBufferWriter<byte> writer = new VectorBufferWriter(v);
        writer.Write("via the interface"u8);                                                // BuffersExtensions.Write: GetSpan + Advance in a loop
        Encoding.UTF8.GetBytes(" and an encoder", writer);
        Assert.Equal("via the interface and an encoder", Encoding.UTF8.GetString(v.AsReadOnlySpan()));
        v.Destroy();
    }

    private sealed class Order
    {
        public int Id { get; set; }

        public string Symbol { get; set; } = "";

        public int[] Lines { get; set; } = [];
    }
}
