using System.Text;
using Interprocess.Memory;
using Interprocess.Tests.Infrastructure;

namespace Interprocess.Tests.Memory;

public sealed class SharedMemoryObjectTests : IDisposable
{
    private readonly List<string> _names = [];

    private string NewName()
    {
        string name = UniqueName.New("shm");
        _names.Add(name);
        return name;
    }

    public void Dispose()
    {
        foreach (var n in _names)
        {
            SharedMemoryObject.Remove(n);
        }
    }

    [Fact]
    public void CreateNew_WhenNameExists_ThrowsAlreadyExists()
    {
        string name = NewName();
        using var first = SharedMemoryObject.CreateNew(name, 4096);
        var e = Assert.Throws<InterprocessException>(() => SharedMemoryObject.CreateNew(name));
        Assert.Equal(InterprocessErrorCode.AlreadyExists, e.ErrorCode);
        Assert.Equal(17, e.NativeErrorCode);
        Assert.Equal(name, e.ObjectName);
        Assert.Contains("shm_open", e.Message, StringComparison.Ordinal);
        Assert.Contains(name, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenExisting_WhenMissing_ThrowsNotFound()
    {
        string name = NewName();
        var e = Assert.Throws<InterprocessException>(() => SharedMemoryObject.OpenExisting(name));
        Assert.Equal(InterprocessErrorCode.NotFound, e.ErrorCode);
        Assert.Contains("ENOENT", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenOrCreate_ReportsWhetherItCreated()
    {
        string name = NewName();
        using var a = SharedMemoryObject.OpenOrCreate(name, 100);
        using var b = SharedMemoryObject.OpenOrCreate(name, 999);
        Assert.True(a.Created);
        Assert.False(b.Created);
        Assert.Equal(100, b.Size);
    }

    [Fact]
    public void Remove_ReturnsFalseWhenNothingWasThere_AndObjectPersistsUntilRemoved()
    {
        string name = NewName();
        Assert.False(SharedMemoryObject.Remove(name));
        using (var shm = SharedMemoryObject.CreateNew(name, 64))
        {
            using var r = new MappedRegion(shm);
            r.Write(8, 0x1122334455667788UL);
        }

        Assert.True(SharedMemoryObject.Exists(name));
        using (var again = SharedMemoryObject.OpenExisting(name))
        using (var r = new MappedRegion(again, AccessMode.ReadOnly))
        {
            Assert.Equal(0x1122334455667788UL, r.Read<ulong>(8));
        }

        Assert.True(SharedMemoryObject.Remove(name));
        Assert.False(SharedMemoryObject.Exists(name));
        Assert.False(SharedMemoryObject.Remove(name));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("/abs")]
    [InlineData("nul\0byte")]
    [InlineData(".")]
    [InlineData("..")]
    public void BadNames_AreRefusedWithTheRuleThatFailed(string bad)
    {
        var e = Assert.Throws<ArgumentException>(() => SharedMemoryObject.CreateNew(bad));
        Assert.Equal("name", e.ParamName);
        string expectedWord = bad switch
        {
            "" => "empty",
            "." or ".." => "must not be",
            _ when bad.Contains('\0') => "NUL",
            _ => "'/'",
        };
        Assert.Contains(expectedWord, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TooLongName_IsRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => SharedMemoryObject.CreateNew(new string('x', 256)));
        Assert.Contains("256 bytes", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => SharedMemoryObject.OpenExisting(new string('é', 128)));
        Assert.Throws<ArgumentNullException>(() => SharedMemoryObject.Remove(null!));
    }

    [Theory]
    [InlineData("600")]
    [InlineData("640")]
    [InlineData("604")]
    [InlineData("666")]
    public void Permissions_AreExactlyWhatWasAsked_WhateverTheUmask(string octal)
    {
        string name = NewName();
        var perms = Permissions.FromOctal(octal);
        using var shm = SharedMemoryObject.CreateNew(name, 0, AccessMode.ReadWrite, perms);
        Assert.Equal(perms, shm.Permissions);
        Assert.Equal(perms.Mode, File.GetUnixFileMode("/dev/shm/" + name));
    }

    [Fact]
    public void DefaultPermissions_AreOwnerOnly()
    {
        string name = NewName();
        using var shm = SharedMemoryObject.CreateNew(name);
        Assert.Equal("0600", shm.Permissions.ToString());
    }

    [Fact]
    public void Permissions_RejectSpecialBitsAndBadOctal()
    {
        Assert.Throws<ArgumentException>(() => Permissions.FromOctal("4755"));
        Assert.Throws<ArgumentException>(() => Permissions.FromOctal("68"));
        Assert.Throws<ArgumentException>(() => Permissions.FromBits(0x800));
        Assert.Equal(Permissions.Everyone, Permissions.FromOctal("0666"));
    }

    [Fact]
    public void Truncate_ThenGrow_KeepsPrefixAndZeroFillsTheRest()
    {
        string name = NewName();
        using var shm = SharedMemoryObject.CreateNew(name, 8192);
        using (var r = new MappedRegion(shm))
        {
            r.GetSpan().Fill(0xAB);
        }

        shm.Truncate(100);
        Assert.Equal(100, shm.Size);
        shm.Truncate(10000);
        Assert.Equal(10000, shm.Size);
        using var after = new MappedRegion(shm, AccessMode.ReadOnly);
        Assert.True(after.GetReadOnlySpan(0, 100).ToArray().All(b => b == 0xAB));
        Assert.True(after.GetReadOnlySpan(100, 9900).ToArray().All(b => b == 0));
    }

    [Fact]
    public void ReadOnlyHandle_CannotTruncateOrMapReadWrite()
    {
        string name = NewName();
        using var creator = SharedMemoryObject.CreateNew(name, 4096);
        using var ro = SharedMemoryObject.OpenExisting(name, AccessMode.ReadOnly);
        Assert.Equal(InterprocessErrorCode.ReadOnly, Assert.Throws<InterprocessException>(() => ro.Truncate(10)).ErrorCode);
        Assert.Throws<ArgumentException>(() => new MappedRegion(ro, AccessMode.ReadWrite));
        Assert.Throws<ArgumentException>(() => SharedMemoryObject.OpenExisting(name, AccessMode.CopyOnWrite));
    }

    [Fact]
    public void Dispose_Twice_IsHarmless_AndUseAfterDisposeThrows()
    {
        string name = NewName();
        var shm = SharedMemoryObject.CreateNew(name, 10);
        shm.Dispose();
        shm.Dispose();
        Assert.Throws<ObjectDisposedException>(() => shm.Size);
        Assert.Throws<ObjectDisposedException>(() => new MappedRegion(shm));
    }

    [Fact]
    public void DataWrittenByOneProcess_IsReadByAnother_BothWays()
    {
        string name = NewName();
        using var shm = SharedMemoryObject.CreateNew(name, 3 * 4096);
        using var region = new MappedRegion(shm);
        Encoding.UTF8.GetBytes("hello from the parent").CopyTo(region.GetSpan(5000, 21));

        var (code, lines) = Driver.Run("shm-read", name, "5000", "21");
        Assert.Equal(0, code);
        Assert.Equal(["hello from the parent"], lines);

        // The child maps a region at an unaligned offset and writes there.
        (code, lines) = Driver.Run("shm-write", name, "4099", "child was here");
        Assert.Equal(0, code);
        Assert.Equal("child was here", Encoding.UTF8.GetString(region.GetReadOnlySpan(4099, 14)));
    }

    [Fact]
    public void ACreatorKilledAfterWriting_LeavesTheObjectAndWhatItWrote_UntilRemove()
    {
        string name = NewName();
        using (var child = Driver.Start("shm-create-write-hold", name, "8192", "4100", "written before the kill"))
        {
            child.Expect("WRITTEN");
            child.Kill();
        }

        // No process has the object open or mapped any more: it persists, with its contents, until Remove.
        Assert.True(SharedMemoryObject.Exists(name));
        using (var shm = SharedMemoryObject.OpenExisting(name, AccessMode.ReadOnly))
        using (var region = new MappedRegion(shm, AccessMode.ReadOnly))
        {
            Assert.Equal(8192, shm.Size);
            Assert.Equal("written before the kill", Encoding.UTF8.GetString(region.GetReadOnlySpan(4100, 23)));
        }

        Assert.True(SharedMemoryObject.Remove(name));
        Assert.False(SharedMemoryObject.Exists(name));
    }

    [Fact]
    public void ManyProcessesRacingOnOpenOrCreate_YieldExactlyOneCreator_AndAllSeeTheSameContents()
    {
        string name = NewName();
        const int size = 65536;
        var drivers = Enumerable.Range(0, 6).Select(_ => Driver.Start("shm-race", name, size.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList();
        try
        {
            foreach (var d in drivers)
            {
                d.Send("go");
            }

            var results = drivers.Select(d => (Kind: d.ReadLine(), Sum: d.ReadLine(), Code: d.WaitForExit())).ToList();
            Assert.All(results, r => Assert.Equal(0, r.Code));
            Assert.Single(results, r => r.Kind == "CREATED");
            Assert.All(results, r => Assert.Equal(((long)0x5A * (size - 1)).ToString(System.Globalization.CultureInfo.InvariantCulture), r.Sum));
        }
        finally
        {
            drivers.ForEach(d => d.Dispose());
        }
    }
}
