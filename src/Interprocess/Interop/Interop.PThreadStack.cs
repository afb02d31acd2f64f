using System.Runtime.InteropServices;

namespace Interprocess.Interop;

internal static partial class Libc
{
    /// <summary><c>pthread_t pthread_self(void)</c>.</summary>
    [LibraryImport(Name, EntryPoint = "pthread_self")]
    internal static partial nuint PThreadSelf();

    /// <summary><c>int pthread_getattr_np(pthread_t thread, pthread_attr_t *attr)</c>; returns an error number.</summary>
    [LibraryImport(Name, EntryPoint = "pthread_getattr_np")]
    internal static unsafe partial int PThreadGetAttrNp(nuint thread, void* attr);

    /// <summary><c>int pthread_attr_getstack(const pthread_attr_t *attr, void **addr, size_t *size)</c>.</summary>
    [LibraryImport(Name, EntryPoint = "pthread_attr_getstack")]
    internal static unsafe partial int PThreadAttrGetStack(void* attr, nint* stackAddr, nuint* stackSize);

    /// <summary><c>int pthread_attr_destroy(pthread_attr_t *attr)</c>.</summary>
    [LibraryImport(Name, EntryPoint = "pthread_attr_destroy")]
    internal static unsafe partial int PThreadAttrDestroy(void* attr);

    /// <summary>sizeof(pthread_attr_t) on 64-bit Linux.</summary>
    internal const int SizeOfPThreadAttr = 56;
}
