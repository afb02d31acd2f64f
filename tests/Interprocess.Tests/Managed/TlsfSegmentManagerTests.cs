using Interprocess.Managed;

namespace Interprocess.Tests.Managed;

/// <summary>The segment manager tests over the TLSF allocator (the default).</summary>
public sealed class TlsfSegmentManagerTests : SegmentManagerTests
{
    public TlsfSegmentManagerTests()
        : base(AllocationAlgorithm.Tlsf)
    {
    }
}
