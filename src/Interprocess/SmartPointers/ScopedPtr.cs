namespace Interprocess.SmartPointers;

/// <summary>
/// Destroys a value in a managed segment when the scope ends (Boost's <c>scoped_ptr</c> with the segment's deleter),
/// unless <see cref="Release"/> took it back: the way to build something in shared memory and not leak it when a
/// step in the middle throws.
/// </summary>
/// <typeparam name="T">The value type.</typeparam>
/// <remarks>A <see langword="ref"/> struct: it lives on the stack of one method, so it cannot outlive the scope.</remarks>
/// <example>
/// <code>
/// using var scoped = new ScopedPtr&lt;Order&gt;(UniquePtr&lt;Order&gt;.Create(seg.Manager, order));
/// Validate(ref scoped.Value);                     // throws? the order is freed
/// seg.Manager.Construct("order", scoped.Release()); // published: no longer freed
/// </code>
/// </example>
public ref struct ScopedPtr<T>
    where T : unmanaged
{
    private UniquePtr<T> _owned;

    /// <summary>Takes charge of <paramref name="owned"/>.</summary>
    /// <param name="owned">The value to destroy at the end of the scope.</param>
    public ScopedPtr(UniquePtr<T> owned) => _owned = owned;

    /// <summary>True when nothing is held (after <see cref="Release"/>).</summary>
    public readonly bool IsNull => _owned.IsNull;

    /// <summary>The held value.</summary>
    /// <exception cref="InvalidOperationException">Nothing is held.</exception>
    public readonly ref T Value => ref _owned.Value;

    /// <summary>Gives the value back to the caller, who now owns it; the scope will not destroy it.</summary>
    /// <returns>The owner.</returns>
    public UniquePtr<T> Release()
    {
        var owned = _owned;
        _owned = default;
        return owned;
    }

    /// <summary>Destroys the value unless it was released.</summary>
    public void Dispose() => _owned.Destroy();
}
