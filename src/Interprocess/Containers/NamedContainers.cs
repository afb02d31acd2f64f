using Interprocess.Managed;

namespace Interprocess.Containers;

/// <summary>Finding a container by name, or creating and naming it, as one step under the segment's lock.</summary>
internal static class NamedContainers
{
    /// <summary>
    /// The container named <paramref name="name"/>, or a new one made by <paramref name="create"/> and stored
    /// under that name: atomically, so that two processes racing get the same container.
    /// </summary>
    /// <exception cref="InterprocessException">The name holds an object of another type, or the segment is full.</exception>
    internal static THandle FindOrCreate<THandle>(SegmentManager manager, string name, Func<SegmentManager, THandle> create)
        where THandle : unmanaged
    {
        ArgumentNullException.ThrowIfNull(manager);
        ArgumentNullException.ThrowIfNull(name);
        THandle result = default;
        manager.AtomicFunc(() =>
        {
            if (manager.TryFind<THandle>(name, out var found))
            {
                result = found.Value;
                return;
            }

            var created = create(manager);
            manager.Construct(name, created);
            result = created;
        });
        return result;
    }

    /// <summary>A new container made by <paramref name="create"/> and stored under <paramref name="name"/>.</summary>
    /// <exception cref="InterprocessException">The name is taken, or the segment is full (nothing is left allocated).</exception>
    internal static THandle Create<THandle>(SegmentManager manager, string name, Func<SegmentManager, THandle> create, Action<THandle> destroy)
        where THandle : unmanaged
    {
        ArgumentNullException.ThrowIfNull(manager);
        ArgumentNullException.ThrowIfNull(name);
        THandle result = default;
        manager.AtomicFunc(() =>
        {
            var created = create(manager);
            try
            {
                manager.Construct(name, created);
            }
            catch
            {
                destroy(created);
                throw;
            }

            result = created;
        });
        return result;
    }

    /// <summary>The container named <paramref name="name"/>.</summary>
    /// <exception cref="InterprocessException">No object has that name, or it has another type.</exception>
    internal static THandle Find<THandle>(SegmentManager manager, string name)
        where THandle : unmanaged
    {
        ArgumentNullException.ThrowIfNull(manager);
        return manager.Find<THandle>(name).Value;
    }

    /// <summary>
    /// Destroys the container stored under <paramref name="name"/> (everything it owns) and removes the name, as one
    /// step under the segment's lock. A default handle stored under the name is just removed.
    /// </summary>
    /// <returns>False when no object has that name.</returns>
    /// <exception cref="InvalidCastException">The name holds an object of another type.</exception>
    /// <exception cref="InvalidOperationException">The stored handle is stale (the container was destroyed through another handle); the name is kept.</exception>
    internal static bool Destroy<THandle>(SegmentManager manager, string name)
        where THandle : unmanaged, ISegmentOwned
    {
        ArgumentNullException.ThrowIfNull(manager);
        ArgumentNullException.ThrowIfNull(name);
        bool found = false;
        manager.AtomicFunc(() =>
        {
            if (!manager.TryFind<THandle>(name, out var stored))
            {
                return;
            }

            // The container first: if it cannot be destroyed, the name stays so it can still be found.
            THandle handle = stored.Value;
            if (!IsDefault(handle))
            {
                handle.Destroy();
            }

            found = manager.Destroy<THandle>(name);
        });
        return found;
    }

    /// <summary>Whether a handle is all zeros (a default handle: no container).</summary>
    private static unsafe bool IsDefault<THandle>(THandle handle)
        where THandle : unmanaged => new ReadOnlySpan<byte>(&handle, sizeof(THandle)).IndexOfAnyExcept((byte)0) < 0;
}
