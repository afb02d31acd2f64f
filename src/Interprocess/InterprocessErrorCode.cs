namespace Interprocess;

/// <summary>
/// What went wrong, in the categories Boost.Interprocess distinguishes (its <c>error_code_t</c>), so that
/// callers can react to a kind of failure without parsing messages or knowing errno values.
/// </summary>
public enum InterprocessErrorCode
{
    /// <summary>An error that fits no other category; see <see cref="InterprocessException.NativeErrorCode"/>.</summary>
    Other = 0,
    /// <summary>The named object, file or key does not exist (ENOENT).</summary>
    NotFound,
    /// <summary>An object with that name or key already exists (EEXIST).</summary>
    AlreadyExists,
    /// <summary>The caller lacks permission for the operation or the access asked for (EACCES, EPERM).</summary>
    PermissionDenied,
    /// <summary>A write was asked of something read-only (EROFS, or a read-only mapping).</summary>
    ReadOnly,
    /// <summary>A path or name is not usable: too long, a loop, or a directory where a file was expected.</summary>
    InvalidPath,
    /// <summary>The resource is busy, or a non-blocking operation would have had to wait (EBUSY, EAGAIN).</summary>
    Busy,
    /// <summary>A size is invalid: too large, negative, or beyond the object (EFBIG, EOVERFLOW).</summary>
    Size,
    /// <summary>Not enough memory or address space (ENOMEM).</summary>
    OutOfMemory,
    /// <summary>No space left on the device backing the object (ENOSPC).</summary>
    OutOfSpace,
    /// <summary>A per-process or system-wide limit was reached (EMFILE, ENFILE, ENOLCK).</summary>
    OutOfResources,
    /// <summary>A timed operation ran out of time where a timeout is an error rather than a result.</summary>
    Timeout,
    /// <summary>The owner of a lock died while holding it.</summary>
    OwnerDead,
    /// <summary>A lock or object cannot be used any more because an earlier owner left it inconsistent.</summary>
    NotRecoverable,
    /// <summary>Shared memory does not hold what the layout requires: a foreign, truncated or damaged object.</summary>
    Corrupted,
    /// <summary>An argument was rejected by the operating system (EINVAL).</summary>
    InvalidArgument,
    /// <summary>An input or output error (EIO).</summary>
    Io,
    /// <summary>The operation is not supported here (ENOSYS, EOPNOTSUPP, ENODEV).</summary>
    NotSupported,
    /// <summary>The operation would deadlock (EDEADLK).</summary>
    Deadlock,
    /// <summary>The object was removed while in use (EIDRM).</summary>
    Removed,
}
