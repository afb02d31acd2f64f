namespace Interprocess.Interop;

/// <summary>
/// errno values of Linux on x86-64 (asm-generic/errno-base.h, asm-generic/errno.h). Checked against the C
/// headers by <c>AbiTests</c>. Only the values the library inspects are listed; any other errno still reaches
/// the caller through <see cref="InterprocessException.NativeErrorCode"/>.
/// </summary>
internal enum Errno
{
    EPERM = 1,
    ENOENT = 2,
    ESRCH = 3,
    EINTR = 4,
    EIO = 5,
    ENXIO = 6,
    EBADF = 9,
    EAGAIN = 11,
    ENOMEM = 12,
    EACCES = 13,
    EFAULT = 14,
    EBUSY = 16,
    EEXIST = 17,
    ENODEV = 19,
    ENOTDIR = 20,
    EISDIR = 21,
    EINVAL = 22,
    ENFILE = 23,
    EMFILE = 24,
    ETXTBSY = 26,
    EFBIG = 27,
    ENOSPC = 28,
    EROFS = 30,
    EDEADLK = 35,
    ENAMETOOLONG = 36,
    ENOLCK = 37,
    ENOSYS = 38,
    ENOTEMPTY = 39,
    ELOOP = 40,
    EIDRM = 43,
    EOVERFLOW = 75,
    EOPNOTSUPP = 95,
    ETIMEDOUT = 110,
    EOWNERDEAD = 130,
    ENOTRECOVERABLE = 131,
}
