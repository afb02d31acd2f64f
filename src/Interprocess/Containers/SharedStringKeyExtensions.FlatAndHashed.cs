namespace Interprocess.Containers;

/// <summary>Lookups by text in the flat and hash containers keyed by <see cref="SharedString"/> (see the other part).</summary>
public static unsafe partial class SharedStringKeyExtensions
{
    // ------------------------------------------------------------------ SharedFlatMap<SharedString, TValue>

    /// <summary>The value of the key whose text is <paramref name="key"/>, if present.</summary>
    /// <typeparam name="TValue">The mapped type.</typeparam>
    /// <param name="map">The flat map.</param>
    /// <param name="key">The key's text.</param>
    /// <param name="value">The value, or default.</param>
    /// <returns>True when present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The map is corrupted.</exception>
    public static bool TryGetValue<TValue>(this SharedFlatMap<SharedString, TValue> map, ReadOnlySpan<char> key, out TValue value)
        where TValue : unmanaged
    {
        using var utf8 = new EncodedText(key, stackalloc byte[Utf8Probe.StackBytes]);
        return TryGetValue(map, utf8, out value);
    }

    /// <summary>The value of the key whose UTF-8 bytes are <paramref name="utf8Key"/>, if present.</summary>
    /// <typeparam name="TValue">The mapped type.</typeparam>
    /// <param name="map">The flat map.</param>
    /// <param name="utf8Key">The key's bytes.</param>
    /// <param name="value">The value, or default.</param>
    /// <returns>True when present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The map is corrupted.</exception>
    public static bool TryGetValue<TValue>(this SharedFlatMap<SharedString, TValue> map, ReadOnlySpan<byte> utf8Key, out TValue value)
        where TValue : unmanaged
    {
        fixed (byte* p = utf8Key)
        {
            return map.Flat.TryGetValue(Utf8Probe.ProbeA, new Utf8Probe(p, utf8Key.Length), out value);
        }
    }

    /// <summary>Whether a key with the text <paramref name="key"/> is in the flat map.</summary>
    /// <typeparam name="TValue">The mapped type.</typeparam>
    /// <param name="map">The flat map.</param>
    /// <param name="key">The key's text.</param>
    /// <returns>True when present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The map is corrupted.</exception>
    public static bool ContainsKey<TValue>(this SharedFlatMap<SharedString, TValue> map, ReadOnlySpan<char> key)
        where TValue : unmanaged => IndexOfKey(map, key) >= 0;

    /// <summary>Whether a key with the UTF-8 bytes <paramref name="utf8Key"/> is in the flat map.</summary>
    /// <typeparam name="TValue">The mapped type.</typeparam>
    /// <param name="map">The flat map.</param>
    /// <param name="utf8Key">The key's bytes.</param>
    /// <returns>True when present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The map is corrupted.</exception>
    public static bool ContainsKey<TValue>(this SharedFlatMap<SharedString, TValue> map, ReadOnlySpan<byte> utf8Key)
        where TValue : unmanaged => IndexOfKey(map, utf8Key) >= 0;

    /// <summary>The index of the key with the text <paramref name="key"/> in <see cref="SharedFlatMap{TKey,TValue}.Keys"/>, or -1.</summary>
    /// <typeparam name="TValue">The mapped type.</typeparam>
    /// <param name="map">The flat map.</param>
    /// <param name="key">The key's text.</param>
    /// <returns>The index, or -1.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The map is corrupted.</exception>
    public static int IndexOfKey<TValue>(this SharedFlatMap<SharedString, TValue> map, ReadOnlySpan<char> key)
        where TValue : unmanaged
    {
        using var utf8 = new EncodedText(key, stackalloc byte[Utf8Probe.StackBytes]);
        return IndexOfKey(map, utf8);
    }

    /// <summary>The index of the key with the UTF-8 bytes <paramref name="utf8Key"/> in <see cref="SharedFlatMap{TKey,TValue}.Keys"/>, or -1.</summary>
    /// <typeparam name="TValue">The mapped type.</typeparam>
    /// <param name="map">The flat map.</param>
    /// <param name="utf8Key">The key's bytes.</param>
    /// <returns>The index, or -1.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The map is corrupted.</exception>
    public static int IndexOfKey<TValue>(this SharedFlatMap<SharedString, TValue> map, ReadOnlySpan<byte> utf8Key)
        where TValue : unmanaged
    {
        fixed (byte* p = utf8Key)
        {
            return map.Flat.IndexOf(Utf8Probe.ProbeA, new Utf8Probe(p, utf8Key.Length));
        }
    }

    /// <summary>A reference to the value of the key with the text <paramref name="key"/> (the indexer's get, by text).</summary>
    /// <typeparam name="TValue">The mapped type.</typeparam>
    /// <param name="map">The flat map.</param>
    /// <param name="key">The key's text.</param>
    /// <returns>The reference (valid until the map next changes shape).</returns>
    /// <exception cref="KeyNotFoundException">No key has that text.</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The map is corrupted.</exception>
    public static ref TValue GetValueRef<TValue>(this SharedFlatMap<SharedString, TValue> map, ReadOnlySpan<char> key)
        where TValue : unmanaged
    {
        int i = IndexOfKey(map, key);
        if (i < 0)
        {
            ThrowKeyNotFound(key);
        }

        return ref map.Values[i];
    }

    /// <summary>A reference to the value of the key with the UTF-8 bytes <paramref name="utf8Key"/> (the indexer's get, by text).</summary>
    /// <typeparam name="TValue">The mapped type.</typeparam>
    /// <param name="map">The flat map.</param>
    /// <param name="utf8Key">The key's bytes.</param>
    /// <returns>The reference (valid until the map next changes shape).</returns>
    /// <exception cref="KeyNotFoundException">No key has those bytes.</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The map is corrupted.</exception>
    public static ref TValue GetValueRef<TValue>(this SharedFlatMap<SharedString, TValue> map, ReadOnlySpan<byte> utf8Key)
        where TValue : unmanaged
    {
        int i = IndexOfKey(map, utf8Key);
        if (i < 0)
        {
            ThrowKeyNotFound(utf8Key);
        }

        return ref map.Values[i];
    }

    /// <summary>Removes the element whose key has the text <paramref name="key"/> (destroying the stored key and value).</summary>
    /// <typeparam name="TValue">The mapped type.</typeparam>
    /// <param name="map">The flat map.</param>
    /// <param name="key">The key's text.</param>
    /// <returns>Whether it was present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The map is corrupted.</exception>
    public static bool Remove<TValue>(this SharedFlatMap<SharedString, TValue> map, ReadOnlySpan<char> key)
        where TValue : unmanaged
    {
        using var utf8 = new EncodedText(key, stackalloc byte[Utf8Probe.StackBytes]);
        return Remove(map, utf8);
    }

    /// <summary>Removes the element whose key has the UTF-8 bytes <paramref name="utf8Key"/> (destroying the stored key and value).</summary>
    /// <typeparam name="TValue">The mapped type.</typeparam>
    /// <param name="map">The flat map.</param>
    /// <param name="utf8Key">The key's bytes.</param>
    /// <returns>Whether it was present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The map is corrupted.</exception>
    public static bool Remove<TValue>(this SharedFlatMap<SharedString, TValue> map, ReadOnlySpan<byte> utf8Key)
        where TValue : unmanaged
    {
        fixed (byte* p = utf8Key)
        {
            return map.Flat.Remove(Utf8Probe.ProbeA, new Utf8Probe(p, utf8Key.Length));
        }
    }

    /// <summary>The index of the first key not less than <paramref name="key"/> (by text; Count when none).</summary>
    /// <typeparam name="TValue">The mapped type.</typeparam>
    /// <param name="map">The flat map.</param>
    /// <param name="key">The bound's text.</param>
    /// <returns>The index.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The map is corrupted.</exception>
    public static int LowerBound<TValue>(this SharedFlatMap<SharedString, TValue> map, ReadOnlySpan<char> key)
        where TValue : unmanaged => FlatBound(map.Flat, key, upper: false);

    /// <summary>The index of the first key greater than <paramref name="key"/> (by text; Count when none).</summary>
    /// <typeparam name="TValue">The mapped type.</typeparam>
    /// <param name="map">The flat map.</param>
    /// <param name="key">The bound's text.</param>
    /// <returns>The index.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The map is corrupted.</exception>
    public static int UpperBound<TValue>(this SharedFlatMap<SharedString, TValue> map, ReadOnlySpan<char> key)
        where TValue : unmanaged => FlatBound(map.Flat, key, upper: true);

    /// <summary>The indices of the keys with <paramref name="from"/> ≤ key ≤ <paramref name="to"/> (by text): slice <c>Keys</c> and <c>Values</c> with it.</summary>
    /// <typeparam name="TValue">The mapped type.</typeparam>
    /// <param name="map">The flat map.</param>
    /// <param name="from">The lower bound (inclusive).</param>
    /// <param name="to">The upper bound (inclusive).</param>
    /// <returns>The index range.</returns>
    /// <exception cref="ArgumentException"><paramref name="from"/> sorts after <paramref name="to"/>.</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The map is corrupted.</exception>
    public static Range GetRange<TValue>(this SharedFlatMap<SharedString, TValue> map, ReadOnlySpan<char> from, ReadOnlySpan<char> to)
        where TValue : unmanaged => FlatBetween(map.Flat, from, to);

    // ------------------------------------------------------------------ SharedFlatSet<SharedString>

    /// <summary>Whether a string with the text <paramref name="item"/> is in the flat set.</summary>
    /// <param name="set">The flat set.</param>
    /// <param name="item">The text.</param>
    /// <returns>True when present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The set is corrupted.</exception>
    public static bool Contains(this SharedFlatSet<SharedString> set, ReadOnlySpan<char> item) => IndexOf(set, item) >= 0;

    /// <summary>Whether a string with the UTF-8 bytes <paramref name="utf8Item"/> is in the flat set.</summary>
    /// <param name="set">The flat set.</param>
    /// <param name="utf8Item">The bytes.</param>
    /// <returns>True when present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The set is corrupted.</exception>
    public static bool Contains(this SharedFlatSet<SharedString> set, ReadOnlySpan<byte> utf8Item) => IndexOf(set, utf8Item) >= 0;

    /// <summary>The index of the string with the text <paramref name="item"/> in <see cref="SharedFlatSet{T}.AsSpan"/>, or -1.</summary>
    /// <param name="set">The flat set.</param>
    /// <param name="item">The text.</param>
    /// <returns>The index, or -1.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The set is corrupted.</exception>
    public static int IndexOf(this SharedFlatSet<SharedString> set, ReadOnlySpan<char> item)
    {
        using var utf8 = new EncodedText(item, stackalloc byte[Utf8Probe.StackBytes]);
        return IndexOf(set, utf8);
    }

    /// <summary>The index of the string with the UTF-8 bytes <paramref name="utf8Item"/> in <see cref="SharedFlatSet{T}.AsSpan"/>, or -1.</summary>
    /// <param name="set">The flat set.</param>
    /// <param name="utf8Item">The bytes.</param>
    /// <returns>The index, or -1.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The set is corrupted.</exception>
    public static int IndexOf(this SharedFlatSet<SharedString> set, ReadOnlySpan<byte> utf8Item)
    {
        fixed (byte* p = utf8Item)
        {
            return set.Flat.IndexOf(Utf8Probe.ProbeA, new Utf8Probe(p, utf8Item.Length));
        }
    }

    /// <summary>The stored string with the text <paramref name="item"/>, if any.</summary>
    /// <param name="set">The flat set.</param>
    /// <param name="item">The text.</param>
    /// <param name="actualValue">The stored string (owned by the set), or default.</param>
    /// <returns>True when present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The set is corrupted.</exception>
    public static bool TryGetValue(this SharedFlatSet<SharedString> set, ReadOnlySpan<char> item, out SharedString actualValue)
    {
        using var utf8 = new EncodedText(item, stackalloc byte[Utf8Probe.StackBytes]);
        fixed (byte* p = utf8)
        {
            return set.Flat.TryGetKey(Utf8Probe.ProbeA, new Utf8Probe(p, utf8.Length), out actualValue);
        }
    }

    /// <summary>Removes (and destroys) the string with the text <paramref name="item"/>.</summary>
    /// <param name="set">The flat set.</param>
    /// <param name="item">The text.</param>
    /// <returns>Whether it was present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The set is corrupted.</exception>
    public static bool Remove(this SharedFlatSet<SharedString> set, ReadOnlySpan<char> item)
    {
        using var utf8 = new EncodedText(item, stackalloc byte[Utf8Probe.StackBytes]);
        return Remove(set, utf8);
    }

    /// <summary>Removes (and destroys) the string with the UTF-8 bytes <paramref name="utf8Item"/>.</summary>
    /// <param name="set">The flat set.</param>
    /// <param name="utf8Item">The bytes.</param>
    /// <returns>Whether it was present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The set is corrupted.</exception>
    public static bool Remove(this SharedFlatSet<SharedString> set, ReadOnlySpan<byte> utf8Item)
    {
        fixed (byte* p = utf8Item)
        {
            return set.Flat.Remove(Utf8Probe.ProbeA, new Utf8Probe(p, utf8Item.Length));
        }
    }

    /// <summary>The index of the first string not less than <paramref name="item"/> (by text; Count when none).</summary>
    /// <param name="set">The flat set.</param>
    /// <param name="item">The bound's text.</param>
    /// <returns>The index.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The set is corrupted.</exception>
    public static int LowerBound(this SharedFlatSet<SharedString> set, ReadOnlySpan<char> item) => FlatBound(set.Flat, item, upper: false);

    /// <summary>The index of the first string greater than <paramref name="item"/> (by text; Count when none).</summary>
    /// <param name="set">The flat set.</param>
    /// <param name="item">The bound's text.</param>
    /// <returns>The index.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The set is corrupted.</exception>
    public static int UpperBound(this SharedFlatSet<SharedString> set, ReadOnlySpan<char> item) => FlatBound(set.Flat, item, upper: true);

    /// <summary>The indices of the strings between <paramref name="lowerValue"/> and <paramref name="upperValue"/> inclusive (by text).</summary>
    /// <param name="set">The flat set.</param>
    /// <param name="lowerValue">The lower bound (inclusive).</param>
    /// <param name="upperValue">The upper bound (inclusive).</param>
    /// <returns>The index range (slice <see cref="SharedFlatSet{T}.AsSpan"/> with it).</returns>
    /// <exception cref="ArgumentException"><paramref name="lowerValue"/> sorts after <paramref name="upperValue"/>.</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="InterprocessException">The set is corrupted.</exception>
    public static Range GetViewBetween(this SharedFlatSet<SharedString> set, ReadOnlySpan<char> lowerValue, ReadOnlySpan<char> upperValue) =>
        FlatBetween(set.Flat, lowerValue, upperValue);

    // ------------------------------------------------------------------ SharedHashMap<SharedString, TValue>

    /// <summary>The value of the key whose text is <paramref name="key"/>, if present.</summary>
    /// <typeparam name="TValue">The mapped type.</typeparam>
    /// <param name="map">The hash map.</param>
    /// <param name="key">The key's text.</param>
    /// <param name="value">The value, or default.</param>
    /// <returns>True when present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, the segment is not open in this process, or the map was created with a custom comparer.</exception>
    /// <exception cref="InterprocessException">The map is corrupted.</exception>
    public static bool TryGetValue<TValue>(this SharedHashMap<SharedString, TValue> map, ReadOnlySpan<char> key, out TValue value)
        where TValue : unmanaged
    {
        using var utf8 = new EncodedText(key, stackalloc byte[Utf8Probe.StackBytes]);
        return TryGetValue(map, utf8, out value);
    }

    /// <summary>The value of the key whose UTF-8 bytes are <paramref name="utf8Key"/>, if present.</summary>
    /// <typeparam name="TValue">The mapped type.</typeparam>
    /// <param name="map">The hash map.</param>
    /// <param name="utf8Key">The key's bytes.</param>
    /// <param name="value">The value, or default.</param>
    /// <returns>True when present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, the segment is not open in this process, or the map was created with a custom comparer.</exception>
    /// <exception cref="InterprocessException">The map is corrupted.</exception>
    public static bool TryGetValue<TValue>(this SharedHashMap<SharedString, TValue> map, ReadOnlySpan<byte> utf8Key, out TValue value)
        where TValue : unmanaged
    {
        var s = FindUtf8(map, utf8Key);
        value = s == null ? default : s->Value;
        return s != null;
    }

    /// <summary>Whether a key with the text <paramref name="key"/> is in the hash map.</summary>
    /// <typeparam name="TValue">The mapped type.</typeparam>
    /// <param name="map">The hash map.</param>
    /// <param name="key">The key's text.</param>
    /// <returns>True when present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, the segment is not open in this process, or the map was created with a custom comparer.</exception>
    /// <exception cref="InterprocessException">The map is corrupted.</exception>
    public static bool ContainsKey<TValue>(this SharedHashMap<SharedString, TValue> map, ReadOnlySpan<char> key)
        where TValue : unmanaged => TryGetValue(map, key, out _);

    /// <summary>Whether a key with the UTF-8 bytes <paramref name="utf8Key"/> is in the hash map.</summary>
    /// <typeparam name="TValue">The mapped type.</typeparam>
    /// <param name="map">The hash map.</param>
    /// <param name="utf8Key">The key's bytes.</param>
    /// <returns>True when present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, the segment is not open in this process, or the map was created with a custom comparer.</exception>
    /// <exception cref="InterprocessException">The map is corrupted.</exception>
    public static bool ContainsKey<TValue>(this SharedHashMap<SharedString, TValue> map, ReadOnlySpan<byte> utf8Key)
        where TValue : unmanaged => FindUtf8(map, utf8Key) != null;

    /// <summary>A reference to the value of the key with the text <paramref name="key"/> (the indexer's get, by text).</summary>
    /// <typeparam name="TValue">The mapped type.</typeparam>
    /// <param name="map">The hash map.</param>
    /// <param name="key">The key's text.</param>
    /// <returns>The reference (valid until the next insertion or removal).</returns>
    /// <exception cref="KeyNotFoundException">No key has that text.</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle, the segment is not open in this process, or the map was created with a custom comparer.</exception>
    /// <exception cref="InterprocessException">The map is corrupted.</exception>
    public static ref TValue GetValueRef<TValue>(this SharedHashMap<SharedString, TValue> map, ReadOnlySpan<char> key)
        where TValue : unmanaged
    {
        using var utf8 = new EncodedText(key, stackalloc byte[Utf8Probe.StackBytes]);
        var s = FindUtf8(map, utf8);
        if (s == null)
        {
            ThrowKeyNotFound(key);
        }

        return ref s->Value;
    }

    /// <summary>A reference to the value of the key with the UTF-8 bytes <paramref name="utf8Key"/> (the indexer's get, by text).</summary>
    /// <typeparam name="TValue">The mapped type.</typeparam>
    /// <param name="map">The hash map.</param>
    /// <param name="utf8Key">The key's bytes.</param>
    /// <returns>The reference (valid until the next insertion or removal).</returns>
    /// <exception cref="KeyNotFoundException">No key has those bytes.</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle, the segment is not open in this process, or the map was created with a custom comparer.</exception>
    /// <exception cref="InterprocessException">The map is corrupted.</exception>
    public static ref TValue GetValueRef<TValue>(this SharedHashMap<SharedString, TValue> map, ReadOnlySpan<byte> utf8Key)
        where TValue : unmanaged
    {
        var s = FindUtf8(map, utf8Key);
        if (s == null)
        {
            ThrowKeyNotFound(utf8Key);
        }

        return ref s->Value;
    }

    /// <summary>Removes the key with the text <paramref name="key"/>, destroying the stored key and its value if it owns segment memory.</summary>
    /// <typeparam name="TValue">The mapped type.</typeparam>
    /// <param name="map">The hash map.</param>
    /// <param name="key">The key's text.</param>
    /// <returns>Whether it was present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, the segment is not open in this process, or the map was created with a custom comparer.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The map is corrupted.</exception>
    public static bool Remove<TValue>(this SharedHashMap<SharedString, TValue> map, ReadOnlySpan<char> key)
        where TValue : unmanaged
    {
        using var utf8 = new EncodedText(key, stackalloc byte[Utf8Probe.StackBytes]);
        return Remove(map, utf8);
    }

    /// <summary>Removes the key with the UTF-8 bytes <paramref name="utf8Key"/>, destroying the stored key and its value if it owns segment memory.</summary>
    /// <typeparam name="TValue">The mapped type.</typeparam>
    /// <param name="map">The hash map.</param>
    /// <param name="utf8Key">The key's bytes.</param>
    /// <returns>Whether it was present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, the segment is not open in this process, or the map was created with a custom comparer.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The map is corrupted.</exception>
    public static bool Remove<TValue>(this SharedHashMap<SharedString, TValue> map, ReadOnlySpan<byte> utf8Key)
        where TValue : unmanaged
    {
        var h = map.Write(out var m);
        HashCore<SharedString, TValue>.RequireDefaultHashing(h, m);
        var s = HashCore<SharedString, TValue>.FindUtf8(h, m, utf8Key);
        if (s == null)
        {
            return false;
        }

        HashCore<SharedString, TValue>.RemoveSlot(h, m, s);
        return true;
    }

    // ------------------------------------------------------------------ SharedHashSet<SharedString>

    /// <summary>Whether a string with the text <paramref name="item"/> is in the hash set.</summary>
    /// <param name="set">The hash set.</param>
    /// <param name="item">The text.</param>
    /// <returns>True when present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, the segment is not open in this process, or the set was created with a custom comparer.</exception>
    /// <exception cref="InterprocessException">The set is corrupted.</exception>
    public static bool Contains(this SharedHashSet<SharedString> set, ReadOnlySpan<char> item) => TryGetValue(set, item, out _);

    /// <summary>Whether a string with the UTF-8 bytes <paramref name="utf8Item"/> is in the hash set.</summary>
    /// <param name="set">The hash set.</param>
    /// <param name="utf8Item">The bytes.</param>
    /// <returns>True when present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, the segment is not open in this process, or the set was created with a custom comparer.</exception>
    /// <exception cref="InterprocessException">The set is corrupted.</exception>
    public static bool Contains(this SharedHashSet<SharedString> set, ReadOnlySpan<byte> utf8Item) => FindUtf8(set, utf8Item) != null;

    /// <summary>The stored string with the text <paramref name="item"/>, if any.</summary>
    /// <param name="set">The hash set.</param>
    /// <param name="item">The text.</param>
    /// <param name="actualValue">The stored string (owned by the set), or default.</param>
    /// <returns>True when present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, the segment is not open in this process, or the set was created with a custom comparer.</exception>
    /// <exception cref="InterprocessException">The set is corrupted.</exception>
    public static bool TryGetValue(this SharedHashSet<SharedString> set, ReadOnlySpan<char> item, out SharedString actualValue)
    {
        using var utf8 = new EncodedText(item, stackalloc byte[Utf8Probe.StackBytes]);
        var s = FindUtf8(set, utf8);
        actualValue = s == null ? default : s->Key;
        return s != null;
    }

    /// <summary>Removes (and destroys) the string with the text <paramref name="item"/>.</summary>
    /// <param name="set">The hash set.</param>
    /// <param name="item">The text.</param>
    /// <returns>Whether it was present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, the segment is not open in this process, or the set was created with a custom comparer.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The set is corrupted.</exception>
    public static bool Remove(this SharedHashSet<SharedString> set, ReadOnlySpan<char> item)
    {
        using var utf8 = new EncodedText(item, stackalloc byte[Utf8Probe.StackBytes]);
        return Remove(set, utf8);
    }

    /// <summary>Removes (and destroys) the string with the UTF-8 bytes <paramref name="utf8Item"/>.</summary>
    /// <param name="set">The hash set.</param>
    /// <param name="utf8Item">The bytes.</param>
    /// <returns>Whether it was present.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, the segment is not open in this process, or the set was created with a custom comparer.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The set is corrupted.</exception>
    public static bool Remove(this SharedHashSet<SharedString> set, ReadOnlySpan<byte> utf8Item)
    {
        var h = set.Write(out var m);
        HashCore<SharedString, byte>.RequireDefaultHashing(h, m);
        var s = HashCore<SharedString, byte>.FindUtf8(h, m, utf8Item);
        if (s == null)
        {
            return false;
        }

        HashCore<SharedString, byte>.RemoveSlot(h, m, s);
        return true;
    }

    // ------------------------------------------------------------------ helpers

    private static HashSlot<SharedString, TValue>* FindUtf8<TValue>(SharedHashMap<SharedString, TValue> map, ReadOnlySpan<byte> utf8)
        where TValue : unmanaged
    {
        var h = map.Read(out var m);
        HashCore<SharedString, TValue>.RequireDefaultHashing(h, m);
        return HashCore<SharedString, TValue>.FindUtf8(h, m, utf8);
    }

    private static HashSlot<SharedString, byte>* FindUtf8(SharedHashSet<SharedString> set, ReadOnlySpan<byte> utf8)
    {
        var h = set.Read(out var m);
        HashCore<SharedString, byte>.RequireDefaultHashing(h, m);
        return HashCore<SharedString, byte>.FindUtf8(h, m, utf8);
    }

    private static int FlatBound<TValue>(FlatRef<SharedString, TValue> flat, ReadOnlySpan<char> key, bool upper)
        where TValue : unmanaged
    {
        using var utf8 = new EncodedText(key, stackalloc byte[Utf8Probe.StackBytes]);
        fixed (byte* p = utf8)
        {
            var cmp = new Utf8Probe(p, utf8.Length);
            return upper ? flat.UpperBound(Utf8Probe.ProbeA, cmp) : flat.LowerBound(Utf8Probe.ProbeA, cmp);
        }
    }

    private static Range FlatBetween<TValue>(FlatRef<SharedString, TValue> flat, ReadOnlySpan<char> from, ReadOnlySpan<char> to)
        where TValue : unmanaged
    {
        using var a = new EncodedText(from, stackalloc byte[Utf8Probe.StackBytes]);
        using var b = new EncodedText(to, stackalloc byte[Utf8Probe.StackBytes]);
        fixed (byte* pa = a)
        fixed (byte* pb = b)
        {
            return flat.Between(Utf8Probe.ProbeA, Utf8Probe.ProbeB, new Utf8Probe(pa, a.Length, pb, b.Length));
        }
    }
}
