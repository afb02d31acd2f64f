using Interprocess.Interop;

namespace Interprocess;

/// <summary>
/// The failure of an interprocess operation: which operation, on which object, what category of error
/// (<see cref="ErrorCode"/>) and, when the operating system reported it, the native error number and its text.
/// </summary>
/// <remarks>
/// Expected outcomes (a try that found the lock taken, a timed wait that timed out) are return values, not
/// exceptions. EINTR is retried inside the library and never reaches the caller.
/// </remarks>
public class InterprocessException : Exception
{
    /// <summary>Creates an exception with a category and a message.</summary>
    /// <param name="errorCode">The category of the failure.</param>
    /// <param name="message">A message that says what failed and on what.</param>
    public InterprocessException(InterprocessErrorCode errorCode, string message)
        : base(message)
    {
        ErrorCode = errorCode;
    }

    /// <summary>Creates an exception with a category, a message and the exception that caused it.</summary>
    /// <param name="errorCode">The category of the failure.</param>
    /// <param name="message">A message that says what failed and on what.</param>
    /// <param name="innerException">The cause.</param>
    public InterprocessException(InterprocessErrorCode errorCode, string message, Exception? innerException)
        : base(message, innerException)
    {
        ErrorCode = errorCode;
    }

    /// <summary>Creates an exception for a failed native call.</summary>
    /// <param name="errorCode">The category of the failure.</param>
    /// <param name="nativeErrorCode">The errno the call reported.</param>
    /// <param name="operation">The operation, e.g. <c>shm_open</c>.</param>
    /// <param name="objectName">The name or path of the object, or <see langword="null"/>.</param>
    /// <param name="message">The full message.</param>
    public InterprocessException(InterprocessErrorCode errorCode, int nativeErrorCode, string operation, string? objectName, string message)
        : base(message)
    {
        ErrorCode = errorCode;
        NativeErrorCode = nativeErrorCode;
        Operation = operation;
        ObjectName = objectName;
    }

    /// <summary>The category of the failure.</summary>
    public InterprocessErrorCode ErrorCode { get; }

    /// <summary>The errno reported by the operating system, or 0 when the failure was detected by the library.</summary>
    public int NativeErrorCode { get; }

    /// <summary>The operation that failed (<c>shm_open</c>, <c>mmap</c>, ...), when known.</summary>
    public string? Operation { get; init; }

    /// <summary>The name or path of the object the operation was applied to, when there is one.</summary>
    public string? ObjectName { get; init; }

    /// <summary>Maps an errno to the category callers act on. The only place errno values are interpreted.</summary>
    internal static InterprocessErrorCode Categorize(int errno) => (Errno)errno switch
    {
        Errno.ENOENT or Errno.ENXIO => InterprocessErrorCode.NotFound,
        Errno.EEXIST => InterprocessErrorCode.AlreadyExists,
        Errno.EACCES or Errno.EPERM => InterprocessErrorCode.PermissionDenied,
        Errno.EROFS or Errno.ETXTBSY => InterprocessErrorCode.ReadOnly,
        Errno.ENAMETOOLONG or Errno.ELOOP or Errno.ENOTDIR or Errno.EISDIR => InterprocessErrorCode.InvalidPath,
        Errno.EBUSY or Errno.EAGAIN => InterprocessErrorCode.Busy,
        Errno.EFBIG or Errno.EOVERFLOW => InterprocessErrorCode.Size,
        Errno.ENOMEM => InterprocessErrorCode.OutOfMemory,
        Errno.ENOSPC => InterprocessErrorCode.OutOfSpace,
        Errno.EMFILE or Errno.ENFILE or Errno.ENOLCK => InterprocessErrorCode.OutOfResources,
        Errno.ETIMEDOUT => InterprocessErrorCode.Timeout,
        Errno.EOWNERDEAD => InterprocessErrorCode.OwnerDead,
        Errno.ENOTRECOVERABLE => InterprocessErrorCode.NotRecoverable,
        Errno.EINVAL => InterprocessErrorCode.InvalidArgument,
        Errno.EIO => InterprocessErrorCode.Io,
        Errno.ENOSYS or Errno.EOPNOTSUPP or Errno.ENODEV => InterprocessErrorCode.NotSupported,
        Errno.EDEADLK => InterprocessErrorCode.Deadlock,
        Errno.EIDRM => InterprocessErrorCode.Removed,
        _ => InterprocessErrorCode.Other,
    };

    /// <summary>The symbolic name of an errno (<c>ENOENT</c>), or its number.</summary>
    internal static string ErrnoName(int errno) =>
        Enum.IsDefined(typeof(Errno), errno) ? ((Errno)errno).ToString() : "errno " + errno;

    /// <summary>
    /// Builds the exception for a native call that failed with <paramref name="errno"/>: the one errno→exception
    /// mapping of the library. The message names the operation, the object and the native error with its text.
    /// </summary>
    internal static InterprocessException FromErrno(int errno, string operation, string? objectName) =>
        FromErrno(errno, operation, objectName, Categorize(errno));

    /// <summary>
    /// As <see cref="FromErrno(int, string, string?)"/>, for a call whose errno means something more precise in
    /// its context than in general (System V's EINVAL for "no segment with that id" is <see cref="InterprocessErrorCode.NotFound"/>).
    /// </summary>
    internal static InterprocessException FromErrno(int errno, string operation, string? objectName, InterprocessErrorCode code)
    {
        string text = System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno);
        string target = objectName is null ? string.Empty : $" for '{objectName}'";
        string message = $"{operation} failed{target}: {text} ({ErrnoName(errno)}, errno {errno}).";
        return new InterprocessException(code, errno, operation, objectName, message);
    }

    /// <summary>Builds the exception for the errno of the last failed P/Invoke.</summary>
    internal static InterprocessException FromLastError(string operation, string? objectName) =>
        FromErrno(System.Runtime.InteropServices.Marshal.GetLastPInvokeError(), operation, objectName);

    /// <summary>A "this is not what the layout requires" failure found by the library itself.</summary>
    internal static InterprocessException Corrupted(string? objectName, string what) =>
        new(InterprocessErrorCode.Corrupted, objectName is null ? what : $"'{objectName}': {what}") { ObjectName = objectName };
}
