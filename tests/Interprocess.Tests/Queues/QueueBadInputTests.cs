using Interprocess.Memory;
using Interprocess.Queues;
using Interprocess.Tests.Infrastructure;

namespace Interprocess.Tests.Queues;

public sealed class QueueBadInputTests : IDisposable
{
    private readonly string _name = UniqueName.New("qbad");

    public void Dispose() => SharedMemoryObject.Remove(_name);

    [Theory]
    [InlineData(0, 8)]
    [InlineData(100, 8)]
    [InlineData(32, 8)]
    [InlineData(1024, 600)]
    [InlineData(1024, -1)]
    public void Spsc_InvalidSizes_AreRefused_AndNothingIsCreated(long capacity, int max)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SpscQueue.CreateNew(_name, capacity, max));
        Assert.False(SharedMemoryObject.Exists(_name));
    }

    [Theory]
    [InlineData(0, 8)]
    [InlineData(3, 8)]
    [InlineData(1L << 25, 8)]
    [InlineData(16, -1)]
    [InlineData(16, (1 << 24) + 1)]
    public void SlotQueues_InvalidSizes_AreRefused(long capacity, int max)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MpmcQueue.CreateNew(_name, capacity, max));
        Assert.Throws<ArgumentOutOfRangeException>(() => BroadcastQueue.CreateNew(_name, capacity, max));
        Assert.False(SharedMemoryObject.Exists(_name));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("..")]
    public void BadNames_AreRefused(string name)
    {
        Assert.ThrowsAny<ArgumentException>(() => SpscQueue.CreateNew(name, 1024, 8));
        Assert.ThrowsAny<ArgumentException>(() => MpmcQueue.OpenExisting(name));
    }

    [Fact]
    public void Missing_IsNotFound()
    {
        Assert.Equal(InterprocessErrorCode.NotFound, Assert.Throws<InterprocessException>(() => SpscQueue.OpenExisting(_name)).ErrorCode);
    }

    [Fact]
    public void PlainSharedMemory_IsNotAQueue()
    {
        using (var shm = SharedMemoryObject.CreateNew(_name, 8192))
        {
            Assert.Equal(InterprocessErrorCode.Corrupted, Assert.Throws<InterprocessException>(() => SpscQueue.OpenExisting(_name)).ErrorCode);
        }

        SharedMemoryObject.Remove(_name);
        using (SharedMemoryObject.CreateNew(_name, 100))
        {
            Assert.Equal(InterprocessErrorCode.Corrupted, Assert.Throws<InterprocessException>(() => MpmcQueue.OpenExisting(_name)).ErrorCode);
        }
    }

    [Fact]
    public void AnotherKindOfQueue_IsRefused_WithItsKind()
    {
        using var spsc = SpscQueue.CreateNew(_name, 1024, 64);
        var e = Assert.Throws<InterprocessException>(() => MpmcQueue.OpenExisting(_name));
        Assert.Equal(InterprocessErrorCode.Corrupted, e.ErrorCode);
        Assert.Contains("Spsc", e.Message, StringComparison.Ordinal);
        Assert.Equal(InterprocessErrorCode.Corrupted, Assert.Throws<InterprocessException>(() => BroadcastQueue.OpenExisting(_name)).ErrorCode);
        Assert.Equal(InterprocessErrorCode.InvalidArgument, Assert.Throws<InterprocessException>(() => SpscQueue.OpenOrCreate(_name, 2048, 64)).ErrorCode);
        using var same = SpscQueue.OpenOrCreate(_name, 1024, 64);
        Assert.False(same.Created);
    }

    [Theory]
    [InlineData(0, 0x1234L)]        // magic
    [InlineData(8, 4L)]             // layout version (a future one)
    [InlineData(24, 1000L)]         // capacity not a power of two
    [InlineData(24, 1L << 40)]      // capacity beyond the object
    [InlineData(32, 100000L)]       // max message size
    [InlineData(40, 12L)]           // total length
    public void CorruptedHeader_IsRefused(int offset, long value)
    {
        SpscQueue.CreateNew(_name, 1024, 64).Dispose();
        using (var shm = SharedMemoryObject.OpenExisting(_name))
        using (var region = new MappedRegion(shm))
        {
            if (offset is 8 or 32)
            {
                region.Write(offset, (int)value);
            }
            else
            {
                region.Write(offset, value);
            }
        }

        Assert.Equal(InterprocessErrorCode.Corrupted, Assert.Throws<InterprocessException>(() => SpscQueue.OpenExisting(_name)).ErrorCode);
    }

    [Fact]
    public void OldSpscLayoutVersion_IsRefused_NamingBothVersions()
    {
        SpscQueue.CreateNew(_name, 1024, 64).Dispose();
        using (var shm = SharedMemoryObject.OpenExisting(_name))
        using (var region = new MappedRegion(shm))
        {
            Assert.Equal(3, region.Read<int>(8));
            region.Write(8, 2); // what the library wrote before producer tokens
        }

        var e = Assert.Throws<InterprocessException>(() => SpscQueue.OpenExisting(_name));
        Assert.Equal(InterprocessErrorCode.Corrupted, e.ErrorCode);
        Assert.Contains("layout version 2", e.Message, StringComparison.Ordinal);
        Assert.Contains("layout version 3", e.Message, StringComparison.Ordinal);
        Assert.Contains("older version", e.Message, StringComparison.Ordinal);
        Assert.Equal(InterprocessErrorCode.Corrupted, Assert.Throws<InterprocessException>(() => SpscQueue.OpenOrCreate(_name, 1024, 64)).ErrorCode);
        var inspect = Assert.Throws<InterprocessException>(() => FastQueueInfo.Inspect(_name));
        Assert.Contains("layout version 2", inspect.Message, StringComparison.Ordinal);

        // MPMC queues keep layout version 1.
        SharedMemoryObject.Remove(_name);
        MpmcQueue.CreateNew(_name, 4, 64).Dispose();
        using var shm2 = SharedMemoryObject.OpenExisting(_name);
        using var region2 = new MappedRegion(shm2);
        Assert.Equal(1, region2.Read<int>(8));
    }

    [Fact]
    public void CorruptedOrStaleCommitTags_AreReported_NeverDelivered()
    {
        using var q = SpscQueue.CreateNew(_name, 1024, 64);
        var buffer = new byte[64];
        for (int i = 0; i < 20; i++)
        {
            q.Send(buffer); // 80-byte records, with a padding at the first wrap
            Assert.True(q.TryReceive(buffer, out _));
        }

        using var shm = SharedMemoryObject.OpenExisting(_name);
        using var region = new MappedRegion(shm);
        long head = region.Read<long>(128);
        Assert.Equal(1664, head); // 12 records, a 64-byte padding, 8 records
        int slot = 512 + (int)(head & 1023);
        Assert.Equal(0, region.Read<long>(slot)); // the marker: "not committed"
        foreach (long tag in new[] { head - 1024 + 1, head - 2048 + 1, head + 1024 + 1, 12345, -1 })
        {
            // The tag of this slot one or two laps ago, one lap ahead, garbage: all "damaged", none a message.
            region.Write(slot, tag);
            var e = Assert.Throws<InterprocessException>(() => q.TryPeek(out _));
            Assert.Equal(InterprocessErrorCode.Corrupted, e.ErrorCode);
            Assert.Contains("commit tag", e.Message, StringComparison.Ordinal);
            Assert.Equal(InterprocessErrorCode.Corrupted, Assert.Throws<InterprocessException>(() => FastQueueInfo.Inspect(_name)).ErrorCode);
        }

        region.Write(slot, 0L);
        Assert.False(q.TryPeek(out _));
        q.Send(new byte[10]);
        Assert.True(q.TryReceive(buffer, out int n));
        Assert.Equal(10, n);
    }

    [Fact]
    public void CorruptedCountersAndRecords_AreReported_NotCrashed()
    {
        using var q = SpscQueue.CreateNew(_name, 1024, 64);
        q.Send(new byte[10]);
        using var shm = SharedMemoryObject.OpenExisting(_name);
        using var region = new MappedRegion(shm);
        region.Write(520, 1_000_000); // the record's length (its commit tag is valid)
        Assert.Equal(InterprocessErrorCode.Corrupted, Assert.Throws<InterprocessException>(() => q.TryPeek(out _)).ErrorCode);
        region.Write(520, 10);
        region.Write(524, 7);         // the record's type
        Assert.Equal(InterprocessErrorCode.Corrupted, Assert.Throws<InterprocessException>(() => q.TryPeek(out _)).ErrorCode);
        region.Write(524, 2);         // a padding in the middle of the ring
        Assert.Equal(InterprocessErrorCode.Corrupted, Assert.Throws<InterprocessException>(() => q.TryPeek(out _)).ErrorCode);
        region.Write(524, 1);
        region.Write(128, 8L);        // the consumer counter, not record-aligned
        Assert.Equal(InterprocessErrorCode.Corrupted, Assert.Throws<InterprocessException>(() => q.TryPeek(out _)).ErrorCode);
        region.Write(128, 0L);
        region.Write(64, 1L << 40);   // the producer counter
        Assert.Equal(InterprocessErrorCode.Corrupted, Assert.Throws<InterprocessException>(() => SpscQueue.OpenExisting(_name)).ErrorCode);
    }

    [Fact]
    public void TooLongMessages_AreRefused_NothingSent()
    {
        using var q = SpscQueue.CreateNew(_name, 1024, 64);
        Assert.Throws<ArgumentOutOfRangeException>(() => q.TrySend(new byte[65]));
        Assert.True(q.IsEmpty);
        SharedMemoryObject.Remove(_name);
        using var m = MpmcQueue.CreateNew(_name, 4, 64);
        Assert.Throws<ArgumentOutOfRangeException>(() => m.TrySend(new byte[65]));
        Assert.False(m.TryReceive(new byte[64], out _));
    }
}
