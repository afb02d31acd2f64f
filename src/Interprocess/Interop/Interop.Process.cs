using System.Runtime.InteropServices;

namespace Interprocess.Interop;

internal static partial class Libc
{
    /// <summary><c>pid_t getpid(void)</c>; never blocks.</summary>
    [LibraryImport(Name, EntryPoint = "getpid")]
    [SuppressGCTransition]
    internal static partial int GetPid();

    /// <summary><c>pid_t gettid(void)</c> (glibc 2.30+); never blocks.</summary>
    [LibraryImport(Name, EntryPoint = "gettid")]
    [SuppressGCTransition]
    internal static partial int GetTid();

    /// <summary><c>int kill(pid_t pid, int sig)</c>; with signal 0 it only asks whether the process exists.</summary>
    [LibraryImport(Name, EntryPoint = "kill", SetLastError = true)]
    internal static partial int Kill(int pid, int sig);
}
