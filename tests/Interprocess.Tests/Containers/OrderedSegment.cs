using Interprocess.Managed;
using Interprocess.Tests.Infrastructure;

namespace Interprocess.Tests.Containers;

/// <summary>A fresh managed segment (GUID name) for one ordered-container test, removed afterwards.</summary>
public abstract class OrderedSegment : IDisposable
{
    protected const long SegmentSize = 32L << 20;

    protected OrderedSegment()
    {
        Name = UniqueName.New("ordered");
        Shm = ManagedSharedMemory.CreateNew(Name, SegmentSize);
    }

    protected string Name { get; }

    protected ManagedSharedMemory Shm { get; private set; }

    protected SegmentManager M => Shm.Manager;

    public void Dispose()
    {
        Shm.Dispose();
        ManagedSharedMemory.Remove(Name);
        GC.SuppressFinalize(this);
    }

    /// <summary>Closes the writable mapping and opens the segment read-only instead.</summary>
    protected void ReopenReadOnly()
    {
        Shm.Dispose();
        Shm = ManagedSharedMemory.OpenReadOnly(Name);
    }

    /// <summary>Every block the test allocated was given back, and the heap is sane.</summary>
    protected void AssertNothingLeaked()
    {
        Assert.True(M.CheckSanity(out var problems), string.Join("; ", problems));
        Assert.True(M.AllMemoryDeallocated(), "memory left allocated");
    }
}
