using Interprocess.Containers;
using Interprocess.Managed;

namespace Interprocess.Tests.Containers;

/// <summary>Ordered containers holding values that own segment memory: Remove, Clear and Destroy give it back.</summary>
public sealed class OrderedNestedTests : OrderedSegment
{
    /// <summary>A struct of ours that owns one block of the segment.</summary>
    private readonly struct OwnedBlock : ISegmentOwned, IComparable<OwnedBlock>
    {
        public OwnedBlock(SegmentManager m, int key)
        {
            Segment = m.SegmentId;
            Block = m.Allocate(64);
            Key = key;
        }

        public ulong Segment { get; }

        public long Block { get; }

        public int Key { get; }

        public void Destroy() => SegmentRegistry.Resolve(Segment).Deallocate(Block);

        public int CompareTo(OwnedBlock other) => Key.CompareTo(other.Key);
    }

    [Fact]
    public void MapOfSets_RemoveClearDestroy_FreeTheInnerSets()
    {
        var map = SharedMap<long, SharedSet<long>>.Create(M);
        for (long k = 0; k < 20; k++)
        {
            var set = SharedSet<long>.Create(M);
            for (long v = 0; v < k; v++)
            {
                set.Add(v * k);
            }

            map.Add(k, set);
        }

        var three = map[3];
        Assert.Equal(new long[] { 0, 3, 6 }, three);
        Assert.True(map.Remove(3));
        Assert.Throws<InvalidOperationException>(() => three.Count);

        // Remove(key, out value) hands the inner set over instead of destroying it.
        Assert.True(map.Remove(4, out var four));
        Assert.Equal(4, four.Count);
        four.Destroy();

        // Nested mutation through the handle stored in the map.
        map[5].Add(1000);
        Assert.True(map[5].Contains(1000));

        var five = map[5];
        map.Clear();
        Assert.Throws<InvalidOperationException>(() => five.Count);
        map[1] = SharedSet<long>.Create(M);
        map[1].Add(1);
        map.Destroy();
        AssertNothingLeaked();
    }

    [Fact]
    public void OwnedValuesAndKeys_AreDestroyed_ByEveryContainer()
    {
        var map = SharedMap<int, OwnedBlock>.Create(M);
        var multi = SharedMultiMap<int, OwnedBlock>.Create(M);
        var flat = SharedFlatMap<int, OwnedBlock>.Create(M);
        var set = SharedSet<OwnedBlock>.Create(M);
        var mset = SharedMultiSet<OwnedBlock>.Create(M);
        var fset = SharedFlatSet<OwnedBlock>.Create(M);
        for (int i = 0; i < 50; i++)
        {
            map[i] = new OwnedBlock(M, i);
            multi.Add(i % 5, new OwnedBlock(M, i));
            flat[i] = new OwnedBlock(M, i);
            Assert.True(set.Add(new OwnedBlock(M, i)));
            mset.Add(new OwnedBlock(M, i % 5));
            Assert.True(fset.Add(new OwnedBlock(M, i)));
        }

        Assert.True(map.Remove(1));
        Assert.Equal(10, multi.RemoveAll(2));
        Assert.True(flat.Remove(1));
        flat.RemoveAt(0);
        Assert.True(set.Remove(set.Min));
        Assert.Equal(10, mset.RemoveAll(mset.Max));
        Assert.True(fset.Remove(fset.Max));
        map.Clear();
        flat.Clear();
        fset.Clear();
        map.Destroy();
        multi.Destroy();
        flat.Destroy();
        set.Destroy();
        mset.Destroy();
        fset.Destroy();
        AssertNothingLeaked();
    }
}
