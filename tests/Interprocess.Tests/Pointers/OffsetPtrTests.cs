using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Interprocess.Memory;
using Interprocess.Pointers;
using Interprocess.TestDriver.Pointers;
using Interprocess.Tests.Infrastructure;

namespace Interprocess.Tests.Pointers;

/// <summary>
/// The scenarios of Boost's offset_ptr_test (null, set/get, arithmetic, comparison, casts), plus what is
/// particular to the C# API (copies, in-place assignment, bounds-checked access) and a list shared between
/// two mappings and two processes. Pointers live in native memory or shared memory, never in managed objects.
/// </summary>
public sealed unsafe class OffsetPtrTests : IDisposable
{
    private const int NumValues = 5;

    private readonly List<string> _names = [];
    private readonly List<nint> _blocks = [];

    /// <summary>A node that can point to itself.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct SelfNode
    {
        public OffsetPtr<SelfNode> Self;
        public long Value;
    }

    public void Dispose()
    {
        foreach (var b in _blocks)
        {
            NativeMemory.AlignedFree((void*)b);
        }

        foreach (var n in _names)
        {
            SharedMemoryObject.Remove(n);
        }
    }

    [Fact]
    public void Layout_IsEightBytes_LikeBoostOnX64()
    {
        Assert.Equal(8, sizeof(OffsetPtr<int>));
        Assert.Equal(8, sizeof(OffsetPtr<SelfNode>));
        Assert.Equal(1, OffsetPtr<int>.NullOffset);
        Assert.Equal(16, Marshal.OffsetOf<ListNode>(nameof(ListNode.Value)));
    }

    [Fact]
    public void ZeroedMemory_IsNotNull_ItPointsToItself()
    {
        byte* block = Block(64);
        ref OffsetPtr<int> p = ref At<OffsetPtr<int>>(block, 8);

        Assert.Equal(0, p.RawOffset);
        Assert.False(p.IsNull);
        Assert.True(p.Get() == (int*)(block + 8));
        Assert.Equal(0, default(OffsetPtr<int>).RawOffset);
    }

    [Fact]
    public void SetNull_StoresRawOffsetOne_AndGetReturnsNull()
    {
        byte* block = Block(64);
        ref OffsetPtr<int> p = ref At<OffsetPtr<int>>(block, 0);
        ref OffsetPtr<int> q = ref At<OffsetPtr<int>>(block, 8);

        p.SetNull();
        q.Set((int*)null);

        Assert.Equal(1, p.RawOffset);
        Assert.Equal(1, q.RawOffset);
        Assert.Equal(1L, *(long*)block);
        Assert.True(p.IsNull);
        Assert.True(p.Get() == null);
        Assert.Throws<InvalidOperationException>(() => At<OffsetPtr<int>>(block, 0).GetRef());
        Assert.Throws<InvalidOperationException>(() => At<OffsetPtr<int>>(block, 0).GetReadOnlyRef());
    }

    [Fact]
    public void Set_StoresTheByteDistance_ForwardAndBackward_AndGetReturnsTheTarget()
    {
        byte* block = Block(128);
        ref OffsetPtr<int> forward = ref At<OffsetPtr<int>>(block, 8);
        ref OffsetPtr<int> backward = ref At<OffsetPtr<int>>(block, 64);
        int* target = (int*)(block + 32);

        forward.Set(target);
        backward.Set(ref *target);

        Assert.Equal(24, forward.RawOffset);
        Assert.Equal(-32, backward.RawOffset);
        Assert.True(forward.Get() == target);
        Assert.True(backward.Get() == target);
        forward.GetRef() = 1234;
        Assert.Equal(1234, *target);
        Assert.Equal(1234, backward.GetReadOnlyRef());
    }

    [Fact]
    public void Set_ToTheByteRightAfterThePointer_Throws_BecauseOffsetOneMeansNull()
    {
        byte* block = Block(64);
        ref OffsetPtr<byte> p = ref At<OffsetPtr<byte>>(block, 0);
        p.Set(block + 2);

        Assert.Throws<ArgumentException>(() => At<OffsetPtr<byte>>(block, 0).Set(block + 1));
        Assert.Equal(2, p.RawOffset);
        Assert.Throws<ArgumentOutOfRangeException>(() => At<OffsetPtr<byte>>(block, 0).Decrement());
        Assert.Equal(2, p.RawOffset);
    }

    [Fact]
    public void Arithmetic_MovesTheTargetByWholeElements()
    {
        byte* block = Block(256);
        int* values = (int*)(block + 128);
        ref OffsetPtr<int> p = ref At<OffsetPtr<int>>(block, 0);
        ref OffsetPtr<int> pe = ref At<OffsetPtr<int>>(block, 8);
        ref OffsetPtr<int> moving = ref At<OffsetPtr<int>>(block, 16);
        p.Set(values);
        pe.Set(values + NumValues);

        Assert.False(pe.TargetEquals(in p));
        Assert.Equal(NumValues, pe.DistanceFrom(in p));
        Assert.Equal(-NumValues, p.DistanceFrom(in pe));

        moving.Assign(in pe);
        moving.Retreat(NumValues);
        Assert.True(moving.TargetEquals(in p));
        moving.Advance(NumValues);
        Assert.True(moving.TargetEquals(in pe));
        moving.Advance(-NumValues);
        Assert.True(moving.Get() == values);

        for (int j = 0; j < NumValues; j++)
        {
            Assert.True(moving.Get() == values + j);
            moving.Increment();
        }

        Assert.True(moving.TargetEquals(in pe));
        for (int j = NumValues; j > 0; j--)
        {
            Assert.True(moving.Get() == values + j);
            moving.Decrement();
        }

        Assert.True(moving.TargetEquals(in p));
        Assert.Equal(128 - 16, moving.RawOffset);
    }

    [Fact]
    public void Arithmetic_OnNullOrAcrossUnrelatedTargets_Throws()
    {
        byte* block = Block(64);
        ref OffsetPtr<long> p = ref At<OffsetPtr<long>>(block, 0);
        ref OffsetPtr<long> q = ref At<OffsetPtr<long>>(block, 8);
        p.SetNull();
        q.Set((long*)(block + 32));

        Assert.Throws<InvalidOperationException>(() => At<OffsetPtr<long>>(block, 0).Advance(1));
        Assert.Throws<InvalidOperationException>(() => At<OffsetPtr<long>>(block, 0).Increment());
        Assert.Throws<InvalidOperationException>(() => At<OffsetPtr<long>>(block, 8).DistanceFrom(in At<OffsetPtr<long>>(block, 0)));
        Assert.True(p.IsNull);

        p.Set((long*)(block + 36));
        Assert.Throws<InvalidOperationException>(() => At<OffsetPtr<long>>(block, 8).DistanceFrom(in At<OffsetPtr<long>>(block, 0)));
    }

    [Fact]
    public void Comparisons_CompareTargets_NotRawOffsets()
    {
        byte* block = Block(256);
        int* values = (int*)(block + 128);
        ref OffsetPtr<int> p = ref At<OffsetPtr<int>>(block, 0);
        ref OffsetPtr<int> pe = ref At<OffsetPtr<int>>(block, 8);
        ref OffsetPtr<int> samePlaceAsP = ref At<OffsetPtr<int>>(block, 64);
        ref OffsetPtr<int> nullA = ref At<OffsetPtr<int>>(block, 16);
        ref OffsetPtr<int> nullB = ref At<OffsetPtr<int>>(block, 24);
        p.Set(values);
        pe.Set(values + NumValues);
        samePlaceAsP.Set(values);
        nullA.SetNull();
        nullB.SetNull();

        Assert.NotEqual(p.RawOffset, samePlaceAsP.RawOffset);
        Assert.True(p.TargetEquals(in samePlaceAsP));
        Assert.Equal(0, p.CompareTargetTo(in samePlaceAsP));
        Assert.Equal(0, p.DistanceFrom(in samePlaceAsP));
        Assert.True(p.TargetEquals(in p));

        Assert.False(p.TargetEquals(in pe));
        Assert.True(p.CompareTargetTo(in pe) < 0);
        Assert.True(pe.CompareTargetTo(in p) > 0);
        Assert.True(samePlaceAsP.CompareTargetTo(in pe) < 0);

        // Equal raw offsets at different places are different targets.
        ref OffsetPtr<int> shifted = ref At<OffsetPtr<int>>(block, 32);
        shifted.Set(values + (32 / sizeof(int)));
        Assert.Equal(p.RawOffset, shifted.RawOffset);
        Assert.False(p.TargetEquals(in shifted));

        Assert.True(nullA.TargetEquals(in nullB));
        Assert.False(nullA.TargetEquals(in p));
        Assert.True(nullA.CompareTargetTo(in p) < 0);
        Assert.True(p.CompareTargetTo(in nullA) > 0);
    }

    [Fact]
    public void Assign_CopiesTheTarget_AndRecomputesTheOffsetForItsOwnPlace()
    {
        byte* block = Block(256);
        ref OffsetPtr<int> a = ref At<OffsetPtr<int>>(block, 0);
        ref OffsetPtr<int> b = ref At<OffsetPtr<int>>(block, 40);
        a.Set((int*)(block + 128));

        b.Assign(in a);
        Assert.Equal(128, a.RawOffset);
        Assert.Equal(88, b.RawOffset);
        Assert.True(b.Get() == a.Get());

        a.Assign(in a);
        Assert.Equal(128, a.RawOffset);

        a.SetNull();
        b.Assign(in a);
        Assert.True(b.IsNull);
        Assert.Equal(1, b.RawOffset);
    }

    [Fact]
    public void ByValueCopy_KeepsTheRawOffset_SoAtItsNewPlaceItPointsElsewhere()
    {
        byte* block = Block(512);
        ref OffsetPtr<int> original = ref At<OffsetPtr<int>>(block, 0);
        original.Set((int*)(block + 64));

        // What `var copy = original;` or a struct assignment does: the eight bytes move, the target does not.
        At<OffsetPtr<int>>(block, 256) = original;
        ref OffsetPtr<int> copy = ref At<OffsetPtr<int>>(block, 256);

        Assert.Equal(original.RawOffset, copy.RawOffset);
        Assert.True(copy.Get() == (int*)(block + 256 + 64));
        Assert.False(copy.TargetEquals(in original));

        // The documented way to copy: Assign.
        copy.Assign(in original);
        Assert.True(copy.TargetEquals(in original));
    }

    [Fact]
    public void PointerToItself_HasRawOffsetZero_AndMovesWithTheStructThatHoldsIt()
    {
        byte* block = Block(256);
        ref SelfNode node = ref At<SelfNode>(block, 16);
        node.Value = 77;
        node.Self.Set(ref node);

        Assert.Equal(0, node.Self.RawOffset);
        Assert.Equal(77, node.Self.GetRef().Value);

        // A block moved as a whole keeps its inner links: what makes a region readable at any address.
        Buffer.MemoryCopy(block + 16, block + 128, 128, sizeof(SelfNode));
        ref SelfNode moved = ref At<SelfNode>(block, 128);
        Assert.True(moved.Self.Get() == (SelfNode*)(block + 128));
        moved.Self.GetRef().Value = 78;
        Assert.Equal(77, node.Value);
        Assert.Equal(78, moved.Value);
    }

    [Fact]
    public void Cast_SeesTheSameAddressAsAnotherElementType_InPlace()
    {
        byte* block = Block(128);
        long* values = (long*)(block + 64);
        values[0] = 0x0102030405060708;
        ref OffsetPtr<long> p = ref At<OffsetPtr<long>>(block, 0);
        p.Set(values);

        ref OffsetPtr<byte> bytes = ref p.Cast<long, byte>();
        Assert.True(bytes.Get() == (byte*)values);
        Assert.Equal(0x08, bytes.GetReadOnlyRef());

        // The cast aliases the same storage: moving it moves p.
        bytes.Increment();
        Assert.True(p.Get() == (long*)((byte*)values + 1));
        Assert.Throws<InvalidOperationException>(() => At<OffsetPtr<long>>(block, 0).Cast<long, int>(checkAlignment: true));
        ref OffsetPtr<short> unchecked1 = ref p.Cast<long, short>();
        Assert.True(unchecked1.Get() == (short*)((byte*)values + 1));

        bytes.Advance(7);
        ref OffsetPtr<int> ints = ref p.Cast<long, int>(checkAlignment: true);
        Assert.True(ints.Get() == (int*)(values + 1));

        p.SetNull();
        Assert.True(p.Cast<long, int>(checkAlignment: true).IsNull);
    }

    [Fact]
    public void ToString_ShowsTheRawOffset_NotAnAddress()
    {
        byte* block = Block(64);
        ref OffsetPtr<int> p = ref At<OffsetPtr<int>>(block, 16);

        Assert.Equal("OffsetPtr<Int32>(self+0)", p.ToString());
        p.Set((int*)(block + 40));
        Assert.Equal("OffsetPtr<Int32>(self+24)", p.ToString());
        Assert.Equal("OffsetPtr<Int32>(self+24)", $"{p}");
        p.Set((int*)block);
        Assert.Equal("OffsetPtr<Int32>(self-16)", p.ToString());
        p.SetNull();
        Assert.Equal("OffsetPtr<Int32>(null)", p.ToString());
    }

    [Fact]
    public void ObjectEqualsAndGetHashCode_Throw_BecauseABoxedCopyPointsNowhere()
    {
        object boxed = default(OffsetPtr<int>);
        Assert.Throws<NotSupportedException>(() => boxed.Equals(boxed));
        Assert.Throws<NotSupportedException>(() => boxed.GetHashCode());
    }

    [Fact]
    public void GetRefWithRegion_AcceptsTargetsInside_AndRejectsOthersAsCorrupted()
    {
        string name = NewName();
        using var shm = SharedMemoryObject.CreateNew(name, 4096);
        using var region = new MappedRegion(shm);
        byte* start = (byte*)region.Address;
        ref OffsetPtr<int> p = ref region.GetRef<OffsetPtr<int>>(8);

        p.Set((int*)(start + 4096 - sizeof(int)));
        p.GetRef(region) = 42;
        Assert.Equal(42, region.Read<int>(4096 - sizeof(int)));

        foreach (long bad in new long[] { 4096 - 3, 4096, -4, 1 << 20 })
        {
            p.Set((int*)(start + bad));
            var e = Assert.Throws<InterprocessException>(() => region.GetRef<OffsetPtr<int>>(8).GetReadOnlyRef(region));
            Assert.Equal(InterprocessErrorCode.Corrupted, e.ErrorCode);
            Assert.Contains(name, e.Message, StringComparison.Ordinal);
            Assert.Throws<InterprocessException>(() => region.GetRef<OffsetPtr<int>>(8).GetRef(region));
        }

        p.SetNull();
        Assert.Throws<InvalidOperationException>(() => region.GetRef<OffsetPtr<int>>(8).GetRef(region));

        p.Set((int*)(start + 64));
        region.Write(64, 7);
        using var readOnly = new MappedRegion(shm, AccessMode.ReadOnly);
        ref readonly OffsetPtr<int> seen = ref readOnly.GetReadOnlyRef<OffsetPtr<int>>(8);
        Assert.Equal(7, seen.GetReadOnlyRef(readOnly));
        Assert.Throws<NotSupportedException>(() => region.GetRef<OffsetPtr<int>>(8).GetRef(readOnly));
    }

    [Fact]
    public void SharedList_BuiltThroughOneMapping_ReadsTheSameThroughAnotherAtADifferentAddress()
    {
        string name = NewName();
        using var shm = SharedMemoryObject.CreateNew(name, 64 * 1024);
        using var first = new MappedRegion(shm);
        using var second = new MappedRegion(shm);
        Assert.NotEqual(first.Address, second.Address);

        SharedList.Initialize(first);
        foreach (long v in new long[] { 30, 10, 20 })
        {
            SharedList.InsertSorted(first, v);
        }

        Assert.Equal([10, 20, 30], SharedList.Forward(second));
        Assert.Equal([30, 20, 10], SharedList.Backward(second));

        SharedList.InsertSorted(second, 15);
        Assert.Equal([10, 15, 20, 30], SharedList.Forward(first));
        Assert.Equal([30, 20, 15, 10], SharedList.Backward(first));
    }

    [Fact]
    public void SharedList_WalkedAndExtendedByAChildProcess_MappedAtAnotherAddress()
    {
        string name = NewName();
        using var shm = SharedMemoryObject.CreateNew(name, 64 * 1024);
        using var region = new MappedRegion(shm);
        SharedList.Initialize(region);
        foreach (long v in new long[] { 40, 10, 30, 20 })
        {
            SharedList.InsertSorted(region, v);
        }

        string parentAddress = region.Address.ToString("x", CultureInfo.InvariantCulture);
        var (code, lines) = Driver.Run("offset-ptr-list", name, parentAddress, "25");

        Assert.True(code == 0, string.Join('\n', lines));
        Assert.Equal(4, lines.Count);
        Assert.StartsWith("ADDRESS 0x", lines[0], StringComparison.Ordinal);
        nint childAddress = nint.Parse(lines[0]["ADDRESS 0x".Length..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        Assert.NotEqual(region.Address, childAddress);
        Assert.Equal("FORWARD 10,20,30,40", lines[1]);
        Assert.Equal("BACKWARD 40,30,20,10", lines[2]);
        Assert.Equal("FORWARD 10,20,25,30,40", lines[3]);

        Assert.Equal([10, 20, 25, 30, 40], SharedList.Forward(region));
        Assert.Equal([40, 30, 25, 20, 10], SharedList.Backward(region));
        ref SharedListHeader header = ref SharedList.Open(region);
        Assert.Equal(5, header.Count);
        ref ListNode inserted = ref region.GetRef<ListNode>(SharedList.SlotOffset(4));
        Assert.Equal(25, inserted.Value);
        Assert.Equal(20, inserted.Prev.GetRef(region).Value);
        Assert.Equal(30, inserted.Next.GetRef(region).Value);
    }

    /// <summary>A reference to a <typeparamref name="T"/> at <paramref name="offset"/> in a native block.</summary>
    private static ref T At<T>(byte* block, int offset)
        where T : unmanaged =>
        ref Unsafe.AsRef<T>(block + offset);

    /// <summary>A zeroed, 64-byte aligned native block freed at the end of the test.</summary>
    private byte* Block(int size)
    {
        void* p = NativeMemory.AlignedAlloc((nuint)size, 64);
        NativeMemory.Clear(p, (nuint)size);
        _blocks.Add((nint)p);
        return (byte*)p;
    }

    private string NewName()
    {
        string name = UniqueName.New("ptr");
        _names.Add(name);
        return name;
    }
}
