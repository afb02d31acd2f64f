using System.Runtime.CompilerServices;

namespace Interprocess.Containers;

/// <summary>
/// A <see cref="SharedMultiMap{TKey,TValue}"/> seen through a custom key ordering kept in this process
/// (<see cref="SharedMultiMap{TKey,TValue}.WithComparer{TComparer}"/>): the operations that compare keys. Every process
/// and every call must order the multimap the same way; the operations that do not compare keys (Count, Clear,
/// enumeration, Min/Max, Destroy) are on <see cref="Map"/>.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The mapped type.</typeparam>
/// <typeparam name="TComparer">The comparer type (a struct comparer is devirtualized).</typeparam>
public readonly struct SharedMultiMapView<TKey, TValue, TComparer>
    where TKey : unmanaged
    where TValue : unmanaged
    where TComparer : IComparer<TKey>
{
    /// <summary>A view of <paramref name="map"/> (a multimap) ordered by <paramref name="comparer"/>.</summary>
    /// <param name="map">The map.</param>
    /// <param name="comparer">The ordering.</param>
    /// <exception cref="ArgumentNullException"><paramref name="comparer"/> is null.</exception>
    public SharedMultiMapView(SharedMultiMap<TKey, TValue> map, TComparer comparer)
    {
        if (comparer is null)
        {
            throw new ArgumentNullException(nameof(comparer));
        }

        Map = map;
        Comparer = comparer;
    }

    /// <summary>The multimap.</summary>
    public SharedMultiMap<TKey, TValue> Map { get; }

    /// <summary>The ordering.</summary>
    public TComparer Comparer { get; }

    private TreeRef<TKey, TValue> Tree
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Map.Tree;
    }

    /// <inheritdoc cref="SharedMultiMap{TKey,TValue}.Add(TKey, TValue)"/>
    public void Add(TKey key, TValue value) => Tree.TryAdd(key, value, Comparer);

    /// <inheritdoc cref="SharedMultiMap{TKey,TValue}.RemoveAll(TKey)"/>
    public int RemoveAll(TKey key) => Tree.RemoveAll(key, Comparer);

    /// <inheritdoc cref="SharedMultiMap{TKey,TValue}.CountOf(TKey)"/>
    public int CountOf(TKey key) => Tree.CountOf(key, Comparer);

    /// <inheritdoc cref="SharedMultiMap{TKey,TValue}.EqualRange(TKey)"/>
    public OrderedRange<TKey, TValue> EqualRange(TKey key)
    {
        var t = Tree.Read();
        return new(Map.Handle, SharedMultiMap<TKey, TValue>.Magic, SharedMultiMap<TKey, TValue>.TypeCheck, t, Tree.Equal(t, key, Comparer), reverse: false);
    }

    /// <inheritdoc cref="SharedMultiMap{TKey,TValue}.Remove(TKey)"/>
    public bool Remove(TKey key) => Tree.Remove(key, Comparer);

    /// <inheritdoc cref="SharedMultiMap{TKey,TValue}.Remove(TKey, out TValue)"/>
    public bool Remove(TKey key, out TValue value) => Tree.Remove(key, Comparer, out value);

    /// <inheritdoc cref="SharedMultiMap{TKey,TValue}.ContainsKey(TKey)"/>
    public bool ContainsKey(TKey key) => Tree.Contains(key, Comparer);

    /// <inheritdoc cref="SharedMultiMap{TKey,TValue}.TryGetValue(TKey, out TValue)"/>
    public bool TryGetValue(TKey key, out TValue value) => Tree.TryGetValue(key, Comparer, out value);

    /// <inheritdoc cref="SharedMultiMap{TKey,TValue}.GetValueRef(TKey)"/>
    public ref TValue GetValueRef(TKey key) => ref Tree.GetValueRef(key, Comparer);

    /// <inheritdoc cref="SharedMultiMap{TKey,TValue}.GetRange(TKey, TKey)"/>
    public OrderedRange<TKey, TValue> GetRange(TKey from, TKey to)
    {
        var t = Tree.Read();
        return new(Map.Handle, SharedMultiMap<TKey, TValue>.Magic, SharedMultiMap<TKey, TValue>.TypeCheck, t, Tree.Between(t, from, to, Comparer), reverse: false);
    }

    /// <inheritdoc cref="SharedMultiMap{TKey,TValue}.LowerBound(TKey)"/>
    public OrderedRange<TKey, TValue> LowerBound(TKey key)
    {
        var t = Tree.Read();
        return new(Map.Handle, SharedMultiMap<TKey, TValue>.Magic, SharedMultiMap<TKey, TValue>.TypeCheck, t, Tree.FromLowerBound(t, key, Comparer), reverse: false);
    }

    /// <inheritdoc cref="SharedMultiMap{TKey,TValue}.UpperBound(TKey)"/>
    public OrderedRange<TKey, TValue> UpperBound(TKey key)
    {
        var t = Tree.Read();
        return new(Map.Handle, SharedMultiMap<TKey, TValue>.Magic, SharedMultiMap<TKey, TValue>.TypeCheck, t, Tree.FromUpperBound(t, key, Comparer), reverse: false);
    }

    /// <summary>Checks the tree's invariants under this ordering (tests, debugging).</summary>
    internal void CheckInvariants() => Tree.CheckInvariants(Comparer);
}
