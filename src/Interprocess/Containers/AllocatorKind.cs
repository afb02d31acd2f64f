namespace Interprocess.Containers;

/// <summary>
/// Where a container gets its memory (Boost's allocator choice). The choice is made when the container is
/// created and stored in its header, so every process that uses the container allocates the same way.
/// </summary>
/// <remarks>
/// <para>The pooled kinds serve allocations of up to the container's node size (a list, map or hash node) from a
/// pool of fixed-size slots; anything larger (a vector's buffer, a hash table's bucket array) takes the general
/// path transparently. Containers without a fixed node size (<see cref="SharedVector{T}"/>,
/// <see cref="SharedString"/>) allocate everything on the general path whatever the kind, as Boost's
/// <c>node_allocator</c> does for requests of more than one element.</para>
/// <para>Shared pools (<see cref="NodePool"/>, <see cref="AdaptivePool"/> and the cached kinds behind their cache)
/// are found through a directory in the segment and shared by every container whose node size rounds to the same
/// slot size; they are guarded by the segment's robust lock. <see cref="ContainerPools.Shrink"/> gives free
/// chunks and unused pools back to the segment. See docs/allocators.md.</para>
/// </remarks>
public enum AllocatorKind
{
    /// <summary>Every block straight from the segment's allocation algorithm (Boost's <c>allocator</c>).</summary>
    General = 0,

    /// <summary>
    /// A segregated pool of fixed-size nodes shared by every container of the segment with the same node size
    /// (Boost's <c>node_allocator</c>). Chunks of nodes are taken from the segment as needed and kept until
    /// <see cref="ContainerPools.Shrink"/> returns the completely free ones.
    /// </summary>
    NodePool = 1,

    /// <summary>
    /// A shared pool whose nodes are carved from aligned blocks; a block that becomes completely free is given
    /// back to the segment (beyond two kept in reserve) (Boost's <c>adaptive_pool</c>).
    /// </summary>
    AdaptivePool = 2,

    /// <summary>A node pool owned by the one container, not shared and not locked (Boost's <c>private_node_allocator</c>); freed by the container's <c>Destroy</c>.</summary>
    PrivateNodePool = 3,

    /// <summary>An adaptive pool owned by the one container, not shared and not locked (Boost's <c>private_adaptive_pool</c>).</summary>
    PrivateAdaptivePool = 4,

    /// <summary>
    /// A small cache of free nodes in the container's header in front of the shared <see cref="NodePool"/>
    /// (Boost's <c>cached_node_allocator</c>): most allocations take no lock. The cache is flushed back by <c>Destroy</c>.
    /// </summary>
    CachedNodePool = 5,

    /// <summary>A cache of free nodes in front of the shared <see cref="AdaptivePool"/> (Boost's <c>cached_adaptive_pool</c>).</summary>
    CachedAdaptivePool = 6,
}
