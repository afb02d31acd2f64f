namespace Interprocess.Containers;

/// <summary>
/// A key type that hashes itself the same way in every process: <see cref="SharedHashMap{TKey,TValue}"/> and
/// <see cref="SharedHashSet{T}"/> use <see cref="GetStableHashCode"/> and <see cref="IEquatable{T}.Equals(T)"/>
/// for keys of such a type instead of their bytes.
/// </summary>
/// <typeparam name="TSelf">The key type itself.</typeparam>
/// <remarks>
/// Implement it on a key whose identity is not its bytes, for example a handle to a shared string that is equal
/// to another handle with the same content. The hash must depend only on what <c>Equals</c> compares, and must be
/// a fixed function (no per-process seed: <see cref="string.GetHashCode()"/> and <see cref="HashCode"/> are
/// randomized per process and must not be used), because a table built by one process is searched by another.
/// </remarks>
public interface IStableHash<TSelf> : IEquatable<TSelf>
    where TSelf : IStableHash<TSelf>
{
    /// <summary>A hash of the value that every process computes the same way.</summary>
    /// <returns>The hash; all 64 bits are used.</returns>
    ulong GetStableHashCode();
}
