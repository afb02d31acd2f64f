using System.Runtime.CompilerServices;

namespace Interprocess.Containers;

/// <summary>
/// A <see cref="SharedMultiSet{T}"/> seen through a custom ordering kept in this process
/// (<see cref="SharedMultiSet{T}.WithComparer{TComparer}"/>): the operations that compare elements. Every process and
/// every call must order the multiset the same way; the other operations are on <see cref="Set"/>.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
/// <typeparam name="TComparer">The comparer type (a struct comparer is devirtualized).</typeparam>
public readonly struct SharedMultiSetView<T, TComparer>
    where T : unmanaged
    where TComparer : IComparer<T>
{
    /// <summary>A view of <paramref name="set"/> ordered by <paramref name="comparer"/>.</summary>
    /// <param name="set">The set.</param>
    /// <param name="comparer">The ordering.</param>
    /// <exception cref="ArgumentNullException"><paramref name="comparer"/> is null.</exception>
    public SharedMultiSetView(SharedMultiSet<T> set, TComparer comparer)
    {
        if (comparer is null)
        {
            throw new ArgumentNullException(nameof(comparer));
        }

        Set = set;
        Comparer = comparer;
    }

    /// <summary>The multiset.</summary>
    public SharedMultiSet<T> Set { get; }

    /// <summary>The ordering.</summary>
    public TComparer Comparer { get; }

    private TreeRef<T, NoValue> Tree
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Set.Tree;
    }

    /// <inheritdoc cref="SharedMultiSet{T}.Add(T)"/>
    public void Add(T item) => Tree.TryAdd(item, default, Comparer);

    /// <inheritdoc cref="SharedMultiSet{T}.RemoveAll(T)"/>
    public int RemoveAll(T item) => Tree.RemoveAll(item, Comparer);

    /// <inheritdoc cref="SharedMultiSet{T}.CountOf(T)"/>
    public int CountOf(T item) => Tree.CountOf(item, Comparer);

    /// <inheritdoc cref="SharedMultiSet{T}.EqualRange(T)"/>
    public OrderedSetRange<T> EqualRange(T item)
    {
        var t = Tree.Read();
        return new(Set.Handle, SharedMultiSet<T>.Magic, SharedMultiSet<T>.TypeCheck, t, Tree.Equal(t, item, Comparer), reverse: false);
    }

    /// <inheritdoc cref="SharedMultiSet{T}.Remove(T)"/>
    public bool Remove(T item) => Tree.Remove(item, Comparer);

    /// <inheritdoc cref="SharedMultiSet{T}.Contains(T)"/>
    public bool Contains(T item) => Tree.Contains(item, Comparer);

    /// <inheritdoc cref="SharedMultiSet{T}.GetViewBetween(T, T)"/>
    public OrderedSetRange<T> GetViewBetween(T lowerValue, T upperValue)
    {
        var t = Tree.Read();
        return new(Set.Handle, SharedMultiSet<T>.Magic, SharedMultiSet<T>.TypeCheck, t, Tree.Between(t, lowerValue, upperValue, Comparer), reverse: false);
    }

    /// <inheritdoc cref="SharedMultiSet{T}.LowerBound(T)"/>
    public OrderedSetRange<T> LowerBound(T item)
    {
        var t = Tree.Read();
        return new(Set.Handle, SharedMultiSet<T>.Magic, SharedMultiSet<T>.TypeCheck, t, Tree.FromLowerBound(t, item, Comparer), reverse: false);
    }

    /// <inheritdoc cref="SharedMultiSet{T}.UpperBound(T)"/>
    public OrderedSetRange<T> UpperBound(T item)
    {
        var t = Tree.Read();
        return new(Set.Handle, SharedMultiSet<T>.Magic, SharedMultiSet<T>.TypeCheck, t, Tree.FromUpperBound(t, item, Comparer), reverse: false);
    }

    /// <summary>Checks the tree's invariants under this ordering (tests, debugging).</summary>
    internal void CheckInvariants() => Tree.CheckInvariants(Comparer);
}
