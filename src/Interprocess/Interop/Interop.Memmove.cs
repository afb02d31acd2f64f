using System.Runtime.InteropServices;

namespace Interprocess.Interop;

internal static partial class Libc
{
    /// <summary>
    /// <c>void *memmove(void *dest, const void *src, size_t n)</c>: glibc's copy, which never blocks. Called without
    /// a GC transition, so only for copies that take well under a microsecond or so (see
    /// <see cref="Queues.SmallCopy"/>, which bounds the length).
    /// </summary>
    [LibraryImport(Name, EntryPoint = "memmove")]
    [SuppressGCTransition]
    internal static unsafe partial void* Memmove(void* destination, void* source, nuint length);
}
