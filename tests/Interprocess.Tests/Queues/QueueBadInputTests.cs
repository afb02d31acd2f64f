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
    [InlineData(8, 2L)]             // layout version
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
    public void CorruptedCountersAndRecords_AreReported_NotCrashed()
    {
        using var q = SpscQueue.CreateNew(_name, 1024, 64);
        q.Send(new byte[10]);
        using var shm = SharedMemoryObject.OpenExisting(_name);
        using var region = new MappedRegion(shm);
        region.Write(512, 1_000_000); // the record's length
        Assert.Equal(InterprocessErrorCode.Corrupted, Assert.Throws<InterprocessException>(() => q.TryPeek(out _)).ErrorCode);
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
