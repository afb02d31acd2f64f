using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Interprocess.Managed;

namespace Interprocess.Containers;

/// <summary>
/// What every public container handle (<c>SharedVector&lt;T&gt;</c>, <c>SharedMap&lt;K,V&gt;</c>, ...) stores: the
/// identity of its segment, the handle (offset from the segment base) of its header, and the header's stamp.
/// </summary>
/// <remarks>
/// <para><b>Reference semantics.</b> A container handle is a reference, like a variable of a .NET class type:
/// copying it (to the stack, into a field, into another container, into shared memory) gives a second handle to
/// the same container, never a second container, and never a corrupted one. It holds no address, so it is valid
/// in every process that has the segment open, wherever the copy is kept.</para>
/// <para><b>Validation.</b> <see cref="Resolve{THeader}"/> finds the segment through <see cref="SegmentRegistry"/>,
/// checks that the header lies inside it and that its kind, type check and stamp match, before a single byte of
/// the container is trusted.</para>
/// </remarks>
[StructLayout(LayoutKind.Sequential)]
internal struct ContainerHandle
{
    /// <summary>Bytes in a handle.</summary>
    internal const int Size = 24;

    /// <summary>
    /// The largest container header (bytes) that the registry's fast bound admits (<see cref="SegmentManager.ReadHeaderBound"/>);
    /// a larger header type always takes the exact slow path.
    /// </summary>
    internal const int MaxHeaderSize = 128;

    /// <summary>The segment's identity (<see cref="SegmentManager.SegmentId"/>); 0 in a default handle.</summary>
    internal ulong SegmentId;

    /// <summary>The header's offset from the segment base.</summary>
    internal long Header;

    /// <summary>
    /// The header's stamp combined with its kind and type check (<see cref="Key"/>): one compare in
    /// <see cref="Resolve{THeader}"/> checks all three, and a handle reinterpreted as another type's handle no longer
    /// matches.
    /// </summary>
    internal ulong Stamp;

    /// <summary>Whether this is a default handle (no container).</summary>
    internal readonly bool IsDefault => SegmentId == 0;

    /// <summary>
    /// Allocates and zero-fills a header of type <typeparamref name="THeader"/> (which starts with a
    /// <see cref="ContainerPrefix"/>) in <paramref name="manager"/>'s segment, stamps it and returns its handle.
    /// </summary>
    /// <exception cref="InterprocessException">The segment is full.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    internal static unsafe ContainerHandle Create<THeader>(SegmentManager manager, uint magic, uint typeCheck, out THeader* header)
        where THeader : unmanaged
    {
        ArgumentNullException.ThrowIfNull(manager);
        ulong segmentId = manager.SegmentId;
        // A handle is only useful if it resolves in this process: refuse a manager that is not registered.
        _ = SegmentRegistry.Resolve(segmentId);

        long handle = manager.Allocate(sizeof(THeader));
        var p = (THeader*)manager.GetAddress(handle);
        NativeMemory.Clear(p, (nuint)sizeof(THeader));
        ulong stamp = NewStamp();
        ref var prefix = ref *(ContainerPrefix*)p;
        prefix.TypeCheck = typeCheck;
        prefix.Stamp = stamp;
        // Release: a reader that sees the magic sees the rest of the (zeroed) header; the header is only
        // reachable through the handle returned here, so this ordering matters only for tools that scan.
        Volatile.Write(ref prefix.Magic, magic);
        header = p;
        return new ContainerHandle { SegmentId = segmentId, Header = handle, Stamp = stamp ^ Key(magic, typeCheck) };
    }

    /// <summary>
    /// The header this handle refers to, after checking that it lies inside its segment and carries the expected
    /// kind, type check and stamp.
    /// </summary>
    /// <param name="magic">The container kind.</param>
    /// <param name="typeCheck">The handle type's check value.</param>
    /// <param name="manager">The segment's manager in this process.</param>
    /// <exception cref="InvalidOperationException">A default handle; the segment is not open in this process; the container was destroyed or the handle is of another container type.</exception>
    /// <exception cref="InterprocessException">The handle points outside the segment (<see cref="InterprocessErrorCode.Corrupted"/>).</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal readonly unsafe THeader* Resolve<THeader>(uint magic, uint typeCheck, out SegmentManager manager)
        where THeader : unmanaged => ResolveCore<THeader>(magic, typeCheck, write: false, out manager);

    /// <summary>As <see cref="Resolve{THeader}"/>, for an operation that writes: also refuses a read-only segment.</summary>
    /// <exception cref="NotSupportedException">The segment is open read-only.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal readonly unsafe THeader* ResolveForWrite<THeader>(uint magic, uint typeCheck, out SegmentManager manager)
        where THeader : unmanaged => ResolveCore<THeader>(magic, typeCheck, write: true, out manager);

    /// <summary>
    /// The checks of <see cref="Resolve{THeader}"/> (<paramref name="write"/> false) and
    /// <see cref="ResolveForWrite{THeader}"/> (true), in the order that keeps the common case short:
    /// <list type="number">
    /// <item>the registry's last manager has this identity, and the header handle is below its bound (one unsigned
    /// compare: the manager is not detached and, for a write, not read-only, and <see cref="MaxHeaderSize"/> bytes
    /// at the handle lie in the mapping, so reading the header cannot fault); otherwise the registry's slow path
    /// finds the manager, checks alignment and heap bounds exactly for this header's size, and throws the precise
    /// error;</item>
    /// <item>the header's stamp, xor the kind and type check folded into the handle, equals the handle's (one
    /// 64-bit compare: checks stamp, kind and type together). A random 64-bit stamp is what makes the fast bound
    /// enough: a misaligned handle, or one below the heap, reads a value that does not match, and the mismatch path
    /// runs the exact checks before it reports a stale handle, so such a handle is still reported as corrupted.</item>
    /// </list>
    /// Nothing in the segment is read before the first check passes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly unsafe THeader* ResolveCore<THeader>(uint magic, uint typeCheck, bool write, out SegmentManager manager)
        where THeader : unmanaged
    {
        long h = Header;
        var m = SegmentRegistry.Last;
        if (sizeof(THeader) > MaxHeaderSize
            || m.RegisteredId != SegmentId
            || (ulong)h >= (write ? m.WriteHeaderBound : m.ReadHeaderBound))
        {
            m = SegmentRegistry.ResolveForContainer(SegmentId, h, write, sizeof(THeader));
        }

        var p = (ContainerPrefix*)(m.BasePointer + h);
        // The kind and the type check are folded into the handle's stamp: one 64-bit compare checks the stamp, the
        // kind and the type (a cleared header, stamp 0, never matches: a stamp is never equal to its own key). The
        // xor is on the handle's side, so in a loop it is computed once.
        if (p->Stamp != (Stamp ^ Key(magic, typeCheck)))
        {
            ThrowInvalid(m, h, sizeof(THeader), p, magic, typeCheck);
        }

        manager = m;
        return (THeader*)p;
    }

    /// <summary>
    /// Clears the header's prefix (so every other handle to it becomes stale) and frees it. The caller has
    /// already freed what the header owns.
    /// </summary>
    internal readonly unsafe void FreeHeader(ContainerPrefix* prefix, SegmentManager manager)
    {
        prefix->Magic = 0;
        prefix->TypeCheck = 0;
        prefix->Stamp = 0;
        manager.Deallocate(Header);
    }

    /// <summary>The kind and the type check as one 64-bit value (a constant after inlining).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Key(uint magic, uint typeCheck) => ((ulong)typeCheck << 32) | magic;

    /// <summary>The handle's text for messages and debugging.</summary>
    public override readonly string ToString() => IsDefault ? "(default)" : $"segment 0x{SegmentId:x16} @ {Header}";

    private static ulong NewStamp()
    {
        ulong s;
        do
        {
            s = (ulong)Random.Shared.NextInt64(long.MinValue, long.MaxValue);
        }
        while (s == 0);
        return s;
    }

    /// <summary>
    /// The fast path's stamp mismatch: a handle that is misaligned or outside the heap is reported as corrupted
    /// (the fast bound only made the read safe); any other is stale or of another type. Unconditionally throws (the
    /// JIT then treats the call as not returning and keeps the fast path free of spills).
    /// </summary>
    [DoesNotReturn]
    private static unsafe void ThrowInvalid(SegmentManager m, long header, int headerSize, ContainerPrefix* p, uint magic, uint typeCheck)
    {
        SegmentRegistry.CheckHeaderPlace(m, header, headerSize);
        throw StaleError(p, magic, typeCheck);
    }

    private static unsafe InvalidOperationException StaleError(ContainerPrefix* p, uint magic, uint typeCheck)
    {
        if (p->Magic == 0)
        {
            return new InvalidOperationException("The container was destroyed: this handle is stale.");
        }

        if (p->Magic != magic || p->TypeCheck != typeCheck)
        {
            return new InvalidOperationException($"The handle does not refer to a container of this type (found kind 0x{p->Magic:x8}, type check 0x{p->TypeCheck:x8}; expected 0x{magic:x8}, 0x{typeCheck:x8}). The container was destroyed and its memory reused, or the handle was made for another type.");
        }

        return new InvalidOperationException("The container was destroyed and its memory reused by another container: this handle is stale.");
    }

}
