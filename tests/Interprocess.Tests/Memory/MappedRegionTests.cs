using System.Globalization;
using System.Text;
using Interprocess.Memory;
using Interprocess.Tests.Infrastructure;

namespace Interprocess.Tests.Memory;

public sealed class MappedRegionTests : IDisposable
{
    private static readonly int Page = MappedRegion.PageSize;

    private readonly List<string> _names = [];

    public void Dispose()
    {
        foreach (var n in _names)
        {
            SharedMemoryObject.Remove(n);
        }
    }

    /// <summary>A new shared memory object of <paramref name="size"/> bytes filled with the pattern i % 251.</summary>
    private SharedMemoryObject NewObject(long size, bool fill = true)
    {
        string name = UniqueName.New("region");
        _names.Add(name);
        var shm = SharedMemoryObject.CreateNew(name, size);
        if (fill && size > 0)
        {
            using var r = new MappedRegion(shm);
            var span = r.GetSpan();
            for (int i = 0; i < span.Length; i++)
            {
                span[i] = Pattern(i);
            }
        }

        return shm;
    }

    private static byte Pattern(long i) => (byte)(i % 251);

    [Theory]
    [InlineData(1, 100)]
    [InlineData(4095, 2)]
    [InlineData(4096, 4096)]
    [InlineData(4097, 5000)]
    [InlineData(10001, 0)]
    public void Region_AtAnUnalignedOffset_SeesTheObjectsBytesFromThere(long offset, long size)
    {
        using var shm = NewObject(4 * Page);
        using var region = new MappedRegion(shm, AccessMode.ReadWrite, offset, size);
        long expectedSize = size == 0 ? shm.Size - offset : size;
        Assert.Equal(expectedSize, region.Size);
        Assert.Equal(offset % Page, region.Address % Page);
        Assert.Equal(Pattern(offset), region.Read<byte>(0));
        Assert.Equal(Pattern(offset + expectedSize - 1), region.Read<byte>(expectedSize - 1));

        region.Write<byte>(0, 0xEE);
        using var whole = new MappedRegion(shm, AccessMode.ReadOnly);
        Assert.Equal(0xEE, whole.Read<byte>(offset));
    }

    public static TheoryData<string, Action<MappedRegion, long, int>> Accessors => new()
    {
        { "GetSpan", (r, o, n) => r.GetSpan(o, n) },
        { "GetReadOnlySpan", (r, o, n) => r.GetReadOnlySpan(o, n) },
        { "GetSpan<int>", (r, o, n) => r.GetSpan<int>(o, n / 4) },
        { "GetRef<int>", (r, o, _) => r.GetRef<int>(o) },
        {
            "GetReadOnlyRef<int>", (r, o, _) =>
            {
                int value = r.GetReadOnlyRef<int>(o);
                Assert.Equal(r.Read<int>(o), value);
            }
        },
        { "Read<int>", (r, o, _) => r.Read<int>(o) },
        { "Write<int>", (r, o, _) => r.Write(o, 1) },
        { "Flush", (r, o, n) => r.Flush(o, n) },
    };

    [Theory]
    [MemberData(nameof(Accessors))]
    public void EveryAccessor_ChecksBounds(string accessor, Action<MappedRegion, long, int> access)
    {
        using var shm = NewObject(3 * Page);
        using var region = new MappedRegion(shm, AccessMode.ReadWrite, 1000, 100);

        access(region, 96, 4); // the last four bytes: fine
        access(region, 0, 4);
        Assert.Throws<ArgumentOutOfRangeException>(() => access(region, 97, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => access(region, 100, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => access(region, -1, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => access(region, long.MinValue, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => access(region, long.MaxValue, 4));
        _ = accessor; // only names the case in the test output
    }

    [Fact]
    public void SpanLengths_AreChecked()
    {
        using var shm = NewObject(Page);
        using var region = new MappedRegion(shm);
        Assert.Throws<ArgumentOutOfRangeException>(() => region.GetSpan(0, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => region.GetReadOnlySpan(0, Page + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => region.GetSpan<long>(0, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => region.GetSpan<long>(8, Page / 8));
        Assert.Throws<ArgumentOutOfRangeException>(() => region.Flush(0, -1));
        Assert.Equal(0, region.GetSpan(Page, 0).Length);
        Assert.Equal(Page / 8, region.GetSpan<long>(0, Page / 8).Length);
        region.Flush(Page, 0);
    }

    [Theory]
    [MemberData(nameof(Accessors))]
    public void EveryAccessor_AfterDispose_ThrowsObjectDisposed(string accessor, Action<MappedRegion, long, int> access)
    {
        using var shm = NewObject(Page);
        var region = new MappedRegion(shm);
        region.Dispose();
        Assert.Throws<ObjectDisposedException>(() => access(region, 0, 4));
        Assert.Contains(shm.Name, Assert.Throws<ObjectDisposedException>(() => access(region, 0, 4)).Message, StringComparison.Ordinal);
        _ = accessor; // only names the case in the test output
    }

    [Fact]
    public void WholeRegionAccessors_AfterDispose_ThrowObjectDisposed_AndDisposeTwiceIsHarmless()
    {
        using var shm = NewObject(Page);
        var region = new MappedRegion(shm);
        region.Dispose();
        region.Dispose();
        Assert.Throws<ObjectDisposedException>(() => region.Address);
        Assert.Throws<ObjectDisposedException>(() => region.GetSpan());
        Assert.Throws<ObjectDisposedException>(() => region.GetReadOnlySpan());
        Assert.Throws<ObjectDisposedException>(() => region.Flush());
        Assert.Throws<ObjectDisposedException>(() => region.Advise(MemoryAdvice.Normal));
        Assert.Throws<ObjectDisposedException>(() => region.ShrinkBy(1));
    }

    [Theory]
    [InlineData(AccessMode.ReadOnly)]
    [InlineData(AccessMode.ReadPrivate)]
    public void ReadOnlyRegion_RefusesWritableAccess_ButReads(AccessMode access)
    {
        using var shm = NewObject(2 * Page);
        using var region = new MappedRegion(shm, access, 10);
        Assert.True(region.IsReadOnly);
        Assert.Equal(access, region.Access);
        Assert.Throws<NotSupportedException>(() => region.GetSpan());
        Assert.Throws<NotSupportedException>(() => region.GetSpan(0, 1));
        Assert.Throws<NotSupportedException>(() => region.GetSpan<int>(0, 1));
        Assert.Throws<NotSupportedException>(() => region.GetRef<int>(0));
        var e = Assert.Throws<NotSupportedException>(() => region.Write(0, 1));
        Assert.Contains(access.ToString(), e.Message, StringComparison.Ordinal);

        Assert.Equal(Pattern(10), region.Read<byte>(0));
        Assert.Equal(Pattern(11), region.GetReadOnlyRef<byte>(1));
        Assert.Equal(Pattern(12), region.GetReadOnlySpan()[2]);
        Assert.Equal(Pattern(13), region.GetReadOnlySpan(3, 1)[0]);
    }

    [Fact]
    public void CopyOnWrite_ChangesStayPrivate_ASecondMappingAndAChildProcessSeeTheOriginal()
    {
        using var shm = NewObject(2 * Page, fill: false);
        using (var init = new MappedRegion(shm))
        {
            Encoding.UTF8.GetBytes("original").CopyTo(init.GetSpan(5000, 8));
        }

        using var cow = new MappedRegion(shm, AccessMode.CopyOnWrite);
        Assert.False(cow.IsReadOnly);
        Encoding.UTF8.GetBytes("PRIVATE!").CopyTo(cow.GetSpan(5000, 8));
        Assert.Equal("PRIVATE!", Encoding.UTF8.GetString(cow.GetReadOnlySpan(5000, 8)));

        using var second = new MappedRegion(shm, AccessMode.ReadOnly);
        Assert.Equal("original", Encoding.UTF8.GetString(second.GetReadOnlySpan(5000, 8)));

        var (code, lines) = Driver.Run("shm-read", shm.Name, "5000", "8");
        Assert.Equal(0, code);
        Assert.Equal(["original"], lines);
    }

    [Fact]
    public void CopyOnWrite_OverAReadOnlyObject_IsAllowed_ButReadWriteIsNot()
    {
        using var shm = NewObject(Page);
        using var ro = SharedMemoryObject.OpenExisting(shm.Name, AccessMode.ReadOnly);
        using var cow = new MappedRegion(ro, AccessMode.CopyOnWrite);
        cow.Write(0, 7);
        Assert.Equal(7, cow.Read<int>(0));
        var e = Assert.Throws<ArgumentException>(() => new MappedRegion(ro, AccessMode.ReadWrite));
        Assert.Equal("access", e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new MappedRegion(shm, (AccessMode)42));
    }

    [Theory]
    [InlineData(MemoryAdvice.Normal)]
    [InlineData(MemoryAdvice.Random)]
    [InlineData(MemoryAdvice.Sequential)]
    [InlineData(MemoryAdvice.WillNeed)]
    [InlineData(MemoryAdvice.DontNeed)]
    public void Advise_EveryValue_IsAccepted_AndSharedContentsSurvive(MemoryAdvice advice)
    {
        using var shm = NewObject(3 * Page);
        using var region = new MappedRegion(shm, AccessMode.ReadWrite, 100);
        region.Write(5000, 0xABCDL);
        region.Advise(advice);
        Assert.Equal(0xABCDL, region.Read<long>(5000));
        Assert.Equal(Pattern(100), region.Read<byte>(0));
    }

    [Fact]
    public void Advise_DontNeed_OnACopyOnWriteRegion_DropsThePrivateChanges()
    {
        using var shm = NewObject(2 * Page);
        using var cow = new MappedRegion(shm, AccessMode.CopyOnWrite);
        cow.Write<byte>(4100, 0xFF);
        Assert.Equal(0xFF, cow.Read<byte>(4100));
        cow.Advise(MemoryAdvice.DontNeed);
        Assert.Equal(Pattern(4100), cow.Read<byte>(4100));
    }

    [Fact]
    public void Advise_UnknownValue_Throws()
    {
        using var shm = NewObject(Page);
        using var region = new MappedRegion(shm);
        Assert.Throws<ArgumentOutOfRangeException>(() => region.Advise((MemoryAdvice)99));
    }

    [Fact]
    public void ShrinkBy_FromTheBack_KeepsTheStart_AndNarrowsTheBounds()
    {
        using var shm = NewObject(4 * Page);
        using var region = new MappedRegion(shm, AccessMode.ReadWrite, 50, 3 * Page);
        nint address = region.Address;

        region.ShrinkBy(Page + 10);

        Assert.Equal(2 * Page - 10, region.Size);
        Assert.Equal(address, region.Address);
        Assert.Equal(Pattern(50), region.Read<byte>(0));
        Assert.Equal(Pattern(50 + region.Size - 1), region.Read<byte>(region.Size - 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => region.Read<byte>(region.Size));
        Assert.Equal(region.Size, region.GetReadOnlySpan().Length);
    }

    [Fact]
    public void ShrinkBy_FromTheFront_MovesTheStart_AndTheContentsFollow()
    {
        using var shm = NewObject(4 * Page);
        using var region = new MappedRegion(shm, AccessMode.ReadWrite, 50, 3 * Page);
        nint address = region.Address;

        region.ShrinkBy(Page + 10, fromBack: false);

        Assert.Equal(2 * Page - 10, region.Size);
        Assert.Equal(address + Page + 10, region.Address);
        Assert.Equal(Pattern(50 + Page + 10), region.Read<byte>(0));
        Assert.Equal(Pattern(50 + (3 * Page) - 1), region.Read<byte>(region.Size - 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => region.Read<byte>(region.Size));

        region.Write<byte>(0, 0x11);
        using var whole = new MappedRegion(shm, AccessMode.ReadOnly);
        Assert.Equal(0x11, whole.Read<byte>(50 + Page + 10));
    }

    [Fact]
    public void ShrinkBy_OutOfRange_Throws_AndShrinkingToNothingLeavesAnEmptyRegion()
    {
        using var shm = NewObject(2 * Page);
        using var region = new MappedRegion(shm, AccessMode.ReadWrite, 7, Page);
        Assert.Throws<ArgumentOutOfRangeException>(() => region.ShrinkBy(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => region.ShrinkBy(Page + 1));
        Assert.Equal(Page, region.Size);

        region.ShrinkBy(100, fromBack: false);
        region.ShrinkBy(Page - 100);
        Assert.Equal(0, region.Size);
        Assert.Equal(0, region.GetReadOnlySpan().Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => region.Read<byte>(0));
        region.Flush();
        region.Dispose();
    }

    [Fact]
    public void AddressHint_FromAPreviousMapping_PlacesTheNewRegionThere()
    {
        using var shm = NewObject(3 * Page);

        // The address is free again once the first region is gone, but another thread of this process could
        // map there first; a few attempts make that race irrelevant.
        bool placed = false;
        for (int attempt = 0; attempt < 5 && !placed; attempt++)
        {
            nint hint;
            using (var first = new MappedRegion(shm, AccessMode.ReadWrite, 123, Page))
            {
                hint = first.Address;
            }

            using var second = new MappedRegion(shm, AccessMode.ReadOnly, 123, Page, hint);
            placed = second.Address == hint;
            Assert.Equal(Pattern(123), second.Read<byte>(0));
        }

        Assert.True(placed, "the region never landed at the hint");
    }

    [Fact]
    public void AddressHint_WhosePageOffsetDiffersFromTheOffsets_IsRefused()
    {
        using var shm = NewObject(3 * Page);
        using var first = new MappedRegion(shm);
        var e = Assert.Throws<ArgumentException>(() => new MappedRegion(shm, AccessMode.ReadWrite, 123, 10, first.Address + (3 * Page) + 5));
        Assert.Equal("addressHint", e.ParamName);
    }

    [Fact]
    public void MappingAnEmptyObjectWhole_IsAnArgumentException()
    {
        using var shm = NewObject(0);
        var e = Assert.Throws<ArgumentException>(() => new MappedRegion(shm));
        Assert.Contains("empty", e.Message, StringComparison.Ordinal);
        Assert.Contains(shm.Name, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 4097)]
    [InlineData(4096, 1)]
    [InlineData(4097, 0)]
    [InlineData(5000, 10)]
    public void RegionBeyondTheEnd_IsAnArgumentException(long offset, long size)
    {
        using var shm = NewObject(Page);
        var e = Assert.Throws<ArgumentException>(() => new MappedRegion(shm, AccessMode.ReadWrite, offset, size));
        Assert.Contains(shm.Name, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NegativeOffsetOrSize_IsRefused()
    {
        using var shm = NewObject(Page);
        Assert.Throws<ArgumentOutOfRangeException>(() => new MappedRegion(shm, AccessMode.ReadWrite, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MappedRegion(shm, AccessMode.ReadWrite, 0, -1));
        Assert.Throws<ArgumentNullException>(() => new MappedRegion((SharedMemoryObject)null!));
    }

    [Fact]
    public void RegionLargerThanASpan_RefusesWholeSpans_ButOffsetAccessWorks()
    {
        long size = (long)int.MaxValue + (2 * Page);
        using var shm = NewObject(size, fill: false);
        using var region = new MappedRegion(shm);
        Assert.Equal(size, region.Size);
        Assert.Throws<InvalidOperationException>(() => region.GetReadOnlySpan());
        Assert.Throws<InvalidOperationException>(() => region.GetSpan());
        region.Write(size - 8, 0x55L);
        Assert.Equal(0x55L, region.Read<long>(size - 8));
        Assert.Equal(16, region.GetSpan(size - 16, 16).Length);
    }

    [Fact]
    public void ToString_NamesTheObjectAccessAndSize()
    {
        using var shm = NewObject(Page);
        using var region = new MappedRegion(shm, AccessMode.ReadOnly, 0, 10);
        Assert.Equal(string.Create(CultureInfo.InvariantCulture, $"MappedRegion '{shm.Name}' (ReadOnly, 10 bytes)"), region.ToString());
    }
}
