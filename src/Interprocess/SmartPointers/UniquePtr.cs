using Interprocess.Containers;
using Interprocess.Managed;

namespace Interprocess.SmartPointers;

/// <summary>
/// The single owner of a <typeparamref name="T"/> allocated in a managed segment (Boost's <c>unique_ptr</c> made
/// with <c>managed_unique_ptr</c>): <see cref="Destroy"/> destroys the value (nested containers included) and gives
/// its memory back to the segment.
/// </summary>
/// <typeparam name="T">The value type.</typeparam>
/// <remarks>
/// <para><b>A handle, not an address.</b> Like the containers (see docs/containers.md), the pointer holds its
/// segment's identity and the block's offset, so it can be kept anywhere (the stack, a field, a container, a named
/// object) and used in any process that has the segment open. Copying it by value makes an alias, not a second
/// owner: ownership moves explicitly with <see cref="MoveTo"/>, which empties the source. After
/// <see cref="Destroy"/>, every alias is stale and throws <see cref="InvalidOperationException"/> when used.</para>
/// <para><b>Crashes.</b> A process killed while it owns the value leaves it allocated until another process
/// destroys it through a handle it can find (store the pointer as a named object, or in a container).</para>
/// </remarks>
/// <example>
/// <code>
/// using var seg = ManagedSharedMemory.OpenOrCreate("app", 1 &lt;&lt; 20);
/// var p = UniquePtr&lt;Point&gt;.Create(seg.Manager, new Point(1, 2));
/// seg.Manager.Construct("origin", p);                    // another process: seg.Manager.Find&lt;UniquePtr&lt;Point&gt;&gt;("origin").Value
/// p.Value.X = 3;
/// seg.Manager.Find&lt;UniquePtr&lt;Point&gt;&gt;("origin").Value.Destroy(); // frees the point
/// </code>
/// </example>
public struct UniquePtr<T> : ISegmentOwned, IEquatable<UniquePtr<T>>
    where T : unmanaged
{
    private ContainerHandle _h;

    /// <summary>True for the empty pointer (<c>default</c>, or after <see cref="MoveTo"/> or <see cref="Destroy"/>).</summary>
    public readonly bool IsNull => _h.IsDefault;

    /// <summary>The owned value, in the segment.</summary>
    /// <exception cref="InvalidOperationException">The pointer is empty or stale (the value was destroyed), or its segment is not open in this process.</exception>
    public readonly unsafe ref T Value => ref Block()->Value;

    /// <summary>The value's handle (offset from the segment base), valid in every process.</summary>
    /// <exception cref="InvalidOperationException">The pointer is empty or stale.</exception>
    public readonly unsafe long Handle
    {
        get
        {
            var block = Block();
            return _h.Header + (long)((byte*)&block->Value - (byte*)block);
        }
    }

    /// <summary>Allocates a <typeparamref name="T"/> in the segment, initialized to <paramref name="value"/>.</summary>
    /// <param name="manager">The segment's manager.</param>
    /// <param name="value">The initial value.</param>
    /// <returns>The owner.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="manager"/> is null.</exception>
    /// <exception cref="InterprocessException">The segment is full.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public static unsafe UniquePtr<T> Create(SegmentManager manager, T value)
    {
        var h = ContainerHandle.Create<OwnedBlock<T>>(manager, PointerMagic.Unique, ContainerTypeCheck<UniquePtr<T>>.Value, out var block);
        block->Value = value;
        return new UniquePtr<T> { _h = h };
    }

    /// <summary>
    /// Moves ownership to <paramref name="destination"/> (which must be empty) and empties this pointer, as a C++
    /// move does.
    /// </summary>
    /// <param name="destination">An empty pointer.</param>
    /// <exception cref="InvalidOperationException"><paramref name="destination"/> already owns a value.</exception>
    public void MoveTo(ref UniquePtr<T> destination)
    {
        if (!destination.IsNull)
        {
            throw new InvalidOperationException("The destination already owns a value; destroy it or move it away first.");
        }

        destination = this;
        this = default;
    }

    /// <summary>
    /// Destroys the value (calling <see cref="ISegmentOwned.Destroy"/> on it when it owns segment memory) and frees
    /// its memory; this pointer becomes empty and every alias stale. Does nothing on an empty pointer.
    /// </summary>
    /// <exception cref="InvalidOperationException">The pointer is stale (destroyed through an alias), or its segment is not open.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    public unsafe void Destroy()
    {
        if (IsNull)
        {
            return;
        }

        var block = _h.ResolveForWrite<OwnedBlock<T>>(PointerMagic.Unique, ContainerTypeCheck<UniquePtr<T>>.Value, out var manager);
        SegmentOwned<T>.Destroy(ref block->Value);
        _h.FreeHeader(&block->Prefix, manager);
        this = default;
    }

    /// <inheritdoc/>
    public readonly bool Equals(UniquePtr<T> other) => _h.SegmentId == other._h.SegmentId && _h.Header == other._h.Header && _h.Stamp == other._h.Stamp;

    /// <inheritdoc/>
    public override readonly bool Equals(object? obj) => obj is UniquePtr<T> other && Equals(other);

    /// <inheritdoc/>
    public override readonly int GetHashCode() => HashCode.Combine(_h.SegmentId, _h.Header);

    /// <summary>Whether two pointers refer to the same value.</summary>
    /// <param name="left">A pointer.</param>
    /// <param name="right">Another.</param>
    /// <returns>True for aliases (or two empty pointers).</returns>
    public static bool operator ==(UniquePtr<T> left, UniquePtr<T> right) => left.Equals(right);

    /// <summary>Whether two pointers refer to different values.</summary>
    /// <param name="left">A pointer.</param>
    /// <param name="right">Another.</param>
    /// <returns>False for aliases.</returns>
    public static bool operator !=(UniquePtr<T> left, UniquePtr<T> right) => !left.Equals(right);

    /// <inheritdoc/>
    public override readonly string ToString() => $"UniquePtr<{typeof(T).Name}> {_h}";

    private readonly unsafe OwnedBlock<T>* Block() =>
        _h.Resolve<OwnedBlock<T>>(PointerMagic.Unique, ContainerTypeCheck<UniquePtr<T>>.Value, out _);
}
