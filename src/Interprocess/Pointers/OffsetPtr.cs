using System.Globalization;
using System.Runtime.InteropServices;

namespace Interprocess.Pointers;

/// <summary>
/// A self-relative pointer to a <typeparamref name="T"/>, for structs stored in shared memory (Boost's
/// <c>offset_ptr&lt;T&gt;</c>, with the same encoding). It stores the distance in bytes from its own address to
/// the target, so it stays valid when the memory that holds both is mapped at a different address in another
/// process.
/// </summary>
/// <typeparam name="T">The type pointed to.</typeparam>
/// <remarks>
/// <para><b>Encoding.</b> 8 bytes, a signed 64-bit <see cref="RawOffset"/> = target address − address of this
/// pointer. The raw offset <see cref="NullOffset"/> (1) means null; 0 means "points to itself". Zeroed memory
/// (a freshly truncated shared memory object, <c>default</c>) is therefore <b>not</b> null: it points to
/// itself. Call <see cref="OffsetPtrExtensions.SetNull{T}(ref OffsetPtr{T})"/> to make a pointer null. A target
/// exactly one byte after the pointer cannot be represented (it would read as null); setting one throws. The
/// layout is Boost's on x86-64, so a C++ process using <c>boost::interprocess::offset_ptr&lt;T&gt;</c> reads and
/// writes the same bytes.</para>
/// <para><b>Copies.</b> The meaning of the raw offset depends on where it is stored. Every operation that
/// reads or writes the target is an extension method on <c>ref OffsetPtr&lt;T&gt;</c> (writing) or
/// <c>ref readonly OffsetPtr&lt;T&gt;</c> (reading), in <see cref="OffsetPtrExtensions"/>, and works on the
/// pointer <i>in place</i>, through a reference to its storage. A by-value copy
/// (<c>var p = node.Next;</c>, passing one by value, boxing it) keeps the raw offset, so the copy points at
/// <i>copy's address + offset</i>: a meaningless address. Always reach a stored pointer by reference
/// (<c>ref var p = ref node.Next;</c> or <c>node.Next.Get()</c> where <c>node</c> is a <c>ref</c>) and copy
/// the target with <see cref="OffsetPtrExtensions.Assign{T}(ref OffsetPtr{T}, ref readonly OffsetPtr{T})"/>,
/// never with <c>=</c>. Calling a reading method on a value that is not a variable (a method result) is
/// flagged by the compiler (CS9193); a writing method on one does not compile.</para>
/// <para><b>Where it may live.</b> In memory that does not move: a mapped region, native memory, a stack
/// frame. Not in a field of a class or an element of a managed array: the garbage collector may move those,
/// and the offset to a target outside them would then be wrong.</para>
/// <para><b>Concurrency.</b> The raw offset is read and written with plain 64-bit loads and stores (atomic on
/// x86-64 when the pointer is 8-byte aligned, which <c>MappedRegion.GetRef</c> at an aligned offset gives),
/// with no ordering: publish a pointer to another process under a lock or with a fence of your own.</para>
/// <para><b>Trust.</b> Offsets read from shared memory come from another process. <see cref="OffsetPtrExtensions.GetRef{T}(ref OffsetPtr{T}, Interprocess.Memory.MappedRegion)"/>
/// checks that the target lies inside a region before handing out a reference; the unchecked accessors do not
/// (a bad offset there crashes the process with a signal .NET cannot catch).</para>
/// </remarks>
/// <example>
/// A list node, built by one process:
/// <code>
/// struct Node { public OffsetPtr&lt;Node&gt; Next; public long Value; }
///
/// using var shm = SharedMemoryObject.CreateNew("list", size: 4096);
/// using var region = new MappedRegion(shm);
/// ref Node first = ref region.GetRef&lt;Node&gt;(64);
/// ref Node second = ref region.GetRef&lt;Node&gt;(96);
/// first.Value = 1;
/// second.Value = 2;
/// first.Next.Set(ref second); // in place: stores 32, whatever the region's address
/// second.Next.SetNull();      // stores 1
/// </code>
/// and walked by another, where the region maps at another address:
/// <code>
/// using var shm = SharedMemoryObject.OpenExisting("list", AccessMode.ReadOnly);
/// using var region = new MappedRegion(shm, AccessMode.ReadOnly);
/// for (ref readonly Node n = ref region.GetReadOnlyRef&lt;Node&gt;(64); ; n = ref n.Next.GetReadOnlyRef(region))
/// {
///     Console.WriteLine(n.Value);      // 1, then 2
///     if (n.Next.IsNull) break;
/// }
/// </code>
/// </example>
[StructLayout(LayoutKind.Sequential, Size = sizeof(long))]
public struct OffsetPtr<T>
    where T : unmanaged
{
    /// <summary>The raw offset that means null (Boost's encoding: 0 is a pointer to itself, so null is 1).</summary>
    public const long NullOffset = 1;

    /// <summary>Target address minus the address of this field; <see cref="NullOffset"/> for null.</summary>
    internal long _rawOffset;

    /// <summary>
    /// The stored offset in bytes from this pointer's own address to its target (<see cref="NullOffset"/> for
    /// null, 0 for a pointer to itself). It is the same in every copy, but only where the pointer is stored
    /// does it lead to the target.
    /// </summary>
    public readonly long RawOffset => _rawOffset;

    /// <summary>
    /// Describes the stored value without resolving it: <c>OffsetPtr&lt;Node&gt;(null)</c> or
    /// <c>OffsetPtr&lt;Node&gt;(self+32)</c>. The target address is not shown because <c>ToString</c> is often
    /// called on a copy (string interpolation, boxing), where it would be wrong; format
    /// <see cref="OffsetPtrExtensions.Get{T}(ref readonly OffsetPtr{T})"/> for the address.
    /// </summary>
    /// <returns>The description.</returns>
    public override readonly string ToString() => _rawOffset == NullOffset
        ? $"OffsetPtr<{typeof(T).Name}>(null)"
        : string.Create(CultureInfo.InvariantCulture, $"OffsetPtr<{typeof(T).Name}>(self{_rawOffset:+0;-0;+0})");

#pragma warning disable CS0809 // Obsolete member overrides non-obsolete member: as Span<T> does, to flag a call that can never be right.
    /// <summary>Not supported: object equality works on boxed copies, whose targets are meaningless.</summary>
    /// <param name="obj">Not used.</param>
    /// <returns>Never returns.</returns>
    /// <exception cref="NotSupportedException">Always.</exception>
    [Obsolete("Equals(object) compares boxed copies of a self-relative pointer, which point nowhere. Use TargetEquals on the pointers in place.", error: true)]
    public override readonly bool Equals(object? obj) =>
        throw new NotSupportedException("An OffsetPtr cannot be compared as an object: the boxed copy points nowhere. Use TargetEquals on the pointers in place.");

    /// <summary>Not supported: a hash of a self-relative pointer depends on where the copy lives.</summary>
    /// <returns>Never returns.</returns>
    /// <exception cref="NotSupportedException">Always.</exception>
    [Obsolete("GetHashCode of a self-relative pointer is meaningless. Hash the target address (Get()) instead.", error: true)]
    public override readonly int GetHashCode() =>
        throw new NotSupportedException("An OffsetPtr has no hash code: its value depends on where it is stored. Hash the target address instead.");
#pragma warning restore CS0809
}
