using Interprocess.Memory;
using L = Interprocess.Queues.MessageQueueLayout;

namespace Interprocess.Queues;

/// <summary>Read-only inspection of a queue's shared state, for diagnostics and tools.</summary>
public sealed unsafe partial class MessageQueue
{
    /// <summary>Offsets in glibc's x86-64 pthread_mutex_t: __lock (futex word) and __owner.</summary>
    private const int MutexLockWordOffset = 0, MutexOwnerOffset = 8;

    /// <summary>Bits of a robust mutex's futex word (linux/futex.h): FUTEX_OWNER_DIED and FUTEX_TID_MASK.</summary>
    private const int FutexOwnerDied = 0x40000000, FutexTidMask = 0x3FFFFFFF;

    /// <summary>glibc's __owner value of a robust mutex unlocked without pthread_mutex_consistent.</summary>
    private const int MutexNotRecoverable = 0x7FFFFFFE;

    /// <summary>
    /// Reads a queue's sizes, message count, blocked parties and lock owner through a read-only mapping,
    /// without taking the queue's lock and without writing anything (a queue whose lock is held by a process
    /// that hangs can still be inspected). Everything read is validated first, as <see cref="Open"/> does.
    /// </summary>
    /// <param name="name">The queue's name.</param>
    /// <returns>A snapshot of the queue's state.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> breaks the naming rules.</exception>
    /// <exception cref="InterprocessException">No such object (<see cref="InterprocessErrorCode.NotFound"/>), no
    /// permission to read it, or it is not an initialized Boost-layout message queue
    /// (<see cref="InterprocessErrorCode.Corrupted"/>).</exception>
    public static MessageQueueInfo Inspect(string name)
    {
        using var shm = SharedMemoryObject.OpenExisting(name, AccessMode.ReadOnly);
        long size = shm.Size;
        if (size < L.Index)
        {
            throw InterprocessException.Corrupted(name, $"the object is {size} bytes, too small to be a message queue (at least {L.Index})");
        }

        using var region = new MappedRegion(shm, AccessMode.ReadOnly);
        byte* b = (byte*)region.Address;
        uint state = Volatile.Read(ref *(uint*)(b + L.StateOffset));
        if (state != L.StateInitialized)
        {
            throw InterprocessException.Corrupted(name, state switch
            {
                L.StateUninitialized or L.StateInitializing => "it is not initialized (being created, or its creator died while creating it)",
                L.StateCorrupted => "its creator marked it corrupted",
                _ => $"its initialization word is {state}, not a message queue's",
            });
        }

        ValidateStatic(b, region.Size, name);
        byte* h = b + L.Header;
        long max = (long)*(ulong*)(h + L.MaxNumMsg);
        ulong count = Volatile.Read(ref *(ulong*)(h + L.CurNumMsg));
        if (count > (ulong)max)
        {
            throw InterprocessException.Corrupted(name, $"it claims {count} messages in a queue of {max}");
        }

        int word = Volatile.Read(ref *(int*)(h + L.Mutex + MutexLockWordOffset));
        int owner = Volatile.Read(ref *(int*)(h + L.Mutex + MutexOwnerOffset));
        return new MessageQueueInfo(
            name,
            size,
            (int)max,
            (int)*(ulong*)(h + L.MaxMsgSize),
            (int)count,
            (long)Math.Min(Volatile.Read(ref *(ulong*)(h + L.BlockedSenders)), long.MaxValue),
            (long)Math.Min(Volatile.Read(ref *(ulong*)(h + L.BlockedReceivers)), long.MaxValue),
            word & FutexTidMask,
            (word & FutexOwnerDied) != 0,
            owner == MutexNotRecoverable);
    }
}
