using System.Runtime.CompilerServices;
using CsCheck;
using Interprocess.Containers;
using Interprocess.Managed;

namespace Interprocess.Tests.Containers;

/// <summary>
/// SharedHashMap in one process (over heap memory), against Dictionary: Boost's unordered_test scenarios
/// (insert, find, erase, count, rehash, load factor), property tests over random operation sequences, nested
/// values, the copy rule, stale handles, corruption and bad inputs.
/// </summary>
public sealed unsafe class SharedHashMapTests : IDisposable
{
    private readonly ManagedHeapMemory _heap = new(64L << 20);

    private SegmentManager M => _heap.Manager;

    public void Dispose() => _heap.Dispose();

    [Fact]
    public void InsertFindErase_MatchesDictionary()
    {
        var map = SharedHashMap<long, long>.Create(M);
        var model = new Dictionary<long, long>();
        for (long i = 0; i < 5000; i++)
        {
            long k = (i * 7919) % 10007;
            map.Add(k, i);
            model.Add(k, i);
        }

        Assert.Equal(model.Count, map.Count);
        foreach (var (k, v) in model)
        {
            Assert.True(map.TryGetValue(k, out long got));
            Assert.Equal(v, got);
            Assert.Equal(v, map[k]);
            Assert.True(map.ContainsKey(k));
        }

        for (long k = 0; k < 10007; k += 3)
        {
            Assert.Equal(model.Remove(k), map.Remove(k));
        }

        Assert.Equal(model.Count, map.Count);
        Assert.Equal(model.OrderBy(p => p.Key), map.ToDictionary().OrderBy(p => p.Key));
        Assert.False(map.ContainsKey(3));
        Assert.False(map.TryGetValue(3, out _));
        map.Destroy();
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void Indexer_AddsOrOverwrites_AndMissingKeyThrows()
    {
        var map = SharedHashMap<int, double>.Create(M);
        map[5] = 1.5;
        map[5] = 2.5;
        Assert.Equal(1, map.Count);
        Assert.Equal(2.5, map[5]);
        Assert.Throws<KeyNotFoundException>(() => map[6]);
        Assert.Throws<KeyNotFoundException>(() => map.GetValueRef(6));
        Assert.Throws<ArgumentException>(() => map.Add(5, 0));
        Assert.False(map.TryAdd(5, 9));
        Assert.Equal(2.5, map[5]);
        map.Destroy();
    }

    [Fact]
    public void ValueRefs_WriteInPlace()
    {
        var map = SharedHashMap<long, long>.Create(M);
        ref long v = ref map.GetValueRefOrAddDefault(10, out bool exists);
        Assert.False(exists);
        v = 99;
        Assert.Equal(99, map[10]);
        map.GetValueRef(10) += 1;
        Assert.Equal(100, map[10]);
        ref long again = ref map.GetValueRefOrAddDefault(10, out exists);
        Assert.True(exists);
        Assert.Equal(100, again);
        Assert.True(Unsafe.IsNullRef(ref map.GetValueRefOrNullRef(11)));
        Assert.Equal(100, map.GetValueRefOrNullRef(10));
        map.Destroy();
    }

    [Fact]
    public void Growth_KeepsLoadFactorBelowTheMaximum_AndRehashKeepsEveryKey()
    {
        var map = SharedHashMap<long, long>.Create(M);
        Assert.Equal(0, map.Capacity);
        for (long i = 0; i < 20000; i++)
        {
            map[i] = -i;
            Assert.True(map.LoadFactor <= map.MaxLoadFactor);
        }

        Assert.True(BitOperationsIsPow2(map.Capacity));
        map.MaxLoadFactor = 0.5;
        Assert.True(map.LoadFactor <= 0.5);
        for (long i = 0; i < 20000; i += 2)
        {
            Assert.True(map.Remove(i));
        }

        int before = map.Capacity;
        map.TrimExcess();
        Assert.True(map.Capacity < before);
        for (long i = 1; i < 20000; i += 2)
        {
            Assert.Equal(-i, map[i]);
        }

        Assert.True(map.EnsureCapacity(100_000) >= 100_000);
        Assert.Equal(10000, map.Count);
        map.Clear();
        Assert.Equal(0, map.Count);
        Assert.False(map.ContainsKey(1));
        map.TrimExcess();
        Assert.Equal(0, map.Capacity);
        map.Destroy();
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void Enumeration_SeesEveryEntryOnce_AndAChangeDuringItThrows()
    {
        var map = SharedHashMap<long, long>.Create(M);
        for (long i = 0; i < 100; i++)
        {
            map[i] = i * i;
        }

        var seen = new Dictionary<long, long>();
        foreach (var kv in map)
        {
            seen.Add(kv.Key, kv.Value);
        }

        Assert.Equal(100, seen.Count);
        Assert.All(seen, kv => Assert.Equal(kv.Key * kv.Key, kv.Value));
        Assert.Throws<InvalidOperationException>(() =>
        {
            foreach (var kv in map)
            {
                map[kv.Key + 1000] = 0;
            }
        });
        Assert.Equal(100, map.Where(kv => kv.Key < 1000).Count());
        map.Destroy();
    }

    [Fact]
    public void DefaultHash_IsAFixedFunction_OfTheKeyBytes()
    {
        // Every process must place a key in the same slot: the hash is pinned (changing it breaks existing segments).
        Assert.Equal(0x0b91aa8b621c7a50UL, KeyHasher<long>.Hash(42L));
        Assert.Equal(0xc9d874ca57d9e055UL, KeyHasher<ulong>.Hash(0UL));
        Assert.Equal(KeyHasher<long>.Hash(42L), KeyHasher<ulong>.Hash(42UL));
        Assert.Equal(KeyHasher<double>.Hash(0.0), KeyHasher<double>.Hash(-0.0));
    }

    [Fact]
    public void FloatingKeys_FollowTheirEquals()
    {
        var map = SharedHashMap<double, int>.Create(M);
        map[0.0] = 1;
        map[-0.0] = 2;
        map[double.NaN] = 3;
        Assert.Equal(2, map.Count);
        Assert.Equal(2, map[0.0]);
        Assert.Equal(3, map[double.NaN]);
        map.Destroy();
    }

    [Fact]
    public void StructKeys_AreComparedByTheirBytes()
    {
        var map = SharedHashMap<Key24, int>.Create(M);
        var model = new Dictionary<Key24, int>();
        for (int i = 0; i < 3000; i++)
        {
            var k = new Key24 { A = i % 17, B = i / 17, C = i };
            map[k] = i;
            model[k] = i;
        }

        foreach (var (k, v) in model)
        {
            Assert.Equal(v, map[k]);
        }

        var small = SharedHashMap<Key3, int>.Create(M);
        for (int i = 0; i < 256; i++)
        {
            small[new Key3 { A = (byte)i, B = 1, C = (byte)(255 - i) }] = i;
        }

        Assert.Equal(256, small.Count);
        Assert.Equal(7, small[new Key3 { A = 7, B = 1, C = 248 }]);
        map.Destroy();
        small.Destroy();
    }

    [Fact]
    public void StableHashKeys_UseTheirOwnHashAndEquality()
    {
        var map = SharedHashMap<CaseInsensitiveCode, int>.Create(M);
        map[CaseInsensitiveCode.Of("abc")] = 1;
        Assert.True(KeyHasher<CaseInsensitiveCode>.UsesStableHash);
        Assert.Equal(1, map[CaseInsensitiveCode.Of("ABC")]);
        map[CaseInsensitiveCode.Of("AbC")] = 2;
        Assert.Equal(1, map.Count);
        map.Destroy();
    }

    [Fact]
    public void CustomComparer_IsFoundByName_AndAnUnregisteredNameIsRefused()
    {
        SharedHashComparers.Register("tests-mod1000", Mod1000Comparer.Instance);
        var map = SharedHashMap<long, long>.Create(M, comparerName: "tests-mod1000");
        map[5] = 1;
        map[1005] = 2;
        Assert.Equal(1, map.Count);
        Assert.Equal(2, map[2005]);
        var set = SharedHashSet<long>.Create(M, comparerName: "tests-mod1000");
        Assert.True(set.Add(1));
        Assert.False(set.Add(1001));
        set.Destroy();
        map.Destroy();

        Assert.Throws<InvalidOperationException>(() => SharedHashMap<long, long>.Create(M, comparerName: "tests-never-registered"));
        Assert.Throws<ArgumentException>(() => SharedHashComparers.Register("tests-mod1000", new Mod1000Comparer()));
        Assert.Throws<ArgumentException>(() => SharedHashComparers.Register("", Mod1000Comparer.Instance));
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void Property_RandomOperations_MatchDictionary()
    {
        Gen.Select(Gen.Int[0, 5], Gen.Long[0, 64], Gen.Long).Array[0, 300].Sample(ops =>
        {
            var map = SharedHashMap<long, long>.Create(M);
            var model = new Dictionary<long, long>();
            foreach (var (op, k, v) in ops)
            {
                switch (op)
                {
                    case 0:
                        Assert.Equal(model.TryAdd(k, v), map.TryAdd(k, v));
                        break;
                    case 1:
                        model[k] = v;
                        map[k] = v;
                        break;
                    case 2:
                        Assert.Equal(model.Remove(k), map.Remove(k));
                        break;
                    case 3:
                        Assert.Equal(model.TryGetValue(k, out long a), map.TryGetValue(k, out long b));
                        Assert.Equal(a, b);
                        break;
                    case 4:
                        map.GetValueRefOrAddDefault(k, out _) += v;
                        model[k] = model.GetValueOrDefault(k) + v;
                        break;
                    default:
                        if (v % 8 == 0)
                        {
                            map.Clear();
                            model.Clear();
                        }
                        else
                        {
                            map.TrimExcess();
                        }

                        break;
                }

                Assert.Equal(model.Count, map.Count);
            }

            Assert.Equal(model.OrderBy(p => p.Key), map.ToDictionary().OrderBy(p => p.Key));
            map.Destroy();
        }, iter: 200);
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void NestedValues_AreDestroyed_ByRemoveClearAndDestroy()
    {
        var map = SharedHashMap<long, OwnedBlock>.Create(M);
        for (long i = 0; i < 50; i++)
        {
            map[i] = OwnedBlock.New(M, i);
        }

        Assert.Equal(7, map[7].ReadTag());
        Assert.True(map.Remove(7));
        map.Clear();
        for (long i = 0; i < 20; i++)
        {
            map[i] = OwnedBlock.New(M, i);
        }

        map.Destroy();
        Assert.True(M.AllMemoryDeallocated());

        var lists = SharedHashMap<long, SharedList<long>>.Create(M);
        for (long i = 0; i < 10; i++)
        {
            var l = SharedList<long>.Create(M);
            l.AddLast(i);
            l.AddLast(i + 1);
            lists[i] = l;
        }

        lists[3].AddLast(99);
        Assert.Equal([3L, 4, 99], lists[3].ToList());
        Assert.True(lists.Remove(4));
        lists.Destroy();
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void HandleCopies_AliasTheSameMap_AndUseAfterDestroyThrows()
    {
        var a = SharedHashMap<long, long>.Create(M);
        var b = a;
        b[1] = 10;
        Assert.Equal(10, a[1]);
        Assert.True(a == b);
        var holder = SharedHashMap<long, SharedHashMap<long, long>>.Create(M);
        holder[0] = a;
        var inner = holder[0];
        inner[2] = 20;
        Assert.Equal(20, a[2]);
        holder.Remove(0);
        Assert.Throws<InvalidOperationException>(() => a.Count);
        Assert.Throws<InvalidOperationException>(() => b[1] = 1);
        Assert.Throws<InvalidOperationException>(() => b.Destroy());
        Assert.Throws<InvalidOperationException>(() => default(SharedHashMap<long, long>).Count);
        Assert.True(default(SharedHashMap<long, long>).IsDefault);
        holder.Destroy();
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void NamedMaps_AreFoundByName_WithTheirType()
    {
        var a = SharedHashMap<long, long>.Create(M, "prices");
        a[1] = 2;
        Assert.Equal(2, SharedHashMap<long, long>.Find(M, "prices")[1]);
        Assert.Equal(a, SharedHashMap<long, long>.FindOrCreate(M, "prices"));
        Assert.Equal(a, M.Find<SharedHashMap<long, long>>("prices").Value);
        Assert.Throws<InvalidCastException>(() => SharedHashMap<long, int>.Find(M, "prices"));
        Assert.ThrowsAny<InterprocessException>(() => SharedHashMap<long, long>.Create(M, "prices"));
        a.Destroy();
        M.Destroy<SharedHashMap<long, long>>("prices");
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void CorruptedTable_GivesInterprocessException()
    {
        var map = SharedHashMap<long, long>.Create(M);
        map[1] = 1;
        var header = (HashHeader*)ContainerTestHelpers.HeaderOf(map, M);
        long table = header->Table;
        header->Table = M.Size + 4096;
        var e = Assert.Throws<InterprocessException>(() => map[1]);
        Assert.Equal(InterprocessErrorCode.Corrupted, e.ErrorCode);
        header->Table = table;
        header->Capacity = 3;
        Assert.Equal(InterprocessErrorCode.Corrupted, Assert.Throws<InterprocessException>(() => map.ContainsKey(1)).ErrorCode);
        header->Capacity = 16;

        // Every slot full of garbage: lookups end (bounded probes) with an answer or an exception, never a hang.
        var t = (HashSlot<long, long>*)(M.BasePointer + table);
        for (int i = 0; i < 16; i++)
        {
            t[i].Meta = 0x8000_0000u | (uint)i;
            t[i].Key = 1000 + i;
        }

        Assert.False(map.ContainsKey(1));
        Assert.Throws<InterprocessException>(() => map[12345] = 1);
    }

    [Fact]
    public void BadInputs_AreRefused()
    {
        var map = SharedHashMap<long, long>.Create(M);
        Assert.Throws<ArgumentOutOfRangeException>(() => map.EnsureCapacity(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => map.MaxLoadFactor = 0.99);
        Assert.Throws<ArgumentOutOfRangeException>(() => map.MaxLoadFactor = double.NaN);
        Assert.Throws<ArgumentNullException>(() => SharedHashMap<long, long>.Create(null!));
        Assert.Throws<ArgumentNullException>(() => SharedHashMap<long, long>.Create(M, (string)null!));
        map.Destroy();
    }

    private static bool BitOperationsIsPow2(int x) => x > 0 && (x & (x - 1)) == 0;

    private struct Key24
    {
        public long A;
        public long B;
        public long C;
    }

    private struct Key3
    {
        public byte A;
        public byte B;
        public byte C;
    }

    /// <summary>A 4-character ASCII code compared without case, with a stable hash of the folded bytes.</summary>
    private struct CaseInsensitiveCode : IStableHash<CaseInsensitiveCode>
    {
        public uint Bytes;

        public static CaseInsensitiveCode Of(string s)
        {
            uint b = 0;
            for (int i = 0; i < s.Length; i++)
            {
                b |= (uint)s[i] << (8 * i);
            }

            return new CaseInsensitiveCode { Bytes = b };
        }

        public readonly ulong GetStableHashCode() => KeyHasher<uint>.Mix(Bytes | 0x20202020u);

        public readonly bool Equals(CaseInsensitiveCode other) => (Bytes | 0x20202020u) == (other.Bytes | 0x20202020u);

        public override readonly bool Equals(object? obj) => obj is CaseInsensitiveCode o && Equals(o);

        public override readonly int GetHashCode() => (int)(Bytes | 0x20202020u);
    }

    private sealed class Mod1000Comparer : IEqualityComparer<long>
    {
        public static readonly Mod1000Comparer Instance = new();

        public bool Equals(long x, long y) => x % 1000 == y % 1000;

        public int GetHashCode(long obj) => (int)(obj % 1000);
    }
}
