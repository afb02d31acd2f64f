using Interprocess.Containers;

namespace Interprocess.SmartPointers;

/// <summary>
/// A non-owning observer of a value held by <see cref="SharedPtr{T}"/> owners (Boost's <c>weak_ptr</c>): it does not
/// keep the value alive, and <see cref="Lock"/> gives a new owner only while some owner remains.
/// </summary>
/// <typeparam name="T">The value type.</typeparam>
/// <remarks>
/// As with <see cref="SharedPtr{T}"/>, a struct copy is an alias: make a counted weak reference with
/// <see cref="From"/> or <see cref="Clone"/> and release each with <see cref="Dispose"/> exactly once. The control
/// block stays allocated (its value already destroyed) until the last weak reference is released.
/// </remarks>
/// <example>
/// <code>
/// using var weak = WeakPtr&lt;Stats&gt;.From(shared);
/// var owner = weak.Lock();                  // empty once every owner released the value
/// if (!owner.IsNull) { use(owner.Value); owner.Dispose(); }
/// </code>
/// </example>
public struct WeakPtr<T> : ISegmentOwned, IDisposable
    where T : unmanaged
{
    private ContainerHandle _h;

    /// <summary>True for the empty weak pointer (<c>default</c>, or after <see cref="Dispose"/>).</summary>
    public readonly bool IsNull => _h.IsDefault;

    /// <summary>True when every owner has released the value (Boost's <c>expired</c>), or the pointer is empty.</summary>
    /// <exception cref="InvalidOperationException">The weak pointer is stale (released twice, through an alias).</exception>
    public readonly unsafe bool Expired => IsNull || Volatile.Read(ref Shared.Block(out _)->Strong) <= 0;

    /// <summary>How many owners the value has now; 0 once expired.</summary>
    /// <exception cref="InvalidOperationException">The weak pointer is stale.</exception>
    public readonly unsafe int UseCount => IsNull ? 0 : Math.Max(0, Volatile.Read(ref Shared.Block(out _)->Strong));

    private readonly SharedPtr<T> Shared => new(_h);

    /// <summary>A weak reference to the value <paramref name="owner"/> holds.</summary>
    /// <param name="owner">An owner.</param>
    /// <returns>The weak pointer (release it with <see cref="Dispose"/>).</returns>
    /// <exception cref="InvalidOperationException"><paramref name="owner"/> is empty or stale.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    public static unsafe WeakPtr<T> From(SharedPtr<T> owner)
    {
        if (owner.IsNull)
        {
            throw new InvalidOperationException("Cannot observe an empty SharedPtr.");
        }

        var block = owner.BlockForWrite(out _);
        // The owner keeps Weak above 0, so a plain increment cannot revive a freed block.
        if (Volatile.Read(ref block->Strong) <= 0)
        {
            SharedPtr<T>.ThrowReleased();
        }

        Interlocked.Increment(ref block->Weak);
        return new WeakPtr<T> { _h = owner.RawHandle };
    }

    /// <summary>Another counted weak reference to the same value.</summary>
    /// <returns>The copy (release it with <see cref="Dispose"/>).</returns>
    /// <exception cref="InvalidOperationException">The weak pointer is empty or stale.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    public readonly unsafe WeakPtr<T> Clone()
    {
        if (IsNull)
        {
            throw new InvalidOperationException("Cannot clone an empty WeakPtr.");
        }

        var block = Shared.BlockForWrite(out _);
        if (!SharedPtr<T>.TryIncrementIfPositive(ref block->Weak))
        {
            SharedPtr<T>.ThrowReleased();
        }

        return this;
    }

    /// <summary>A new owner of the value if some owner remains (Boost's <c>lock</c>); otherwise an empty pointer.</summary>
    /// <returns>The new owner (release it with <see cref="SharedPtr{T}.Dispose"/>), or an empty pointer.</returns>
    /// <exception cref="InvalidOperationException">The weak pointer is stale.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    public readonly unsafe SharedPtr<T> Lock()
    {
        if (IsNull)
        {
            return default;
        }

        var block = Shared.BlockForWrite(out _);
        return SharedPtr<T>.TryIncrementIfPositive(ref block->Strong) ? new SharedPtr<T>(_h) : default;
    }

    /// <summary>Releases this weak reference; the last reference of any kind frees the block. Does nothing on an empty pointer.</summary>
    /// <exception cref="InvalidOperationException">The weak pointer is stale (released twice, through an alias).</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    public unsafe void Dispose()
    {
        if (IsNull)
        {
            return;
        }

        var block = Shared.BlockForWrite(out var manager);
        var h = _h;
        this = default;
        SharedPtr<T>.ReleaseWeak(h, block, manager);
    }

    /// <summary>Same as <see cref="Dispose"/>.</summary>
    void ISegmentOwned.Destroy() => Dispose();

    /// <inheritdoc/>
    public override readonly string ToString() => $"WeakPtr<{typeof(T).Name}> {_h}";
}
