using System.Runtime.InteropServices;

namespace Interprocess.Interop;

internal static partial class Libc
{
    /// <summary><c>key_t ftok(const char *path, int id)</c>.</summary>
    [LibraryImport(Name, EntryPoint = "ftok", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int FTok(string path, int id);

    /// <summary><c>int shmget(key_t key, size_t size, int shmflg)</c>.</summary>
    [LibraryImport(Name, EntryPoint = "shmget", SetLastError = true)]
    internal static partial int ShmGet(int key, nuint size, int shmflg);

    /// <summary><c>void *shmat(int shmid, const void *shmaddr, int shmflg)</c>.</summary>
    [LibraryImport(Name, EntryPoint = "shmat", SetLastError = true)]
    internal static partial nint ShmAt(int shmid, nint shmaddr, int shmflg);

    /// <summary><c>int shmdt(const void *shmaddr)</c>.</summary>
    [LibraryImport(Name, EntryPoint = "shmdt", SetLastError = true)]
    internal static partial int ShmDt(nint shmaddr);

    /// <summary><c>int shmctl(int shmid, int cmd, struct shmid_ds *buf)</c>.</summary>
    [LibraryImport(Name, EntryPoint = "shmctl", SetLastError = true)]
    internal static unsafe partial int ShmCtl(int shmid, int cmd, ShmidDs* buf);
}
