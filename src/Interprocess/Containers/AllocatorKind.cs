namespace Interprocess.Containers;

/// <summary>
/// Where a container gets its memory (Boost's allocator choice). The choice is made when the container is
/// created and stored in its header, so every process that uses the container allocates the same way.
/// </summary>
public enum AllocatorKind
{
    /// <summary>Every block straight from the segment's allocation algorithm (Boost's <c>allocator</c>).</summary>
    General = 0,
}
