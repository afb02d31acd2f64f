using System.Globalization;
using Interprocess.Containers;
using Interprocess.Managed;
using Interprocess.Tests.Infrastructure;

namespace Interprocess.Tests.Containers;

/// <summary>
/// The allocator kinds behind ContainerAllocator.Allocate/Deallocate, driven directly with a node size as the node
/// containers drive them (Boost's node_pool_test, adaptive_pool and allocator tests): many nodes, freed in random
/// order, memory fully returned, pools shared across containers and processes, interrupted operations repaired.
/// </summary>
public sealed unsafe class AllocatorTests : IDisposable
{
    private const int NodeSize = 40;
    private readonly ManagedHeapMemory _heap = new(16L << 20);

    private SegmentManager M => _heap.Manager;

    public static TheoryData<AllocatorKind> PooledKinds => new()
    {
        AllocatorKind.NodePool, AllocatorKind.AdaptivePool, AllocatorKind.PrivateNodePool,
        AllocatorKind.PrivateAdaptivePool, AllocatorKind.CachedNodePool, AllocatorKind.CachedAdaptivePool,
    };

    public static TheoryData<AllocatorKind> AllKinds
    {
        get
        {
            var d = PooledKinds;
            d.Add(AllocatorKind.General);
            return d;
        }
    }

    public void Dispose() => _heap.Dispose();

    private ContainerAllocator* NewState(AllocatorKind kind, int nodeSize = NodeSize)
    {
        long h = M.Allocate(ContainerAllocator.Size);
        var p = (ContainerAllocator*)(M.BasePointer + h);
        *p = default;
        p->Initialize(kind, nodeSize);
        return p;
    }

    private void FreeState(ContainerAllocator* p)
    {
        p->Release(M);
        M.Deallocate((long)((byte*)p - M.BasePointer));
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void ManyNodes_FreedInRandomOrder_AreDistinct_KeepTheirContents_AndAllMemoryComesBack(AllocatorKind kind)
    {
        var state = NewState(kind);
        var rng = new Random(1234);
        for (int round = 0; round < 3; round++)
        {
            var nodes = new List<long>();
            for (int i = 0; i < 3000; i++)
            {
                long n = state->Allocate(M, NodeSize);
                Assert.Equal(0, n % 8);
                new Span<byte>(M.BasePointer + n, NodeSize).Fill((byte)i);
                nodes.Add(n);
            }

            // No two nodes overlap.
            long[] sorted = [.. nodes.Order()];
            for (int i = 1; i < sorted.Length; i++)
            {
                Assert.True(sorted[i] - sorted[i - 1] >= NodeSize, $"nodes {sorted[i - 1]} and {sorted[i]} overlap");
            }

            for (int i = 0; i < nodes.Count; i++)
            {
                Assert.True(new Span<byte>(M.BasePointer + nodes[i], NodeSize).IndexOfAnyExcept((byte)i) < 0);
            }

            // Free in random order, interleaved with some new allocations.
            while (nodes.Count > 0)
            {
                int k = rng.Next(nodes.Count);
                state->Deallocate(M, nodes[k], NodeSize);
                nodes[k] = nodes[^1];
                nodes.RemoveAt(nodes.Count - 1);
                if (rng.Next(8) == 0)
                {
                    nodes.Add(state->Allocate(M, NodeSize));
                }
            }
        }

        FreeState(state);
        ContainerPools.Shrink(M);
        Assert.True(M.AllMemoryDeallocated());
        Assert.True(M.CheckSanity(out var problems), string.Join("; ", problems));
        Assert.Empty(ContainerPools.GetPools(M));
    }

    [Theory]
    [MemberData(nameof(PooledKinds))]
    public void LargerThanTheNodeSize_TakesTheGeneralPath(AllocatorKind kind)
    {
        var state = NewState(kind);
        long small = state->Allocate(M, NodeSize);
        long big = state->Allocate(M, 1000);
        Assert.True(M.GetBlockSize(big) >= 1000); // a raw segment block
        state->Deallocate(M, big, 1000);
        state->Deallocate(M, small, NodeSize);
        FreeState(state);
        ContainerPools.Shrink(M);
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void ContainersWithTheSameSlotSize_ShareOnePool_PerKind()
    {
        var a = NewState(AllocatorKind.NodePool, 40);
        var b = NewState(AllocatorKind.NodePool, 36);      // rounds to the same 40-byte slot
        var c = NewState(AllocatorKind.CachedNodePool, 40); // the cache sits in front of the same pool
        var d = NewState(AllocatorKind.AdaptivePool, 40);
        var e = NewState(AllocatorKind.NodePool, 64);
        long na = a->Allocate(M, 40), nb = b->Allocate(M, 36), nc = c->Allocate(M, 40), nd = d->Allocate(M, 40), ne = e->Allocate(M, 64);

        var pools = ContainerPools.GetPools(M);
        Assert.Equal(3, pools.Count);
        var shared = Assert.Single(pools, p => p.Kind == AllocatorKind.NodePool && p.SlotSize == 40);
        Assert.Equal(3, shared.Users);
        Assert.Equal(2 + ContainerAllocator.CacheRefill, shared.NodesInUse);
        Assert.Single(pools, p => p.Kind == AllocatorKind.AdaptivePool && p.SlotSize == 40);
        Assert.Single(pools, p => p.Kind == AllocatorKind.NodePool && p.SlotSize == 64);

        // A node freed through one container's state can be reused by another's (one free list).
        a->Deallocate(M, na, 40);
        Assert.Equal(na, b->Allocate(M, 36));

        b->Deallocate(M, na, 36);
        b->Deallocate(M, nb, 36);
        c->Deallocate(M, nc, 40);
        d->Deallocate(M, nd, 40);
        e->Deallocate(M, ne, 64);
        foreach (var s in new[] { (nint)a, (nint)b, (nint)c, (nint)d, (nint)e })
        {
            FreeState((ContainerAllocator*)s);
        }

        Assert.All(ContainerPools.GetPools(M), p => Assert.Equal(0, p.Users));
        Assert.False(M.AllMemoryDeallocated()); // unused pools stay until Shrink
        Assert.True(ContainerPools.Shrink(M) > 0);
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void AdaptivePool_GivesCompletelyFreeBlocksBack_KeepingTwo()
    {
        var state = NewState(AllocatorKind.AdaptivePool);
        var nodes = new List<long>();
        for (int i = 0; i < 2000; i++)
        {
            nodes.Add(state->Allocate(M, NodeSize));
        }

        long chunksFull = ContainerPools.GetPools(M)[0].Chunks;
        Assert.True(chunksFull > 10);
        long freeBefore = M.GetFreeMemory();
        foreach (long n in nodes)
        {
            state->Deallocate(M, n, NodeSize);
        }

        var pool = ContainerPools.GetPools(M)[0];
        Assert.Equal(ContainerPool.MaxFreeBlocks, pool.Chunks);
        Assert.Equal(0, pool.NodesInUse);
        Assert.True(M.GetFreeMemory() > freeBefore);
        ContainerPools.Shrink(M); // still attached: only the free blocks go
        Assert.Equal(0, ContainerPools.GetPools(M)[0].Chunks);
        FreeState(state);
        ContainerPools.Shrink(M);
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void NodePool_KeepsFreeChunks_UntilShrink_ThenGivesBackOnlyCompletelyFreeOnes()
    {
        var state = NewState(AllocatorKind.NodePool);
        var nodes = new List<long>();
        for (int i = 0; i < 2000; i++)
        {
            nodes.Add(state->Allocate(M, NodeSize));
        }

        long chunks = ContainerPools.GetPools(M)[0].Chunks;
        // Free all but the first node: the chunk holding it must stay.
        for (int i = 1; i < nodes.Count; i++)
        {
            state->Deallocate(M, nodes[i], NodeSize);
        }

        Assert.Equal(chunks, ContainerPools.GetPools(M)[0].Chunks);
        Assert.Equal(chunks - 1, ContainerPools.Shrink(M));
        Assert.Equal(1, ContainerPools.GetPools(M)[0].Chunks);

        // The remaining free nodes of that chunk are still usable after the purge.
        var again = new List<long>();
        for (int i = 0; i < 500; i++)
        {
            again.Add(state->Allocate(M, NodeSize));
        }

        Assert.DoesNotContain(nodes[0], again);
        foreach (long n in again)
        {
            state->Deallocate(M, n, NodeSize);
        }

        state->Deallocate(M, nodes[0], NodeSize);
        FreeState(state);
        ContainerPools.Shrink(M);
        Assert.True(M.AllMemoryDeallocated());
    }

    [Theory]
    [InlineData(AllocatorKind.PrivateNodePool)]
    [InlineData(AllocatorKind.PrivateAdaptivePool)]
    public void PrivatePool_IsNotListed_AndIsFreedWithItsContainer(AllocatorKind kind)
    {
        var state = NewState(kind);
        for (int i = 0; i < 1000; i++)
        {
            state->Allocate(M, NodeSize); // never freed one by one: Release frees the whole pool
        }

        Assert.Empty(ContainerPools.GetPools(M));
        FreeState(state);
        Assert.True(M.AllMemoryDeallocated());
    }

    [Theory]
    [InlineData(AllocatorKind.CachedNodePool)]
    [InlineData(AllocatorKind.CachedAdaptivePool)]
    public void CachedKinds_TakeNodesInBatches_AndFlushOnRelease(AllocatorKind kind)
    {
        var state = NewState(kind);
        long first = state->Allocate(M, NodeSize);
        Assert.Equal(ContainerAllocator.CacheRefill, ContainerPools.GetPools(M)[0].NodesInUse);
        Assert.Equal(ContainerAllocator.CacheRefill - 1, state->Cached);
        var nodes = new List<long> { first };
        for (int i = 0; i < 300; i++)
        {
            nodes.Add(state->Allocate(M, NodeSize));
        }

        foreach (long n in nodes)
        {
            state->Deallocate(M, n, NodeSize);
            Assert.True(state->Cached <= ContainerAllocator.MaxCached);
        }

        Assert.Equal(state->Cached, ContainerPools.GetPools(M)[0].NodesInUse);
        FreeState(state);
        Assert.Equal(0, ContainerPools.GetPools(M)[0].NodesInUse);
        ContainerPools.Shrink(M);
        Assert.True(M.AllMemoryDeallocated());
    }

    [Theory]
    [InlineData(AllocatorKind.NodePool)]
    [InlineData(AllocatorKind.AdaptivePool)]
    public void InterruptedOperation_IsRepaired_ByTheNextOne(AllocatorKind kind)
    {
        var state = NewState(kind);
        var nodes = new List<long>();
        for (int i = 0; i < 500; i++)
        {
            nodes.Add(state->Allocate(M, NodeSize));
        }

        for (int i = 0; i < 250; i++)
        {
            state->Deallocate(M, nodes[i], NodeSize);
        }

        // What a process killed inside an operation leaves: the busy mark and damaged derived state.
        var p = ContainerPool.Get(M, state->Pool);
        p->Busy = 1;
        p->FreeCount = 12345;
        p->InUse = -7;
        p->ChunkCount = 99;
        p->AvailTail = 0;

        long n = state->Allocate(M, NodeSize);
        var info = ContainerPools.GetPools(M)[0];
        Assert.Equal(1, info.Repairs);
        Assert.Equal(251, info.NodesInUse);
        nodes.Add(n);
        for (int i = 250; i < nodes.Count; i++)
        {
            state->Deallocate(M, nodes[i], NodeSize);
        }

        Assert.Equal(0, ContainerPools.GetPools(M)[0].NodesInUse);
        FreeState(state);
        ContainerPools.Shrink(M);
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void DamagedFreeList_IsCut_NotFollowed()
    {
        var state = NewState(AllocatorKind.NodePool);
        long a = state->Allocate(M, NodeSize);
        long b = state->Allocate(M, NodeSize);
        state->Deallocate(M, a, NodeSize);
        state->Deallocate(M, b, NodeSize);
        *(long*)(M.BasePointer + b) = 1L << 40; // b's link now points far outside the segment

        // The bad link is caught before it is followed or stored ...
        var e = Assert.Throws<InterprocessException>(() => state->Allocate(M, NodeSize));
        Assert.Equal(InterprocessErrorCode.Corrupted, e.ErrorCode);

        // ... the failed operation left its busy mark, so the next one repairs: the list is cut after b (the rest
        // of the chunk leaks), and allocation carries on with a new chunk.
        Assert.Equal(b, state->Allocate(M, NodeSize));
        long c = state->Allocate(M, NodeSize);
        Assert.NotEqual(b, c);
        Assert.NotEqual(a, c);
        Assert.Equal(1, ContainerPools.GetPools(M)[0].Repairs);
        Assert.True(M.CheckSanity());
    }

    [Fact]
    public void BadInputs_AreRefused()
    {
        var state = NewState(AllocatorKind.General);
        Assert.Throws<ArgumentOutOfRangeException>(() => state->Initialize((AllocatorKind)99, 8));
        Assert.Throws<ArgumentOutOfRangeException>(() => state->Initialize(AllocatorKind.NodePool, -1));
        state->Kind = 77; // a damaged header
        Assert.Equal(InterprocessErrorCode.Corrupted, Assert.Throws<InterprocessException>(() => state->Allocate(M, 8)).ErrorCode);

        var adaptive = NewState(AllocatorKind.AdaptivePool);
        long n = adaptive->Allocate(M, NodeSize);
        long raw = M.Allocate(64);
        Assert.Throws<ArgumentException>(() => adaptive->Deallocate(M, raw, NodeSize)); // not a node of its pool
        Assert.Throws<ArgumentException>(() => adaptive->Deallocate(M, n + 4, NodeSize)); // not a slot boundary
        adaptive->Deallocate(M, n, NodeSize);
        M.Deallocate(raw);
        Assert.Throws<ArgumentOutOfRangeException>(() => SharedVector<int>.Create(M, (AllocatorKind)42));
    }

    [Fact]
    public void SharedPools_NeedANameIndex_PrivateOnesDoNot()
    {
        using var heap = new ManagedHeapMemory(1 << 20, new ManagedSegmentOptions { Index = NameIndexKind.None });
        var m = heap.Manager;
        long h = m.Allocate(ContainerAllocator.Size);
        var shared = (ContainerAllocator*)(m.BasePointer + h);
        *shared = default;
        shared->Initialize(AllocatorKind.NodePool, 16);
        Assert.Throws<NotSupportedException>(() => shared->Allocate(m, 16));
        shared->Initialize(AllocatorKind.PrivateNodePool, 16);
        long n = shared->Allocate(m, 16);
        shared->Deallocate(m, n, 16);
        shared->Release(m);
        m.Deallocate(h);
        Assert.True(m.AllMemoryDeallocated());
    }

    [Theory]
    [InlineData(AllocatorKind.NodePool)]
    [InlineData(AllocatorKind.AdaptivePool)]
    public void OnePool_IsSharedByContainersInTwoProcesses(AllocatorKind kind)
    {
        string name = UniqueName.New("pools");
        using var shm = ManagedSharedMemory.CreateNew(name, 8L << 20);
        try
        {
            var m = shm.Manager;
            ref var mine = ref m.Construct("alloc-parent", default(ContainerAllocator));
            mine.Initialize(kind, NodeSize);
            var own = new List<long>();
            for (int i = 0; i < 100; i++)
            {
                own.Add(mine.Allocate(m, NodeSize));
            }

            var (code, lines) = Driver.Run("pool-share", name, ((int)kind).ToString(CultureInfo.InvariantCulture), NodeSize.ToString(CultureInfo.InvariantCulture), "300");
            Assert.Equal(0, code);
            Assert.Equal("POOLS 1 USERS 2", Assert.Single(lines));

            var pool = Assert.Single(ContainerPools.GetPools(m));
            Assert.Equal(2, pool.Users);
            Assert.Equal(400, pool.NodesInUse);
            var theirs = m.Find<long>("nodes-child").AsSpan();
            for (int i = 0; i < theirs.Length; i++)
            {
                Assert.Equal(i, *(long*)(m.BasePointer + theirs[i]));
                Assert.DoesNotContain(theirs[i], own);
            }

            // The child's nodes go back through this process's own state: one pool.
            foreach (long n in theirs)
            {
                mine.Deallocate(m, n, NodeSize);
            }

            foreach (long n in own)
            {
                mine.Deallocate(m, n, NodeSize);
            }

            Assert.Equal(0, ContainerPools.GetPools(m)[0].NodesInUse);
            m.Find<ContainerAllocator>("alloc-child").Value.Release(m);
            mine.Release(m);
            m.Destroy<ContainerAllocator>("alloc-child");
            m.Destroy<ContainerAllocator>("alloc-parent");
            m.Destroy<long>("nodes-child");
            ContainerPools.Shrink(m);
            Assert.True(m.AllMemoryDeallocated());
        }
        finally
        {
            ManagedSharedMemory.Remove(name);
        }
    }

    [Theory]
    [InlineData(AllocatorKind.NodePool, 1)]
    [InlineData(AllocatorKind.AdaptivePool, 2)]
    public void ProcessKilledWhileUsingASharedPool_LeavesItUsable(AllocatorKind kind, int seed)
    {
        string name = UniqueName.New("poolkill");
        using var shm = ManagedSharedMemory.CreateNew(name, 32L << 20);
        try
        {
            var m = shm.Manager;
            var rng = new Random(seed);
            for (int kill = 0; kill < 5; kill++)
            {
                using (var child = Driver.Start("pool-churn", name, ((int)kind).ToString(CultureInfo.InvariantCulture), NodeSize.ToString(CultureInfo.InvariantCulture), (seed * 100 + kill).ToString(CultureInfo.InvariantCulture)))
                {
                    child.Expect("RUNNING");
                    Thread.Sleep(rng.Next(1, 30));
                    child.Kill();
                    child.WaitForExit();
                }

                // The pool is consistent: its own walk agrees with its counters, and it serves and takes nodes.
                var before = Assert.Single(ContainerPools.GetPools(m));
                ref var state = ref m.Construct("alloc-check", default(ContainerAllocator));
                state.Initialize(kind, NodeSize);
                var nodes = new List<long>();
                for (int i = 0; i < 3000; i++)
                {
                    nodes.Add(state.Allocate(m, NodeSize));
                }

                Assert.Equal(nodes.Count, nodes.Distinct().Count());
                foreach (long n in nodes)
                {
                    state.Deallocate(m, n, NodeSize);
                }

                Assert.Equal(before.NodesInUse, ContainerPools.GetPools(m)[0].NodesInUse);
                state.Release(m);
                m.Destroy<ContainerAllocator>("alloc-check");
                // The dead child's state and its live nodes stay (leaked, as raw blocks are): detach it.
                m.Find<ContainerAllocator>("alloc-churn").Value.Release(m);
                m.Destroy<ContainerAllocator>("alloc-churn");
                Assert.True(m.CheckSanity(out var problems), string.Join("; ", problems));
            }
        }
        finally
        {
            ManagedSharedMemory.Remove(name);
        }
    }
}
