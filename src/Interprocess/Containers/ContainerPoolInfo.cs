namespace Interprocess.Containers;

/// <summary>A snapshot of one shared pool of a segment (see <see cref="ContainerPools.GetPools"/>).</summary>
/// <param name="Kind"><see cref="AllocatorKind.NodePool"/> or <see cref="AllocatorKind.AdaptivePool"/>.</param>
/// <param name="SlotSize">Bytes per node slot (node sizes are rounded up to a multiple of 8).</param>
/// <param name="Users">Containers attached to the pool (created with a kind that uses it and not yet destroyed).</param>
/// <param name="Chunks">Chunks (adaptive: blocks) the pool holds from the segment.</param>
/// <param name="NodesInUse">Nodes handed out, including those in containers' caches.</param>
/// <param name="Repairs">How many interrupted pool operations were repaired.</param>
public readonly record struct ContainerPoolInfo(AllocatorKind Kind, int SlotSize, int Users, long Chunks, long NodesInUse, long Repairs);
