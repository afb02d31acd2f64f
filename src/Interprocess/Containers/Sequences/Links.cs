using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Interprocess.Managed;

namespace Interprocess.Containers;

/// <summary>
/// Turning a segment handle read from shared memory (a link in a list, a block in a deque's map) into an
/// address, after one unsigned compare that proves the whole block lies inside the mapping: a corrupted link
/// gives an <see cref="InterprocessException"/>, never an access violation.
/// </summary>
internal static unsafe class Links
{
    /// <summary>The address of the <paramref name="size"/>-byte block at <paramref name="handle"/>, checked.</summary>
    /// <exception cref="InterprocessException">The handle does not name a block inside the segment (<see cref="InterprocessErrorCode.Corrupted"/>).</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static byte* At(SegmentManager m, long handle, long size, string container)
    {
        if ((ulong)(handle - SegmentHeader.HeapStart) > (ulong)(m.MappedSize - size - SegmentHeader.HeapStart) || (handle & 7) != 0)
        {
            ThrowBadLink(m, handle, container);
        }

        return m.BasePointer + handle;
    }

    /// <summary>Throws the corruption exception of a container.</summary>
    [DoesNotReturn]
    internal static void ThrowCorrupted(SegmentManager m, string container, string what) =>
        throw InterprocessException.Corrupted(m.Name, $"a shared {container} is corrupted: {what}.");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowBadLink(SegmentManager m, long handle, string container) =>
        ThrowCorrupted(m, container, $"a link holds offset {handle}, which is not a block inside the segment");
}
