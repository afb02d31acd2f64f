using System.Runtime.InteropServices;
using Interprocess.Interop;

namespace Interprocess.Synchronization;

/// <summary>
/// A POSIX named semaphore (<c>sem_open</c>), as Boost's <c>named_semaphore</c> is on Linux: C and C++ processes
/// (Boost's <c>named_semaphore</c> among them) open the same semaphore by the same name and post and wait on it
/// with .NET processes.
/// </summary>
/// <remarks>
/// <para><b>Names.</b> The semaphore "x" is glibc's <c>/dev/shm/sem.x</c> (C code opens it as <c>sem_open("/x", ...)</c>
/// or <c>sem_open("x", ...)</c>). Semaphores have a namespace of their own: a <see cref="NamedSemaphore"/> "x" and
/// a <see cref="NamedMutex"/> "x" are different objects. Names follow the rules of
/// <see cref="Memory.SharedMemoryObject"/>, up to 251 bytes of UTF-8 (NAME_MAX less the "sem." glibc adds).</para>
/// <para><b>No owner.</b> A semaphore is a count, not a lock: nobody owns it, so the death of a process changes
/// nothing. A process killed while waiting simply stops waiting (the count is unchanged); a process killed after
/// a successful wait and before its matching post takes that unit with it, and nothing can tell that it happened.
/// If units stand for resources that a process holds, recover them at the level of your protocol (for example, use
/// a <see cref="NamedMutex"/>, whose dead owner is reported, for what must be released).</para>
/// <para><b>Time.</b> Timed waits use <c>sem_clockwait</c> on CLOCK_MONOTONIC: a step of the wall clock neither
/// fires nor stalls them. A wait that can be canceled sleeps in slices of at most 50 ms and checks the token
/// between slices (there is no way to interrupt <c>sem_wait</c> without posting), so cancellation takes effect
/// within about 50 ms; a wait with a token that cannot be canceled sleeps in one piece.</para>
/// <para><b>Permissions</b> are applied exactly with <c>chmod</c> right after the exclusive creation (glibc applies
/// the umask to the mode given to <c>sem_open</c>): for that short moment the semaphore has at most the
/// permissions asked for, never more.</para>
/// <para><b>Lifetime.</b> The semaphore persists until <see cref="Remove(string)"/>; disposing closes this
/// process's handle. Disposing while another thread waits on this instance defers the close until that wait ends.</para>
/// <para><b>Foreign files.</b> glibc maps whatever file is at <c>/dev/shm/sem.x</c> without checking its size;
/// opening checks first that it is a regular file of at least <c>sizeof(sem_t)</c> bytes, so a foreign or
/// truncated file gives <see cref="InterprocessErrorCode.Corrupted"/> rather than a crash. (A file replaced between
/// that check and <c>sem_open</c> is not caught; glibc itself always creates the file whole, by link.)</para>
/// </remarks>
/// <example>
/// A producer process:
/// <code>
/// using var items = NamedSemaphore.OpenOrCreate("jobs-ready", initialCount: 0);
/// EnqueueJob(); items.Post();
/// </code>
/// a consumer process (or a C program calling <c>sem_wait(sem_open("/jobs-ready", 0))</c>):
/// <code>
/// using var items = NamedSemaphore.OpenExisting("jobs-ready");
/// if (items.TryWait(TimeSpan.FromSeconds(5))) { RunJob(); }
/// </code>
/// and, when no process needs it any more, <c>NamedSemaphore.Remove("jobs-ready")</c>.
/// </example>
public sealed class NamedSemaphore : IDisposable
{
    /// <summary>
    /// Where glibc (and musl) keep the semaphore named "x": <c>/dev/shm/sem.x</c>. A convention of the C library,
    /// not a header value; it is why a name may be at most NAME_MAX - 4 bytes.
    /// </summary>
    internal const string FilePrefix = "/dev/shm/sem.";

    /// <summary>The longest name in bytes of UTF-8: NAME_MAX less glibc's "sem." prefix (4 bytes).</summary>
    internal const int MaxNameBytes = ObjectName.NameMax - 4;

    /// <summary>The longest sleep of a cancelable wait between two looks at its token: 50 ms.</summary>
    internal const long CancellationSliceNanoseconds = 50_000_000;

    private readonly SafeSemaphoreHandle _handle;

    private NamedSemaphore(SafeSemaphoreHandle handle, string name, bool created)
    {
        _handle = handle;
        Name = name;
        Created = created;
    }

    /// <summary>The semaphore's name (without glibc's "sem." and without a leading '/').</summary>
    public string Name { get; }

    /// <summary>True when this handle created the semaphore; false when it opened an existing one.</summary>
    public bool Created { get; }

    /// <summary>The count now (<c>sem_getvalue</c>): a snapshot that other processes may change at once.</summary>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    /// <exception cref="InterprocessException">The OS refused.</exception>
    public int Count
    {
        get
        {
            ThrowIfDisposed();
            Errors.Check(Libc.SemGetValue(_handle, out int value), "sem_getvalue", Name);
            return value;
        }
    }

    /// <summary>Creates a new named semaphore; fails if one with that name exists.</summary>
    /// <param name="name">The semaphore's name.</param>
    /// <param name="initialCount">The count to start with, from 0 to <see cref="int.MaxValue"/>.</param>
    /// <param name="permissions">Who may open it; <see cref="Permissions.OwnerOnly"/> when null. Applied exactly, whatever the umask.</param>
    /// <returns>The semaphore; <see cref="Created"/> is true.</returns>
    /// <exception cref="ArgumentException">The name breaks a naming rule.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The initial count is negative.</exception>
    /// <exception cref="InterprocessException">It exists (<see cref="InterprocessErrorCode.AlreadyExists"/>), or the OS refused.</exception>
    public static NamedSemaphore CreateNew(string name, int initialCount, Permissions? permissions = null)
    {
        Validate(name, initialCount);
        var perms = permissions ?? Permissions.OwnerOnly;
        var handle = SemOpen(name, Fcntl.O_CREAT | Fcntl.O_EXCL, perms.Bits, (uint)initialCount)
            ?? throw InterprocessException.FromLastError("sem_open", name);
        return FinishCreation(handle, name, perms);
    }

    /// <summary>Opens an existing named semaphore.</summary>
    /// <param name="name">The semaphore's name.</param>
    /// <returns>The semaphore; <see cref="Created"/> is false.</returns>
    /// <exception cref="ArgumentException">The name breaks a naming rule.</exception>
    /// <exception cref="InterprocessException">Not found (<see cref="InterprocessErrorCode.NotFound"/>), not a semaphore (<see cref="InterprocessErrorCode.Corrupted"/>), or the OS refused.</exception>
    public static NamedSemaphore OpenExisting(string name)
    {
        Validate(name, 0);
        return OpenExistingCore(name) ?? throw InterprocessException.FromLastError("sem_open", name);
    }

    /// <summary>Opens the named semaphore if it exists, or creates it; of several racing processes exactly one creates.</summary>
    /// <param name="name">The semaphore's name.</param>
    /// <param name="initialCount">The count to start with if this call creates it.</param>
    /// <param name="permissions">The permissions if this call creates it; <see cref="Permissions.OwnerOnly"/> when null.</param>
    /// <returns>The semaphore; <see cref="Created"/> tells which happened.</returns>
    /// <exception cref="ArgumentException">The name breaks a naming rule.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The initial count is negative.</exception>
    /// <exception cref="InterprocessException">Not a semaphore (<see cref="InterprocessErrorCode.Corrupted"/>), or the OS refused.</exception>
    public static NamedSemaphore OpenOrCreate(string name, int initialCount, Permissions? permissions = null)
    {
        Validate(name, initialCount);
        var perms = permissions ?? Permissions.OwnerOnly;
        while (true)
        {
            var handle = SemOpen(name, Fcntl.O_CREAT | Fcntl.O_EXCL, perms.Bits, (uint)initialCount);
            if (handle is not null)
            {
                return FinishCreation(handle, name, perms);
            }

            if (Errors.LastErrno != (int)Errno.EEXIST)
            {
                throw InterprocessException.FromLastError("sem_open", name);
            }

            var opened = OpenExistingCore(name);
            if (opened is not null)
            {
                return opened;
            }

            // Removed between our two calls: try to create it again.
            if (Errors.LastErrno != (int)Errno.ENOENT)
            {
                throw InterprocessException.FromLastError("sem_open", name);
            }
        }
    }

    /// <summary>Removes the semaphore's name (<c>sem_unlink</c>); processes that have it open keep using it.</summary>
    /// <param name="name">The semaphore's name.</param>
    /// <returns>True if it was removed; false if there was none.</returns>
    /// <exception cref="ArgumentException">The name breaks a naming rule.</exception>
    /// <exception cref="InterprocessException">The OS refused.</exception>
    public static bool Remove(string name)
    {
        ObjectName.Validate(name, MaxNameBytes);
        if (Libc.SemUnlink("/" + name) == 0)
        {
            return true;
        }

        if (Errors.LastErrno == (int)Errno.ENOENT)
        {
            return false;
        }

        throw InterprocessException.FromLastError("sem_unlink", name);
    }

    /// <summary>Adds one to the count, waking one waiter if there is one.</summary>
    /// <exception cref="InterprocessException">The count is at its maximum, <see cref="int.MaxValue"/> (<see cref="InterprocessErrorCode.Size"/>), or the OS refused.</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    public void Post()
    {
        ThrowIfDisposed();
        Errors.Check(Libc.SemPost(_handle), "sem_post", Name);
    }

    /// <summary>Takes one from the count, waiting as long as it takes for it to be above zero.</summary>
    /// <exception cref="InterprocessException">The OS refused.</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    public void Wait()
    {
        ThrowIfDisposed();
        Errors.RetryCheck(() => Libc.SemWait(_handle), "sem_wait", Name);
    }

    /// <summary>Takes one from the count, waiting until it is above zero or the token is canceled (within about 50 ms).</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="OperationCanceledException">The wait was canceled; the count was not taken.</exception>
    /// <exception cref="InterprocessException">The OS refused.</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    public void Wait(CancellationToken cancellationToken)
    {
        if (!cancellationToken.CanBeCanceled)
        {
            Wait();
            return;
        }

        WaitCore(Deadline.Infinite, cancellationToken);
    }

    /// <summary>Takes one from the count if it is above zero, without waiting.</summary>
    /// <returns>True if one was taken.</returns>
    /// <exception cref="InterprocessException">The OS refused.</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    public bool TryWait()
    {
        ThrowIfDisposed();
        while (true)
        {
            if (Libc.SemTryWait(_handle) == 0)
            {
                return true;
            }

            int errno = Errors.LastErrno;
            if (errno == (int)Errno.EAGAIN)
            {
                return false;
            }

            if (errno != (int)Errno.EINTR)
            {
                throw InterprocessException.FromErrno(errno, "sem_trywait", Name);
            }
        }
    }

    /// <summary>Takes one from the count, waiting at most <paramref name="timeout"/> (monotonic clock) for it to be above zero.</summary>
    /// <param name="timeout">How long to wait; <see cref="TimeSpan.Zero"/> does not wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Cancels the wait (within about 50 ms).</param>
    /// <returns>True if one was taken; false if the time ran out.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled; the count was not taken.</exception>
    /// <exception cref="InterprocessException">The OS refused.</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    public bool TryWait(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = Deadline.FromTimeout(timeout);
        if (deadline.IsInfinite && !cancellationToken.CanBeCanceled)
        {
            Wait();
            return true;
        }

        return WaitCore(deadline, cancellationToken);
    }

    /// <summary>Closes this handle (<c>sem_close</c>; idempotent). The semaphore lives on until removed.</summary>
    public void Dispose() => _handle.Dispose();

    /// <inheritdoc />
    public override string ToString() => $"NamedSemaphore '{Name}'";

    private static void Validate(string name, int initialCount)
    {
        ObjectName.Validate(name, MaxNameBytes);
        ArgumentOutOfRangeException.ThrowIfNegative(initialCount);
    }

    /// <summary>sem_open with EINTR retried; null on any other failure (errno is left for the caller).</summary>
    private static SafeSemaphoreHandle? SemOpen(string name, int flags, uint mode, uint value)
    {
        while (true)
        {
            var handle = Libc.SemOpen("/" + name, flags, mode, value);
            if (!handle.IsInvalid)
            {
                return handle;
            }

            int errno = Errors.LastErrno;
            handle.Dispose();
            if (errno != (int)Errno.EINTR)
            {
                Marshal.SetLastPInvokeError(errno);
                return null;
            }
        }
    }

    /// <summary>Opens an existing semaphore after checking its file; null with errno set when sem_open fails.</summary>
    private static NamedSemaphore? OpenExistingCore(string name)
    {
        CheckFile(name);
        var handle = SemOpen(name, 0, 0, 0);
        return handle is null ? null : new NamedSemaphore(handle, name, created: false);
    }

    /// <summary>
    /// Refuses a file that cannot be a semaphore before glibc maps it: sem_open maps sizeof(sem_t) bytes of
    /// whatever is there, and touching a page beyond the end of a shorter file kills the process (SIGBUS).
    /// </summary>
    private static void CheckFile(string name)
    {
        string path = FilePrefix + name;
        using var fd = Libc.Open(path, Fcntl.O_RDONLY | Fcntl.O_CLOEXEC | Fcntl.O_NOFOLLOW, 0);
        if (fd.IsInvalid)
        {
            // Not there, not readable, a symbolic link...: sem_open reports it (or, for a link, refuses it too).
            return;
        }

        if (Libc.FStat(fd, out var st) != 0)
        {
            return;
        }

        if ((st.st_mode & StatMode.S_IFMT) != StatMode.S_IFREG || st.st_size < PosixSemaphore.SizeOfSemT)
        {
            throw InterprocessException.Corrupted(name,
                $"cannot open NamedSemaphore: '{path}' is {((st.st_mode & StatMode.S_IFMT) == StatMode.S_IFREG ? $"{st.st_size} bytes long" : "not a regular file")}; " +
                $"a POSIX semaphore (sem_t) is {PosixSemaphore.SizeOfSemT} bytes: it is foreign or truncated.");
        }
    }

    /// <summary>Applies the exact permissions to a semaphore this process just created with O_EXCL.</summary>
    private static NamedSemaphore FinishCreation(SafeSemaphoreHandle handle, string name, Permissions perms)
    {
        try
        {
            // sem_open's mode went through the umask; chmod makes it exactly what was asked.
            Errors.RetryCheck(() => Libc.Chmod(FilePrefix + name, perms.Bits), "chmod", name);
            return new NamedSemaphore(handle, name, created: true);
        }
        catch
        {
            handle.Dispose();
            Libc.SemUnlink("/" + name);
            throw;
        }
    }

    /// <summary>
    /// Waits in sem_clockwait(CLOCK_MONOTONIC) until the deadline, in slices of at most 50 ms when the token
    /// can be canceled. True when one was taken.
    /// </summary>
    private unsafe bool WaitCore(Deadline deadline, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (TryWait())
        {
            return true;
        }

        while (true)
        {
            long remaining = deadline.RemainingNanoseconds();
            if (remaining == 0)
            {
                return false;
            }

            long slice = remaining < 0 ? long.MaxValue : remaining;
            if (cancellationToken.CanBeCanceled && slice > CancellationSliceNanoseconds)
            {
                slice = CancellationSliceNanoseconds;
            }

            if (slice == long.MaxValue)
            {
                Wait();
                return true;
            }

            long at = Libc.MonotonicNanoseconds() + slice;
            var abstime = new Timespec { tv_sec = at / 1_000_000_000, tv_nsec = at % 1_000_000_000 };
            if (Libc.SemClockWait(_handle, Clock.CLOCK_MONOTONIC, &abstime) == 0)
            {
                return true;
            }

            int errno = Errors.LastErrno;
            if (errno != (int)Errno.ETIMEDOUT && errno != (int)Errno.EINTR)
            {
                throw InterprocessException.FromErrno(errno, "sem_clockwait", Name);
            }

            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
}
