using System.Globalization;
using System.Text;
using Interprocess.Memory;
using Interprocess.Tests.Infrastructure;

namespace Interprocess.Tests.Memory;

/// <summary>
/// AnonymousSharedMemory has no name to collide or to leak: the memory goes with the last descriptor, so these
/// tests need no GUID names and no removal.
/// </summary>
public sealed class AnonymousSharedMemoryTests
{
    private static void WriteText(MappedRegion region, long offset, string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        bytes.CopyTo(region.GetSpan(offset + 4, bytes.Length));
        region.Write(offset, bytes.Length);
    }

    private static string ReadText(MappedRegion region, long offset) =>
        Encoding.UTF8.GetString(region.GetReadOnlySpan(offset + 4, region.Read<int>(offset)));

    [Fact]
    public void Create_GivesZeroFilledMemoryOfTheSize_AndAHandleNamingThisProcess()
    {
        using var memory = AnonymousSharedMemory.Create(10000);
        Assert.Equal(10000, memory.Size);
        Assert.Equal(AccessMode.ReadWrite, memory.Access);
        Assert.StartsWith($"memfd:{Environment.ProcessId}:", memory.Handle, StringComparison.Ordinal);
        using var region = memory.Map();
        Assert.Equal(10000, region.Size);
        Assert.True(region.GetReadOnlySpan().ToArray().All(b => b == 0));
        Assert.Equal(memory.Handle, region.Name);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Create_WithSizeNotPositive_Throws(long size) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => AnonymousSharedMemory.Create(size));

    [Fact]
    public void ParentWrites_ChildOpensFromHandleAndReplies_ParentSeesTheReply()
    {
        using var memory = AnonymousSharedMemory.Create(8192);
        using var region = memory.Map();
        WriteText(region, 0, "hello from the parent");

        var (code, lines) = Driver.Run("anon-echo", memory.Handle);

        Assert.True(code == 0, string.Join('\n', lines));
        Assert.Equal(["hello from the parent", "OK"], lines);
        Assert.Equal("child saw: hello from the parent", ReadText(region, 4096));
    }

    [Fact]
    public void ChildCreates_ParentOpensFromTheChildsHandle_AndAfterTheChildExitsTheHandleIsNotFound()
    {
        using var child = Driver.Start("anon-create", "4096", "made by the child");
        string handle = child.ReadLine();

        using (var memory = AnonymousSharedMemory.Open(handle))
        using (var region = memory.Map())
        {
            Assert.Equal(4096, memory.Size);
            Assert.Equal("made by the child", ReadText(region, 0));
            child.Send("done");
            Assert.Equal(0, child.WaitForExit());

            // The child is gone but our descriptor keeps the memory alive.
            WriteText(region, 100, "still here");
            Assert.Equal("still here", ReadText(region, 100));
        }

        var e = Assert.Throws<InterprocessException>(() => AnonymousSharedMemory.Open(handle));
        Assert.Equal(InterprocessErrorCode.NotFound, e.ErrorCode);
        Assert.Equal(handle, e.ObjectName);
    }

    [Fact]
    public void ChildOpeningReadOnly_CanReadButCannotMapReadWrite()
    {
        using var memory = AnonymousSharedMemory.Create(5000);
        using (var region = memory.Map())
        {
            region.Write(0, 123456);
        }

        var (code, lines) = Driver.Run("anon-read-only", memory.Handle);
        Assert.True(code == 0, string.Join('\n', lines));
        Assert.Equal(["5000", "123456", "REFUSED"], lines);
    }

    [Fact]
    public void Open_InThisProcess_SharesTheMemory_AndCopyOnWriteStaysPrivate()
    {
        using var memory = AnonymousSharedMemory.Create(4096);
        using var again = AnonymousSharedMemory.Open(memory.Handle);
        Assert.NotEqual(memory.Handle, again.Handle);
        using var a = memory.Map();
        using var b = again.Map();
        using var cow = again.Map(AccessMode.CopyOnWrite);
        a.Write(8, 77L);
        Assert.Equal(77L, b.Read<long>(8));
        cow.Write(8, 99L);
        Assert.Equal(99L, cow.Read<long>(8));
        Assert.Equal(77L, a.Read<long>(8));
    }

    [Fact]
    public void Map_AtAnUnalignedOffset_SeesTheSameBytes()
    {
        using var memory = AnonymousSharedMemory.Create(3 * 4096);
        using var whole = memory.Map();
        whole.Write(5001, 0xCAFEBABEu);
        using var part = memory.Map(AccessMode.ReadOnly, 5001, 4);
        Assert.Equal(0xCAFEBABEu, part.Read<uint>(0));
        Assert.Throws<ArgumentException>(() => memory.Map(AccessMode.ReadWrite, 3 * 4096, 1));
    }

    [Theory]
    [InlineData("")]
    [InlineData("memfd")]
    [InlineData("memfd:")]
    [InlineData("memfd:1")]
    [InlineData("memfd:1:")]
    [InlineData("memfd::3")]
    [InlineData("memfd:1:2:3")]
    [InlineData("memfd:-1:3")]
    [InlineData("memfd:+1:3")]
    [InlineData("memfd: 1:3")]
    [InlineData("memfd:1:3 ")]
    [InlineData("memfd:01:3")]
    [InlineData("memfd:1:03")]
    [InlineData("memfd:0:3")]
    [InlineData("memfd:1:x")]
    [InlineData("memfd:99999999999:3")]
    [InlineData("MEMFD:1:3")]
    [InlineData("shm:1:3")]
    public void Open_MalformedHandle_ThrowsArgumentExceptionQuotingIt(string handle)
    {
        var e = Assert.Throws<ArgumentException>(() => AnonymousSharedMemory.Open(handle));
        Assert.Equal("handle", e.ParamName);
        Assert.Contains($"'{handle}'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_NullHandle_Throws() =>
        Assert.Throws<ArgumentNullException>(() => AnonymousSharedMemory.Open(null!));

    [Fact]
    public void Open_DescriptorNotOpenInThatProcess_ThrowsNotFound()
    {
        // No process has a descriptor this high (it is above any RLIMIT_NOFILE).
        string handle = string.Create(CultureInfo.InvariantCulture, $"memfd:{Environment.ProcessId}:{int.MaxValue}");
        var e = Assert.Throws<InterprocessException>(() => AnonymousSharedMemory.Open(handle));
        Assert.Equal(InterprocessErrorCode.NotFound, e.ErrorCode);
        Assert.Contains(handle, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_DescriptorThatIsAnOrdinaryFile_IsRefused()
    {
        string path = Path.Combine(Path.GetTempPath(), UniqueName.New("file"));
        File.WriteAllBytes(path, new byte[4096]);
        try
        {
            using var file = new FileMapping(path);
            string handle = string.Create(CultureInfo.InvariantCulture, $"memfd:{Environment.ProcessId}:{file.Descriptor.Value}");
            var e = Assert.Throws<ArgumentException>(() => AnonymousSharedMemory.Open(handle));
            Assert.Contains("not refer to anonymous shared memory", e.Message, StringComparison.Ordinal);
            Assert.Contains(path, e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Open_WithAMappingOnlyAccess_Throws()
    {
        using var memory = AnonymousSharedMemory.Create(4096);
        var e = Assert.Throws<ArgumentException>(() => AnonymousSharedMemory.Open(memory.Handle, AccessMode.CopyOnWrite));
        Assert.Equal("access", e.ParamName);
    }

    [Fact]
    public void Dispose_Twice_IsHarmless_UseAfterThrows_AndRegionsOutliveTheObject()
    {
        var memory = AnonymousSharedMemory.Create(4096);
        using var region = memory.Map();
        region.Write(0, 5);
        memory.Dispose();
        memory.Dispose();
        Assert.Throws<ObjectDisposedException>(() => memory.Size);
        Assert.Throws<ObjectDisposedException>(() => memory.Handle);
        Assert.Throws<ObjectDisposedException>(() => memory.Map());
        Assert.Throws<ObjectDisposedException>(() => new MappedRegion(memory));
        Assert.Equal(5, region.Read<int>(0));
    }
}
