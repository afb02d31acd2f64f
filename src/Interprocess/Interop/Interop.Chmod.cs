using System.Runtime.InteropServices;

namespace Interprocess.Interop;

internal static partial class Libc
{
    /// <summary>
    /// <c>int chmod(const char *path, mode_t mode)</c>: for objects the library cannot reach through a
    /// descriptor (a POSIX named semaphore); everything opened as a descriptor uses <see cref="FChmod"/>.
    /// </summary>
    [LibraryImport(Name, EntryPoint = "chmod", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Chmod(string path, uint mode);
}
