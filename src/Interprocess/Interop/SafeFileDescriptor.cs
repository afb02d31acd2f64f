using System.Runtime.InteropServices;

namespace Interprocess.Interop;

/// <summary>
/// An owned POSIX file descriptor. Every descriptor the library opens is held in one of these, so that it is
/// closed exactly once, never while a native call is using it, and never leaked by an exception.
/// </summary>
internal sealed class SafeFileDescriptor : SafeHandle
{
    /// <summary>Creates an invalid handle (the marshaller fills it in on return).</summary>
    public SafeFileDescriptor() : base(new IntPtr(-1), ownsHandle: true)
    {
    }

    /// <summary>Wraps a descriptor that this handle now owns.</summary>
    internal SafeFileDescriptor(int fd) : base(new IntPtr(-1), ownsHandle: true) => SetHandle(fd);

    /// <inheritdoc />
    public override bool IsInvalid => (int)handle < 0;

    /// <summary>The raw descriptor number (valid while this handle is alive).</summary>
    internal int Value => (int)handle;

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        // close() is never retried on EINTR on Linux: the descriptor is released whatever it returns.
        return Libc.Close((int)handle) == 0;
    }
}
