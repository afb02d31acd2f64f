using Interprocess.Interop;

namespace Interprocess.Synchronization;

/// <summary>
/// A lock on a file (Boost's <c>file_lock</c>), exclusive or sharable, that works between processes and between
/// threads of one process. The file must exist; its contents are not touched.
/// </summary>
/// <remarks>
/// <para><b>Who owns the lock.</b> The lock belongs to this <see cref="FileLock"/> object (it is an
/// open-file-description lock, <c>fcntl(F_OFD_SETLK)</c>, on the descriptor this object opened), not to a process
/// or a thread. So two <see cref="FileLock"/> objects on the same file exclude each other even in one process and
/// one thread, which is what makes the lock usable between threads: give each thread its own
/// <see cref="FileLock"/>. One object used by several threads is one owner: it holds at most one lock at a time,
/// locking it again while it holds a lock (from any thread) throws <see cref="LockRecursionException"/>, and any
/// thread may unlock it. (Boost's <c>file_lock</c> uses process-owned POSIX record locks, which do not exclude
/// threads of one process; that caveat does not apply here.)</para>
/// <para><b>With other programs.</b> Open-file-description locks and classic POSIX record locks
/// (<c>fcntl(F_SETLK)</c>, what Boost's <c>file_lock</c> and many C programs use) conflict with each other, so this
/// lock and theirs exclude each other on the same file. <c>flock(2)</c> locks are a separate mechanism and do not.</para>
/// <para><b>Death.</b> The lock goes with the descriptor: when the process dies (even by SIGKILL) or the object is
/// disposed, the kernel releases it. Nobody is told that a holder died: a file lock has no abandoned state.</para>
/// <para><b>Time.</b> <see cref="Lock"/> and <see cref="LockSharable"/> sleep in the kernel (<c>F_OFD_SETLKW</c>) and
/// are woken when the lock is free. The kernel has no timed file lock, so the timed and cancelable forms poll
/// with <c>F_OFD_SETLK</c>, sleeping 1 ms after the first failed try and doubling up to 10 ms between tries: a lock
/// that becomes free is noticed within about 10 ms, and a timed locker does not queue behind blocking lockers
/// (it may be overtaken by them). Deadlines are measured on the monotonic clock; cancellation is immediate.</para>
/// <para>The file is opened read-write, or read-only when the caller may only read it; a read-only file can be
/// locked sharable only (the exclusive lock needs write access: <see cref="InterprocessErrorCode.PermissionDenied"/>).</para>
/// </remarks>
/// <example>
/// Any number of processes:
/// <code>
/// using var fileLock = new FileLock("/var/lib/app/state.db");
/// fileLock.Lock();                // or LockSharable() for readers
/// try { RewriteState(); }
/// finally { fileLock.Unlock(); }  // or UnlockSharable()
/// </code>
/// </example>
public sealed class FileLock : IDisposable
{
    /// <summary>The longest sleep between two tries of a timed lock.</summary>
    internal const int MaxPollMilliseconds = 10;

    /// <summary><see cref="_state"/>: no lock held.</summary>
    private const int StateNone = 0;
    /// <summary><see cref="_state"/>: a call is taking or dropping a lock right now.</summary>
    private const int StateBusy = 1;
    /// <summary><see cref="_state"/>: the sharable lock is held.</summary>
    private const int StateSharable = 2;
    /// <summary><see cref="_state"/>: the exclusive lock is held.</summary>
    private const int StateExclusive = 3;

    /// <summary>The descriptor whose open file description owns the lock.</summary>
    private readonly SafeFileDescriptor _fd;

    /// <summary>True when the file could only be opened for reading.</summary>
    private readonly bool _readOnly;

    /// <summary>What this object holds: one of the State constants, changed with compare-exchange.</summary>
    private int _state;

    /// <summary>Opens <paramref name="path"/> for locking; nothing is locked yet.</summary>
    /// <param name="path">An existing file.</param>
    /// <exception cref="ArgumentException">The path is empty or contains a NUL.</exception>
    /// <exception cref="InterprocessException">The file does not exist (<see cref="InterprocessErrorCode.NotFound"/>), cannot be opened (<see cref="InterprocessErrorCode.PermissionDenied"/>, <see cref="InterprocessErrorCode.InvalidPath"/>), or the OS refused.</exception>
    public FileLock(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (path.Contains('\0'))
        {
            throw new ArgumentException("The path must not contain a NUL character.", nameof(path));
        }

        Path = path;
        var fd = OpenRetry(path, Fcntl.O_RDWR);
        if (fd is null && Errors.LastErrno is (int)Errno.EACCES or (int)Errno.EROFS or (int)Errno.EPERM)
        {
            fd = OpenRetry(path, Fcntl.O_RDONLY);
            _readOnly = true;
        }

        _fd = fd ?? throw InterprocessException.FromLastError("open", path);
    }

    /// <summary>The path of the locked file.</summary>
    public string Path { get; }

    /// <summary>Takes the exclusive lock, waiting as long as it takes.</summary>
    /// <exception cref="LockRecursionException">This object already holds a lock.</exception>
    /// <exception cref="InterprocessException">The file was opened read-only (<see cref="InterprocessErrorCode.PermissionDenied"/>), or the OS refused.</exception>
    /// <exception cref="ObjectDisposedException">The object was disposed.</exception>
    public void Lock() => Take(Fcntl.F_WRLCK, Deadline.Infinite, default);

    /// <summary>Takes the exclusive lock if no one else holds a lock on the file, without waiting.</summary>
    /// <returns>True if this object now holds the exclusive lock.</returns>
    /// <exception cref="LockRecursionException">This object already holds a lock.</exception>
    /// <exception cref="InterprocessException">The file was opened read-only, or the OS refused.</exception>
    /// <exception cref="ObjectDisposedException">The object was disposed.</exception>
    public bool TryLock() => Take(Fcntl.F_WRLCK, Deadline.FromTimeout(TimeSpan.Zero), default);

    /// <summary>Takes the exclusive lock, waiting at most <paramref name="timeout"/> (polled; see the remarks).</summary>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>True if this object now holds the exclusive lock; false if the time ran out.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled; nothing is held.</exception>
    /// <exception cref="LockRecursionException">This object already holds a lock.</exception>
    /// <exception cref="InterprocessException">The file was opened read-only, or the OS refused.</exception>
    /// <exception cref="ObjectDisposedException">The object was disposed.</exception>
    public bool TryLock(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        Take(Fcntl.F_WRLCK, Deadline.FromTimeout(timeout), cancellationToken);

    /// <summary>Releases the exclusive lock.</summary>
    /// <exception cref="SynchronizationLockException">This object does not hold the exclusive lock.</exception>
    /// <exception cref="InterprocessException">The OS refused.</exception>
    /// <exception cref="ObjectDisposedException">The object was disposed.</exception>
    public void Unlock() => Release(StateExclusive);

    /// <summary>Takes a sharable lock (others may hold sharable locks too), waiting as long as it takes.</summary>
    /// <exception cref="LockRecursionException">This object already holds a lock.</exception>
    /// <exception cref="InterprocessException">The OS refused.</exception>
    /// <exception cref="ObjectDisposedException">The object was disposed.</exception>
    public void LockSharable() => Take(Fcntl.F_RDLCK, Deadline.Infinite, default);

    /// <summary>Takes a sharable lock if no one holds the exclusive lock, without waiting.</summary>
    /// <returns>True if this object now holds a sharable lock.</returns>
    /// <exception cref="LockRecursionException">This object already holds a lock.</exception>
    /// <exception cref="InterprocessException">The OS refused.</exception>
    /// <exception cref="ObjectDisposedException">The object was disposed.</exception>
    public bool TryLockSharable() => Take(Fcntl.F_RDLCK, Deadline.FromTimeout(TimeSpan.Zero), default);

    /// <summary>Takes a sharable lock, waiting at most <paramref name="timeout"/> (polled; see the remarks).</summary>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>True if this object now holds a sharable lock; false if the time ran out.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled; nothing is held.</exception>
    /// <exception cref="LockRecursionException">This object already holds a lock.</exception>
    /// <exception cref="InterprocessException">The OS refused.</exception>
    /// <exception cref="ObjectDisposedException">The object was disposed.</exception>
    public bool TryLockSharable(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        Take(Fcntl.F_RDLCK, Deadline.FromTimeout(timeout), cancellationToken);

    /// <summary>Releases the sharable lock.</summary>
    /// <exception cref="SynchronizationLockException">This object does not hold a sharable lock.</exception>
    /// <exception cref="InterprocessException">The OS refused.</exception>
    /// <exception cref="ObjectDisposedException">The object was disposed.</exception>
    public void UnlockSharable() => Release(StateSharable);

    /// <summary>Closes the file, which releases any lock this object holds (idempotent).</summary>
    public void Dispose() => _fd.Dispose();

    /// <inheritdoc />
    public override string ToString() => $"FileLock '{Path}'";

    /// <summary>open with EINTR retried; null on failure with errno left for the caller.</summary>
    private static SafeFileDescriptor? OpenRetry(string path, int access)
    {
        while (true)
        {
            var fd = Libc.Open(path, access | Fcntl.O_CLOEXEC, 0);
            if (!fd.IsInvalid)
            {
                return fd;
            }

            int errno = Errors.LastErrno;
            fd.Dispose();
            if (errno != (int)Errno.EINTR)
            {
                System.Runtime.InteropServices.Marshal.SetLastPInvokeError(errno);
                return null;
            }
        }
    }

    private bool Take(short type, Deadline deadline, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_fd.IsClosed, this);
        if (type == Fcntl.F_WRLCK && _readOnly)
        {
            throw new InterprocessException(InterprocessErrorCode.PermissionDenied,
                $"Cannot take the exclusive lock on '{Path}': the file could only be opened for reading, and an exclusive lock needs write access.")
            {
                ObjectName = Path,
                Operation = "fcntl(F_OFD_SETLK)",
            };
        }

        int held = Interlocked.CompareExchange(ref _state, StateBusy, StateNone);
        if (held != StateNone)
        {
            throw new LockRecursionException(held == StateBusy
                ? $"Another thread is locking or unlocking this FileLock on '{Path}' right now; a FileLock is one owner: give each thread its own FileLock."
                : $"This FileLock on '{Path}' already holds the {(held == StateExclusive ? "exclusive" : "sharable")} lock; a FileLock holds one lock at a time.");
        }

        bool acquired = false;
        try
        {
            acquired = TakeCore(type, deadline, cancellationToken);
            return acquired;
        }
        finally
        {
            // Publishes what this object holds.
            Volatile.Write(ref _state, acquired ? (type == Fcntl.F_WRLCK ? StateExclusive : StateSharable) : StateNone);
        }
    }

    private bool TakeCore(short type, Deadline deadline, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (deadline.IsInfinite && !cancellationToken.CanBeCanceled)
        {
            // Sleep in the kernel until the lock is granted.
            Errors.RetryCheck(() => SetLock(Fcntl.F_OFD_SETLKW, type), "fcntl(F_OFD_SETLKW)", Path);
            return true;
        }

        int pollMs = 1;
        while (true)
        {
            if (TrySetLock(type))
            {
                return true;
            }

            long remaining = deadline.RemainingNanoseconds();
            if (remaining == 0)
            {
                return false;
            }

            int sleepMs = remaining < 0 ? pollMs : (int)Math.Min(pollMs, Math.Max(1, remaining / 1_000_000));
            if (cancellationToken.CanBeCanceled)
            {
                cancellationToken.WaitHandle.WaitOne(sleepMs);
                cancellationToken.ThrowIfCancellationRequested();
            }
            else
            {
                Thread.Sleep(sleepMs);
            }

            pollMs = Math.Min(pollMs * 2, MaxPollMilliseconds);
        }
    }

    /// <summary>One non-blocking try; false when another description holds a conflicting lock.</summary>
    private bool TrySetLock(short type)
    {
        while (true)
        {
            if (SetLock(Fcntl.F_OFD_SETLK, type) == 0)
            {
                return true;
            }

            int errno = Errors.LastErrno;
            if (errno is (int)Errno.EAGAIN or (int)Errno.EACCES)
            {
                return false;
            }

            if (errno != (int)Errno.EINTR)
            {
                throw InterprocessException.FromErrno(errno, "fcntl(F_OFD_SETLK)", Path);
            }
        }
    }

    private void Release(int expected)
    {
        ObjectDisposedException.ThrowIf(_fd.IsClosed, this);
        int held = Interlocked.CompareExchange(ref _state, StateBusy, expected);
        if (held != expected)
        {
            string what = expected == StateExclusive ? "exclusive" : "sharable";
            throw new SynchronizationLockException(held switch
            {
                StateNone => $"This FileLock on '{Path}' holds no lock: {what} unlock without a matching lock.",
                StateBusy => $"Another thread is locking or unlocking this FileLock on '{Path}' right now.",
                _ => $"This FileLock on '{Path}' holds the {(held == StateExclusive ? "exclusive" : "sharable")} lock, not the {what} one.",
            });
        }

        bool released = false;
        try
        {
            Errors.RetryCheck(() => SetLock(Fcntl.F_OFD_SETLK, Fcntl.F_UNLCK), "fcntl(F_OFD_SETLK, F_UNLCK)", Path);
            released = true;
        }
        finally
        {
            Volatile.Write(ref _state, released ? StateNone : expected);
        }
    }

    /// <summary>fcntl on the whole file (start 0, length 0 = to the end, however it grows).</summary>
    private unsafe int SetLock(int command, short type)
    {
        // l_pid must be 0 for open-file-description locks.
        var flock = new Flock { l_type = type, l_whence = Fcntl.SEEK_SET, l_start = 0, l_len = 0, l_pid = 0 };
        return Libc.FcntlLock(_fd, command, &flock);
    }
}
