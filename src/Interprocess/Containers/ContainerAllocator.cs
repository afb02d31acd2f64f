using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Interprocess.Managed;

namespace Interprocess.Containers;

/// <summary>
/// The allocator state a container keeps in its header: which <see cref="AllocatorKind"/> it uses and, for the
/// pooled kinds, where its pool is. Used in place (through a pointer into the header), never copied.
/// </summary>
/// <remarks>
/// <para>Containers are not synchronized (as in Boost): the caller guards a container shared by several processes
/// with a lock. The allocator takes the segment's own lock for whatever it shares with other containers (a shared
/// pool); a private pool and a cache are the container's own and are changed under the caller's lock.</para>
/// <para>Requests larger than <see cref="NodeSize"/> (and every request of a container created with node size 0)
/// go to the segment directly, whatever the kind: a pool only serves node-sized blocks. <see cref="Deallocate"/>
/// must be given the size given to <see cref="Allocate"/>, so that it takes the same path.</para>
/// <code>
///  0 int  Kind      the AllocatorKind
///  4 int  NodeSize  the container's node size (0: none)
///  8 long Pool      the pool's header (0 until the first pooled allocation)
/// 16 long Cache     cached kinds: the first cached free node (linked through the nodes' first 8 bytes)
/// 24 long Cached    cached kinds: how many nodes are cached
/// </code>
/// </remarks>
[StructLayout(LayoutKind.Explicit, Size = Size)]
internal struct ContainerAllocator
{
    /// <summary>Bytes of allocator state in a header.</summary>
    internal const int Size = 32;

    /// <summary>At most this many free nodes are cached by a cached kind; beyond it half go back to the pool.</summary>
    internal const int MaxCached = 64;

    /// <summary>Nodes a cached kind takes from its pool at once when its cache is empty.</summary>
    internal const int CacheRefill = 16;

    /// <summary>The <see cref="AllocatorKind"/>.</summary>
    [FieldOffset(0)] internal int Kind;

    /// <summary>The node size a pooled allocator was set up for (0: every request takes the general path).</summary>
    [FieldOffset(4)] internal int NodeSize;

    /// <summary>The pool's handle for pooled kinds (0 until the first allocation).</summary>
    [FieldOffset(8)] internal long Pool;

    /// <summary>Cached kinds: the first free node of the cache.</summary>
    [FieldOffset(16)] internal long Cache;

    /// <summary>Cached kinds: the number of nodes in the cache.</summary>
    [FieldOffset(24)] internal long Cached;

    /// <summary>Sets the kind in a zeroed header.</summary>
    /// <param name="kind">The allocator kind.</param>
    /// <param name="nodeSize">The container's node size; 0 when it has none (a vector, a string).</param>
    /// <exception cref="ArgumentOutOfRangeException">An unknown kind, or a negative node size.</exception>
    internal void Initialize(AllocatorKind kind, int nodeSize)
    {
        if ((uint)kind > (uint)AllocatorKind.CachedAdaptivePool)
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown allocator kind.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(nodeSize);
        Kind = (int)kind;
        NodeSize = nodeSize;
    }

    /// <summary>Allocates <paramref name="bytes"/> and returns the block's handle (16-byte aligned on the general path; a pooled node is aligned to 16 when its slot size is a multiple of 16, else to 8).</summary>
    /// <exception cref="InterprocessException">The segment is full (<see cref="InterprocessErrorCode.OutOfMemory"/>) or the allocator state is corrupted.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal long Allocate(SegmentManager manager, long bytes) =>
        Kind == (int)AllocatorKind.General ? manager.Allocate(bytes) : AllocateOther(manager, bytes);

    /// <summary>Gives back a block this allocator allocated with the same <paramref name="bytes"/>.</summary>
    /// <exception cref="ArgumentException">The handle is not a block of this allocator.</exception>
    /// <exception cref="InterprocessException">The allocator state is corrupted.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Deallocate(SegmentManager manager, long handle, long bytes)
    {
        if (Kind == (int)AllocatorKind.General)
        {
            manager.Deallocate(handle);
        }
        else
        {
            DeallocateOther(manager, handle, bytes);
        }
    }

    /// <summary>
    /// Releases what the allocator itself holds when its container is destroyed: a private pool is freed, a cache
    /// is flushed to its pool, a shared pool is detached (<see cref="ContainerPools.Shrink"/> can then free it).
    /// The caller has already given back every node.
    /// </summary>
    /// <exception cref="InterprocessException">The allocator state is corrupted.</exception>
    internal unsafe void Release(SegmentManager manager)
    {
        if (Pool == 0)
        {
            return;
        }

        switch ((AllocatorKind)Kind)
        {
            case AllocatorKind.PrivateNodePool:
            case AllocatorKind.PrivateAdaptivePool:
                ContainerPool.DestroyPool(manager, Pool);
                break;
            case AllocatorKind.CachedNodePool:
            case AllocatorKind.CachedAdaptivePool:
                if (Cached > 0)
                {
                    ContainerPool.DeallocateBatch(manager, ContainerPool.Get(manager, Pool), Cached, ref Cache, ref Cached);
                }

                ContainerPools.Detach(manager, Pool);
                break;
            case AllocatorKind.NodePool:
            case AllocatorKind.AdaptivePool:
                ContainerPools.Detach(manager, Pool);
                break;
            default:
                throw BadKind(manager);
        }

        Pool = 0;
        Cache = 0;
        Cached = 0;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private unsafe long AllocateOther(SegmentManager manager, long bytes)
    {
        if ((uint)Kind > (uint)AllocatorKind.CachedAdaptivePool)
        {
            ThrowBadKind(manager);
        }

        if (bytes > NodeSize)
        {
            return manager.Allocate(bytes);
        }

        var p = ContainerPool.Get(manager, Pool != 0 ? Pool : AttachPool(manager));
        if (p->SlotSize != ContainerPool.SlotSize(NodeSize))
        {
            ContainerPool.ThrowCorrupted(manager, $"a container's pool has slots of {p->SlotSize} bytes, not of its node size {NodeSize}");
        }

        switch ((AllocatorKind)Kind)
        {
            case AllocatorKind.NodePool:
            case AllocatorKind.AdaptivePool:
            case AllocatorKind.PrivateNodePool:
            case AllocatorKind.PrivateAdaptivePool:
                return ContainerPool.Allocate(manager, p);
            default:
                if (Cached == 0)
                {
                    ContainerPool.AllocateBatch(manager, p, CacheRefill, ref Cache, ref Cached);
                }

                long node = Cache;
                ContainerPool.CheckNodeHandle(manager, node, p->SlotSize);
                long next = *(long*)(manager.BasePointer + node);
                if (next != 0)
                {
                    ContainerPool.CheckNodeHandle(manager, next, p->SlotSize);
                }

                Cache = next;
                Cached--;
                return node;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private unsafe void DeallocateOther(SegmentManager manager, long handle, long bytes)
    {
        if ((uint)Kind > (uint)AllocatorKind.CachedAdaptivePool)
        {
            ThrowBadKind(manager);
        }

        if (bytes > NodeSize)
        {
            manager.Deallocate(handle);
            return;
        }

        if (Pool == 0)
        {
            throw new ArgumentException($"The handle {handle} is not a node of this container's pool (the container has allocated no node).", nameof(handle));
        }

        var p = ContainerPool.Get(manager, Pool);
        switch ((AllocatorKind)Kind)
        {
            case AllocatorKind.NodePool:
            case AllocatorKind.AdaptivePool:
            case AllocatorKind.PrivateNodePool:
            case AllocatorKind.PrivateAdaptivePool:
                ContainerPool.Deallocate(manager, p, handle);
                break;
            default:
                ContainerPool.CheckNodeArgument(manager, handle, p->SlotSize);
                *(long*)(manager.BasePointer + handle) = Cache;
                Cache = handle;
                Cached++;
                if (Cached > MaxCached)
                {
                    ContainerPool.DeallocateBatch(manager, p, MaxCached / 2, ref Cache, ref Cached);
                }

                break;
        }
    }

    /// <summary>Finds (shared kinds) or creates (private kinds) the pool on the first pooled allocation.</summary>
    private long AttachPool(SegmentManager manager)
    {
        int slot = ContainerPool.SlotSize(NodeSize);
        Pool = (AllocatorKind)Kind switch
        {
            AllocatorKind.NodePool or AllocatorKind.CachedNodePool => ContainerPools.Attach(manager, PoolHeader.KindNode, slot),
            AllocatorKind.AdaptivePool or AllocatorKind.CachedAdaptivePool => ContainerPools.Attach(manager, PoolHeader.KindAdaptive, slot),
            AllocatorKind.PrivateNodePool => ContainerPool.CreateHeader(manager, PoolHeader.KindNode, slot, shared: false),
            AllocatorKind.PrivateAdaptivePool => ContainerPool.CreateHeader(manager, PoolHeader.KindAdaptive, slot, shared: false),
            _ => throw BadKind(manager),
        };
        return Pool;
    }

    [DoesNotReturn]
    private readonly void ThrowBadKind(SegmentManager manager) => throw BadKind(manager);

    private readonly InterprocessException BadKind(SegmentManager manager) =>
        InterprocessException.Corrupted(manager.Name, $"a container's allocator kind is {Kind}, which is not an allocator kind (the container header is corrupted).");
}
