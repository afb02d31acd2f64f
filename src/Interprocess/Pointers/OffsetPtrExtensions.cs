using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Interprocess.Memory;

namespace Interprocess.Pointers;

/// <summary>
/// The operations of <see cref="OffsetPtr{T}"/>. Each takes the pointer by reference, so it works on the
/// pointer where it is stored: reading operations on <c>ref readonly OffsetPtr&lt;T&gt;</c>, writing ones on
/// <c>ref OffsetPtr&lt;T&gt;</c> (see the remarks of <see cref="OffsetPtr{T}"/> for why a copy must never be
/// used).
/// </summary>
/// <remarks>
/// Boost's operators map to named methods: <c>p = q</c> (another offset_ptr) is
/// <see cref="Assign{T}(ref OffsetPtr{T}, ref readonly OffsetPtr{T})"/>, <c>p = raw</c> is
/// <see cref="Set{T}(ref OffsetPtr{T}, T*)"/>, <c>p.get()</c> is <see cref="Get{T}(ref readonly OffsetPtr{T})"/>,
/// <c>*p</c> is <see cref="GetRef{T}(ref OffsetPtr{T})"/>, <c>p += n</c> is
/// <see cref="Advance{T}(ref OffsetPtr{T}, long)"/>, <c>p - q</c> is
/// <see cref="DistanceFrom{T}(ref readonly OffsetPtr{T}, ref readonly OffsetPtr{T})"/>, <c>p == q</c> and
/// <c>p &lt; q</c> are <see cref="TargetEquals{T}(ref readonly OffsetPtr{T}, ref readonly OffsetPtr{T})"/> and
/// <see cref="CompareTargetTo{T}(ref readonly OffsetPtr{T}, ref readonly OffsetPtr{T})"/>, and
/// <c>static_pointer_cast</c> is <see cref="Cast{T, TOther}(ref OffsetPtr{T}, bool)"/>.
/// </remarks>
public static unsafe class OffsetPtrExtensions
{
    extension<T>(ref readonly OffsetPtr<T> ptr)
        where T : unmanaged
    {
        /// <summary>True when the pointer is null (raw offset <see cref="OffsetPtr{T}.NullOffset"/>).</summary>
        public bool IsNull
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => ptr._rawOffset == OffsetPtr<T>.NullOffset;
        }

        /// <summary>The target's address in this process: the pointer's own address plus the raw offset, or null.</summary>
        /// <returns>The target, or null.</returns>
        /// <example><c>Node* next = node.Next.Get();</c> where <c>node</c> is a <c>ref Node</c> into the region.</example>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T* Get()
        {
            long raw = ptr._rawOffset;
            return raw == OffsetPtr<T>.NullOffset ? null : (T*)(AddressOf(in ptr) + (nint)raw);
        }

        /// <summary>A read-only reference to the target (Boost's <c>*p</c>), without any bounds check.</summary>
        /// <returns>The target.</returns>
        /// <exception cref="InvalidOperationException">The pointer is null.</exception>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public ref readonly T GetReadOnlyRef()
        {
            T* target = ptr.Get();
            if (target == null)
            {
                ThrowNull<T>();
            }

            return ref *target;
        }

        /// <summary>
        /// A read-only reference to the target, after checking that the whole <typeparamref name="T"/> lies
        /// inside <paramref name="region"/>: use it for pointers read from memory another process wrote.
        /// </summary>
        /// <param name="region">The region the target must be in.</param>
        /// <returns>The target.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="region"/> is null.</exception>
        /// <exception cref="InvalidOperationException">The pointer is null.</exception>
        /// <exception cref="InterprocessException">The target is not inside the region (<see cref="InterprocessErrorCode.Corrupted"/>).</exception>
        /// <exception cref="ObjectDisposedException">The region was disposed.</exception>
        public ref readonly T GetReadOnlyRef(MappedRegion region) => ref *CheckedTarget(in ptr, region);

        /// <summary>True when both pointers have the same target (both null counts as the same); raw offsets may differ.</summary>
        /// <param name="other">The other pointer, in place.</param>
        /// <returns>Whether the targets are equal.</returns>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool TargetEquals(ref readonly OffsetPtr<T> other) => ptr.Get() == other.Get();

        /// <summary>
        /// Orders the targets by address (Boost's <c>&lt;</c>, <c>&lt;=</c>, ...): negative when this target comes
        /// first, 0 when they are the same, positive when it comes after. Null orders before every other address.
        /// </summary>
        /// <param name="other">The other pointer, in place.</param>
        /// <returns>The sign of (this target − other target).</returns>
        /// <example><c>if (a.CompareTargetTo(in b) &lt; 0)</c> is Boost's <c>if (a &lt; b)</c>.</example>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int CompareTargetTo(ref readonly OffsetPtr<T> other) => ((nuint)ptr.Get()).CompareTo((nuint)other.Get());

        /// <summary>
        /// The number of <typeparamref name="T"/> elements from <paramref name="other"/>'s target to this one
        /// (Boost's <c>p - q</c>): 5 when this points at <c>a[5]</c> and the other at <c>a[0]</c>.
        /// </summary>
        /// <param name="other">The other pointer, in place.</param>
        /// <returns>(this target − other target) / sizeof(T).</returns>
        /// <exception cref="InvalidOperationException">Either pointer is null, or the distance is not a whole number of elements.</exception>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public long DistanceFrom(ref readonly OffsetPtr<T> other)
        {
            T* a = ptr.Get();
            T* b = other.Get();
            if (a == null || b == null)
            {
                ThrowNull<T>();
            }

            long bytes = (byte*)a - (byte*)b;
            if (bytes % sizeof(T) != 0)
            {
                ThrowNotWholeElements<T>(bytes);
            }

            return bytes / sizeof(T);
        }
    }

    extension<T>(ref OffsetPtr<T> ptr)
        where T : unmanaged
    {
        /// <summary>Points this pointer, in place, at <paramref name="target"/> (null makes it null).</summary>
        /// <param name="target">The new target, in memory that does not move; or null.</param>
        /// <exception cref="ArgumentException">The target is the byte right after this pointer's address: that offset (1) is the null encoding.</exception>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Set(T* target)
        {
            if (target == null)
            {
                ptr._rawOffset = OffsetPtr<T>.NullOffset;
                return;
            }

            long offset = (byte*)target - (byte*)AddressOf(in ptr);
            if (offset == OffsetPtr<T>.NullOffset)
            {
                ThrowUnrepresentable();
            }

            ptr._rawOffset = offset;
        }

        /// <summary>Points this pointer, in place, at <paramref name="target"/>, which must be in memory that does not move (a mapped region, native memory).</summary>
        /// <param name="target">The new target.</param>
        /// <exception cref="ArgumentException">The target is the byte right after this pointer's address: that offset (1) is the null encoding.</exception>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Set(ref T target) => ptr.Set((T*)Unsafe.AsPointer(ref target));

        /// <summary>Makes the pointer null: stores the raw offset <see cref="OffsetPtr{T}.NullOffset"/> (1).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void SetNull() => ptr._rawOffset = OffsetPtr<T>.NullOffset;

        /// <summary>
        /// Points this pointer at <paramref name="other"/>'s target (Boost's <c>p = q</c>): the raw offset is
        /// recomputed for this pointer's address, never copied. A null <paramref name="other"/> makes this null.
        /// </summary>
        /// <param name="other">The pointer whose target to take, in place.</param>
        /// <exception cref="ArgumentException">The target is the byte right after this pointer's address.</exception>
        /// <example><c>list.Tail.Assign(in node.Prev);</c></example>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Assign(ref readonly OffsetPtr<T> other) => ptr.Set(other.Get());

        /// <summary>A reference to the target (Boost's <c>*p</c>), for reading and writing, without any bounds check.</summary>
        /// <returns>The target.</returns>
        /// <exception cref="InvalidOperationException">The pointer is null.</exception>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public ref T GetRef()
        {
            T* target = ptr.Get();
            if (target == null)
            {
                ThrowNull<T>();
            }

            return ref *target;
        }

        /// <summary>
        /// A reference to the target, for reading and writing, after checking that the whole
        /// <typeparamref name="T"/> lies inside <paramref name="region"/>: use it for pointers read from memory
        /// another process wrote.
        /// </summary>
        /// <param name="region">The region the target must be in.</param>
        /// <returns>The target.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="region"/> is null.</exception>
        /// <exception cref="InvalidOperationException">The pointer is null.</exception>
        /// <exception cref="InterprocessException">The target is not inside the region (<see cref="InterprocessErrorCode.Corrupted"/>).</exception>
        /// <exception cref="NotSupportedException">The region is read-only: use <c>GetReadOnlyRef(region)</c>.</exception>
        /// <exception cref="ObjectDisposedException">The region was disposed.</exception>
        public ref T GetRef(MappedRegion region)
        {
            ArgumentNullException.ThrowIfNull(region);
            if (region.IsReadOnly)
            {
                throw new NotSupportedException($"The region of '{region.Name}' is mapped {region.Access}: use GetReadOnlyRef(region).");
            }

            return ref *CheckedTarget(in ptr, region);
        }

        /// <summary>Moves the target <paramref name="elements"/> elements forward, in place (Boost's <c>p += n</c>; negative moves back).</summary>
        /// <param name="elements">How many <typeparamref name="T"/>s to move by.</param>
        /// <exception cref="InvalidOperationException">The pointer is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The new target would be the byte right after the pointer (unrepresentable).</exception>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Advance(long elements)
        {
            long raw = ptr._rawOffset;
            if (raw == OffsetPtr<T>.NullOffset)
            {
                ThrowNull<T>();
            }

            // The pointer stays where it is, so the offset moves exactly as the target does.
            long moved = unchecked(raw + (elements * sizeof(T)));
            if (moved == OffsetPtr<T>.NullOffset)
            {
                ThrowAdvanceUnrepresentable(elements);
            }

            ptr._rawOffset = moved;
        }

        /// <summary>Moves the target <paramref name="elements"/> elements back, in place (Boost's <c>p -= n</c>).</summary>
        /// <param name="elements">How many <typeparamref name="T"/>s to move by.</param>
        /// <exception cref="InvalidOperationException">The pointer is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The new target would be the byte right after the pointer (unrepresentable).</exception>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Retreat(long elements) => ptr.Advance(unchecked(-elements));

        /// <summary>Moves the target to the next element, in place (Boost's <c>++p</c>).</summary>
        /// <exception cref="InvalidOperationException">The pointer is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The new target would be the byte right after the pointer (unrepresentable).</exception>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Increment() => ptr.Advance(1);

        /// <summary>Moves the target to the previous element, in place (Boost's <c>--p</c>).</summary>
        /// <exception cref="InvalidOperationException">The pointer is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The new target would be the byte right after the pointer (unrepresentable).</exception>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Decrement() => ptr.Advance(-1);

        /// <summary>
        /// The same stored pointer seen as a pointer to <typeparamref name="TOther"/> (Boost's
        /// <c>static_pointer_cast</c> / <c>reinterpret_pointer_cast</c>): the returned reference aliases this
        /// pointer's storage, so it has the same target address and writes through it move this pointer too.
        /// </summary>
        /// <typeparam name="TOther">The element type to see the target as.</typeparam>
        /// <param name="checkAlignment">True to check that a non-null target is aligned for <typeparamref name="TOther"/>.</param>
        /// <returns>This pointer, typed as a pointer to <typeparamref name="TOther"/>.</returns>
        /// <exception cref="InvalidOperationException"><paramref name="checkAlignment"/> is true and the target is not aligned for <typeparamref name="TOther"/>.</exception>
        /// <example>
        /// C# needs both type arguments when one is given explicitly:
        /// <code>ref OffsetPtr&lt;byte&gt; bytes = ref header.Data.Cast&lt;long, byte&gt;();</code>
        /// </example>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public ref OffsetPtr<TOther> Cast<TOther>(bool checkAlignment = false)
            where TOther : unmanaged
        {
            if (checkAlignment)
            {
                nint target = (nint)ptr.Get();
                if ((target & (Alignment<TOther>.Value - 1)) != 0)
                {
                    ThrowMisaligned<TOther>(target);
                }
            }

            return ref Unsafe.As<OffsetPtr<T>, OffsetPtr<TOther>>(ref ptr);
        }
    }

    /// <summary>The address of the pointer's storage (it must not be in movable memory; see <see cref="OffsetPtr{T}"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nint AddressOf<T>(ref readonly OffsetPtr<T> ptr)
        where T : unmanaged =>
        (nint)Unsafe.AsPointer(ref Unsafe.AsRef(in ptr));

    /// <summary>The target, checked to be non-null and to lie whole inside <paramref name="region"/>.</summary>
    private static T* CheckedTarget<T>(ref readonly OffsetPtr<T> ptr, MappedRegion region)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(region);
        T* target = ptr.Get();
        if (target == null)
        {
            ThrowNull<T>();
        }

        long size = region.Size;
        long start = (byte*)target - (byte*)region.Address;
        if (start < 0 || size < sizeof(T) || start > size - sizeof(T))
        {
            throw new InterprocessException(
                InterprocessErrorCode.Corrupted,
                $"An OffsetPtr<{typeof(T).Name}> with raw offset {ptr._rawOffset} leads to region offset {start}, outside the region of '{region.Name}' ({size} bytes, a {typeof(T).Name} needs {sizeof(T)}).")
            {
                ObjectName = region.Name,
                Operation = "OffsetPtr.GetRef",
            };
        }

        return target;
    }

    [DoesNotReturn]
    private static void ThrowNull<T>()
        where T : unmanaged =>
        throw new InvalidOperationException($"The OffsetPtr<{typeof(T).Name}> is null (raw offset {OffsetPtr<T>.NullOffset}).");

    [DoesNotReturn]
    private static void ThrowUnrepresentable() =>
        throw new ArgumentException("An OffsetPtr cannot point at the byte right after itself: that offset (1) is the null encoding.", "target");

    [DoesNotReturn]
    private static void ThrowAdvanceUnrepresentable(long elements) =>
        throw new ArgumentOutOfRangeException(nameof(elements), elements, "The new target would be the byte right after the pointer, whose offset (1) is the null encoding.");

    [DoesNotReturn]
    private static void ThrowNotWholeElements<T>(long bytes)
        where T : unmanaged =>
        throw new InvalidOperationException($"The targets are {bytes} bytes apart, not a whole number of {typeof(T).Name} ({sizeof(T)} bytes): they do not point into the same array.");

    [DoesNotReturn]
    private static void ThrowMisaligned<TOther>(nint target)
        where TOther : unmanaged =>
        throw new InvalidOperationException($"The target 0x{target:x} is not aligned for {typeof(TOther).Name} (alignment {Alignment<TOther>.Value}).");

    /// <summary>The alignment the runtime gives a <typeparamref name="TValue"/> field: where it lands after one byte.</summary>
    private static class Alignment<TValue>
        where TValue : unmanaged
    {
        /// <summary>The alignment in bytes, a power of two.</summary>
        public static readonly nint Value = sizeof(Probe) - sizeof(TValue);

#pragma warning disable CS0649 // Never assigned: the struct is only measured, never used.
        /// <summary>One byte and then a <typeparamref name="TValue"/>: its size is alignment + size of the value.</summary>
        private struct Probe
        {
            public byte Pad;
            public TValue Value;
        }
#pragma warning restore CS0649
    }
}
