using System.Globalization;
using Interprocess.Containers;
using Interprocess.Managed;
using Interprocess.Synchronization;

namespace Interprocess.TestDriver.Containers;

/// <summary>Driver commands for the lookups by text in containers keyed by SharedString.</summary>
internal static class StringKeyCommands
{
    private const string Emoji = "\U0001F600";
    private const string Halfwidth = "\uFF61";

    /// <summary>
    /// string-key-lookup SEG: finds the mutex "lock", the SharedHashMap&lt;SharedString, long&gt; "hash", the
    /// SharedMap&lt;SharedString, long&gt; "tree" and the SharedFlatSet&lt;SharedString&gt; "flat" (keys made by the
    /// parent), looks keys up by string and UTF-8 bytes without creating a SharedString, prints what it found, then
    /// removes "alpha" from the hash map, "beta" from the tree and U+FF61 from the flat set, by text. Prints DONE.
    /// </summary>
    [DriverCommand("string-key-lookup")]
    public static int Lookup(string[] args)
    {
        using var seg = ManagedSharedMemory.OpenExisting(args[0]);
        var m = seg.Manager;
        ref var mutex = ref m.Find<InterprocessMutex>("lock").Value;
        var hash = SharedHashMap<SharedString, long>.Find(m, "hash");
        var tree = SharedMap<SharedString, long>.Find(m, "tree");
        var flat = SharedFlatSet<SharedString>.Find(m, "flat");
        mutex.Lock();
        try
        {
            string V(bool found, long v) => found ? v.ToString(CultureInfo.InvariantCulture) : "no";
            bool a = hash.TryGetValue("alpha", out long va);
            bool e = hash.TryGetValue("é"u8, out long ve);
            bool x = hash.TryGetValue(Emoji, out long vx);
            bool n = hash.TryGetValue("missing", out long vn);
            Console.WriteLine($"HASH alpha={V(a, va)} eacute={V(e, ve)} emoji={V(x, vx)} missing={V(n, vn)}");

            long beta = tree.GetValueRef("beta");
            string after = tree.UpperBound(Halfwidth).First().Key.Equals(Emoji) ? "emoji" : "other";
            int range = tree.GetRange("\uE000", "\U0010FFFF").Count();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"TREE beta={beta} after-ff61={after} range={range}"));
            Console.WriteLine("FLAT ff61=" + (flat.Contains(Halfwidth) ? "yes" : "no"));

            hash.Remove("alpha");
            tree.Remove("beta"u8);
            flat.Remove(Halfwidth);
        }
        finally
        {
            mutex.Unlock();
        }

        Console.WriteLine("DONE");
        return 0;
    }
}
