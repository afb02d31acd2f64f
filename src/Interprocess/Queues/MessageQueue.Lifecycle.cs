using Interprocess.Interop;
using Interprocess.Memory;
using L = Interprocess.Queues.MessageQueueLayout;

namespace Interprocess.Queues;

/// <summary>Creation, opening and validation of the shared object (Boost's managed_open_or_create_impl protocol).</summary>
public sealed unsafe partial class MessageQueue
{
    /// <summary>glibc's __kind bits of pthread_mutex_t: PTHREAD_MUTEX_ROBUST_NORMAL_NP and PTHREAD_MUTEX_PSHARED_BIT.</summary>
    private const int MutexKindRobust = 16, MutexKindPShared = 128;

    /// <summary>Offset of __kind in glibc's pthread_mutex_t, and of __wrefs (bit 0: process-shared) in pthread_cond_t.</summary>
    private const int MutexKindOffset = 16, CondWrefsOffset = 36;

    private static long ValidateSizes(string name, int maxMessages, int maxMessageSize)
    {
        ObjectName.Validate(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(maxMessageSize);
        long size = L.TotalSize(maxMessages, maxMessageSize);
        if (size < 0 || size > (1L << 62))
        {
            throw new ArgumentOutOfRangeException(nameof(maxMessages), $"A queue of {maxMessages} messages of {maxMessageSize} bytes would not fit in memory.");
        }

        return size;
    }

    /// <summary>The creator's half of Boost's protocol: state 0 → 1 (initializing), build the header, state → 2.</summary>
    private static MessageQueue InitializeCreated(SharedMemoryObject shm, int maxMessages, int maxMessageSize)
    {
        MappedRegion? region = null;
        try
        {
            region = new MappedRegion(shm);
            byte* b = (byte*)region.Address;
            ref uint state = ref *(uint*)(b + L.StateOffset);
            if (Interlocked.CompareExchange(ref state, L.StateInitializing, L.StateUninitialized) != L.StateUninitialized)
            {
                Volatile.Write(ref state, L.StateCorrupted);
                throw InterprocessException.Corrupted(shm.Name, "a new message queue's object was being initialized by someone else");
            }

            byte* h = b + L.Header;
            *(long*)(h + L.IndexPointer) = L.HeaderSize; // offset_ptr from mp_index to the index right after the header
            *(ulong*)(h + L.MaxNumMsg) = (ulong)maxMessages;
            *(ulong*)(h + L.MaxMsgSize) = (ulong)maxMessageSize;
            *(ulong*)(h + L.CurNumMsg) = 0;
            *(ulong*)(h + L.CurFirstMsg) = 0;
            *(ulong*)(h + L.BlockedSenders) = 0;
            *(ulong*)(h + L.BlockedReceivers) = 0;
            InitMutex(h + L.Mutex, shm.Name);
            InitCond(h + L.CondRecv, shm.Name);
            InitCond(h + L.CondSend, shm.Name);
            long slots = L.Slots(maxMessages), slotSize = L.SlotSize(maxMessageSize);
            for (long i = 0; i < maxMessages; i++)
            {
                long entry = L.Index + (i * 8);
                *(long*)(b + entry) = slots + (i * slotSize) - entry;
            }

            // Publishes the whole header to openers, which wait for this value (release).
            Volatile.Write(ref state, L.StateInitialized);
            return new MessageQueue(shm, region, created: true);
        }
        catch
        {
            region?.Dispose();
            string name = shm.Name;
            shm.Dispose();
            SharedMemoryObject.Remove(name);
            throw;
        }
    }

    private static void InitMutex(byte* mutex, string name)
    {
        ulong attr = 0;
        Check(Libc.PThreadMutexAttrInit(&attr), "pthread_mutexattr_init", name);
        try
        {
            Check(Libc.PThreadMutexAttrSetPShared(&attr, PThread.PTHREAD_PROCESS_SHARED), "pthread_mutexattr_setpshared", name);
            Check(Libc.PThreadMutexAttrSetRobust(&attr, PThread.PTHREAD_MUTEX_ROBUST), "pthread_mutexattr_setrobust", name);
            Check(Libc.PThreadMutexInit(mutex, &attr), "pthread_mutex_init", name);
        }
        finally
        {
            Libc.PThreadMutexAttrDestroy(&attr);
        }
    }

    private static void InitCond(byte* cond, string name)
    {
        // Boost leaves the clock attribute at its default (CLOCK_REALTIME); so do we, so that a C++ process's
        // timed waits keep their meaning. Our own waits pass CLOCK_MONOTONIC to pthread_cond_clockwait.
        ulong attr = 0;
        Check(Libc.PThreadCondAttrInit(&attr), "pthread_condattr_init", name);
        try
        {
            Check(Libc.PThreadCondAttrSetPShared(&attr, PThread.PTHREAD_PROCESS_SHARED), "pthread_condattr_setpshared", name);
            Check(Libc.PThreadCondInit(cond, &attr), "pthread_cond_init", name);
        }
        finally
        {
            Libc.PThreadCondAttrDestroy(&attr);
        }
    }

    private static void Check(int rc, string operation, string name)
    {
        if (rc != 0)
        {
            throw InterprocessException.FromErrno(rc, operation, name);
        }
    }

    /// <summary>The opener's half: wait for the creator, then check everything before trusting any of it.</summary>
    private static MessageQueue OpenExisting(SharedMemoryObject shm)
    {
        MappedRegion? region = null;
        MessageQueue? queue = null;
        try
        {
            var deadline = Synchronization.Deadline.FromTimeout(s_initializeTimeout);
            long size;
            while ((size = shm.Size) == 0)
            {
                if (deadline.HasPassed)
                {
                    throw InterprocessException.Corrupted(shm.Name, "the object is empty: it is not a message queue, or its creator died before sizing it");
                }

                Thread.Sleep(1);
            }

            if (size < L.Index)
            {
                throw InterprocessException.Corrupted(shm.Name, $"the object is {size} bytes, too small to be a message queue (at least {L.Index})");
            }

            region = new MappedRegion(shm);
            byte* b = (byte*)region.Address;
            uint state;
            while ((state = Volatile.Read(ref *(uint*)(b + L.StateOffset))) != L.StateInitialized)
            {
                if (state > L.StateInitializing)
                {
                    throw InterprocessException.Corrupted(shm.Name, state == L.StateCorrupted
                        ? "its creator marked it corrupted"
                        : $"its initialization word is {state}, not a message queue's");
                }

                if (deadline.HasPassed)
                {
                    throw InterprocessException.Corrupted(shm.Name, "it was never initialized: not a message queue, or its creator died while creating it");
                }

                Thread.Sleep(1);
            }

            ValidateStatic(b, region.Size, shm.Name);
            queue = new MessageQueue(shm, region, created: false);
            queue.Lock(Synchronization.Deadline.Infinite);
            try
            {
                queue.ValidateState(repairFreeSlots: false);
            }
            finally
            {
                queue.Unlock();
            }

            return queue;
        }
        catch
        {
            region?.Dispose();
            shm.Dispose();
            throw;
        }
    }

    /// <summary>Checks the parts of the header that never change, before any of it is used.</summary>
    private static void ValidateStatic(byte* b, long size, string name)
    {
        byte* h = b + L.Header;
        ulong max = *(ulong*)(h + L.MaxNumMsg), msgSize = *(ulong*)(h + L.MaxMsgSize);
        long indexPtr = *(long*)(h + L.IndexPointer);
        if (indexPtr != L.HeaderSize)
        {
            throw InterprocessException.Corrupted(name, $"its index pointer is {indexPtr}, not {L.HeaderSize}: not a Boost message queue");
        }

        if (max < 1 || max > int.MaxValue || msgSize > int.MaxValue)
        {
            throw InterprocessException.Corrupted(name, $"it claims room for {max} messages of {msgSize} bytes");
        }

        long need = L.TotalSize((long)max, (long)msgSize);
        if (need < 0 || need > size)
        {
            throw InterprocessException.Corrupted(name, $"it claims {max} messages of {msgSize} bytes, which need {need} bytes, but the object is {size} bytes");
        }

        int kind = *(int*)(h + L.Mutex + MutexKindOffset);
        if ((kind & MutexKindRobust) == 0 || (kind & MutexKindPShared) == 0)
        {
            throw InterprocessException.Corrupted(name, $"its mutex is not a robust process-shared pthread mutex (kind {kind:x})");
        }

        if ((*(uint*)(h + L.CondRecv + CondWrefsOffset) & 1) == 0 || (*(uint*)(h + L.CondSend + CondWrefsOffset) & 1) == 0)
        {
            throw InterprocessException.Corrupted(name, "its conditions are not process-shared pthread conditions");
        }
    }

    /// <summary>
    /// Checks, with the lock held, the parts that change: the count and first position in range, every index
    /// entry pointing at a distinct message slot, every stored message within the maximum size. With
    /// <paramref name="repairFreeSlots"/>, clears the headers of free slots as Boost expects them.
    /// </summary>
    private void ValidateState(bool repairFreeSlots)
    {
        long count = CurNum, first = CurFirst;
        var used = new bool[_maxMessages];
        for (long i = 0; i < _maxMessages; i++)
        {
            long slot = SlotAt(i);
            long k = (slot - _slots) / _slotSize;
            if (used[k])
            {
                throw Corrupt($"two index entries point at message slot {k}");
            }

            used[k] = true;
            long logical = (i - first + _maxMessages) % _maxMessages;
            byte* msg = _base + slot;
            if (logical < count)
            {
                ulong len = *(ulong*)(msg + L.MessageLength);
                if (len > (ulong)_maxMessageSize)
                {
                    throw Corrupt($"a stored message claims {len} bytes, more than the maximum of {_maxMessageSize}");
                }
            }
            else if (repairFreeSlots)
            {
                *(ulong*)(msg + L.MessageLength) = 0;
                *(uint*)(msg + L.MessagePriority) = 0;
            }
        }
    }
}
