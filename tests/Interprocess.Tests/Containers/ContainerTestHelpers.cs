using System.Runtime.CompilerServices;
using Interprocess.Containers;
using Interprocess.Managed;

namespace Interprocess.Tests.Containers;

/// <summary>Reaching into a container's header to damage it on purpose (corruption tests).</summary>
internal static unsafe class ContainerTestHelpers
{
    /// <summary>The header address of a container handle (every handle type is one ContainerHandle).</summary>
    public static byte* HeaderOf<THandle>(THandle handle, SegmentManager m)
        where THandle : unmanaged
    {
        var h = Unsafe.As<THandle, ContainerHandle>(ref handle);
        return m.BasePointer + h.Header;
    }
}
