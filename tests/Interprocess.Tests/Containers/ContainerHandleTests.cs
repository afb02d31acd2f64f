using System.Runtime.CompilerServices;
using Interprocess.Containers;
using Interprocess.Managed;
using Interprocess.Tests.Infrastructure;

namespace Interprocess.Tests.Containers;

/// <summary>
/// The checks every container operation makes before it trusts the segment (ContainerHandle.Resolve and the
/// vector's Add fast path): header offsets that are misaligned or outside the heap, a damaged buffer, a segment
/// closed and opened again (read-only, then writable), a default handle.
/// </summary>
public sealed unsafe class ContainerHandleTests : IDisposable
{
    private readonly ManagedHeapMemory _heap = new(4L << 20);

    private SegmentManager M => _heap.Manager;

    public void Dispose() => _heap.Dispose();

    private static SharedVector<int> WithHeader(SharedVector<int> v, long header)
    {
        var h = Unsafe.As<SharedVector<int>, ContainerHandle>(ref v);
        h.Header = header;
        return Unsafe.As<ContainerHandle, SharedVector<int>>(ref h);
    }

    [Fact]
    public void HeaderOffsetsMisalignedOrOutsideTheHeap_GiveCorrupted_ForReadsAndWrites()
    {
        var v = SharedVector<int>.Create(M);
        v.Add(1);
        long header = Unsafe.As<SharedVector<int>, ContainerHandle>(ref v).Header;
        long[] bad =
        [
            header + 4, // misaligned: read safely, refused by the stamp, reported as corrupted by the exact checks
            header + 1,
            SegmentHeader.HeapStart - 8, // the segment's own header, below the heap
            0,
            -8,
            long.MinValue,
            M.MappedSize - 8, // a header would run past the end of the mapping
            M.MappedSize,
            long.MaxValue & ~7L,
        ];
        foreach (long offset in bad)
        {
            var damaged = WithHeader(v, offset);
            Assert.Equal(InterprocessErrorCode.Corrupted, Assert.Throws<InterprocessException>(() => damaged.Count).ErrorCode);
            Assert.Equal(InterprocessErrorCode.Corrupted, Assert.Throws<InterprocessException>(() => damaged.Add(2)).ErrorCode);
        }

        // The last bytes of the mapping are a valid position for the bounds check (the stamp then refuses it).
        var atEnd = WithHeader(v, M.MappedSize - VectorHeader.Size);
        Assert.Throws<InvalidOperationException>(() => atEnd.Count);
        Assert.Equal(new[] { 1 }, v.ToArray());
        v.Destroy();
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void DamagedCountOrCapacity_GiveCorrupted_FromAdd_NotAWriteOutsideTheMapping()
    {
        var v = SharedVector<int>.Create(M);
        v.AddRange([1, 2, 3]);
        var h = (VectorHeader*)ContainerTestHelpers.HeaderOf(v, M);
        int count = h->Count;
        int capacity = h->Capacity;
        (int Count, int Capacity)[] damage =
        [
            (1 << 28, -1), // the slot Add would write is 1 GiB past the buffer; the capacity is 2^32 - 1 as unsigned
            (1 << 28, int.MaxValue),
            (-1, -1),
            (-5, -1), // a negative count, below the capacity as unsigned numbers: the slot is 16 GiB past the buffer
            (count, int.MaxValue), // the slot is in the buffer, but the buffer claims more than the mapping
        ];
        foreach (var (badCount, badCapacity) in damage)
        {
            h->Count = badCount;
            h->Capacity = badCapacity;
            if (badCount == count)
            {
                // Add writes only inside the mapping; the buffer's claim is caught by the full check of other operations.
                Assert.Equal(InterprocessErrorCode.Corrupted, Assert.Throws<InterprocessException>(() => v.Get(0)).ErrorCode);
                continue;
            }

            Assert.Equal(InterprocessErrorCode.Corrupted, Assert.Throws<InterprocessException>(() => v.Add(4)).ErrorCode);
            Assert.Equal(InterprocessErrorCode.Corrupted, Assert.Throws<InterprocessException>(() => v[0]).ErrorCode);
        }

        h->Count = count;
        h->Capacity = capacity;
        Assert.Equal(new[] { 1, 2, 3 }, v.ToArray());
        v.Destroy();
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void SegmentClosedAndOpenedAgain_HandlesResolveToTheNewMapping_ReadOnlyRefusesWrites()
    {
        string name = UniqueName.New("handle-reopen");
        ManagedSharedMemory.Remove(name);
        try
        {
            SharedVector<int> v;
            using (var shm = ManagedSharedMemory.CreateNew(name, 1L << 20))
            {
                v = SharedVector<int>.Create(shm.Manager, "v");
                v.AddRange([1, 2, 3]);
                Assert.Equal(3, v.Count); // the registry's last hit is now this manager
            }

            // Closed: the detached manager refuses the handle, and no other mapping has its identity.
            Assert.Throws<InvalidOperationException>(() => v.Count);
            Assert.Throws<InvalidOperationException>(() => v.Add(4));

            using (var ro = ManagedSharedMemory.OpenReadOnly(name))
            {
                Assert.Equal(3, v.Count);
                Assert.Equal(3, v.Get(2));
                Assert.Throws<NotSupportedException>(() => v.Add(4));
                Assert.Throws<NotSupportedException>(() => v[0]);
                Assert.Equal(3, v.Count); // reads still pass after a refused write
            }

            using (var rw = ManagedSharedMemory.OpenExisting(name))
            {
                for (int i = 4; i <= 100; i++)
                {
                    v.Add(i);
                }

                Assert.Equal(Enumerable.Range(1, 100), v.ToArray());
                SharedVector<int>.Destroy(rw.Manager, "v");
            }
        }
        finally
        {
            ManagedSharedMemory.Remove(name);
        }
    }

    [Fact]
    public void AddIntoTheHeapsLastBytes_PassesTheExactCheck_WithoutGrowing()
    {
        // The fast path's bound is conservative near the heap's end: a buffer whose last slots are there must still
        // take Add's slow path to a plain store, not to a growth (which could fail in a full segment).
        var v = SharedVector<int>.Create(M);
        v.AddRange([1, 2, 3]);
        var h = (VectorHeader*)ContainerTestHelpers.HeaderOf(v, M);
        (long data, int count, int capacity) = (h->Data, h->Count, h->Capacity);
        long end = M.MappedSize;
        var saved = new Span<byte>(M.BasePointer + end - 16, 16).ToArray();
        try
        {
            h->Data = end - 16;
            h->Count = 0;
            h->Capacity = 4;
            for (int i = 0; i < 4; i++)
            {
                v.Add(10 + i);
            }

            Assert.Equal(4, h->Count);
            Assert.Equal(4, h->Capacity);
            Assert.Equal(end - 16, h->Data);
            Assert.Equal(new[] { 10, 11, 12, 13 }, new Span<int>(M.BasePointer + end - 16, 4).ToArray());
        }
        finally
        {
            saved.CopyTo(new Span<byte>(M.BasePointer + end - 16, 16));
            (h->Data, h->Count, h->Capacity) = (data, count, capacity);
        }

        Assert.Equal(new[] { 1, 2, 3 }, v.ToArray());
        v.Destroy();
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void DefaultHandle_SaysItIsADefaultHandle()
    {
        SharedVector<int> none = default;
        Assert.Contains("default", Assert.Throws<InvalidOperationException>(() => none.Count).Message, StringComparison.Ordinal);
        Assert.Contains("default", Assert.Throws<InvalidOperationException>(() => none.Add(1)).Message, StringComparison.Ordinal);
        var s = default(SharedString);
        Assert.Throws<InvalidOperationException>(() => s.ByteCount);
    }
}
