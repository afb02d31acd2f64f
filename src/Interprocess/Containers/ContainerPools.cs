using Interprocess.Managed;

namespace Interprocess.Containers;

/// <summary>
/// The shared node pools and adaptive pools of a segment (the pooled <see cref="AllocatorKind"/>s): listing them and
/// giving their unused memory back to the segment.
/// </summary>
/// <remarks>
/// A segment's shared pools are listed in a directory, the segment's unique instance of an internal type, created
/// under the segment lock by the first container that allocates from a shared pool. Containers with the same
/// kind and a node size that rounds to the same slot size (a multiple of 8) share one pool, in every process.
/// A pool stays after its last container is destroyed (as Boost's pools stay in the segment);
/// <see cref="Shrink"/> frees unused pools, completely free chunks of the others, and the directory once it is empty,
/// so that <see cref="SegmentManager.AllMemoryDeallocated"/> holds again after every container is destroyed.
/// </remarks>
/// <example>
/// <code>
/// // process A
/// using var shm = ManagedSharedMemory.CreateNew("orders", 64 &lt;&lt; 20);
/// var a = SharedVector&lt;int&gt;.Create(shm.Manager, "a", AllocatorKind.NodePool);
/// // process B: a container with the same node size uses the same pool
/// using var shm = ManagedSharedMemory.OpenExisting("orders");
/// foreach (var pool in ContainerPools.GetPools(shm.Manager)) Console.WriteLine(pool);
/// // after every container is destroyed
/// ContainerPools.Shrink(shm.Manager);
/// </code>
/// </example>
public static unsafe class ContainerPools
{
    /// <summary>
    /// Gives memory the shared pools do not use back to the segment: pools no container is attached to are freed
    /// whole; other pools give back their completely free chunks (Boost's <c>deallocate_free_blocks</c>); the
    /// directory is freed when no pool is left. Safe to call at any time from any process.
    /// </summary>
    /// <param name="manager">The segment's manager.</param>
    /// <returns>The number of segment blocks given back.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="manager"/> is null.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    /// <exception cref="InterprocessException">A pool is corrupted (<see cref="InterprocessErrorCode.Corrupted"/>).</exception>
    public static int Shrink(SegmentManager manager)
    {
        ArgumentNullException.ThrowIfNull(manager);
        if (manager.IndexKind == NameIndexKind.None)
        {
            return 0;
        }

        manager.EnterPoolLock();
        try
        {
            var found = manager.FindUnique<PoolDirectory>();
            if (found.IsNull)
            {
                return 0;
            }

            ref var dir = ref CheckDirectory(manager, ref found.Value);
            int freed = 0;
            long prev = 0;
            long h = dir.Head;
            var seen = new HashSet<long>();
            while (h != 0)
            {
                if (!seen.Add(h))
                {
                    ContainerPool.ThrowCorrupted(manager, "the pool directory's list has a cycle");
                }

                var p = ContainerPool.Get(manager, h);
                long next = p->NextPool;
                if (p->Users <= 0)
                {
                    // Unlink first (one store): a crash afterwards leaks the pool, never leaves a freed one listed.
                    if (prev == 0)
                    {
                        dir.Head = next;
                    }
                    else
                    {
                        ContainerPool.Get(manager, prev)->NextPool = next;
                    }

                    dir.Count--;
                    freed += ContainerPool.DestroyPool(manager, h);
                }
                else
                {
                    freed += ContainerPool.PurgeLocked(manager, p);
                    prev = h;
                }

                h = next;
            }

            if (dir.Head == 0)
            {
                manager.DestroyUnique<PoolDirectory>();
                freed++;
            }

            return freed;
        }
        finally
        {
            manager.ExitPoolLock();
        }
    }

    /// <summary>A snapshot of the segment's shared pools.</summary>
    /// <param name="manager">The segment's manager.</param>
    /// <returns>One entry per pool (empty when no container has used a shared pool).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="manager"/> is null.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    /// <exception cref="InterprocessException">A pool is corrupted (<see cref="InterprocessErrorCode.Corrupted"/>).</exception>
    public static IReadOnlyList<ContainerPoolInfo> GetPools(SegmentManager manager)
    {
        ArgumentNullException.ThrowIfNull(manager);
        var list = new List<ContainerPoolInfo>();
        if (manager.IndexKind == NameIndexKind.None)
        {
            return list;
        }

        manager.EnterPoolLock();
        try
        {
            var found = manager.FindUnique<PoolDirectory>();
            if (found.IsNull)
            {
                return list;
            }

            ref var dir = ref CheckDirectory(manager, ref found.Value);
            var seen = new HashSet<long>();
            for (long h = dir.Head; h != 0 && seen.Add(h);)
            {
                var p = ContainerPool.Get(manager, h);
                if (p->Busy != 0)
                {
                    ContainerPool.RepairLocked(manager, p);
                }

                list.Add(new ContainerPoolInfo(
                    p->Kind == PoolHeader.KindNode ? AllocatorKind.NodePool : AllocatorKind.AdaptivePool,
                    p->SlotSize, p->Users, p->ChunkCount, p->InUse, p->Repairs));
                h = p->NextPool;
            }

            return list;
        }
        finally
        {
            manager.ExitPoolLock();
        }
    }

    /// <summary>The shared pool of <paramref name="kind"/> and <paramref name="slot"/>, created if needed; one more user.</summary>
    /// <exception cref="NotSupportedException">The segment has no name index (no directory can be kept), or it is read-only.</exception>
    /// <exception cref="InterprocessException">The segment is full or a pool is corrupted.</exception>
    internal static long Attach(SegmentManager manager, int kind, int slot)
    {
        if (manager.IndexKind == NameIndexKind.None)
        {
            throw new NotSupportedException($"The managed segment '{manager.Name}' has no name index, so it cannot keep a directory of shared pools: use AllocatorKind.General or a private pool.");
        }

        manager.EnterPoolLock();
        try
        {
            ref var dir = ref CheckDirectory(manager, ref manager.FindOrConstructUnique(new PoolDirectory { Magic = PoolDirectory.MagicValue }).Value);
            var seen = new HashSet<long>();
            for (long h = dir.Head; h != 0;)
            {
                if (!seen.Add(h))
                {
                    ContainerPool.ThrowCorrupted(manager, "the pool directory's list has a cycle");
                }

                var p = ContainerPool.Get(manager, h);
                if (p->Kind == kind && p->SlotSize == slot)
                {
                    p->Users++;
                    return h;
                }

                h = p->NextPool;
            }

            long created = ContainerPool.CreateHeader(manager, kind, slot, shared: true);
            var np = (PoolHeader*)(manager.BasePointer + created);
            np->Users = 1;
            np->NextPool = dir.Head;
            // Publishes the pool (one store); a crash before it leaks the header.
            dir.Head = created;
            dir.Count++;
            return created;
        }
        finally
        {
            manager.ExitPoolLock();
        }
    }

    /// <summary>One user fewer for a shared pool (its container was destroyed).</summary>
    /// <exception cref="InterprocessException">The pool is corrupted.</exception>
    internal static void Detach(SegmentManager manager, long pool)
    {
        manager.EnterPoolLock();
        try
        {
            var p = ContainerPool.Get(manager, pool);
            if (p->Users > 0)
            {
                p->Users--;
            }
        }
        finally
        {
            manager.ExitPoolLock();
        }
    }

    private static ref PoolDirectory CheckDirectory(SegmentManager manager, ref PoolDirectory dir)
    {
        if (dir.Magic != PoolDirectory.MagicValue)
        {
            ContainerPool.ThrowCorrupted(manager, "the pool directory is damaged");
        }

        return ref dir;
    }
}
