using System.Runtime.InteropServices;
using Interprocess.Managed;
using Interprocess.Memory;
using Interprocess.Tests.Infrastructure;

namespace Interprocess.Tests.Managed;

/// <summary>ManagedMappedFile and ManagedExternalBuffer: the same manager over a file and over caller memory.</summary>
public sealed unsafe class ManagedMappedFileTests : IDisposable
{
    private const long SegmentSize = 1L << 20;
    private readonly string _path = Path.Combine(Path.GetTempPath(), UniqueName.New("managed-file") + ".seg");

    public void Dispose() => File.Delete(_path);

    [Fact]
    public void ObjectsPersistInTheFile_AcrossCloseAndReopen()
    {
        using (var f = ManagedMappedFile.CreateNew(_path, SegmentSize))
        {
            Assert.True(f.Created);
            f.Manager.ConstructArray<int>("arr", [1, 2, 3]);
            f.Manager.ConstructUnique(42L);
            f.Flush();
        }

        Assert.Equal(SegmentSize, new FileInfo(_path).Length);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_path));
        using (var g = ManagedMappedFile.OpenExisting(_path))
        {
            Assert.False(g.Created);
            Assert.Equal([1, 2, 3], g.Manager.Find<int>("arr").AsSpan().ToArray());
            Assert.Equal(42, g.Manager.FindUnique<long>().Value);
            Assert.True(g.Manager.CheckSanity());
        }

        using var o = ManagedMappedFile.OpenOrCreate(_path, SegmentSize);
        Assert.False(o.Created);
        Assert.Equal(3, o.Manager.Find<int>("arr").Count);
    }

    [Fact]
    public void CreateNew_WhenTheFileExists_ThrowsAlreadyExists_AndLeavesItAlone()
    {
        File.WriteAllText(_path, "not a segment");
        var e = Assert.Throws<InterprocessException>(() => ManagedMappedFile.CreateNew(_path, SegmentSize));
        Assert.Equal(InterprocessErrorCode.AlreadyExists, e.ErrorCode);
        Assert.Equal("not a segment", File.ReadAllText(_path));
    }

    [Fact]
    public void OpenOrCreate_CreatesWhenMissing()
    {
        using var f = ManagedMappedFile.OpenOrCreate(_path, SegmentSize);
        Assert.True(f.Created);
        Assert.Equal(SegmentSize, f.Manager.Size);
    }

    [Fact]
    public void ForeignOrTruncatedFiles_AreRefusedAsCorrupted()
    {
        File.WriteAllBytes(_path, Enumerable.Range(0, 100_000).Select(i => (byte)(i * 7)).ToArray());
        var e = Assert.Throws<InterprocessException>(() => ManagedMappedFile.OpenExisting(_path));
        Assert.Equal(InterprocessErrorCode.Corrupted, e.ErrorCode);
        File.WriteAllBytes(_path, new byte[100]);
        e = Assert.Throws<InterprocessException>(() => ManagedMappedFile.OpenExisting(_path));
        Assert.Equal(InterprocessErrorCode.Corrupted, e.ErrorCode);
        Assert.Throws<InterprocessException>(() => ManagedMappedFile.OpenExisting(_path + ".missing"));
    }

    [Fact]
    public void ReadOnly_AndCopyOnWrite_Modes()
    {
        using (var f = ManagedMappedFile.CreateNew(_path, SegmentSize))
        {
            f.Manager.Construct("v", 1L);
        }

        using (var r = ManagedMappedFile.OpenReadOnly(_path))
        {
            Assert.Equal(1, r.Manager.Find<long>("v").Value);
            Assert.Throws<NotSupportedException>(() => r.Manager.Construct("w", 2L));
        }

        using (var c = ManagedMappedFile.OpenCopyOnWrite(_path))
        {
            c.Manager.Find<long>("v").Value = 5;
            c.Manager.Construct("w", 2L);
        }

        using var again = ManagedMappedFile.OpenExisting(_path);
        Assert.Equal(1, again.Manager.Find<long>("v").Value);
        Assert.True(again.Manager.Find<long>("w").IsNull);
    }

    [Fact]
    public void GrowAndShrinkToFit_ResizeTheFile()
    {
        using (var f = ManagedMappedFile.CreateNew(_path, SegmentSize, options: new ManagedSegmentOptions { Algorithm = AllocationAlgorithm.SequentialFit }))
        {
            f.Manager.Construct("v", 1L);
        }

        Assert.Equal(2 * SegmentSize, ManagedMappedFile.Grow(_path, SegmentSize));
        Assert.Equal(2 * SegmentSize, new FileInfo(_path).Length);
        long small = ManagedMappedFile.ShrinkToFit(_path);
        Assert.Equal(small, new FileInfo(_path).Length);
        using var g = ManagedMappedFile.OpenExisting(_path);
        Assert.Equal(AllocationAlgorithm.SequentialFit, g.Manager.Algorithm);
        Assert.Equal(1, g.Manager.Find<long>("v").Value);
        Assert.True(g.Manager.CheckSanity(out var problems), string.Join("; ", problems));
    }

    [Fact]
    public void ExternalBuffer_Grow_UsesMoreOfTheBuffer()
    {
        void* memory = NativeMemory.AlignedAlloc((nuint)(2 * SegmentSize), 64);
        try
        {
            using var a = ManagedExternalBuffer.Create((nint)memory, SegmentSize);
            a.Manager.Construct("x", 2);
            Assert.False(a.Manager.TryAllocate(SegmentSize, out _));
            a.Grow(SegmentSize);
            Assert.Equal(2 * SegmentSize, a.Manager.Size);
            long h = a.Manager.Allocate(SegmentSize);
            Assert.Equal(2, a.Manager.Find<int>("x").Value);
            a.Manager.Deallocate(h);
            Assert.True(a.Manager.CheckSanity());
        }
        finally
        {
            NativeMemory.AlignedFree(memory);
        }
    }

    [Fact]
    public void ExternalBuffer_CreateThenOpen_SeesTheSameObjects()
    {
        void* memory = NativeMemory.AlignedAlloc((nuint)SegmentSize, 64);
        try
        {
            using (var a = ManagedExternalBuffer.Create((nint)memory, SegmentSize))
            {
                a.Manager.Construct("x", 7);
                a.Manager.Allocate(1000);
            }

            using var b = ManagedExternalBuffer.Open((nint)memory, SegmentSize);
            Assert.Equal(7, b.Manager.Find<int>("x").Value);
            Assert.False(b.Manager.AllMemoryDeallocated());
            Assert.True(b.Manager.CheckSanity());
            Assert.Throws<ArgumentException>(() => ManagedExternalBuffer.Create((nint)memory + 8, SegmentSize - 8));
            Assert.Throws<ArgumentException>(() => ManagedExternalBuffer.Open(0, SegmentSize));
            NativeMemory.Clear(memory, (nuint)SegmentSize);
            var e = Assert.Throws<InterprocessException>(() => ManagedExternalBuffer.Open((nint)memory, SegmentSize));
            Assert.Equal(InterprocessErrorCode.Corrupted, e.ErrorCode);
        }
        finally
        {
            NativeMemory.AlignedFree(memory);
        }
    }

    [Fact]
    public void ExternalBuffer_InASharedRegion_WorksFromTwoMappingsAtDifferentAddresses()
    {
        string name = UniqueName.New("managed-ext");
        try
        {
            using var shm = SharedMemoryObject.CreateNew(name, 4 * SegmentSize);
            using var first = new MappedRegion(shm);
            using var second = new MappedRegion(shm);
            Assert.NotEqual(first.Address, second.Address);
            using var a = ManagedExternalBuffer.Create(first.Address + 4096, SegmentSize);
            var anon = a.Manager.ConstructAnonymousArray(4, 9L);
            a.Manager.Construct("named", 3.5);
            using var b = ManagedExternalBuffer.Open(second.Address + 4096, SegmentSize);
            Assert.Equal(3.5, b.Manager.Find<double>("named").Value);
            Assert.Equal([9L, 9, 9, 9], b.Manager.GetObject<long>(anon.Handle).AsSpan().ToArray());
        }
        finally
        {
            SharedMemoryObject.Remove(name);
        }
    }
}
