using System.Runtime.InteropServices;
using Interprocess.Managed;

namespace Interprocess.Containers;

/// <summary>
/// The allocator state a container keeps in its header: which <see cref="AllocatorKind"/> it uses and, for the
/// pooled kinds, where its pool is. Used in place (through a pointer into the header), never copied.
/// </summary>
/// <remarks>
/// Containers are not synchronized (as in Boost): the caller guards a container shared by several processes with
/// a lock. The allocator takes the segment's own lock for whatever it shares with other containers.
/// </remarks>
[StructLayout(LayoutKind.Explicit, Size = Size)]
internal struct ContainerAllocator
{
    /// <summary>Bytes of allocator state in a header.</summary>
    internal const int Size = 32;

    /// <summary>The <see cref="AllocatorKind"/>.</summary>
    [FieldOffset(0)] internal int Kind;

    /// <summary>The node size a pooled allocator was set up for (0 for <see cref="AllocatorKind.General"/>).</summary>
    [FieldOffset(4)] internal int NodeSize;

    /// <summary>The pool's handle for pooled kinds (0 until the first allocation).</summary>
    [FieldOffset(8)] internal long Pool;

    /// <summary>Free for the pooled kinds (for example a private cache).</summary>
    [FieldOffset(16)] internal long Reserved0;

    /// <summary>Free for the pooled kinds.</summary>
    [FieldOffset(24)] internal long Reserved1;

    /// <summary>Sets the kind in a zeroed header.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An unknown kind.</exception>
    internal void Initialize(AllocatorKind kind, int nodeSize)
    {
        if (kind != AllocatorKind.General)
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown allocator kind.");
        }

        Kind = (int)kind;
        NodeSize = nodeSize;
    }

    /// <summary>Allocates <paramref name="bytes"/> (16-byte aligned) and returns the block's handle.</summary>
    /// <exception cref="InterprocessException">The segment is full (<see cref="InterprocessErrorCode.OutOfMemory"/>) or the allocator state is corrupted.</exception>
    internal long Allocate(SegmentManager manager, long bytes) => Kind switch
    {
        (int)AllocatorKind.General => manager.Allocate(bytes),
        _ => throw BadKind(manager),
    };

    /// <summary>Gives back a block this allocator allocated.</summary>
    /// <exception cref="InterprocessException">The allocator state is corrupted.</exception>
    internal void Deallocate(SegmentManager manager, long handle, long bytes)
    {
        switch (Kind)
        {
            case (int)AllocatorKind.General:
                manager.Deallocate(handle);
                break;
            default:
                throw BadKind(manager);
        }
    }

    /// <summary>Releases what the allocator itself holds (a private pool, a cache) when its container is destroyed.</summary>
    internal void Release(SegmentManager manager)
    {
    }

    private readonly InterprocessException BadKind(SegmentManager manager) =>
        InterprocessException.Corrupted(manager.Name, $"a container's allocator kind is {Kind}, which is not an allocator kind (the container header is corrupted).");
}
