using Interprocess.Containers;
using Interprocess.Managed;

namespace Interprocess.SmartPointers;

/// <summary>
/// A counted reference to a <typeparamref name="T"/> in a managed segment that keeps its count inside itself (Boost's
/// <c>intrusive_ptr</c>): no separate control block, the count is wherever <typeparamref name="T"/> put it.
/// </summary>
/// <typeparam name="T">The value type; it exposes its count through <see cref="IIntrusiveCounted{TSelf}"/>.</typeparam>
/// <remarks>
/// As with <see cref="SharedPtr{T}"/>, a struct copy is an alias: take a reference with <see cref="Clone"/> and give
/// it up with <see cref="Dispose"/> once. The last release destroys the value (nested containers included) and
/// gives its memory back to the segment. A stale reference (used after the last release) throws.
/// </remarks>
/// <example>
/// <code>
/// var s = IntrusivePtr&lt;Session&gt;.Create(seg.Manager, new Session { Id = 7 }); // count 1
/// var again = s.Clone();                                                        // count 2
/// again.Dispose(); s.Dispose();                                                 // freed
/// </code>
/// </example>
public struct IntrusivePtr<T> : ISegmentOwned, IDisposable
    where T : unmanaged, IIntrusiveCounted<T>
{
    private ContainerHandle _h;

    private IntrusivePtr(ContainerHandle h) => _h = h;

    /// <summary>True for the empty pointer.</summary>
    public readonly bool IsNull => _h.IsDefault;

    /// <summary>The value, in the segment.</summary>
    /// <exception cref="InvalidOperationException">The pointer is empty or stale, or its segment is not open.</exception>
    public readonly unsafe ref T Value => ref Block(out _)->Value;

    /// <summary>The value's own count now (a snapshot).</summary>
    /// <exception cref="InvalidOperationException">The pointer is empty or stale.</exception>
    public readonly unsafe int UseCount => Volatile.Read(ref T.ReferenceCount(ref Block(out _)->Value));

    /// <summary>Allocates a <typeparamref name="T"/> initialized to <paramref name="value"/> and takes the first reference (its count is set to 1).</summary>
    /// <param name="manager">The segment's manager.</param>
    /// <param name="value">The initial value (its count field is overwritten).</param>
    /// <returns>The first reference.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="manager"/> is null.</exception>
    /// <exception cref="InterprocessException">The segment is full.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    public static unsafe IntrusivePtr<T> Create(SegmentManager manager, T value)
    {
        var h = ContainerHandle.Create<OwnedBlock<T>>(manager, PointerMagic.Intrusive, ContainerTypeCheck<IntrusivePtr<T>>.Value, out var block);
        block->Value = value;
        Volatile.Write(ref T.ReferenceCount(ref block->Value), 1);
        return new IntrusivePtr<T>(h);
    }

    /// <summary>A new reference (the value's count goes up by one).</summary>
    /// <returns>The new reference.</returns>
    /// <exception cref="InvalidOperationException">The pointer is empty or stale.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    public readonly unsafe IntrusivePtr<T> Clone()
    {
        var block = BlockForWrite(out _);
        if (!SharedPtr<T>.TryIncrementIfPositive(ref T.ReferenceCount(ref block->Value)))
        {
            SharedPtr<T>.ThrowReleased();
        }

        return this;
    }

    /// <summary>Gives up this reference; the last one destroys the value and frees it. Does nothing on an empty pointer.</summary>
    /// <exception cref="InvalidOperationException">The reference was already released (through an alias).</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    public unsafe void Dispose()
    {
        if (IsNull)
        {
            return;
        }

        var block = BlockForWrite(out var manager);
        ref int count = ref T.ReferenceCount(ref block->Value);
        int before;
        do
        {
            before = Volatile.Read(ref count);
            if (before <= 0)
            {
                SharedPtr<T>.ThrowReleased();
            }
        }
        while (Interlocked.CompareExchange(ref count, before - 1, before) != before);

        var h = _h;
        this = default;
        if (before == 1)
        {
            SegmentOwned<T>.Destroy(ref block->Value);
            h.FreeHeader(&block->Prefix, manager);
        }
    }

    /// <summary>Same as <see cref="Dispose"/>.</summary>
    void ISegmentOwned.Destroy() => Dispose();

    /// <inheritdoc/>
    public override readonly string ToString() => $"IntrusivePtr<{typeof(T).Name}> {_h}";

    private readonly unsafe OwnedBlock<T>* Block(out SegmentManager manager) =>
        _h.Resolve<OwnedBlock<T>>(PointerMagic.Intrusive, ContainerTypeCheck<IntrusivePtr<T>>.Value, out manager);

    private readonly unsafe OwnedBlock<T>* BlockForWrite(out SegmentManager manager) =>
        _h.ResolveForWrite<OwnedBlock<T>>(PointerMagic.Intrusive, ContainerTypeCheck<IntrusivePtr<T>>.Value, out manager);
}
