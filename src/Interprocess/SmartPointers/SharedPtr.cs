using System.Diagnostics.CodeAnalysis;
using Interprocess.Containers;
using Interprocess.Managed;

namespace Interprocess.SmartPointers;

/// <summary>
/// A reference-counted owner of a <typeparamref name="T"/> in a managed segment, shared by any number of processes
/// (Boost's <c>shared_ptr</c> made with <c>make_managed_shared_ptr</c>): the count lives in the segment, the value is
/// destroyed and its memory given back to the segment when the last owner releases it.
/// </summary>
/// <typeparam name="T">The value type.</typeparam>
/// <remarks>
/// <para><b>Counting in C#.</b> A struct copy does not run code, so copying a <see cref="SharedPtr{T}"/> makes an
/// alias, not a new owner: take a new owner with <see cref="Clone"/> (which counts it) and give it up with
/// <see cref="Dispose"/>, exactly once per owner. Containers that hold shared pointers release them when they drop
/// them (<see cref="ISegmentOwned"/>).</para>
/// <para><b>Layout.</b> One block holds the counts and the value (as <c>make_shared</c>). The counts are changed
/// with atomic instructions, so owners in several processes and threads may clone and release at once; the value
/// itself is not synchronized.</para>
/// <para><b>Misuse is refused, not silent.</b> Releasing the same owner twice, or using an alias after the last
/// owner released, throws <see cref="InvalidOperationException"/>: the block carries a stamp every pointer must match
/// and the strong count must be positive.</para>
/// <para><b>Crashes.</b> A process killed while it owns references cannot release them: the value then stays
/// allocated (Boost behaves the same). Keep long-lived owners in named objects or containers so a survivor can
/// release them on the dead process's behalf.</para>
/// </remarks>
/// <example>
/// Process A:
/// <code>
/// var p = SharedPtr&lt;Stats&gt;.Create(seg.Manager, default);
/// seg.Manager.Construct("stats", p);           // the named object is one owner
/// </code>
/// Process B:
/// <code>
/// var mine = seg.Manager.Find&lt;SharedPtr&lt;Stats&gt;&gt;("stats").Value.Clone(); // a second owner
/// mine.Value.Hits++;
/// mine.Dispose();                                // UseCount back to 1
/// </code>
/// </example>
public struct SharedPtr<T> : ISegmentOwned, IDisposable, IEquatable<SharedPtr<T>>
    where T : unmanaged
{
    private ContainerHandle _h;

    internal SharedPtr(ContainerHandle h) => _h = h;

    /// <summary>True for the empty pointer (<c>default</c>, or after <see cref="Dispose"/>).</summary>
    public readonly bool IsNull => _h.IsDefault;

    /// <summary>The shared value, in the segment.</summary>
    /// <exception cref="InvalidOperationException">The pointer is empty, or every owner has released the value, or its segment is not open in this process.</exception>
    public readonly unsafe ref T Value
    {
        get
        {
            var block = Block(out _);
            if (Volatile.Read(ref block->Strong) <= 0)
            {
                ThrowReleased();
            }

            return ref block->Value;
        }
    }

    /// <summary>How many owners the value has now (Boost's <c>use_count</c>); a snapshot other processes may change at once.</summary>
    /// <exception cref="InvalidOperationException">The pointer is empty or stale.</exception>
    public readonly unsafe int UseCount => Volatile.Read(ref Block(out _)->Strong);

    internal readonly ContainerHandle RawHandle => _h;

    /// <summary>Allocates a <typeparamref name="T"/> in the segment, initialized to <paramref name="value"/>, with one owner: the pointer returned.</summary>
    /// <param name="manager">The segment's manager.</param>
    /// <param name="value">The initial value.</param>
    /// <returns>The first owner.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="manager"/> is null.</exception>
    /// <exception cref="InterprocessException">The segment is full.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public static unsafe SharedPtr<T> Create(SegmentManager manager, T value)
    {
        var h = ContainerHandle.Create<SharedBlock<T>>(manager, PointerMagic.Shared, ContainerTypeCheck<SharedPtr<T>>.Value, out var block);
        block->Value = value;
        block->Weak = 1;
        // Release: an owner in another process that reads the count sees the value written above.
        Volatile.Write(ref block->Strong, 1);
        return new SharedPtr<T>(h);
    }

    /// <summary>A new owner of the same value (the count goes up by one); release it with <see cref="Dispose"/>.</summary>
    /// <returns>The new owner.</returns>
    /// <exception cref="InvalidOperationException">The pointer is empty or every owner has released the value.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    public readonly unsafe SharedPtr<T> Clone()
    {
        var block = BlockForWrite(out _);
        if (!TryIncrementIfPositive(ref block->Strong))
        {
            ThrowReleased();
        }

        return new SharedPtr<T>(_h);
    }

    /// <summary>
    /// Gives up this owner: the count goes down by one; the last owner destroys the value (nested containers
    /// included) and, when no weak pointer remains, frees the block. This pointer becomes empty. Does nothing on an
    /// empty pointer.
    /// </summary>
    /// <exception cref="InvalidOperationException">The value was already released by every owner (this owner was released twice, through an alias).</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    public unsafe void Dispose()
    {
        if (IsNull)
        {
            return;
        }

        var block = BlockForWrite(out var manager);
        int before;
        do
        {
            before = Volatile.Read(ref block->Strong);
            if (before <= 0)
            {
                ThrowReleased();
            }
        }
        while (Interlocked.CompareExchange(ref block->Strong, before - 1, before) != before);

        var h = _h;
        this = default;
        if (before == 1)
        {
            SegmentOwned<T>.Destroy(ref block->Value);
            ReleaseWeak(h, block, manager);
        }
    }

    /// <summary>Same as <see cref="Dispose"/>: releases this owner when a container drops it.</summary>
    void ISegmentOwned.Destroy() => Dispose();

    /// <inheritdoc/>
    public readonly bool Equals(SharedPtr<T> other) => _h.SegmentId == other._h.SegmentId && _h.Header == other._h.Header && _h.Stamp == other._h.Stamp;

    /// <inheritdoc/>
    public override readonly bool Equals(object? obj) => obj is SharedPtr<T> other && Equals(other);

    /// <inheritdoc/>
    public override readonly int GetHashCode() => HashCode.Combine(_h.SegmentId, _h.Header);

    /// <summary>Whether two pointers share the same value.</summary>
    /// <param name="left">A pointer.</param>
    /// <param name="right">Another.</param>
    /// <returns>True when they refer to the same value (or are both empty).</returns>
    public static bool operator ==(SharedPtr<T> left, SharedPtr<T> right) => left.Equals(right);

    /// <summary>Whether two pointers refer to different values.</summary>
    /// <param name="left">A pointer.</param>
    /// <param name="right">Another.</param>
    /// <returns>False when they share the value.</returns>
    public static bool operator !=(SharedPtr<T> left, SharedPtr<T> right) => !left.Equals(right);

    /// <inheritdoc/>
    public override readonly string ToString() => $"SharedPtr<{typeof(T).Name}> {_h}";

    /// <summary>Drops one weak reference; the last one frees the block.</summary>
    internal static unsafe void ReleaseWeak(ContainerHandle h, SharedBlock<T>* block, SegmentManager manager)
    {
        if (Interlocked.Decrement(ref block->Weak) == 0)
        {
            h.FreeHeader(&block->Prefix, manager);
        }
    }

    /// <summary>Adds one to <paramref name="count"/> unless it is 0 (an owner cannot be made from nothing).</summary>
    internal static bool TryIncrementIfPositive(ref int count)
    {
        while (true)
        {
            int c = Volatile.Read(ref count);
            if (c <= 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref count, c + 1, c) == c)
            {
                return true;
            }
        }
    }

    internal readonly unsafe SharedBlock<T>* Block(out SegmentManager manager) =>
        _h.Resolve<SharedBlock<T>>(PointerMagic.Shared, ContainerTypeCheck<SharedPtr<T>>.Value, out manager);

    internal readonly unsafe SharedBlock<T>* BlockForWrite(out SegmentManager manager) =>
        _h.ResolveForWrite<SharedBlock<T>>(PointerMagic.Shared, ContainerTypeCheck<SharedPtr<T>>.Value, out manager);

    [DoesNotReturn]
    internal static void ThrowReleased() =>
        throw new InvalidOperationException("Every owner has released the shared value: this pointer is stale (was an owner released twice, through a copy?).");
}
