using System.Runtime.InteropServices;

namespace Interprocess.Interop;

/// <summary>
/// System V IPC constants (&lt;sys/ipc.h&gt;, &lt;sys/shm.h&gt;) and <c>struct shmid_ds</c> of glibc on x86-64
/// (112 bytes). Checked against the C headers by <c>AbiTests</c>.
/// </summary>
internal static class Ipc
{
    internal const int IPC_PRIVATE = 0;
    internal const int IPC_CREAT = 0x200;   // 01000
    internal const int IPC_EXCL = 0x400;    // 02000
    internal const int IPC_RMID = 0;
    internal const int IPC_SET = 1;
    internal const int IPC_STAT = 2;
    internal const int SHM_RDONLY = 0x1000; // 010000
}

/// <summary><c>struct shmid_ds</c> of glibc on x86-64; the named fields are those the library reads.</summary>
[StructLayout(LayoutKind.Explicit, Size = 112)]
internal struct ShmidDs
{
    /// <summary><c>shm_perm.__key</c>.</summary>
    [FieldOffset(0)] public int shm_perm_key;
    /// <summary><c>shm_perm.uid</c>.</summary>
    [FieldOffset(4)] public uint shm_perm_uid;
    /// <summary><c>shm_perm.gid</c>.</summary>
    [FieldOffset(8)] public uint shm_perm_gid;
    /// <summary>
    /// <c>shm_perm.mode</c> (the low 9 bits are the permissions): a 4-byte <c>mode_t</c> since glibc 2.31 (BZ#18231);
    /// older glibc had an <c>unsigned short</c> followed by 2 bytes of zero padding, which reads the same.
    /// </summary>
    [FieldOffset(20)] public uint shm_perm_mode;
    [FieldOffset(48)] public nuint shm_segsz;
    [FieldOffset(80)] public int shm_cpid;
    [FieldOffset(84)] public int shm_lpid;
    [FieldOffset(88)] public ulong shm_nattch;
}
