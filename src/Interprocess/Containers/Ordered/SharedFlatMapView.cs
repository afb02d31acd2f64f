using System.Runtime.CompilerServices;

namespace Interprocess.Containers;

/// <summary>
/// A <see cref="SharedFlatMap{TKey,TValue}"/> seen through a custom key ordering kept in this process
/// (<see cref="SharedFlatMap{TKey,TValue}.WithComparer{TComparer}"/>): the operations that compare keys. Every
/// process and every call must order the map the same way; the other operations are on <see cref="Map"/>.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The mapped type.</typeparam>
/// <typeparam name="TComparer">The comparer type (a struct comparer is devirtualized).</typeparam>
public readonly struct SharedFlatMapView<TKey, TValue, TComparer>
    where TKey : unmanaged
    where TValue : unmanaged
    where TComparer : IComparer<TKey>
{
    /// <summary>A view of <paramref name="map"/> ordered by <paramref name="comparer"/>.</summary>
    /// <param name="map">The map.</param>
    /// <param name="comparer">The ordering.</param>
    /// <exception cref="ArgumentNullException"><paramref name="comparer"/> is null.</exception>
    public SharedFlatMapView(SharedFlatMap<TKey, TValue> map, TComparer comparer)
    {
        if (comparer is null)
        {
            throw new ArgumentNullException(nameof(comparer));
        }

        Map = map;
        Comparer = comparer;
    }

    /// <summary>The map.</summary>
    public SharedFlatMap<TKey, TValue> Map { get; }

    /// <summary>The ordering.</summary>
    public TComparer Comparer { get; }

    private FlatRef<TKey, TValue> Flat
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Map.Flat;
    }

    /// <inheritdoc cref="SharedFlatMap{TKey,TValue}.this[TKey]"/>
    public TValue this[TKey key]
    {
        get
        {
            if (!Flat.TryGetValue(key, Comparer, out var v))
            {
                TreeRef<TKey, TValue>.ThrowKeyNotFound(key);
            }

            return v;
        }

        set => Flat.Set(key, value, Comparer);
    }

    /// <inheritdoc cref="SharedFlatMap{TKey,TValue}.Add(TKey, TValue)"/>
    public void Add(TKey key, TValue value)
    {
        if (!Flat.TryAdd(key, value, Comparer))
        {
            throw new ArgumentException($"An element with the key '{key}' is already in the map.", nameof(key));
        }
    }

    /// <inheritdoc cref="SharedFlatMap{TKey,TValue}.TryAdd(TKey, TValue)"/>
    public bool TryAdd(TKey key, TValue value) => Flat.TryAdd(key, value, Comparer);

    /// <inheritdoc cref="SharedFlatMap{TKey,TValue}.Remove(TKey)"/>
    public bool Remove(TKey key) => Flat.Remove(key, Comparer);

    /// <inheritdoc cref="SharedFlatMap{TKey,TValue}.Remove(TKey, out TValue)"/>
    public bool Remove(TKey key, out TValue value) => Flat.Remove(key, Comparer, out value);

    /// <inheritdoc cref="SharedFlatMap{TKey,TValue}.ContainsKey(TKey)"/>
    public bool ContainsKey(TKey key) => Flat.IndexOf(key, Comparer) >= 0;

    /// <inheritdoc cref="SharedFlatMap{TKey,TValue}.IndexOfKey(TKey)"/>
    public int IndexOfKey(TKey key) => Flat.IndexOf(key, Comparer);

    /// <inheritdoc cref="SharedFlatMap{TKey,TValue}.TryGetValue(TKey, out TValue)"/>
    public bool TryGetValue(TKey key, out TValue value) => Flat.TryGetValue(key, Comparer, out value);

    /// <inheritdoc cref="SharedFlatMap{TKey,TValue}.GetValueRef(TKey)"/>
    public ref TValue GetValueRef(TKey key) => ref Flat.GetValueRef(key, Comparer);

    /// <inheritdoc cref="SharedFlatMap{TKey,TValue}.GetValueRefOrAddDefault(TKey, out bool)"/>
    public ref TValue GetValueRefOrAddDefault(TKey key, out bool exists) => ref Flat.GetValueRefOrAddDefault(key, Comparer, out exists);

    /// <inheritdoc cref="SharedFlatMap{TKey,TValue}.LowerBound(TKey)"/>
    public int LowerBound(TKey key) => Flat.LowerBound(key, Comparer);

    /// <inheritdoc cref="SharedFlatMap{TKey,TValue}.UpperBound(TKey)"/>
    public int UpperBound(TKey key) => Flat.UpperBound(key, Comparer);

    /// <inheritdoc cref="SharedFlatMap{TKey,TValue}.GetRange(TKey, TKey)"/>
    public Range GetRange(TKey from, TKey to) => Flat.Between(from, to, Comparer);

    /// <summary>Checks that the keys ascend strictly under this ordering (tests, debugging).</summary>
    internal void CheckInvariants() => Flat.CheckInvariants(Comparer);
}
