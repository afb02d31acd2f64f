using System.Text;
using Interprocess.Memory;
using Interprocess.Tests.Infrastructure;

namespace Interprocess.Tests.Memory;

public sealed class FileMappingTests : IDisposable
{
    private readonly List<string> _paths = [];

    public void Dispose()
    {
        foreach (var p in _paths)
        {
            if (Directory.Exists(p))
            {
                Directory.Delete(p);
            }
            else
            {
                File.Delete(p);
            }
        }
    }

    private string NewPath()
    {
        string path = Path.Combine(Path.GetTempPath(), UniqueName.New("file"));
        _paths.Add(path);
        return path;
    }

    private string NewFile(int size)
    {
        string path = NewPath();
        File.WriteAllBytes(path, new byte[size]);
        return path;
    }

    [Fact]
    public void Open_MissingFile_ThrowsNotFoundNamingThePath()
    {
        string path = NewPath();
        var e = Assert.Throws<InterprocessException>(() => new FileMapping(path));
        Assert.Equal(InterprocessErrorCode.NotFound, e.ErrorCode);
        Assert.Equal(path, e.ObjectName);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(AccessMode.ReadWrite)]
    [InlineData(AccessMode.ReadOnly)]
    public void Open_Directory_ThrowsInvalidPath(AccessMode access)
    {
        string path = NewPath();
        Directory.CreateDirectory(path);
        var e = Assert.Throws<InterprocessException>(() => new FileMapping(path, access));
        Assert.Equal(InterprocessErrorCode.InvalidPath, e.ErrorCode);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_BadArguments_AreRefused()
    {
        string path = NewFile(10);
        Assert.Throws<ArgumentException>(() => new FileMapping(""));
        Assert.Throws<ArgumentNullException>(() => new FileMapping(null!));
        var nul = Assert.Throws<ArgumentException>(() => new FileMapping(path + "\0.txt"));
        Assert.Contains("NUL", nul.Message, StringComparison.Ordinal);
        Assert.Equal("access", Assert.Throws<ArgumentException>(() => new FileMapping(path, AccessMode.CopyOnWrite)).ParamName);
        Assert.Throws<ArgumentException>(() => FileMapping.Remove(path + "\0"));
        Assert.True(File.Exists(path));
    }

    [Fact]
    public void Remove_ReturnsTrueThenFalse_AndRefusesADirectory()
    {
        string path = NewFile(10);
        Assert.True(FileMapping.Remove(path));
        Assert.False(File.Exists(path));
        Assert.False(FileMapping.Remove(path));

        string dir = NewPath();
        Directory.CreateDirectory(dir);
        var e = Assert.Throws<InterprocessException>(() => FileMapping.Remove(dir));
        Assert.Equal(InterprocessErrorCode.InvalidPath, e.ErrorCode);
        Assert.True(Directory.Exists(dir));
    }

    [Fact]
    public void Size_FollowsTheFile_AndDisposeTwiceIsHarmless()
    {
        string path = NewFile(1234);
        var file = new FileMapping(path);
        Assert.Equal(1234, file.Size);
        Assert.Equal(path, file.Path);
        Assert.Equal(AccessMode.ReadWrite, file.Access);
        File.AppendAllText(path, "more");
        Assert.Equal(1238, file.Size);
        file.Dispose();
        file.Dispose();
        Assert.Throws<ObjectDisposedException>(() => file.Size);
        Assert.Throws<ObjectDisposedException>(() => new MappedRegion(file));
    }

    [Fact]
    public void RegionOutlivesTheFileMapping()
    {
        string path = NewFile(4096);
        MappedRegion region;
        using (var file = new FileMapping(path))
        {
            region = new MappedRegion(file);
        }

        using (region)
        {
            region.Write(0, 99);
            region.Flush();
        }

        Assert.Equal(99, BitConverter.ToInt32(File.ReadAllBytes(path), 0));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Flush_ThenReadTheFile_SeesTheWrites(bool async)
    {
        string path = NewFile(3 * 4096);
        using (var file = new FileMapping(path))
        using (var region = new MappedRegion(file, AccessMode.ReadWrite, 4000, 5000))
        {
            Encoding.UTF8.GetBytes("flushed!").CopyTo(region.GetSpan(1000, 8));
            region.Flush(1000, 8, async);
            region.Flush(async: async);
            Assert.Throws<ArgumentOutOfRangeException>(() => region.Flush(4999, 2, async));
            Assert.Throws<ArgumentOutOfRangeException>(() => region.Flush(5001, 0, async));
        }

        byte[] bytes = File.ReadAllBytes(path);
        Assert.Equal(3 * 4096, bytes.Length);
        Assert.Equal("flushed!", Encoding.UTF8.GetString(bytes, 5000, 8));
        Assert.Equal(8, bytes.Count(b => b != 0));
    }

    [Fact]
    public void CopyOnWrite_LeavesTheFileUnchanged_EvenOverAReadOnlyFileMapping()
    {
        string path = NewFile(4096);
        File.WriteAllText(path, "original");
        using var file = new FileMapping(path, AccessMode.ReadOnly);
        Assert.Equal("access", Assert.Throws<ArgumentException>(() => new MappedRegion(file, AccessMode.ReadWrite)).ParamName);
        using var cow = new MappedRegion(file, AccessMode.CopyOnWrite);
        Encoding.UTF8.GetBytes("CHANGED!").CopyTo(cow.GetSpan(0, 8));
        cow.Flush();
        Assert.Equal("CHANGED!", Encoding.UTF8.GetString(cow.GetReadOnlySpan(0, 8)));
        Assert.Equal("original", File.ReadAllText(path));

        var (code, lines) = Driver.Run("file-read", path, "0", "8");
        Assert.Equal(0, code);
        Assert.Equal(["original"], lines);
    }

    [Fact]
    public void MappingAnEmptyFileWhole_IsAnArgumentException()
    {
        string path = NewFile(0);
        using var file = new FileMapping(path);
        var e = Assert.Throws<ArgumentException>(() => new MappedRegion(file));
        Assert.Contains("empty", e.Message, StringComparison.Ordinal);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RegionBeyondTheEndOfTheFile_IsAnArgumentException()
    {
        string path = NewFile(100);
        using var file = new FileMapping(path);
        Assert.Throws<ArgumentException>(() => new MappedRegion(file, AccessMode.ReadWrite, 50, 51));
        Assert.Throws<ArgumentException>(() => new MappedRegion(file, AccessMode.ReadWrite, 100));
        using var ok = new MappedRegion(file, AccessMode.ReadWrite, 50, 50);
        Assert.Equal(50, ok.Size);
    }

    [Fact]
    public void FileWrittenByAChildThroughAFileMapping_IsReadByTheParent()
    {
        string path = NewFile(2 * 4096);
        using var file = new FileMapping(path, AccessMode.ReadOnly);
        using var region = new MappedRegion(file, AccessMode.ReadOnly);

        var (code, lines) = Driver.Run("file-write", path, "4099", "child was here");

        Assert.True(code == 0, string.Join('\n', lines));
        Assert.Equal(["OK"], lines);
        Assert.Equal("child was here", Encoding.UTF8.GetString(File.ReadAllBytes(path), 4099, 14));
        Assert.Equal("child was here", Encoding.UTF8.GetString(region.GetReadOnlySpan(4099, 14)));
    }
}
