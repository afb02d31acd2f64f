using System.Text;
using CsCheck;
using Interprocess.Containers;
using Interprocess.Synchronization;
using Interprocess.Tests.Infrastructure;

namespace Interprocess.Tests.Containers;

/// <summary>
/// Lookups by string / UTF-16 span / UTF-8 bytes in containers keyed by SharedString, checked against
/// Dictionary / SortedDictionary models. The ordered model sorts by code point (UTF-8 bytes), NOT by
/// StringComparer.Ordinal (UTF-16 code units): the two differ for characters above U+FFFF.
/// </summary>
public sealed class SharedStringKeyLookupTests : OrderedSegment
{
    private const string Emoji = "\U0001F600"; // U+1F600: a surrogate pair in UTF-16, 4 bytes in UTF-8
    private const string Halfwidth = "\uFF61"; // U+FF61: above the surrogates in UTF-16, below U+1F600 by code point

    private static readonly string[] s_fragments = ["a", "b", "z", "é", "\0", Halfwidth, "\uE000", Emoji, "\uD800", "\uDC00", "\uFFFD"];

    /// <summary>What a key made from <paramref name="s"/> holds (lone surrogates become U+FFFD, as Encoding.UTF8 encodes).</summary>
    private static string Stored(string s) => Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(s));

    [Fact]
    public void CodePointOrder_DiffersFromUtf16Ordinal_AboveTheBmp_AndTheMapFollowsCodePoints()
    {
        Assert.True(StringComparer.Ordinal.Compare(Emoji, Halfwidth) < 0, "UTF-16 ordinal puts the surrogate pair first");
        var map = SharedMap<SharedString, int>.Create(M);
        map.Add(SharedString.From(M, Emoji), 1);
        map.Add(SharedString.From(M, Halfwidth), 2);
        map.Add(SharedString.From(M, "a"), 3);

        Assert.Equal(["a", Halfwidth, Emoji], map.Select(kv => kv.Key.ToString()));
        Assert.Equal(["a", Halfwidth, Emoji], map.ToSortedDictionary().Keys.Select(k => k.ToString()));
        Assert.Equal([2], map.GetRange("\uE000", "\uFFFF").Select(kv => kv.Value));
        Assert.Equal([1], map.LowerBound("\uFFFF").Select(kv => kv.Value));
        Assert.Equal([1], map.UpperBound(Halfwidth).Select(kv => kv.Value));
        Assert.Equal([3, 2], map.GetRange("", Halfwidth).Select(kv => kv.Value));
        Assert.True(map.TryGetValue(Emoji, out int v) && v == 1);
        Assert.True(map.TryGetValue(Encoding.UTF8.GetBytes(Emoji), out v) && v == 1);
        Assert.Throws<ArgumentException>(() => map.GetRange(Emoji, Halfwidth));
        map.CheckInvariants();
        map.Destroy();
        AssertNothingLeaked();
    }

    [Fact]
    public void LoneSurrogates_AreLookedUpAsTheyAreStored_AsUFFFD()
    {
        var map = SharedMap<SharedString, int>.Create(M);
        var hash = SharedHashMap<SharedString, int>.Create(M);
        var flat = SharedFlatSet<SharedString>.Create(M);
        map.Add(SharedString.From(M, "x\uD800"), 1);
        hash.Add(SharedString.From(M, "x\uD800"), 1);
        flat.Add(SharedString.From(M, "x\uD800"));

        Assert.Equal("x\uFFFD", map.Min.Key.ToString());
        foreach (string probe in new[] { "x\uD800", "x\uDC00", "x\uFFFD" })
        {
            Assert.True(map.ContainsKey(probe), probe);
            Assert.True(hash.ContainsKey(probe), probe);
            Assert.True(flat.Contains(probe), probe);
        }

        Assert.True(hash.ContainsKey("x\uFFFD"u8));
        Assert.False(hash.ContainsKey("x"));
        Assert.False(map.ContainsKey("x\uD800\uDC00")); // a valid pair is U+10000, not two U+FFFD
        Assert.Equal(SharedString.HashOf("x\uD800"), SharedString.HashOf("x\uFFFD"));

        map.Destroy();
        hash.Destroy();
        flat.Destroy();
        AssertNothingLeaked();
    }

    [Fact]
    public void EveryContainer_FindsByText_RemovesByText_AndRefusesWhatIsNotThere()
    {
        string longKey = new string('q', 300) + Emoji; // past the stack buffer: the pooled path
        string[] keys = ["", "alpha", "beta", "é", Emoji, longKey];
        var map = SharedMap<SharedString, int>.Create(M);
        var multi = SharedMultiMap<SharedString, int>.Create(M);
        var set = SharedSet<SharedString>.Create(M);
        var mset = SharedMultiSet<SharedString>.Create(M);
        var fmap = SharedFlatMap<SharedString, int>.Create(M);
        var fset = SharedFlatSet<SharedString>.Create(M);
        var hmap = SharedHashMap<SharedString, int>.Create(M);
        var hset = SharedHashSet<SharedString>.Create(M);
        for (int i = 0; i < keys.Length; i++)
        {
            map.Add(SharedString.From(M, keys[i]), i);
            multi.Add(SharedString.From(M, keys[i]), i);
            multi.Add(SharedString.From(M, keys[i]), 100 + i);
            set.Add(SharedString.From(M, keys[i]));
            mset.Add(SharedString.From(M, keys[i]));
            mset.Add(SharedString.From(M, keys[i]));
            fmap.Add(SharedString.From(M, keys[i]), i);
            fset.Add(SharedString.From(M, keys[i]));
            hmap.Add(SharedString.From(M, keys[i]), i);
            hset.Add(SharedString.From(M, keys[i]));
        }

        for (int i = 0; i < keys.Length; i++)
        {
            string k = keys[i];
            byte[] u8 = Encoding.UTF8.GetBytes(k);
            Assert.True(map.TryGetValue(k, out int v) && v == i);
            Assert.True(map.TryGetValue(u8, out v) && v == i);
            Assert.Equal(i, map.GetValueRef(k));
            Assert.Equal(i, map.GetValueRef(u8));
            Assert.True(multi.TryGetValue(k, out v) && v == i);
            Assert.Equal(2, multi.CountOf(k));
            Assert.Equal([i, 100 + i], multi.EqualRange(k).Select(kv => kv.Value));
            Assert.True(set.Contains(k) && set.Contains(u8));
            Assert.True(set.TryGetValue(k, out var actual) && actual.Equals(k));
            Assert.Equal(2, mset.CountOf(k));
            Assert.Equal(2, mset.EqualRange(k).Count());
            Assert.True(fmap.TryGetValue(k, out v) && v == i);
            Assert.Equal(i, fmap.GetValueRef(u8));
            Assert.Equal(fmap.IndexOfKey(k), fmap.IndexOfKey(u8));
            Assert.True(fset.Contains(k) && fset.TryGetValue(k, out actual) && actual.Equals(k));
            Assert.True(hmap.TryGetValue(k, out v) && v == i);
            Assert.True(hmap.ContainsKey(u8));
            Assert.Equal(i, hmap.GetValueRef(k));
            Assert.True(hset.Contains(k) && hset.Contains(u8));
            Assert.True(hset.TryGetValue(k, out actual) && actual.Equals(k));
        }

        map.GetValueRef("beta") = 42;
        var probe = SharedString.From(M, "beta");
        Assert.Equal(42, map[probe]);
        probe.Destroy();
        Assert.False(map.TryGetValue("gamma", out _));
        Assert.Throws<KeyNotFoundException>(() => map.GetValueRef("gamma"));
        Assert.Throws<KeyNotFoundException>(() => map.GetValueRef("gamma"u8));
        Assert.Throws<KeyNotFoundException>(() => fmap.GetValueRef("gamma"));
        Assert.Throws<KeyNotFoundException>(() => hmap.GetValueRef("gamma"));
        Assert.False(hset.Contains("alph"));
        Assert.False(fset.Contains("alphaa"));
        Assert.Equal(-1, fmap.IndexOfKey("gamma"));
        Assert.Equal(fset.LowerBound("b"), fset.IndexOf("beta"));
        Assert.Equal(fmap.UpperBound("beta"), fmap.IndexOfKey("beta") + 1);
        Assert.Equal(["alpha", "beta"], fset.AsSpan()[fset.GetViewBetween("a", "c")].ToArray().Select(s => s.ToString()));
        Assert.Equal(["alpha", "beta"], fmap.Keys[fmap.GetRange("a", "c")].ToArray().Select(s => s.ToString()));
        Assert.Equal(["alpha", "beta"], set.GetViewBetween("a", "c").Select(s => s.ToString()));
        Assert.Equal(["beta"], set.UpperBound("alpha").Take(1).Select(s => s.ToString()));
        Assert.Equal(["alpha"], set.LowerBound("alpha").Take(1).Select(s => s.ToString()));
        Assert.Equal([2, 102], multi.LowerBound("b").Take(2).Select(kv => kv.Value));

        // Removal by text destroys the stored key: nothing leaks once the containers are destroyed.
        Assert.True(map.Remove("alpha"));
        Assert.False(map.Remove("alpha"));
        Assert.True(map.Remove("beta"u8));
        Assert.True(map.Remove(Emoji, out int removed) && removed == 4);
        Assert.True(multi.Remove("alpha"));
        Assert.Equal(1, multi.CountOf("alpha"));
        Assert.Equal(2, multi.RemoveAll("beta"));
        Assert.True(set.Remove("alpha") && set.Remove("beta"u8) && !set.Contains("alpha"));
        Assert.True(mset.Remove("alpha"));
        Assert.Equal(1, mset.RemoveAll("alpha"));
        Assert.False(mset.Contains("alpha"));
        Assert.True(fmap.Remove("alpha") && fmap.Remove("beta"u8) && !fmap.ContainsKey("alpha"));
        Assert.True(fset.Remove("alpha") && fset.Remove("beta"u8));
        Assert.True(hmap.Remove("alpha") && hmap.Remove("beta"u8) && !hmap.ContainsKey("alpha"));
        Assert.True(hset.Remove(longKey) && hset.Remove("beta"u8) && !hset.Contains(longKey));
        Assert.Equal(keys.Length - 3, map.Count);
        Assert.Equal(keys.Length - 2, hset.Count);
        map.CheckInvariants();
        multi.CheckInvariants();
        fmap.CheckInvariants();

        map.Destroy();
        multi.Destroy();
        set.Destroy();
        mset.Destroy();
        fmap.Destroy();
        fset.Destroy();
        hmap.Destroy();
        hset.Destroy();
        AssertNothingLeaked();
    }

    [Fact]
    public void HashContainer_WithACustomComparer_RefusesALookupByText()
    {
        string name = "ci-" + Guid.NewGuid().ToString("N");
        SharedHashComparers.Register(name, EqualityComparer<SharedString>.Default);
        var map = SharedHashMap<SharedString, int>.Create(M, comparerName: name);
        var set = SharedHashSet<SharedString>.Create(M, comparerName: name);
        map.Add(SharedString.From(M, "a"), 1);
        Assert.Throws<InvalidOperationException>(() => map.TryGetValue("a", out _));
        Assert.Throws<InvalidOperationException>(() => map.Remove("a"u8));
        Assert.Throws<InvalidOperationException>(() => set.Contains("a"));
        map.Destroy();
        set.Destroy();
        AssertNothingLeaked();
    }

    [Fact]
    public void StaleOrDefaultHandle_AndReadOnlySegment_AreRefused()
    {
        var map = SharedMap<SharedString, int>.Create(M, "map");
        var hash = SharedHashMap<SharedString, int>.Create(M, "hash");
        map.Add(SharedString.From(M, "k"), 1);
        hash.Add(SharedString.From(M, "k"), 1);
        Assert.Throws<InvalidOperationException>(() => default(SharedMap<SharedString, int>).TryGetValue("k", out _));
        Assert.Throws<InvalidOperationException>(() => default(SharedHashSet<SharedString>).Contains("k"));

        ReopenReadOnly();
        map = SharedMap<SharedString, int>.Find(M, "map");
        hash = SharedHashMap<SharedString, int>.Find(M, "hash");
        Assert.True(map.ContainsKey("k") && hash.ContainsKey("k"));
        Assert.Throws<NotSupportedException>(() => map.Remove("k"));
        Assert.Throws<NotSupportedException>(() => hash.Remove("k"));
    }

    [Fact]
    public void Property_RandomTextOperations_MatchDictionaryAndCodePointSortedDictionary()
    {
        var gText = Gen.Int[0, s_fragments.Length - 1].Select(i => s_fragments[i]).Array[0, 4].Select(string.Concat);
        Gen.Select(Gen.Int[0, 5], gText).Array[0, 120].Sample(ops =>
        {
            var byCodePoint = Comparer<string>.Create((x, y) => Encoding.UTF8.GetBytes(x).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y)));
            var sorted = new SortedDictionary<string, int>(byCodePoint);
            var dict = new Dictionary<string, int>(StringComparer.Ordinal);
            var map = SharedMap<SharedString, int>.Create(M);
            var fmap = SharedFlatMap<SharedString, int>.Create(M);
            var hmap = SharedHashMap<SharedString, int>.Create(M);
            var set = SharedSet<SharedString>.Create(M);
            int n = 0;
            foreach (var (op, raw) in ops)
            {
                string k = Stored(raw);
                switch (op)
                {
                    case 0:
                    case 1:
                        if (!dict.ContainsKey(k))
                        {
                            dict[k] = sorted[k] = ++n;
                            map.Add(SharedString.From(M, raw), n);
                            fmap.Add(SharedString.From(M, raw), n);
                            hmap.Add(SharedString.From(M, raw), n);
                            set.Add(SharedString.From(M, raw));
                        }

                        break;
                    case 2:
                        bool had = dict.Remove(k);
                        sorted.Remove(k);
                        Assert.Equal(had, map.Remove(raw));
                        Assert.Equal(had, fmap.Remove(Encoding.UTF8.GetBytes(raw)));
                        Assert.Equal(had, hmap.Remove(raw));
                        Assert.Equal(had, set.Remove(raw.AsSpan()));
                        break;
                    default:
                        bool found = dict.TryGetValue(k, out int expected);
                        Assert.Equal(found, map.TryGetValue(raw, out int a) && a == expected);
                        Assert.Equal(found, fmap.TryGetValue(raw, out a) && a == expected);
                        Assert.Equal(found, hmap.TryGetValue(raw, out a) && a == expected);
                        Assert.Equal(found, hmap.ContainsKey(Encoding.UTF8.GetBytes(raw)));
                        Assert.Equal(found, set.Contains(raw));
                        Assert.Equal(sorted.Keys.Where(x => byCodePoint.Compare(x, k) >= 0).Select(x => sorted[x]), map.LowerBound(raw).Select(kv => kv.Value));
                        Assert.Equal(sorted.Keys.Count(x => byCodePoint.Compare(x, k) < 0), fmap.LowerBound(raw));
                        break;
                }
            }

            Assert.Equal(sorted.Keys, map.Select(kv => kv.Key.ToString()));
            Assert.Equal(sorted.Keys, set.Select(s => s.ToString()));
            Assert.Equal(sorted.Values, fmap.Select(kv => kv.Value));
            Assert.Equal(dict.Count, hmap.Count);
            map.CheckInvariants();
            fmap.CheckInvariants();
            map.Destroy();
            fmap.Destroy();
            hmap.Destroy();
            set.Destroy();
            AssertNothingLeaked();
        }, iter: 60, threads: 1);
    }

    [Fact]
    public void ChildProcess_ThatDidNotCreateTheKeys_FindsAndRemovesThemByText()
    {
        M.Construct("lock", new InterprocessMutex());
        var hash = SharedHashMap<SharedString, long>.Create(M, "hash");
        var tree = SharedMap<SharedString, long>.Create(M, "tree");
        var flat = SharedFlatSet<SharedString>.Create(M, "flat");
        string[] keys = ["alpha", "beta", "é", Halfwidth, Emoji];
        for (int i = 0; i < keys.Length; i++)
        {
            hash.Add(SharedString.From(M, keys[i]), i);
            tree.Add(SharedString.From(M, keys[i]), i);
            flat.Add(SharedString.From(M, keys[i]));
        }

        var (code, lines) = Driver.Run("string-key-lookup", Name);
        Assert.True(code == 0, string.Join("\n", lines));
        Assert.Equal(["HASH alpha=0 eacute=2 emoji=4 missing=no", "TREE beta=1 after-ff61=emoji range=2", "FLAT ff61=yes", "DONE"], lines);
        Assert.False(hash.ContainsKey("alpha"));
        Assert.False(tree.ContainsKey("beta"));
        Assert.False(flat.Contains(Halfwidth));
        Assert.Equal(4, hash.Count);
        tree.CheckInvariants();

        hash.Destroy();
        tree.Destroy();
        flat.Destroy();
        Assert.True(M.Destroy<SharedHashMap<SharedString, long>>("hash"));
        Assert.True(M.Destroy<SharedMap<SharedString, long>>("tree"));
        Assert.True(M.Destroy<SharedFlatSet<SharedString>>("flat"));
        M.Destroy<InterprocessMutex>("lock");
        AssertNothingLeaked();
    }
}
