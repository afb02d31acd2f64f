using System.Globalization;
using System.Runtime.InteropServices;
using Interprocess.Managed;
using Interprocess.Tests.Infrastructure;

namespace Interprocess.Tests.Managed;

/// <summary>
/// The scenarios of Boost's <c>managed_shared_memory_test.cpp</c>, <c>managed_mapped_file_test.cpp</c>,
/// <c>managed_heap_memory_test.cpp</c> and <c>user_buffer_test.cpp</c>, rewritten for this library and run
/// for every allocation algorithm × name index; plus allocation_command across processes. A 16-element
/// array of longs named "MyVector" stands in for Boost's vector.
/// </summary>
public sealed unsafe class ManagedSegmentScenarioTests : IDisposable
{
    private const long SegmentSize = 64 * 1024;
    private readonly string _name = UniqueName.New("mscen");
    private readonly string _path = Path.Combine(Path.GetTempPath(), UniqueName.New("mscen") + ".bin");

    public void Dispose()
    {
        ManagedSharedMemory.Remove(_name);
        File.Delete(_path);
    }

    /// <summary>
    /// managed_shared_memory_test: allocate and free 100 blocks; create, open_or_create, construct / find /
    /// destroy / construct "MyVector"; open_only finds it; copy-on-write destroys it privately (a second
    /// copy-on-write open and an open_or_create still find it); read-only finds it; offline grow doubles the
    /// size and adds free memory; offline shrink_to_fit makes it smaller and keeps the object; after the object
    /// is destroyed it shrinks further.
    /// </summary>
    [Theory]
    [MemberData(nameof(SegmentLayouts.WithNameIndexes), MemberType = typeof(SegmentLayouts))]
    public void ManagedSharedMemory_TheBoostScenario(AllocationAlgorithm algorithm, NameIndexKind index)
    {
        var options = SegmentLayouts.Options(algorithm, index);
        using (var shm = ManagedSharedMemory.CreateNew(_name, SegmentSize, options: options))
        {
            var blocks = Enumerable.Range(0, 100).Select(i => shm.Manager.Allocate(i + 1)).ToList();
            blocks.ForEach(shm.Manager.Deallocate);
        }

        ManagedSharedMemory.Remove(_name);
        using (var shm = ManagedSharedMemory.OpenOrCreate(_name, SegmentSize, options: options))
        {
            Assert.True(shm.Created);
            var v = shm.Manager.FindOrConstructArray("MyVector", 16, 1L);
            Assert.Equal(v.Handle, shm.Manager.Find<long>("MyVector").Handle);
            Assert.True(shm.Manager.Destroy<long>("MyVector"));
            Assert.True(shm.Manager.Find<long>("MyVector").IsNull);
            shm.Manager.ConstructArray("MyVector", 16, 1L);
        }

        using (var shm = ManagedSharedMemory.OpenExisting(_name))
        {
            Assert.Equal(16, shm.Manager.Find<long>("MyVector").Count);
            Assert.Equal((algorithm, index), (shm.Manager.Algorithm, shm.Manager.IndexKind));
        }

        using (var cow = ManagedSharedMemory.OpenCopyOnWrite(_name))
        {
            cow.Manager.Destroy(cow.Manager.Find<long>("MyVector"));
            Assert.True(cow.Manager.Find<long>("MyVector").IsNull);
        }

        using (var cow = ManagedSharedMemory.OpenCopyOnWrite(_name))
        {
            Assert.False(cow.Manager.Find<long>("MyVector").IsNull);
        }

        using (var shm = ManagedSharedMemory.OpenOrCreate(_name, SegmentSize, options: options))
        {
            Assert.False(shm.Created);
            Assert.False(shm.Manager.Find<long>("MyVector").IsNull);
        }

        using (var ro = ManagedSharedMemory.OpenReadOnly(_name))
        {
            Assert.False(ro.Manager.Find<long>("MyVector").IsNull);
        }

        long oldFree = Read(m => m.GetFreeMemory());
        Assert.Equal(SegmentSize * 2, ManagedSharedMemory.Grow(_name, SegmentSize));
        Assert.Equal(SegmentSize * 2, Read(m => m.Size));
        Assert.True(Read(m => m.GetFreeMemory()) > oldFree);
        Assert.False(Read(m => m.Find<long>("MyVector").IsNull));

        (oldFree, long oldSize) = Read(m => (m.GetFreeMemory(), m.Size));
        long shrunk = ManagedSharedMemory.ShrinkToFit(_name);
        Assert.True(shrunk < oldSize);
        Assert.True(Read(m => m.GetFreeMemory()) < oldFree);
        Assert.False(Read(m => m.Find<long>("MyVector").IsNull));
        Assert.True(Read(m => m.Destroy<long>("MyVector")));
        Assert.True(ManagedSharedMemory.ShrinkToFit(_name) <= shrunk);
        Assert.True(Read(m => m.CheckSanity()));
    }

    private T Read<T>(Func<SegmentManager, T> f)
    {
        using var shm = ManagedSharedMemory.OpenExisting(_name);
        return f(shm.Manager);
    }

    /// <summary>
    /// managed_mapped_file_test: the same scenario over a file (flush included): allocations, open_or_create,
    /// construct / destroy / construct, open_only, copy-on-write stays private, read-only, grow and
    /// shrink_to_fit keep the object.
    /// </summary>
    [Theory]
    [MemberData(nameof(SegmentLayouts.WithNameIndexes), MemberType = typeof(SegmentLayouts))]
    public void ManagedMappedFile_TheBoostScenario(AllocationAlgorithm algorithm, NameIndexKind index)
    {
        var options = SegmentLayouts.Options(algorithm, index);
        using (var f = ManagedMappedFile.OpenOrCreate(_path, SegmentSize, options: options))
        {
            Assert.True(f.Created);
            var blocks = Enumerable.Range(0, 100).Select(i => f.Manager.Allocate(i + 1)).ToList();
            blocks.ForEach(f.Manager.Deallocate);
            f.Manager.ConstructArray("MyVector", 16, 1L);
            Assert.True(f.Manager.Destroy<long>("MyVector"));
            f.Manager.ConstructArray("MyVector", 16, 2L);
            f.Flush();
        }

        using (var cow = ManagedMappedFile.OpenCopyOnWrite(_path))
        {
            Assert.True(cow.Manager.Destroy<long>("MyVector"));
        }

        using (var ro = ManagedMappedFile.OpenReadOnly(_path))
        {
            Assert.Equal(2, ro.Manager.Find<long>("MyVector").AsSpan()[15]);
        }

        long grown = ManagedMappedFile.Grow(_path, SegmentSize);
        Assert.Equal(SegmentSize * 2, grown);
        Assert.Equal(grown, new FileInfo(_path).Length);
        long shrunk = ManagedMappedFile.ShrinkToFit(_path);
        Assert.True(shrunk < grown);
        Assert.Equal(shrunk, new FileInfo(_path).Length);
        using var again = ManagedMappedFile.OpenExisting(_path);
        Assert.Equal(2, again.Manager.Find<long>("MyVector").AsSpan()[0]);
        Assert.True(again.Manager.CheckSanity());
    }

    /// <summary>
    /// managed_heap_memory_test: allocations; construct / find / destroy / construct; grow moves the memory but
    /// the object is found again (by name, and by its handle: Boost's get_address_from_handle), the size
    /// doubles and the free memory grows; destroy by reference.
    /// </summary>
    [Theory]
    [MemberData(nameof(SegmentLayouts.WithNameIndexes), MemberType = typeof(SegmentLayouts))]
    public void ManagedHeapMemory_TheBoostScenario(AllocationAlgorithm algorithm, NameIndexKind index)
    {
        using var heap = SegmentLayouts.Heap(SegmentSize * 10, algorithm, index);
        var blocks = Enumerable.Range(0, 100).Select(i => heap.Manager.Allocate(i + 1)).ToList();
        blocks.ForEach(heap.Manager.Deallocate);
        heap.Manager.ConstructArray("MyVector", 16, 3L);
        Assert.True(heap.Manager.Destroy<long>("MyVector"));
        long handle = heap.Manager.ConstructArray("MyVector", 16, 3L).Length > 0 ? heap.Manager.Find<long>("MyVector").Handle : 0;
        long oldFree = heap.Manager.GetFreeMemory();
        heap.Grow(SegmentSize * 10);
        var m = heap.Manager;
        Assert.Equal(SegmentSize * 20, m.Size);
        Assert.True(m.GetFreeMemory() > oldFree);
        var v = m.Find<long>("MyVector");
        Assert.Equal(handle, v.Handle);
        Assert.Equal(3, m.GetObject<long>(handle).AsSpan()[15]);
        m.Destroy(v);
        Assert.True(m.Find<long>("MyVector").IsNull);
        m.ShrinkToFitIndexes();
        Assert.True(m.AllMemoryDeallocated());
    }

    /// <summary>
    /// user_buffer_test: a segment in a buffer the caller owns is filled with list nodes (blocks linked by
    /// handle) until full; its bytes are copied into a buffer twice as large, opened there, grown, and the
    /// list found by name is filled further: it holds more nodes than before, all intact.
    /// </summary>
    [Theory]
    [MemberData(nameof(SegmentLayouts.WithNameIndexes), MemberType = typeof(SegmentLayouts))]
    public void ExternalBuffer_FillCopyToALargerBufferGrowAndFillMore(AllocationAlgorithm algorithm, NameIndexKind index)
    {
        void* small = NativeMemory.AlignedAlloc((nuint)SegmentSize, 4096);
        void* large = NativeMemory.AlignedAlloc((nuint)(2 * SegmentSize), 4096);
        try
        {
            long firstCount;
            using (var buffer = ManagedExternalBuffer.Create((nint)small, SegmentSize, SegmentLayouts.Options(algorithm, index)))
            {
                buffer.Manager.ReserveNamedObjects(100);
                buffer.Manager.Construct("MyList", 0L); // the head: handle of the first node
                firstCount = FillList(buffer.Manager);
            }

            Buffer.MemoryCopy(small, large, 2 * SegmentSize, SegmentSize);
            using var bigger = ManagedExternalBuffer.Open((nint)large, SegmentSize);
            bigger.Grow(SegmentSize);
            Assert.Equal(firstCount, CountList(bigger.Manager));
            long secondCount = FillList(bigger.Manager);
            Assert.True(secondCount > firstCount * 3 / 2, $"{firstCount} nodes, then {secondCount}");
            Assert.Equal(secondCount, CountList(bigger.Manager));
            Assert.True(bigger.Manager.CheckSanity());
        }
        finally
        {
            NativeMemory.AlignedFree(small);
            NativeMemory.AlignedFree(large);
        }
    }

    /// <summary>Pushes nodes (next handle, value) at the front of the list until the segment is full; returns the length.</summary>
    private static long FillList(SegmentManager m)
    {
        ref long head = ref m.Find<long>("MyList").Value;
        long count = CountList(m);
        while (m.TryAllocate(16, out long node))
        {
            m.GetRef<long>(node) = head;
            m.GetRef<long>(node + 8) = count;
            head = node;
            count++;
        }

        return count;
    }

    private static long CountList(SegmentManager m)
    {
        long count = 0;
        for (long node = m.Find<long>("MyList").Value; node != 0; node = m.GetRef<long>(node))
        {
            count++;
        }

        // Values were pushed 0, 1, 2...: the head holds count - 1.
        long headNode = m.Find<long>("MyList").Value;
        Assert.True(headNode == 0 || m.GetRef<long>(headNode + 8) == count - 1);
        return count;
    }

    /// <summary>
    /// allocation_command across processes: this process allocates three adjacent blocks and frees the first;
    /// a child expands the middle one backward; this process sees the new, lower start and the old bytes
    /// still at the old handle, moves them, and the segment is sane.
    /// </summary>
    [Theory]
    [MemberData(nameof(SegmentLayouts.Algorithms), MemberType = typeof(SegmentLayouts))]
    public void AnotherProcess_ExpandsABlockBackward_ThisOneSeesIt(AllocationAlgorithm algorithm)
    {
        using var shm = ManagedSharedMemory.CreateNew(_name, SegmentSize, options: SegmentLayouts.Options(algorithm));
        var m = shm.Manager;
        m.Allocate(64);
        long a = m.Allocate(512);
        long b = m.Allocate(96);
        m.Allocate(64);
        m.GetSpan(b, 96).Fill(0x42);
        m.Deallocate(a);
        var (code, lines) = Driver.Run("managed-expand-back", _name, b.ToString(CultureInfo.InvariantCulture), "300", "300");
        Assert.Equal(0, code);
        string[] parts = lines.Single().Split(' ');
        Assert.Equal(nameof(AllocationOutcome.ExpandedBackward), parts[0]);
        long h = long.Parse(parts[1], CultureInfo.InvariantCulture);
        long received = long.Parse(parts[2], CultureInfo.InvariantCulture);
        Assert.True(h < b && h >= a);
        Assert.True(received >= 300);
        Assert.Equal(received, m.GetBlockSize(h));
        Assert.True(m.GetSpan(b, 96).IndexOfAnyExcept((byte)0x42) < 0);
        m.GetSpan(b, 96).CopyTo(m.GetSpan(h, 96));
        Assert.True(m.GetSpan(h, 96).IndexOfAnyExcept((byte)0x42) < 0);
        Assert.True(m.CheckSanity(out var problems), string.Join("; ", problems));

        // What is left of the predecessor is too small for 1000 more bytes, the successor is in use: the command fails, changing nothing.
        (code, lines) = Driver.Run("managed-expand-back", _name, h.ToString(CultureInfo.InvariantCulture), (received + 1000).ToString(CultureInfo.InvariantCulture), (received + 1000).ToString(CultureInfo.InvariantCulture));
        Assert.Equal(0, code);
        Assert.Equal(nameof(AllocationOutcome.Failed), lines.Single().Split(' ')[0]);
        Assert.Equal(received, m.GetBlockSize(h));
    }
}
