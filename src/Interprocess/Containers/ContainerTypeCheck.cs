using Interprocess.Managed;

namespace Interprocess.Containers;

/// <summary>The 32-bit type check stored in a container's header: the low half of the handle type's fingerprint.</summary>
/// <typeparam name="THandle">The public handle type, for example <c>SharedVector&lt;Point&gt;</c>.</typeparam>
internal static class ContainerTypeCheck<THandle>
    where THandle : unmanaged
{
    /// <summary>The value (a JIT-time constant once the class is initialized).</summary>
    internal static readonly uint Value = (uint)TypeDescriptor<THandle>.Fingerprint | 1;
}
