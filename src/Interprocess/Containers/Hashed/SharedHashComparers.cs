using System.Collections.Concurrent;
using System.Text;
using Interprocess.Managed;

namespace Interprocess.Containers;

/// <summary>
/// Custom key comparers for <see cref="SharedHashMap{TKey,TValue}"/> and <see cref="SharedHashSet{T}"/>, registered
/// by name in each process. A hash container created with a comparer name stores only a hash of the name; every
/// process that uses the container must register a comparer under the same name (that hashes the same way)
/// before it touches the container, or the operation throws.
/// </summary>
/// <example>
/// <code>
/// // In every process, at start-up:
/// SharedHashComparers.Register("ci-ascii", new CaseInsensitiveAsciiKeyComparer());
/// // Process A:
/// var map = SharedHashMap&lt;AsciiKey, int&gt;.Create(shm.Manager, "names", comparerName: "ci-ascii");
/// // Process B:
/// var same = SharedHashMap&lt;AsciiKey, int&gt;.Find(shm.Manager, "names"); // uses B's "ci-ascii" comparer
/// </code>
/// </example>
public static class SharedHashComparers
{
    private static readonly ConcurrentDictionary<(Type Key, ulong Id), object> s_comparers = new();

    /// <summary>
    /// Registers <paramref name="comparer"/> for keys of type <typeparamref name="T"/> under <paramref name="name"/>
    /// in this process. Its <see cref="IEqualityComparer{T}.GetHashCode(T)"/> must be a fixed function of the key
    /// (the same in every process and every run), and agree with its <c>Equals</c>.
    /// </summary>
    /// <typeparam name="T">The key type.</typeparam>
    /// <param name="name">The name containers store (a hash of it).</param>
    /// <param name="comparer">The comparer.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The name is empty, or another comparer object is already registered under it for <typeparamref name="T"/>.</exception>
    public static void Register<T>(string name, IEqualityComparer<T> comparer)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(comparer);
        ulong id = IdOf(name);
        var existing = s_comparers.GetOrAdd((typeof(T), id), comparer);
        if (!ReferenceEquals(existing, comparer))
        {
            throw new ArgumentException($"Another comparer is already registered under the name '{name}' for keys of type {typeof(T)}.", nameof(name));
        }
    }

    /// <summary>The identity stored in a container's header for a comparer name (never 0).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    internal static ulong IdOf(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return NameHash.Compute(Encoding.UTF8.GetBytes(name), 0x4853) | 1;
    }

    /// <summary>The comparer registered with identity <paramref name="id"/> for <typeparamref name="T"/>.</summary>
    /// <exception cref="InvalidOperationException">No comparer with that identity is registered in this process.</exception>
    internal static IEqualityComparer<T> Resolve<T>(ulong id)
        where T : unmanaged
    {
        var last = Cache<T>.Last;
        if (last is not null && last.Id == id)
        {
            return last.Comparer;
        }

        if (!s_comparers.TryGetValue((typeof(T), id), out var found))
        {
            throw new InvalidOperationException($"This hash container was created with a custom key comparer (identity 0x{id:x16}) that is not registered in this process: call SharedHashComparers.Register with the same name first.");
        }

        var entry = new Entry<T>(id, (IEqualityComparer<T>)found);
        Cache<T>.Last = entry;
        return entry.Comparer;
    }

    private sealed record Entry<T>(ulong Id, IEqualityComparer<T> Comparer);

    private static class Cache<T>
    {
        /// <summary>The last comparer resolved for T (an immutable pair: one reference read gives a consistent id and comparer).</summary>
        internal static volatile Entry<T>? Last;
    }
}
