using Interprocess.Managed;

namespace Interprocess.Tests.Managed;

/// <summary>The segment manager tests over the sequential-fit allocator.</summary>
public sealed class SequentialFitSegmentManagerTests : SegmentManagerTests
{
    public SequentialFitSegmentManagerTests()
        : base(AllocationAlgorithm.SequentialFit)
    {
    }
}
