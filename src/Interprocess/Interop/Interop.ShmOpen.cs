using System.Runtime.InteropServices;

namespace Interprocess.Interop;

internal static partial class Libc
{
    /// <summary><c>int shm_open(const char *name, int oflag, mode_t mode)</c>; <paramref name="name"/> starts with '/'.</summary>
    [LibraryImport(Name, EntryPoint = "shm_open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial SafeFileDescriptor ShmOpen(string name, int oflag, uint mode);

    /// <summary><c>int shm_unlink(const char *name)</c>.</summary>
    [LibraryImport(Name, EntryPoint = "shm_unlink", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int ShmUnlink(string name);
}
