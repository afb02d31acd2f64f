using System.Runtime.InteropServices;

namespace Interprocess.Interop;

internal static partial class Libc
{
    /// <summary>
    /// <c>ssize_t readlink(const char *path, char *buf, size_t bufsiz)</c>: the target of a symbolic link, not
    /// NUL-terminated; the result is the number of bytes stored (truncated silently when the buffer is too small).
    /// </summary>
    [LibraryImport(Name, EntryPoint = "readlink", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static unsafe partial nint ReadLink(string path, byte* buf, nuint bufsiz);
}
