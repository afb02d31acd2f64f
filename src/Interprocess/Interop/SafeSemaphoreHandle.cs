using System.Runtime.InteropServices;

namespace Interprocess.Interop;

/// <summary>
/// A <c>sem_t*</c> returned by <c>sem_open</c>, closed with <c>sem_close</c> exactly once. Passing it to a native
/// call keeps it open for the duration of the call, so disposing it while another thread waits on it defers the
/// <c>sem_close</c> until that wait returns (glibc would otherwise unmap the semaphore under the waiter).
/// </summary>
internal sealed class SafeSemaphoreHandle : SafeHandle
{
    /// <summary>Creates an invalid handle (the marshaller fills it in on return).</summary>
    public SafeSemaphoreHandle() : base(0, ownsHandle: true)
    {
    }

    /// <summary>SEM_FAILED is <c>(sem_t*)0</c> in glibc.</summary>
    public override bool IsInvalid => handle == 0;

    /// <inheritdoc />
    protected override bool ReleaseHandle() => Libc.SemClose(handle) == 0;
}
