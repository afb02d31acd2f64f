using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Interprocess.Containers;

/// <summary>
/// Lookups by text in containers keyed by <see cref="SharedString"/>, without creating a SharedString: a
/// <see cref="string"/> or <see cref="ReadOnlySpan{T}"/> of chars (and, for the point lookups, UTF-8 bytes) is
/// compared with the stored keys directly. <c>map.TryGetValue("key", out v)</c>, <c>set.Contains(name)</c>,
/// <c>map.Remove("key")</c>, <c>map.GetValueRef("key")</c>, <c>map.GetRange("a", "m")</c>.
/// </summary>
/// <remarks>
/// <para><b>Why extension overloads</b> (rather than .NET 9's <c>GetAlternateLookup&lt;ReadOnlySpan&lt;char&gt;&gt;()</c>):
/// they exist only where the key is a <see cref="SharedString"/> (an alternate lookup is checked at run time), the
/// call reads like the key-typed one, and there is no intermediate object. C# has no extension indexers, so the
/// indexer's get is <c>GetValueRef(text)</c> (it throws <see cref="KeyNotFoundException"/> the same way); a
/// string key is added with a SharedString (<c>map.Add(SharedString.From(m, "key"), v)</c>), since the map
/// stores and owns it.</para>
/// <para><b>The same keys as SharedString.</b> Text is encoded as <see cref="SharedString.From"/> encodes it
/// (<see cref="System.Text.Encoding.UTF8"/>; a lone surrogate becomes U+FFFD, so <c>"\uD800"</c> finds the key
/// made from <c>"\uD800"</c>, <c>"\uDC00"</c> or <c>"\uFFFD"</c>: they are stored as the same bytes). Ordered
/// containers compare the UTF-8 bytes ordinally, which is Unicode code point order: the order of a
/// <c>SortedDictionary&lt;string, V&gt;</c> with <see cref="StringComparer.Ordinal"/> except where a character
/// above U+FFFF (a surrogate pair) meets one from U+E000 to U+FFFF (UTF-16 puts the pair first, code point order
/// puts it last). Hash containers hash the bytes with <see cref="SharedString.GetStableHashCode"/>'s function, so
/// the lookup finds keys added by any process.</para>
/// <para><b>Cost.</b> Text of up to 85 chars (or 256 UTF-8 bytes) is encoded on the stack, longer text into a
/// pooled buffer: a lookup allocates nothing. Each comparison reads the stored key's bytes as a SharedString
/// comparison does. These lookups use the default ordering and hashing only: a container searched through
/// <c>WithComparer</c> must be searched that way, and a hash container created with a comparer name refuses a
/// lookup by text (<see cref="InvalidOperationException"/>).</para>
/// </remarks>
/// <example>
/// <code>
/// // Process A: builds the index
/// using var shm = ManagedSharedMemory.OpenOrCreate("app", 16 &lt;&lt; 20);
/// ref var mutex = ref shm.Manager.FindOrConstruct("lock", new InterprocessMutex()).Value;
/// var users = SharedHashMap&lt;SharedString, long&gt;.FindOrCreate(shm.Manager, "users");
/// mutex.Lock();
/// try { users.Add(SharedString.From(shm.Manager, "ada"), 1815); } finally { mutex.Unlock(); }
///
/// // Process B: looks up by string, creating nothing in the segment
/// using var shm = ManagedSharedMemory.OpenExisting("app");
/// ref var mutex = ref shm.Manager.Find&lt;InterprocessMutex&gt;("lock").Value;
/// var users = SharedHashMap&lt;SharedString, long&gt;.Find(shm.Manager, "users");
/// mutex.Lock();
/// try { if (users.TryGetValue("ada", out long born)) Console.WriteLine(born); } finally { mutex.Unlock(); }
/// </code>
/// </example>
[SkipLocalsInit] // the stack buffers are written by the encoder before they are read
public static unsafe partial class SharedStringKeyExtensions
{
    // ------------------------------------------------------------------ SharedMap<SharedString, TValue>

    /// <summary>The value of the key whose text is <paramref name="key"/>, if present.</summary>
    /// <typeparam name="TValue">The mapped type.</typeparam>
    /// <param name="map">The map.</param>
    /// <param name="key">The key's text.</param>
    /// <param name="value">The value, or default.</param>
    /// <returns>True when present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The map is corrupted.</exception>
    public static bool TryGetValue<TValue>(this SharedMap<SharedString, TValue> map, ReadOnlySpan<char> key, out TValue value)
        where TValue : unmanaged
    {
        using var utf8 = new EncodedText(key, stackalloc byte[Utf8Probe.StackBytes]);
        return TryGetValue(map, utf8, out value);
    }

    /// <summary>The value of the key whose UTF-8 bytes are <paramref name="utf8Key"/>, if present.</summary>
    /// <typeparam name="TValue">The mapped type.</typeparam>
    /// <param name="map">The map.</param>
    /// <param name="utf8Key">The key's bytes.</param>
    /// <param name="value">The value, or default.</param>
    /// <returns>True when present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The map is corrupted.</exception>
    public static bool TryGetValue<TValue>(this SharedMap<SharedString, TValue> map, ReadOnlySpan<byte> utf8Key, out TValue value)
        where TValue : unmanaged
    {
        fixed (byte* p = utf8Key)
        {
            return map.Tree.TryGetValue(Utf8Probe.ProbeA, new Utf8Probe(p, utf8Key.Length), out value);
        }
    }

    /// <summary>Whether a key with the text <paramref name="key"/> is in the map.</summary>
    /// <typeparam name="TValue">The mapped type.</typeparam>
    /// <param name="map">The map.</param>
    /// <param name="key">The key's text.</param>
    /// <returns>True when present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The map is corrupted.</exception>
    public static bool ContainsKey<TValue>(this SharedMap<SharedString, TValue> map, ReadOnlySpan<char> key)
        where TValue : unmanaged => TryGetValue(map, key, out _);

    /// <summary>Whether a key with the UTF-8 bytes <paramref name="utf8Key"/> is in the map.</summary>
    /// <typeparam name="TValue">The mapped type.</typeparam>
    /// <param name="map">The map.</param>
    /// <param name="utf8Key">The key's bytes.</param>
    /// <returns>True when present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The map is corrupted.</exception>
    public static bool ContainsKey<TValue>(this SharedMap<SharedString, TValue> map, ReadOnlySpan<byte> utf8Key)
        where TValue : unmanaged => TryGetValue(map, utf8Key, out _);

    /// <summary>A reference to the value of the key with the text <paramref name="key"/> (the indexer's get, by text).</summary>
    /// <typeparam name="TValue">The mapped type.</typeparam>
    /// <param name="map">The map.</param>
    /// <param name="key">The key's text.</param>
    /// <returns>The reference (valid until that element is removed).</returns>
    /// <exception cref="KeyNotFoundException">No key has that text.</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The map is corrupted.</exception>
    public static ref TValue GetValueRef<TValue>(this SharedMap<SharedString, TValue> map, ReadOnlySpan<char> key)
        where TValue : unmanaged
    {
        using var utf8 = new EncodedText(key, stackalloc byte[Utf8Probe.StackBytes]);
        ref TValue v = ref GetValueRefOrNullRef(map, utf8);
        if (Unsafe.IsNullRef(ref v))
        {
            ThrowKeyNotFound(key);
        }

        return ref v;
    }

    /// <summary>A reference to the value of the key with the UTF-8 bytes <paramref name="utf8Key"/> (the indexer's get, by text).</summary>
    /// <typeparam name="TValue">The mapped type.</typeparam>
    /// <param name="map">The map.</param>
    /// <param name="utf8Key">The key's bytes.</param>
    /// <returns>The reference (valid until that element is removed).</returns>
    /// <exception cref="KeyNotFoundException">No key has those bytes.</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The map is corrupted.</exception>
    public static ref TValue GetValueRef<TValue>(this SharedMap<SharedString, TValue> map, ReadOnlySpan<byte> utf8Key)
        where TValue : unmanaged
    {
        ref TValue v = ref GetValueRefOrNullRef(map, utf8Key);
        if (Unsafe.IsNullRef(ref v))
        {
            ThrowKeyNotFound(utf8Key);
        }

        return ref v;
    }

    /// <summary>Removes the element whose key has the text <paramref name="key"/>, destroying the stored key and its value if it owns segment memory.</summary>
    /// <typeparam name="TValue">The mapped type.</typeparam>
    /// <param name="map">The map.</param>
    /// <param name="key">The key's text.</param>
    /// <returns>Whether it was present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The map is corrupted.</exception>
    public static bool Remove<TValue>(this SharedMap<SharedString, TValue> map, ReadOnlySpan<char> key)
        where TValue : unmanaged
    {
        using var utf8 = new EncodedText(key, stackalloc byte[Utf8Probe.StackBytes]);
        return Remove(map, utf8);
    }

    /// <summary>Removes the element whose key has the UTF-8 bytes <paramref name="utf8Key"/>, destroying the stored key and its value if it owns segment memory.</summary>
    /// <typeparam name="TValue">The mapped type.</typeparam>
    /// <param name="map">The map.</param>
    /// <param name="utf8Key">The key's bytes.</param>
    /// <returns>Whether it was present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The map is corrupted.</exception>
    public static bool Remove<TValue>(this SharedMap<SharedString, TValue> map, ReadOnlySpan<byte> utf8Key)
        where TValue : unmanaged
    {
        fixed (byte* p = utf8Key)
        {
            return map.Tree.Remove(Utf8Probe.ProbeA, new Utf8Probe(p, utf8Key.Length));
        }
    }

    /// <summary>Removes the element whose key has the text <paramref name="key"/> and hands its value to the caller (not destroyed; the stored key is).</summary>
    /// <typeparam name="TValue">The mapped type.</typeparam>
    /// <param name="map">The map.</param>
    /// <param name="key">The key's text.</param>
    /// <param name="value">The removed value, or default.</param>
    /// <returns>Whether it was present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The map is corrupted.</exception>
    public static bool Remove<TValue>(this SharedMap<SharedString, TValue> map, ReadOnlySpan<char> key, out TValue value)
        where TValue : unmanaged
    {
        using var utf8 = new EncodedText(key, stackalloc byte[Utf8Probe.StackBytes]);
        fixed (byte* p = utf8)
        {
            return map.Tree.Remove(Utf8Probe.ProbeA, new Utf8Probe(p, utf8.Length), out value);
        }
    }

    /// <summary>The elements with <paramref name="from"/> ≤ key ≤ <paramref name="to"/> (by text, code point order), ascending.</summary>
    /// <typeparam name="TValue">The mapped type.</typeparam>
    /// <param name="map">The map.</param>
    /// <param name="from">The lower bound (inclusive).</param>
    /// <param name="to">The upper bound (inclusive).</param>
    /// <returns>The range.</returns>
    /// <exception cref="ArgumentException"><paramref name="from"/> sorts after <paramref name="to"/>.</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The map is corrupted.</exception>
    public static OrderedRange<SharedString, TValue> GetRange<TValue>(this SharedMap<SharedString, TValue> map, ReadOnlySpan<char> from, ReadOnlySpan<char> to)
        where TValue : unmanaged
    {
        using var a = new EncodedText(from, stackalloc byte[Utf8Probe.StackBytes]);
        using var b = new EncodedText(to, stackalloc byte[Utf8Probe.StackBytes]);
        fixed (byte* pa = a)
        fixed (byte* pb = b)
        {
            var tree = map.Tree;
            var t = tree.Read();
            var span = tree.Between(t, Utf8Probe.ProbeA, Utf8Probe.ProbeB, new Utf8Probe(pa, a.Length, pb, b.Length));
            return new(map.Handle, SharedMap<SharedString, TValue>.Magic, SharedMap<SharedString, TValue>.TypeCheck, t, span, reverse: false);
        }
    }

    /// <summary>The elements from the first whose key is not less than <paramref name="key"/> (by text) to the end (Boost's <c>lower_bound</c>).</summary>
    /// <typeparam name="TValue">The mapped type.</typeparam>
    /// <param name="map">The map.</param>
    /// <param name="key">The bound's text.</param>
    /// <returns>The range.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The map is corrupted.</exception>
    public static OrderedRange<SharedString, TValue> LowerBound<TValue>(this SharedMap<SharedString, TValue> map, ReadOnlySpan<char> key)
        where TValue : unmanaged => Bound(map.Tree, map.Handle, SharedMap<SharedString, TValue>.Magic, SharedMap<SharedString, TValue>.TypeCheck, key, upper: false);

    /// <summary>The elements from the first whose key is greater than <paramref name="key"/> (by text) to the end (Boost's <c>upper_bound</c>).</summary>
    /// <typeparam name="TValue">The mapped type.</typeparam>
    /// <param name="map">The map.</param>
    /// <param name="key">The bound's text.</param>
    /// <returns>The range.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The map is corrupted.</exception>
    public static OrderedRange<SharedString, TValue> UpperBound<TValue>(this SharedMap<SharedString, TValue> map, ReadOnlySpan<char> key)
        where TValue : unmanaged => Bound(map.Tree, map.Handle, SharedMap<SharedString, TValue>.Magic, SharedMap<SharedString, TValue>.TypeCheck, key, upper: true);

    // ------------------------------------------------------------------ SharedMultiMap<SharedString, TValue>

    /// <summary>The value of the earliest added element whose key has the text <paramref name="key"/>, if any.</summary>
    /// <typeparam name="TValue">The mapped type.</typeparam>
    /// <param name="map">The multimap.</param>
    /// <param name="key">The key's text.</param>
    /// <param name="value">The value, or default.</param>
    /// <returns>True when present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The multimap is corrupted.</exception>
    public static bool TryGetValue<TValue>(this SharedMultiMap<SharedString, TValue> map, ReadOnlySpan<char> key, out TValue value)
        where TValue : unmanaged
    {
        using var utf8 = new EncodedText(key, stackalloc byte[Utf8Probe.StackBytes]);
        fixed (byte* p = utf8)
        {
            return map.Tree.TryGetValue(Utf8Probe.ProbeA, new Utf8Probe(p, utf8.Length), out value);
        }
    }

    /// <summary>Whether an element whose key has the text <paramref name="key"/> is in the multimap.</summary>
    /// <typeparam name="TValue">The mapped type.</typeparam>
    /// <param name="map">The multimap.</param>
    /// <param name="key">The key's text.</param>
    /// <returns>True when present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The multimap is corrupted.</exception>
    public static bool ContainsKey<TValue>(this SharedMultiMap<SharedString, TValue> map, ReadOnlySpan<char> key)
        where TValue : unmanaged => TryGetValue(map, key, out _);

    /// <summary>How many elements have a key with the text <paramref name="key"/>.</summary>
    /// <typeparam name="TValue">The mapped type.</typeparam>
    /// <param name="map">The multimap.</param>
    /// <param name="key">The key's text.</param>
    /// <returns>The count.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The multimap is corrupted.</exception>
    public static int CountOf<TValue>(this SharedMultiMap<SharedString, TValue> map, ReadOnlySpan<char> key)
        where TValue : unmanaged
    {
        using var utf8 = new EncodedText(key, stackalloc byte[Utf8Probe.StackBytes]);
        fixed (byte* p = utf8)
        {
            return map.Tree.CountOf(Utf8Probe.ProbeA, new Utf8Probe(p, utf8.Length));
        }
    }

    /// <summary>The elements whose key has the text <paramref name="key"/>, in insertion order.</summary>
    /// <typeparam name="TValue">The mapped type.</typeparam>
    /// <param name="map">The multimap.</param>
    /// <param name="key">The key's text.</param>
    /// <returns>The range.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The multimap is corrupted.</exception>
    public static OrderedRange<SharedString, TValue> EqualRange<TValue>(this SharedMultiMap<SharedString, TValue> map, ReadOnlySpan<char> key)
        where TValue : unmanaged
    {
        using var utf8 = new EncodedText(key, stackalloc byte[Utf8Probe.StackBytes]);
        fixed (byte* p = utf8)
        {
            var tree = map.Tree;
            var t = tree.Read();
            var span = tree.Equal(t, Utf8Probe.ProbeA, new Utf8Probe(p, utf8.Length));
            return new(map.Handle, SharedMultiMap<SharedString, TValue>.Magic, SharedMultiMap<SharedString, TValue>.TypeCheck, t, span, reverse: false);
        }
    }

    /// <summary>Removes the earliest added element whose key has the text <paramref name="key"/> (destroying key and value).</summary>
    /// <typeparam name="TValue">The mapped type.</typeparam>
    /// <param name="map">The multimap.</param>
    /// <param name="key">The key's text.</param>
    /// <returns>Whether one was present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The multimap is corrupted.</exception>
    public static bool Remove<TValue>(this SharedMultiMap<SharedString, TValue> map, ReadOnlySpan<char> key)
        where TValue : unmanaged
    {
        using var utf8 = new EncodedText(key, stackalloc byte[Utf8Probe.StackBytes]);
        fixed (byte* p = utf8)
        {
            return map.Tree.Remove(Utf8Probe.ProbeA, new Utf8Probe(p, utf8.Length));
        }
    }

    /// <summary>Removes every element whose key has the text <paramref name="key"/> (destroying keys and values).</summary>
    /// <typeparam name="TValue">The mapped type.</typeparam>
    /// <param name="map">The multimap.</param>
    /// <param name="key">The key's text.</param>
    /// <returns>How many were removed.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The multimap is corrupted.</exception>
    public static int RemoveAll<TValue>(this SharedMultiMap<SharedString, TValue> map, ReadOnlySpan<char> key)
        where TValue : unmanaged
    {
        using var utf8 = new EncodedText(key, stackalloc byte[Utf8Probe.StackBytes]);
        fixed (byte* p = utf8)
        {
            return map.Tree.RemoveAll(Utf8Probe.ProbeA, new Utf8Probe(p, utf8.Length));
        }
    }

    /// <summary>The elements from the first whose key is not less than <paramref name="key"/> (by text) to the end.</summary>
    /// <typeparam name="TValue">The mapped type.</typeparam>
    /// <param name="map">The multimap.</param>
    /// <param name="key">The bound's text.</param>
    /// <returns>The range.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The multimap is corrupted.</exception>
    public static OrderedRange<SharedString, TValue> LowerBound<TValue>(this SharedMultiMap<SharedString, TValue> map, ReadOnlySpan<char> key)
        where TValue : unmanaged => Bound(map.Tree, map.Handle, SharedMultiMap<SharedString, TValue>.Magic, SharedMultiMap<SharedString, TValue>.TypeCheck, key, upper: false);

    /// <summary>The elements from the first whose key is greater than <paramref name="key"/> (by text) to the end.</summary>
    /// <typeparam name="TValue">The mapped type.</typeparam>
    /// <param name="map">The multimap.</param>
    /// <param name="key">The bound's text.</param>
    /// <returns>The range.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The multimap is corrupted.</exception>
    public static OrderedRange<SharedString, TValue> UpperBound<TValue>(this SharedMultiMap<SharedString, TValue> map, ReadOnlySpan<char> key)
        where TValue : unmanaged => Bound(map.Tree, map.Handle, SharedMultiMap<SharedString, TValue>.Magic, SharedMultiMap<SharedString, TValue>.TypeCheck, key, upper: true);

    // ------------------------------------------------------------------ SharedSet<SharedString>

    /// <summary>Whether a string with the text <paramref name="item"/> is in the set.</summary>
    /// <param name="set">The set.</param>
    /// <param name="item">The text.</param>
    /// <returns>True when present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The set is corrupted.</exception>
    public static bool Contains(this SharedSet<SharedString> set, ReadOnlySpan<char> item) => TryGetValue(set, item, out _);

    /// <summary>Whether a string with the UTF-8 bytes <paramref name="utf8Item"/> is in the set.</summary>
    /// <param name="set">The set.</param>
    /// <param name="utf8Item">The bytes.</param>
    /// <returns>True when present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The set is corrupted.</exception>
    public static bool Contains(this SharedSet<SharedString> set, ReadOnlySpan<byte> utf8Item) => TryGetValue(set, utf8Item, out _);

    /// <summary>The stored string with the text <paramref name="item"/>, if any.</summary>
    /// <param name="set">The set.</param>
    /// <param name="item">The text.</param>
    /// <param name="actualValue">The stored string (owned by the set), or default.</param>
    /// <returns>True when present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The set is corrupted.</exception>
    public static bool TryGetValue(this SharedSet<SharedString> set, ReadOnlySpan<char> item, out SharedString actualValue)
    {
        using var utf8 = new EncodedText(item, stackalloc byte[Utf8Probe.StackBytes]);
        return TryGetValue(set, utf8, out actualValue);
    }

    /// <summary>The stored string with the UTF-8 bytes <paramref name="utf8Item"/>, if any.</summary>
    /// <param name="set">The set.</param>
    /// <param name="utf8Item">The bytes.</param>
    /// <param name="actualValue">The stored string (owned by the set), or default.</param>
    /// <returns>True when present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The set is corrupted.</exception>
    public static bool TryGetValue(this SharedSet<SharedString> set, ReadOnlySpan<byte> utf8Item, out SharedString actualValue)
    {
        fixed (byte* p = utf8Item)
        {
            return set.Tree.TryGetKey(Utf8Probe.ProbeA, new Utf8Probe(p, utf8Item.Length), out actualValue);
        }
    }

    /// <summary>Removes (and destroys) the string with the text <paramref name="item"/>.</summary>
    /// <param name="set">The set.</param>
    /// <param name="item">The text.</param>
    /// <returns>Whether it was present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The set is corrupted.</exception>
    public static bool Remove(this SharedSet<SharedString> set, ReadOnlySpan<char> item)
    {
        using var utf8 = new EncodedText(item, stackalloc byte[Utf8Probe.StackBytes]);
        return Remove(set, utf8);
    }

    /// <summary>Removes (and destroys) the string with the UTF-8 bytes <paramref name="utf8Item"/>.</summary>
    /// <param name="set">The set.</param>
    /// <param name="utf8Item">The bytes.</param>
    /// <returns>Whether it was present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The set is corrupted.</exception>
    public static bool Remove(this SharedSet<SharedString> set, ReadOnlySpan<byte> utf8Item)
    {
        fixed (byte* p = utf8Item)
        {
            return set.Tree.Remove(Utf8Probe.ProbeA, new Utf8Probe(p, utf8Item.Length));
        }
    }

    /// <summary>The strings between <paramref name="lowerValue"/> and <paramref name="upperValue"/> inclusive (by text, code point order).</summary>
    /// <param name="set">The set.</param>
    /// <param name="lowerValue">The lower bound (inclusive).</param>
    /// <param name="upperValue">The upper bound (inclusive).</param>
    /// <returns>The range.</returns>
    /// <exception cref="ArgumentException"><paramref name="lowerValue"/> sorts after <paramref name="upperValue"/>.</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The set is corrupted.</exception>
    public static OrderedSetRange<SharedString> GetViewBetween(this SharedSet<SharedString> set, ReadOnlySpan<char> lowerValue, ReadOnlySpan<char> upperValue)
    {
        using var a = new EncodedText(lowerValue, stackalloc byte[Utf8Probe.StackBytes]);
        using var b = new EncodedText(upperValue, stackalloc byte[Utf8Probe.StackBytes]);
        fixed (byte* pa = a)
        fixed (byte* pb = b)
        {
            var tree = set.Tree;
            var t = tree.Read();
            var span = tree.Between(t, Utf8Probe.ProbeA, Utf8Probe.ProbeB, new Utf8Probe(pa, a.Length, pb, b.Length));
            return new(set.Handle, SharedSet<SharedString>.Magic, SharedSet<SharedString>.TypeCheck, t, span, reverse: false);
        }
    }

    /// <summary>The strings from the first that is not less than <paramref name="item"/> (by text) to the end.</summary>
    /// <param name="set">The set.</param>
    /// <param name="item">The bound's text.</param>
    /// <returns>The range.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The set is corrupted.</exception>
    public static OrderedSetRange<SharedString> LowerBound(this SharedSet<SharedString> set, ReadOnlySpan<char> item) =>
        SetBound(set.Tree, set.Handle, SharedSet<SharedString>.Magic, SharedSet<SharedString>.TypeCheck, item, upper: false);

    /// <summary>The strings from the first that is greater than <paramref name="item"/> (by text) to the end.</summary>
    /// <param name="set">The set.</param>
    /// <param name="item">The bound's text.</param>
    /// <returns>The range.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The set is corrupted.</exception>
    public static OrderedSetRange<SharedString> UpperBound(this SharedSet<SharedString> set, ReadOnlySpan<char> item) =>
        SetBound(set.Tree, set.Handle, SharedSet<SharedString>.Magic, SharedSet<SharedString>.TypeCheck, item, upper: true);

    // ------------------------------------------------------------------ SharedMultiSet<SharedString>

    /// <summary>Whether a string with the text <paramref name="item"/> is in the multiset.</summary>
    /// <param name="set">The multiset.</param>
    /// <param name="item">The text.</param>
    /// <returns>True when present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The multiset is corrupted.</exception>
    public static bool Contains(this SharedMultiSet<SharedString> set, ReadOnlySpan<char> item) => CountOf(set, item) > 0;

    /// <summary>How many strings with the text <paramref name="item"/> the multiset holds.</summary>
    /// <param name="set">The multiset.</param>
    /// <param name="item">The text.</param>
    /// <returns>The count.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The multiset is corrupted.</exception>
    public static int CountOf(this SharedMultiSet<SharedString> set, ReadOnlySpan<char> item)
    {
        using var utf8 = new EncodedText(item, stackalloc byte[Utf8Probe.StackBytes]);
        fixed (byte* p = utf8)
        {
            return set.Tree.CountOf(Utf8Probe.ProbeA, new Utf8Probe(p, utf8.Length));
        }
    }

    /// <summary>The strings with the text <paramref name="item"/>, in insertion order.</summary>
    /// <param name="set">The multiset.</param>
    /// <param name="item">The text.</param>
    /// <returns>The range.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The multiset is corrupted.</exception>
    public static OrderedSetRange<SharedString> EqualRange(this SharedMultiSet<SharedString> set, ReadOnlySpan<char> item)
    {
        using var utf8 = new EncodedText(item, stackalloc byte[Utf8Probe.StackBytes]);
        fixed (byte* p = utf8)
        {
            var tree = set.Tree;
            var t = tree.Read();
            var span = tree.Equal(t, Utf8Probe.ProbeA, new Utf8Probe(p, utf8.Length));
            return new(set.Handle, SharedMultiSet<SharedString>.Magic, SharedMultiSet<SharedString>.TypeCheck, t, span, reverse: false);
        }
    }

    /// <summary>Removes (and destroys) the earliest added string with the text <paramref name="item"/>.</summary>
    /// <param name="set">The multiset.</param>
    /// <param name="item">The text.</param>
    /// <returns>Whether one was present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The multiset is corrupted.</exception>
    public static bool Remove(this SharedMultiSet<SharedString> set, ReadOnlySpan<char> item)
    {
        using var utf8 = new EncodedText(item, stackalloc byte[Utf8Probe.StackBytes]);
        fixed (byte* p = utf8)
        {
            return set.Tree.Remove(Utf8Probe.ProbeA, new Utf8Probe(p, utf8.Length));
        }
    }

    /// <summary>Removes (and destroys) every string with the text <paramref name="item"/>.</summary>
    /// <param name="set">The multiset.</param>
    /// <param name="item">The text.</param>
    /// <returns>How many were removed.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The multiset is corrupted.</exception>
    public static int RemoveAll(this SharedMultiSet<SharedString> set, ReadOnlySpan<char> item)
    {
        using var utf8 = new EncodedText(item, stackalloc byte[Utf8Probe.StackBytes]);
        fixed (byte* p = utf8)
        {
            return set.Tree.RemoveAll(Utf8Probe.ProbeA, new Utf8Probe(p, utf8.Length));
        }
    }

    // ------------------------------------------------------------------ shared helpers

    private static ref TValue GetValueRefOrNullRef<TValue>(SharedMap<SharedString, TValue> map, scoped ReadOnlySpan<byte> utf8Key)
        where TValue : unmanaged
    {
        fixed (byte* p = utf8Key)
        {
            return ref map.Tree.GetValueRefOrNullRef(Utf8Probe.ProbeA, new Utf8Probe(p, utf8Key.Length));
        }
    }

    private static OrderedRange<SharedString, TValue> Bound<TValue>(TreeRef<SharedString, TValue> tree, in ContainerHandle h, uint magic, uint typeCheck, ReadOnlySpan<char> key, bool upper)
        where TValue : unmanaged
    {
        using var utf8 = new EncodedText(key, stackalloc byte[Utf8Probe.StackBytes]);
        fixed (byte* p = utf8)
        {
            var cmp = new Utf8Probe(p, utf8.Length);
            var t = tree.Read();
            var span = upper ? tree.FromUpperBound(t, Utf8Probe.ProbeA, cmp) : tree.FromLowerBound(t, Utf8Probe.ProbeA, cmp);
            return new(h, magic, typeCheck, t, span, reverse: false);
        }
    }

    private static OrderedSetRange<SharedString> SetBound(TreeRef<SharedString, NoValue> tree, in ContainerHandle h, uint magic, uint typeCheck, ReadOnlySpan<char> item, bool upper)
    {
        using var utf8 = new EncodedText(item, stackalloc byte[Utf8Probe.StackBytes]);
        fixed (byte* p = utf8)
        {
            var cmp = new Utf8Probe(p, utf8.Length);
            var t = tree.Read();
            var span = upper ? tree.FromUpperBound(t, Utf8Probe.ProbeA, cmp) : tree.FromLowerBound(t, Utf8Probe.ProbeA, cmp);
            return new(h, magic, typeCheck, t, span, reverse: false);
        }
    }

    [DoesNotReturn]
    private static void ThrowKeyNotFound(ReadOnlySpan<char> key) =>
        throw new KeyNotFoundException($"The key \"{key}\" is not in the container.");

    [DoesNotReturn]
    private static void ThrowKeyNotFound(ReadOnlySpan<byte> utf8Key) =>
        throw new KeyNotFoundException($"The key \"{System.Text.Encoding.UTF8.GetString(utf8Key)}\" is not in the container.");
}
