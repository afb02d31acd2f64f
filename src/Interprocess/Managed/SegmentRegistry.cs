using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Interprocess.Managed;

/// <summary>
/// The segments open in this process, by identity (<see cref="SegmentManager.SegmentId"/>). A container handle
/// stores its segment's identity and a handle inside it, so it works wherever it is kept (the stack, a field,
/// another container) in any process that has the segment open; this registry turns the identity back into this
/// process's mapping.
/// </summary>
/// <remarks>
/// The same segment opened twice (two shared mappings of one object) resolves to either: both show the same
/// memory. A private mapping (copy-on-write, or bytes copied into heap memory or an external buffer) carries the
/// identity of the segment it was copied from; when such a mapping and another one with the same identity are
/// open together, resolving that identity throws rather than guess.
/// </remarks>
internal static class SegmentRegistry
{
    private static readonly Lock s_lock = new();

    /// <summary>Copy-on-write array of the registered managers; readers take a snapshot without locking.</summary>
    private static SegmentManager[] s_managers = [];

    /// <summary>
    /// The last manager resolved by any thread: the common case is one segment used many times. A plain static,
    /// not a thread-static: reading a reference-typed thread-static costs a call to the TLS helper on Linux (it
    /// dominated a container's fast path); a plain static is one load from a fixed address. It is written only
    /// on a miss, so threads that use the same segment never write it. Never null: <see cref="SegmentManager.None"/>
    /// (no identity, refuses every handle) stands for "no last hit", so the fast path needs no null check.
    /// </summary>
    private static SegmentManager s_last = SegmentManager.None;

    internal static void Register(SegmentManager manager)
    {
        lock (s_lock)
        {
            if (Array.IndexOf(s_managers, manager) < 0)
            {
                s_managers = [.. s_managers, manager];
            }
        }
    }

    internal static void Unregister(SegmentManager manager)
    {
        lock (s_lock)
        {
            if (ReferenceEquals(s_last, manager))
            {
                s_last = SegmentManager.None;
            }

            int at = Array.IndexOf(s_managers, manager);
            if (at >= 0)
            {
                var next = new SegmentManager[s_managers.Length - 1];
                Array.Copy(s_managers, 0, next, 0, at);
                Array.Copy(s_managers, at + 1, next, at, next.Length - at);
                s_managers = next;
            }
        }
    }

    /// <summary>The manager of the open segment with identity <paramref name="segmentId"/>.</summary>
    /// <exception cref="InvalidOperationException">No such segment is open in this process, the identity is 0 (a default handle), or it is ambiguous.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static SegmentManager Resolve(ulong segmentId)
    {
        var last = s_last;
        if (last.RegisteredId == segmentId && !last.IsDetached)
        {
            return last;
        }

        return ResolveSlow(segmentId);
    }

    /// <summary>
    /// The last manager resolved: <see cref="SegmentManager.None"/> when there is none, and possibly a detached
    /// one (a detached manager's masks refuse every handle but 0, and 0 is below the heap). The container fast path
    /// (<c>ContainerHandle.Resolve</c>) reads it once and checks the identity and the mask.
    /// </summary>
    internal static SegmentManager Last
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => s_last;
    }

    /// <summary>
    /// The container fast path's miss: the manager of <paramref name="segmentId"/> found through the registry,
    /// after the exact checks that the fast path's bound stands for: the header handle is 8-byte aligned and a
    /// header of <paramref name="headerSize"/> bytes there lies in the heap; for a write, the segment is writable.
    /// The header's stamp is checked by the caller.
    /// </summary>
    /// <exception cref="InvalidOperationException">No such segment is open in this process, a default handle, or an ambiguous identity.</exception>
    /// <exception cref="InterprocessException">The header handle is misaligned or outside the heap (<see cref="InterprocessErrorCode.Corrupted"/>).</exception>
    /// <exception cref="NotSupportedException"><paramref name="write"/> and the segment is read-only.</exception>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static SegmentManager ResolveForContainer(ulong segmentId, long header, bool write, int headerSize)
    {
        var m = ResolveSlow(segmentId);
        CheckHeaderPlace(m, header, headerSize);
        if (write && m.IsReadOnly)
        {
            throw new NotSupportedException($"The managed segment '{m.Name}' is open read-only: its containers can be read, not changed.");
        }

        return m;
    }

    /// <summary>Throws unless a container header of <paramref name="headerSize"/> bytes at <paramref name="header"/> is 8-byte aligned and lies in the heap.</summary>
    /// <exception cref="InterprocessException">It does not (<see cref="InterprocessErrorCode.Corrupted"/>).</exception>
    internal static void CheckHeaderPlace(SegmentManager m, long header, int headerSize)
    {
        if ((header & 7) != 0 || (ulong)(header - SegmentHeader.HeapStart) > (ulong)(m.HeapLimit - headerSize))
        {
            throw InterprocessException.Corrupted(m.Name, $"a container handle points at offset {header}, which is not a valid header position in the segment (the handle or the memory that held it is corrupted).");
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static SegmentManager ResolveSlow(ulong segmentId)
    {
        if (segmentId == 0)
        {
            ThrowDefault();
        }

        SegmentManager? found = null;
        bool ambiguous = false;
        foreach (var m in Volatile.Read(ref s_managers))
        {
            if (m.RegisteredId != segmentId || m.IsDetached)
            {
                continue;
            }

            if (found is null)
            {
                found = m;
            }
            else if (found.IsPrivateMapping || m.IsPrivateMapping)
            {
                ambiguous = true;
            }
        }

        if (found is null)
        {
            throw new InvalidOperationException($"The container belongs to the managed segment with identity 0x{segmentId:x16}, which is not open in this process (it was never opened here, or it was disposed). Open the segment before using containers found in it.");
        }

        if (ambiguous)
        {
            throw new InvalidOperationException($"Two mappings of the managed segment with identity 0x{segmentId:x16} are open in this process and at least one is a private copy (copy-on-write, heap memory or an external buffer holding a copy): a container handle cannot tell which one it means. Close one of them.");
        }

        s_last = found;
        return found;
    }

    [DoesNotReturn]
    private static void ThrowDefault() => throw DefaultHandleError();

    /// <summary>The error for a default container handle (identity 0).</summary>
    internal static InvalidOperationException DefaultHandleError() =>
        new("The container handle is a default value: it was never created. Create the container with its Create method or find it by name in a segment.");
}
