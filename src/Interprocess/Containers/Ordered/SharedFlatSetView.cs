using System.Runtime.CompilerServices;

namespace Interprocess.Containers;

/// <summary>
/// A <see cref="SharedFlatSet{T}"/> seen through a custom ordering kept in this process
/// (<see cref="SharedFlatSet{T}.WithComparer{TComparer}"/>): the operations that compare elements. Every process
/// and every call must order the set the same way; the other operations are on <see cref="Set"/>.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
/// <typeparam name="TComparer">The comparer type (a struct comparer is devirtualized).</typeparam>
public readonly struct SharedFlatSetView<T, TComparer>
    where T : unmanaged
    where TComparer : IComparer<T>
{
    /// <summary>A view of <paramref name="set"/> ordered by <paramref name="comparer"/>.</summary>
    /// <param name="set">The set.</param>
    /// <param name="comparer">The ordering.</param>
    /// <exception cref="ArgumentNullException"><paramref name="comparer"/> is null.</exception>
    public SharedFlatSetView(SharedFlatSet<T> set, TComparer comparer)
    {
        if (comparer is null)
        {
            throw new ArgumentNullException(nameof(comparer));
        }

        Set = set;
        Comparer = comparer;
    }

    /// <summary>The set.</summary>
    public SharedFlatSet<T> Set { get; }

    /// <summary>The ordering.</summary>
    public TComparer Comparer { get; }

    private FlatRef<T, NoValue> Flat
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Set.Flat;
    }

    /// <inheritdoc cref="SharedFlatSet{T}.Add(T)"/>
    public bool Add(T item) => Flat.TryAdd(item, default, Comparer);

    /// <inheritdoc cref="SharedFlatSet{T}.Remove(T)"/>
    public bool Remove(T item) => Flat.Remove(item, Comparer);

    /// <inheritdoc cref="SharedFlatSet{T}.Contains(T)"/>
    public bool Contains(T item) => Flat.IndexOf(item, Comparer) >= 0;

    /// <inheritdoc cref="SharedFlatSet{T}.IndexOf(T)"/>
    public int IndexOf(T item) => Flat.IndexOf(item, Comparer);

    /// <inheritdoc cref="SharedFlatSet{T}.TryGetValue(T, out T)"/>
    public bool TryGetValue(T equalValue, out T actualValue) => Flat.TryGetKey(equalValue, Comparer, out actualValue);

    /// <inheritdoc cref="SharedFlatSet{T}.LowerBound(T)"/>
    public int LowerBound(T item) => Flat.LowerBound(item, Comparer);

    /// <inheritdoc cref="SharedFlatSet{T}.UpperBound(T)"/>
    public int UpperBound(T item) => Flat.UpperBound(item, Comparer);

    /// <inheritdoc cref="SharedFlatSet{T}.GetViewBetween(T, T)"/>
    public Range GetViewBetween(T lowerValue, T upperValue) => Flat.Between(lowerValue, upperValue, Comparer);

    /// <summary>Checks that the elements ascend strictly under this ordering (tests, debugging).</summary>
    internal void CheckInvariants() => Flat.CheckInvariants(Comparer);
}
