namespace Interprocess.Containers;

/// <summary>
/// Where the last insertion into an ordered container went, so that the next one can start there (Boost's
/// <c>insert(hint, value)</c> / <c>emplace_hint</c>): start with <c>default</c> and pass the same variable by
/// <c>ref</c> to every hinted insertion. When the new key belongs right after the previous one (ascending input,
/// or runs of nearby keys), the insertion takes two comparisons instead of a search from the root: amortized O(1)
/// for a tree, an append without a binary search for a flat container. When it does not, the insertion is a
/// normal one (always correct, the hint only costs one or two comparisons).
/// </summary>
/// <remarks>
/// The hint is a process-local value (keep it on the stack or in a field, not in shared memory). It names the
/// container and the container's change counter: after any other change to the container (by any process), or
/// when used with another container, it is ignored rather than trusted, so a stale hint can never point at a
/// freed node. A default hint tries the end of the container first.
/// </remarks>
/// <example>
/// <code>
/// var hint = default(OrderedInsertHint);
/// foreach (var (id, price) in sortedPrices) map.TryAdd(id, price, ref hint); // O(1) each
/// </code>
/// </example>
public struct OrderedInsertHint : IEquatable<OrderedInsertHint>
{
    /// <summary>The container the hint was taken in.</summary>
    internal ContainerHandle Container;

    /// <summary>The node (tree) or index + 1 (flat) of the last insertion; 0 = none.</summary>
    internal long Position;

    /// <summary>The container's change counter right after that insertion.</summary>
    internal long Version;

    /// <summary>Whether this hint names no position (a default hint).</summary>
    public readonly bool IsDefault => Position == 0;

    /// <summary>Whether both hints name the same position of the same container state.</summary>
    /// <param name="left">A hint.</param>
    /// <param name="right">A hint.</param>
    /// <returns>True when equal.</returns>
    public static bool operator ==(OrderedInsertHint left, OrderedInsertHint right) => left.Equals(right);

    /// <summary>Whether the hints differ.</summary>
    /// <param name="left">A hint.</param>
    /// <param name="right">A hint.</param>
    /// <returns>True when different.</returns>
    public static bool operator !=(OrderedInsertHint left, OrderedInsertHint right) => !left.Equals(right);

    /// <inheritdoc />
    public readonly bool Equals(OrderedInsertHint other) =>
        Container.SegmentId == other.Container.SegmentId && Container.Header == other.Container.Header
        && Container.Stamp == other.Container.Stamp && Position == other.Position && Version == other.Version;

    /// <inheritdoc />
    public override readonly bool Equals(object? obj) => obj is OrderedInsertHint o && Equals(o);

    /// <inheritdoc />
    public override readonly int GetHashCode() => HashCode.Combine(Container.Header, Position, Version);

    /// <summary>The position this hint gives for <paramref name="h"/> at change counter <paramref name="version"/>, or 0 when it is for another container or state.</summary>
    internal readonly long For(in ContainerHandle h, long version) =>
        Position != 0 && Version == version && Container.SegmentId == h.SegmentId && Container.Header == h.Header && Container.Stamp == h.Stamp
            ? Position
            : 0;
}
