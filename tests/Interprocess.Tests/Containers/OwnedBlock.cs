using Interprocess.Containers;
using Interprocess.Managed;

namespace Interprocess.Tests.Containers;

/// <summary>
/// A test element that owns a raw block of its segment: containers must call <see cref="Destroy"/> on it when
/// they remove it, or the segment is left with an allocation (checked with AllMemoryDeallocated).
/// </summary>
internal struct OwnedBlock : ISegmentOwned, IEquatable<OwnedBlock>
{
    public ulong SegmentId;
    public long Block;
    public long Tag;

    public static OwnedBlock New(SegmentManager m, long tag)
    {
        long block = m.Allocate(48);
        m.GetRef<long>(block) = tag;
        return new OwnedBlock { SegmentId = m.SegmentId, Block = block, Tag = tag };
    }

    public readonly long ReadTag() => SegmentRegistry.Resolve(SegmentId).GetRef<long>(Block);

    public readonly void Destroy() => SegmentRegistry.Resolve(SegmentId).Deallocate(Block);

    public readonly bool Equals(OwnedBlock other) => Block == other.Block && SegmentId == other.SegmentId;

    public override readonly bool Equals(object? obj) => obj is OwnedBlock o && Equals(o);

    public override readonly int GetHashCode() => Block.GetHashCode();
}
