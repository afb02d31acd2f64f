using System.Globalization;
using System.Text;
using Interprocess.Memory;
using Interprocess.Tests.Infrastructure;

namespace Interprocess.Tests.Memory;

/// <summary>
/// System V segments have no names, only keys: each test's key comes from ftok on a file whose name has a GUID,
/// and is checked to be unused before the test relies on it. Every segment a test creates is removed by id.
/// </summary>
public sealed class XsiSharedMemoryTests : IDisposable
{
    private readonly List<string> _files = [];
    private readonly List<int> _ids = [];

    public void Dispose()
    {
        foreach (int id in _ids)
        {
            XsiSharedMemory.Remove(id);
        }

        foreach (string f in _files)
        {
            File.Delete(f);
        }
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private string NewFile()
    {
        string path = Path.Combine(Path.GetTempPath(), UniqueName.New("xsi"));
        File.WriteAllBytes(path, []);
        _files.Add(path);
        return path;
    }

    /// <summary>A key no segment uses now (ftok keys are truncated, so a collision with a stranger is possible).</summary>
    private XsiKey NewKey()
    {
        string path = NewFile();
        for (int id = 1; id <= 255; id++)
        {
            var key = new XsiKey(path, (byte)id);
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

    private XsiSharedMemory Track(XsiSharedMemory shm)
    {
        _ids.Add(shm.Id);
        return shm;
    }

    [Fact]
    public void Key_FromPath_IsStableAndDependsOnTheId()
    {
        string path = NewFile();
        var a = new XsiKey(path, 7);
        Assert.Equal(a, new XsiKey(path, 7));
        Assert.NotEqual(a, new XsiKey(path, 8));
        Assert.Equal(7, (a.Value >> 24) & 0xFF); // ftok puts the id in the top byte
        Assert.False(a.IsPrivate);
        Assert.Equal(a, XsiKey.FromValue(a.Value));
        Assert.Equal("0x" + a.Value.ToString("x8", CultureInfo.InvariantCulture), a.ToString());
    }

    [Fact]
    public void Key_ForAMissingPath_ThrowsNotFoundNamingThePath()
    {
        string path = Path.Combine(Path.GetTempPath(), UniqueName.New("missing"));
        var e = Assert.Throws<InterprocessException>(() => new XsiKey(path, 1));
        Assert.Equal(InterprocessErrorCode.NotFound, e.ErrorCode);
        Assert.Equal(path, e.ObjectName);
        Assert.Contains("ftok", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Key_BadArguments_AreRefused()
    {
        string path = NewFile();
        Assert.Throws<ArgumentOutOfRangeException>(() => new XsiKey(path, 0));
        Assert.Throws<ArgumentException>(() => new XsiKey("", 1));
        Assert.Throws<ArgumentException>(() => new XsiKey(path + "\0x", 1));
        Assert.Throws<ArgumentNullException>(() => new XsiKey(null!, 1));
    }

    [Fact]
    public void Key_Private_IsTheDefaultAndZero()
    {
        Assert.True(XsiKey.Private.IsPrivate);
        Assert.Equal(0, XsiKey.Private.Value);
        Assert.Equal(default, XsiKey.Private);
        Assert.Equal("IPC_PRIVATE", XsiKey.Private.ToString());
    }

    [Fact]
    public void CreateNew_ThenCreateNewAgain_ThrowsAlreadyExists_AndOpenExistingFindsTheSameSegment()
    {
        var key = NewKey();
        var shm = Track(XsiSharedMemory.CreateNew(key, 5000));
        Assert.True(shm.Created);
        Assert.Equal(key, shm.Key);
        Assert.Equal(5000, shm.Size);

        var e = Assert.Throws<InterprocessException>(() => Track(XsiSharedMemory.CreateNew(key, 5000)));
        Assert.Equal(InterprocessErrorCode.AlreadyExists, e.ErrorCode);
        Assert.Contains(key.ToString(), e.Message, StringComparison.Ordinal);

        var opened = XsiSharedMemory.OpenExisting(key);
        Assert.False(opened.Created);
        Assert.Equal(shm.Id, opened.Id);
        Assert.Equal(5000, opened.Size);
    }

    [Fact]
    public void OpenExisting_WhenMissing_ThrowsNotFound()
    {
        var key = NewKey();
        var e = Assert.Throws<InterprocessException>(() => XsiSharedMemory.OpenExisting(key));
        Assert.Equal(InterprocessErrorCode.NotFound, e.ErrorCode);
        Assert.Contains("shmget", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenOrCreate_ReportsWhetherItCreated_AndTheOpenerGetsTheCreatorsSize()
    {
        var key = NewKey();
        var a = Track(XsiSharedMemory.OpenOrCreate(key, 100));
        var b = XsiSharedMemory.OpenOrCreate(key, 100);
        Assert.True(a.Created);
        Assert.False(b.Created);
        Assert.Equal(a.Id, b.Id);
        Assert.Equal(100, b.Size);
    }

    [Fact]
    public void PrivateKey_GivesADistinctSegmentEachTime()
    {
        var a = Track(XsiSharedMemory.CreateNew(XsiKey.Private, 4096));
        var b = Track(XsiSharedMemory.CreateNew(XsiKey.Private, 4096));
        Assert.NotEqual(a.Id, b.Id);
        using var ra = new MappedRegion(a);
        using var rb = new MappedRegion(b);
        ra.Write(0, 1234);
        Assert.Equal(0, rb.Read<int>(0));
        using var byId = new MappedRegion(XsiSharedMemory.OpenById(a.Id), AccessMode.ReadOnly);
        Assert.Equal(1234, byId.Read<int>(0));
        Assert.True(XsiSharedMemory.OpenById(a.Id).Key.IsPrivate);
    }

    [Fact]
    public void PrivateKey_CannotBeOpened()
    {
        var e = Assert.Throws<ArgumentException>(() => XsiSharedMemory.OpenExisting(XsiKey.Private));
        Assert.Equal("key", e.ParamName);
        Assert.Throws<ArgumentException>(() => XsiSharedMemory.OpenOrCreate(XsiKey.Private, 10));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void CreateNew_WithSizeNotPositive_Throws(long size) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Track(XsiSharedMemory.CreateNew(XsiKey.Private, size)));

    [Theory]
    [InlineData("600")]
    [InlineData("640")]
    [InlineData("444")]
    [InlineData("666")]
    public void Permissions_AreExactlyWhatWasAsked(string octal)
    {
        var perms = Permissions.FromOctal(octal);
        var shm = Track(XsiSharedMemory.CreateNew(NewKey(), 4096, perms));
        Assert.Equal(perms, shm.Permissions);
    }

    [Fact]
    public void DefaultPermissions_AreOwnerOnly()
    {
        var shm = Track(XsiSharedMemory.CreateNew(XsiKey.Private, 4096));
        Assert.Equal("0600", shm.Permissions.ToString());
        Assert.Throws<ArgumentException>(() => Track(XsiSharedMemory.CreateNew(XsiKey.Private, 4096, new Permissions((UnixFileMode)0x800))));
    }

    [Fact]
    public void Remove_ById_ReturnsFalseTheSecondTime_AndTheKeyIsFreed()
    {
        var key = NewKey();
        var shm = Track(XsiSharedMemory.CreateNew(key, 4096));
        Assert.True(XsiSharedMemory.Remove(shm.Id));
        Assert.False(XsiSharedMemory.Remove(shm.Id));
        Assert.False(shm.Remove());
        Assert.Equal(InterprocessErrorCode.NotFound, Assert.Throws<InterprocessException>(() => XsiSharedMemory.OpenExisting(key)).ErrorCode);
        Assert.Equal(InterprocessErrorCode.NotFound, Assert.Throws<InterprocessException>(() => XsiSharedMemory.OpenById(shm.Id)).ErrorCode);
        Assert.Equal(InterprocessErrorCode.NotFound, Assert.Throws<InterprocessException>(() => shm.Size).ErrorCode);
        Assert.Equal(InterprocessErrorCode.NotFound, Assert.Throws<InterprocessException>(() => new MappedRegion(shm)).ErrorCode);
        Assert.Throws<ArgumentOutOfRangeException>(() => XsiSharedMemory.Remove(-1));
    }

    [Fact]
    public void Remove_WhileAttached_KeepsTheMemoryUntilTheRegionIsDisposed()
    {
        var key = NewKey();
        var shm = Track(XsiSharedMemory.CreateNew(key, 4096));
        using var region = new MappedRegion(shm);
        region.Write(100, 42L);
        Assert.True(shm.Remove());

        // The key is free at once: a new segment may take it.
        var other = Track(XsiSharedMemory.CreateNew(key, 4096));
        Assert.NotEqual(shm.Id, other.Id);
        Assert.Equal(42L, region.Read<long>(100));
    }

    [Fact]
    public void Region_IsTheWholeSegment_ReadOnlyRefusesWrites_AndPrivateMappingsAreRefused()
    {
        var shm = Track(XsiSharedMemory.CreateNew(XsiKey.Private, 5000));
        using (var rw = new MappedRegion(shm))
        {
            Assert.Equal(5000, rw.Size);
            Assert.Equal(0, rw.Address % MappedRegion.PageSize);
            rw.Write(4992, 0x0102030405060708L);
            Assert.Throws<ArgumentOutOfRangeException>(() => rw.Read<long>(4993));
            Assert.Throws<NotSupportedException>(() => rw.ShrinkBy(10));
        }

        using (var ro = new MappedRegion(shm, AccessMode.ReadOnly))
        {
            Assert.True(ro.IsReadOnly);
            Assert.Equal(0x0102030405060708L, ro.Read<long>(4992));
            Assert.Throws<NotSupportedException>(() => ro.Write(0, 1));
            Assert.Throws<NotSupportedException>(() => ro.GetSpan());
        }

        Assert.Equal("access", Assert.Throws<ArgumentException>(() => new MappedRegion(shm, AccessMode.CopyOnWrite)).ParamName);
        Assert.Throws<ArgumentException>(() => new MappedRegion(shm, AccessMode.ReadPrivate));
        Assert.Throws<ArgumentNullException>(() => new MappedRegion((XsiSharedMemory)null!));
    }

    [Fact]
    public void Region_Dispose_DetachesOnce()
    {
        var shm = Track(XsiSharedMemory.CreateNew(XsiKey.Private, 4096));
        var region = new MappedRegion(shm);
        region.Dispose();
        region.Dispose();
        Assert.Throws<ObjectDisposedException>(() => region.Read<int>(0));
    }

    [Fact]
    public void SharedWithAChildProcess_ByKeyAndById()
    {
        var key = NewKey();
        var shm = Track(XsiSharedMemory.CreateNew(key, 3 * 4096));
        using var region = new MappedRegion(shm);
        Encoding.UTF8.GetBytes("hello from the parent").CopyTo(region.GetSpan(5000, 21));

        var (code, lines) = Driver.Run("xsi-read-key", Text(key.Value), "5000", "21");
        Assert.True(code == 0, string.Join('\n', lines));
        Assert.Equal([Text(shm.Id), "hello from the parent"], lines);

        (code, lines) = Driver.Run("xsi-write-id", Text(shm.Id), "9001", "child was here");
        Assert.True(code == 0, string.Join('\n', lines));
        Assert.Equal([Text(key.Value)], lines);
        Assert.Equal("child was here", Encoding.UTF8.GetString(region.GetReadOnlySpan(9001, 14)));
    }
}
