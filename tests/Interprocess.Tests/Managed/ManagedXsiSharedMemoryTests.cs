using Interprocess.Managed;
using Interprocess.Memory;
using Interprocess.Tests.Infrastructure;

namespace Interprocess.Tests.Managed;

/// <summary>ManagedXsiSharedMemory: the same manager over System V shared memory.</summary>
public sealed class ManagedXsiSharedMemoryTests : IDisposable
{
    private const long SegmentSize = 1L << 20;
    private readonly string _file = Path.Combine(Path.GetTempPath(), UniqueName.New("managed-xsi"));
    private readonly List<int> _ids = [];

    public ManagedXsiSharedMemoryTests() => File.WriteAllBytes(_file, []);

    public void Dispose()
    {
        _ids.ForEach(id => ManagedXsiSharedMemory.Remove(id));
        File.Delete(_file);
    }

    /// <summary>A key no segment uses now (ftok keys are truncated, so a collision with a stranger is possible).</summary>
    private XsiKey NewKey()
    {
        for (int id = 1; id <= 255; id++)
        {
            var key = new XsiKey(_file, (byte)id);
            try
            {
                XsiSharedMemory.OpenExisting(key);
            }
            catch (InterprocessException e) when (e.ErrorCode == InterprocessErrorCode.NotFound)
            {
                return key;
            }
        }

        throw new InvalidOperationException("every ftok key of a fresh file is in use");
    }

    [Fact]
    public void CreateNew_ThenOpenByKeyAndById_SeeTheSameObjects()
    {
        var key = NewKey();
        using var a = ManagedXsiSharedMemory.CreateNew(key, SegmentSize);
        _ids.Add(a.Memory.Id);
        Assert.True(a.Created);
        a.Manager.Construct("x", 11L);
        using var b = ManagedXsiSharedMemory.OpenExisting(key);
        Assert.Equal(11, b.Manager.Find<long>("x").Value);
        using var c = ManagedXsiSharedMemory.OpenById(a.Memory.Id);
        c.Manager.Find<long>("x").Value = 12;
        Assert.Equal(12, a.Manager.Find<long>("x").Value);
        using var r = ManagedXsiSharedMemory.OpenReadOnly(key);
        Assert.Equal(12, r.Manager.Find<long>("x").Value);
        Assert.Throws<NotSupportedException>(() => r.Manager.Allocate(1));
        Assert.True(a.Manager.CheckSanity());
    }

    [Fact]
    public void OpenExisting_ForeignSystemVSegment_IsRefusedAsCorrupted()
    {
        var key = NewKey();
        var raw = XsiSharedMemory.CreateNew(key, SegmentSize);
        _ids.Add(raw.Id);
        using (var region = new MappedRegion(raw))
        {
            region.GetSpan(0, 64).Fill(0xEE);
        }

        var e = Assert.Throws<InterprocessException>(() => ManagedXsiSharedMemory.OpenExisting(key));
        Assert.Equal(InterprocessErrorCode.Corrupted, e.ErrorCode);
    }
}
