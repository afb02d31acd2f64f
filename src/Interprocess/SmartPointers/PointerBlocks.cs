using System.Runtime.InteropServices;
using Interprocess.Containers;

namespace Interprocess.SmartPointers;

/// <summary>The block a <see cref="UniquePtr{T}"/> or an <see cref="IntrusivePtr{T}"/> owns: the common prefix, then the value.</summary>
/// <typeparam name="T">The value type.</typeparam>
[StructLayout(LayoutKind.Sequential)]
internal struct OwnedBlock<T>
    where T : unmanaged
{
    /// <summary>Kind, type check and stamp (see <see cref="ContainerPrefix"/>).</summary>
    internal ContainerPrefix Prefix;

    /// <summary>The object.</summary>
    internal T Value;
}

/// <summary>
/// The block behind <see cref="SharedPtr{T}"/> and <see cref="WeakPtr{T}"/> (the control block and the object in one
/// allocation, as <c>make_shared</c>): the prefix, the strong and weak counts, then the value.
/// </summary>
/// <typeparam name="T">The value type.</typeparam>
[StructLayout(LayoutKind.Sequential)]
internal struct SharedBlock<T>
    where T : unmanaged
{
    /// <summary>Kind, type check and stamp (see <see cref="ContainerPrefix"/>).</summary>
    internal ContainerPrefix Prefix;

    /// <summary>Owning references; the value is destroyed when it reaches 0.</summary>
    internal int Strong;

    /// <summary>Weak references, plus one for all the strong ones together; the block is freed when it reaches 0.</summary>
    internal int Weak;

    /// <summary>Keeps the value 16-byte aligned.</summary>
    internal long Padding;

    /// <summary>The object.</summary>
    internal T Value;
}

/// <summary>The kind tags of the pointer blocks.</summary>
internal static class PointerMagic
{
    internal const uint Unique = 0x50545255; // "URTP"
    internal const uint Shared = 0x50545253; // "SRTP"
    internal const uint Intrusive = 0x50545249; // "IRTP"
}
