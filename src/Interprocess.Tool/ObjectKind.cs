namespace Interprocess.Tool;

/// <summary>The families the tool sorts shared memory objects into (<c>--kind</c>).</summary>
internal enum ObjectKind
{
    /// <summary>A managed segment (<c>ManagedSharedMemory</c>).</summary>
    Segment,

    /// <summary>A <c>MessageQueue</c> (Boost layout) or a fast queue (<c>SpscQueue</c>, <c>MpmcQueue</c>, <c>BroadcastQueue</c>).</summary>
    Queue,

    /// <summary>A named synchronization object: <c>/dev/shm/ipsync.NAME</c> or a POSIX semaphore <c>/dev/shm/sem.NAME</c>.</summary>
    Sync,

    /// <summary>A shared memory object with no header the library recognizes (a plain <c>SharedMemoryObject</c>, or foreign).</summary>
    Shm,

    /// <summary>Not a regular file, or not readable: nothing can be said about its contents.</summary>
    Unknown,
}
