using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Interprocess.Interop;

namespace Interprocess.Synchronization;

/// <summary>
/// The lock word every exclusive lock of the library is built on: a 32-bit futex in shared memory holding the
/// owner's kernel thread id, plus the two pointers that link it into the owner thread's robust-futex list.
/// </summary>
/// <remarks>
/// <para><b>Layout</b> (40 bytes, the size and geometry of glibc's <c>pthread_mutex_t</c> on 64-bit Linux):</para>
/// <code>
///  0  int  Word       0 = free; else owner tid (bits 0-29) | OWNER_DIED (bit 30) | WAITERS (bit 31)
///  4  int  Recursion  recursion count (recursive mutex only)
///  8  long Reserved
/// 16  long Reserved
/// 24  nint Prev       robust list: the previous entry (an address in the owner's process; meaningless elsewhere)
/// 32  nint Next       robust list: the next entry; the kernel finds Word at Next + FutexOffset (-32)
/// </code>
/// <para><b>Dead owners.</b> While a thread holds the lock, the lock is linked into that thread's robust list,
/// the per-thread list glibc registers with the kernel (<c>set_robust_list</c>) for its own robust mutexes.
/// When the thread dies, whether its process was killed with SIGKILL or the thread simply exited, the kernel
/// walks the list, sets OWNER_DIED in every word the thread still owns and wakes one waiter. The next locker
/// sees OWNER_DIED, takes the lock and reports <see cref="LockStatus.AcquiredAbandoned"/>; the lock stays
/// usable. The list is glibc's own doubly linked list, manipulated only by its owner thread exactly as glibc
/// does, so the two kinds of entries live side by side in it (see <see cref="Link"/> for why glibc's
/// list_op_pending stores are not needed here). As a fallback (a word
/// damaged in shared memory, a mapping removed before its owner died, a C library without robust lists) a
/// waiter that has slept for <see cref="LivenessCheckNanoseconds"/> checks whether the owner thread still
/// exists and recovers the lock if it does not. Thread ids are those of the pid namespace the processes share.</para>
/// <para><b>Copies.</b> C# copies structs silently; a copy of a lock is not a lock. A lock found on the calling
/// thread's stack is refused with <see cref="InvalidOperationException"/>, and unlocking checks that the
/// robust list still points at this very lock, which catches a copy made while locked.</para>
/// </remarks>
[StructLayout(LayoutKind.Explicit, Size = Size)]
internal unsafe struct RobustLock
{
    /// <summary>The size of the layout in bytes.</summary>
    internal const int Size = 40;

    /// <summary>Offset from the list entry (<see cref="Next"/>) to <see cref="Word"/>, as glibc registers it.</summary>
    internal const long FutexOffset = -32;

    /// <summary>Someone may be sleeping on the word: the unlocker must wake one (FUTEX_WAITERS).</summary>
    internal const int WaitersBit = unchecked((int)0x80000000);

    /// <summary>The owner died holding the lock (FUTEX_OWNER_DIED, set by the kernel or by a liveness check).</summary>
    internal const int OwnerDiedBit = 0x40000000;

    /// <summary>The owner's thread id (FUTEX_TID_MASK).</summary>
    internal const int TidMask = 0x3FFFFFFF;

    /// <summary>How long a waiter sleeps before it checks that the owner still exists: 250 ms.</summary>
    internal const long LivenessCheckNanoseconds = 250_000_000;

    /// <summary>Spins before a contended locker sleeps (a lock is usually held for nanoseconds).</summary>
    private const int SpinCount = 100;

    [FieldOffset(0)] internal int Word;
    [FieldOffset(4)] internal int Recursion;
    [FieldOffset(24)] internal nint Prev;
    [FieldOffset(32)] internal nint Next;

    /// <summary>The owner's thread id, 0 when free (a snapshot).</summary>
    internal readonly int OwnerTid => Volatile.Read(in Word) & TidMask;

    /// <summary>True when OWNER_DIED is set: the last owner died holding the lock and nobody has taken it since (a snapshot).</summary>
    internal readonly bool OwnerDied => (Volatile.Read(in Word) & OwnerDiedBit) != 0;

    /// <summary>True when the calling thread holds the lock.</summary>
    internal readonly bool IsHeldByCurrentThread => (Volatile.Read(in Word) & TidMask) == ThreadIdentity.Tid;

    /// <summary>
    /// Takes the lock if it is free; the whole uncontended path: one compare-exchange and the list link.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal LockStatus TryAcquireFast(ThreadIdentity.State me)
    {
        RobustLock* self = (RobustLock*)Unsafe.AsPointer(ref this);
        if (me.IsOnStack(self))
        {
            ThrowCopied();
        }

        if (Interlocked.CompareExchange(ref self->Word, me.Tid, 0) == 0)
        {
            Link(me.Head, self);
            return LockStatus.Acquired;
        }

        return LockStatus.NotAcquired;
    }

    /// <summary>
    /// Takes the lock, waiting until <paramref name="deadline"/>; reports whether a dead owner's lock was
    /// taken over. The caller must not own the lock already.
    /// </summary>
    internal LockStatus Acquire(ThreadIdentity.State me, Deadline deadline, CancellationToken cancellationToken)
    {
        LockStatus status = TryAcquireFast(me);
        return status != LockStatus.NotAcquired ? status : AcquireSlow(me, deadline, cancellationToken);
    }

    /// <summary>
    /// As <see cref="Acquire(ThreadIdentity.State, Deadline, CancellationToken)"/>, the deadline's clock started only
    /// if the lock is busy (a clock read costs several times an uncontended lock).
    /// </summary>
    internal LockStatus Acquire(ThreadIdentity.State me, ref LazyDeadline deadline, CancellationToken cancellationToken)
    {
        LockStatus status = TryAcquireFast(me);
        return status != LockStatus.NotAcquired ? status : AcquireSlow(me, deadline.Value, cancellationToken);
    }

    /// <summary>As <see cref="Acquire(ThreadIdentity.State, ref LazyDeadline, CancellationToken)"/>, waiting at most <paramref name="timeout"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    internal LockStatus Acquire(ThreadIdentity.State me, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = new LazyDeadline(timeout);
        return Acquire(me, ref deadline, cancellationToken);
    }

    /// <summary>Releases the lock held by <paramref name="me"/>, waking one waiter if there may be one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Release(ThreadIdentity.State me)
    {
        RobustLock* self = (RobustLock*)Unsafe.AsPointer(ref this);
        int word = self->Word;
        if ((word & TidMask) != me.Tid)
        {
            ThrowNotOwner(word & TidMask, me.Tid);
        }

        if (me.Head != null)
        {
            // Out of the list before the word is freed: the moment it is free, another thread may link it.
            Unlink(self);
        }

        // The exchange publishes every write made under the lock (release), and frees the word.
        if ((Interlocked.Exchange(ref self->Word, 0) & WaitersBit) != 0)
        {
            FutexCalls.Wake(&self->Word, 1);
        }
    }

    /// <summary>
    /// Releases the lock held by <paramref name="me"/> but leaves it marked abandoned (OWNER_DIED), so that the
    /// next locker is told: used by a caller that took over a dead owner's lock and then gave up before it could
    /// report the takeover to anyone.
    /// </summary>
    internal void ReleaseAbandoned(ThreadIdentity.State me)
    {
        RobustLock* self = (RobustLock*)Unsafe.AsPointer(ref this);
        int word = self->Word;
        if ((word & TidMask) != me.Tid)
        {
            ThrowNotOwner(word & TidMask, me.Tid);
        }

        if (me.Head != null)
        {
            Unlink(self);
        }

        // The exchange publishes every write made under the lock and frees the word as the kernel would.
        int old = Interlocked.Exchange(ref self->Word, OwnerDiedBit | (self->Word & WaitersBit));
        if ((old & WaitersBit) != 0)
        {
            FutexCalls.Wake(&self->Word, 1);
        }
    }

    /// <summary>
    /// True when the lock is marked abandoned, or its owner thread no longer exists (then it is marked
    /// abandoned here, as the kernel would have done). A system call only when the word names an owner.
    /// </summary>
    internal bool IsAbandonedOrOwnerGone()
    {
        int* word = (int*)Unsafe.AsPointer(ref Word);
        int seen = Volatile.Read(ref *word);
        if ((seen & OwnerDiedBit) != 0)
        {
            return true;
        }

        RecoverIfOwnerGone(word, seen);
        return (Volatile.Read(ref *word) & OwnerDiedBit) != 0;
    }

    /// <summary>The stack check and error for a lock that is not in shared memory.</summary>
    [DoesNotReturn]
    internal static void ThrowCopied() => throw new InvalidOperationException(
        "This lock lives on the stack: it is a copy of a lock in shared memory (C# copied the struct). " +
        "Use the lock in place, through a ref (e.g. region.GetRef<MyShared>(0).Mutex.Lock()).");

    /// <summary>
    /// Links the (just acquired) lock at the front of this thread's robust list. The kernel follows only the
    /// "next" pointers, so the list it may walk at any instant is whole: before the last store it does not
    /// hold the lock, after it it does. A death between the compare-exchange and that store leaves a lock
    /// owned by a dead thread and not in its list; the liveness check of the waiters recovers it. That is
    /// why the fast path can skip glibc's list_op_pending stores.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Link(RobustListHead* head, RobustLock* self)
    {
        if (head == null)
        {
            return;
        }

        nint entry = (nint)(&self->Next);
        nint first = head->List & ~(nint)1;
        // The "prev" slot of an entry is the word before its "next" slot; for the head that is glibc's robust_prev.
        *(nint*)(first - sizeof(nint)) = entry;
        self->Next = head->List;
        self->Prev = (nint)head;
        // Publish the entry in the list last.
        Volatile.Write(ref head->List, entry);
    }

    /// <summary>Unlinks the lock from this thread's robust list; the kernel's walk skips it from the store to the previous entry on.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Unlink(RobustLock* self)
    {
        nint entry = (nint)(&self->Next);
        nint prev = self->Prev & ~(nint)1;
        if (prev == 0 || *(nint*)prev != entry)
        {
            ThrowNotLinked();
        }

        nint next = self->Next & ~(nint)1;
        *(nint*)(next - sizeof(nint)) = self->Prev;
        Volatile.Write(ref *(nint*)prev, self->Next);
        self->Prev = 0;
        self->Next = 0;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private LockStatus AcquireSlow(ThreadIdentity.State me, Deadline deadline, CancellationToken cancellationToken)
    {
        int tid = me.Tid;
        RobustLock* self = (RobustLock*)Unsafe.AsPointer(ref this);
        int* word = &self->Word;
        if ((Volatile.Read(ref *word) & TidMask) == tid)
        {
            throw new LockRecursionException("The calling thread already holds this lock; it is not recursive.");
        }

        // Spin briefly: the owner usually lets go within nanoseconds, and a sleep/wake costs microseconds.
        // A try (zero timeout) does not spin.
        int spins = deadline.RemainingNanoseconds() == 0 ? 0 : SpinCount;
        for (int i = 0; i < spins; i++)
        {
            int v = Volatile.Read(ref *word);
            if (v == 0 || (v & OwnerDiedBit) != 0)
            {
                break;
            }

            Thread.SpinWait(8);
        }

        bool waited = false;
        CancellationTokenRegistration registration = default;
        try
        {
            while (true)
            {
                int old = Volatile.Read(ref *word);
                if ((old & OwnerDiedBit) != 0)
                {
                    // The owner died: take the lock over, keeping the waiters bit for the others.
                    if (TryTake(me, old, tid | (old & WaitersBit), self))
                    {
                        return LockStatus.AcquiredAbandoned;
                    }

                    continue;
                }

                if (old == 0)
                {
                    // Free. Having slept, we cannot know whether others sleep too: keep the waiters bit set.
                    if (TryTake(me, 0, waited ? tid | WaitersBit : tid, self))
                    {
                        return LockStatus.Acquired;
                    }

                    continue;
                }

                long remaining = deadline.RemainingNanoseconds();
                if (remaining == 0)
                {
                    return LockStatus.NotAcquired;
                }

                cancellationToken.ThrowIfCancellationRequested();
                if (cancellationToken.CanBeCanceled && registration == default)
                {
                    registration = cancellationToken.UnsafeRegister(static s => FutexCalls.Wake((int*)(nint)s!, int.MaxValue), (nint)word);
                    continue;
                }

                int expected = old | WaitersBit;
                if (old != expected && Interlocked.CompareExchange(ref *word, expected, old) != old)
                {
                    continue;
                }

                long slice = remaining < 0 || remaining > LivenessCheckNanoseconds ? LivenessCheckNanoseconds : remaining;
                var result = FutexCalls.Wait(word, expected, slice);
                waited = true;
                if (result == FutexWaitResult.TimedOut)
                {
                    RecoverIfOwnerGone(word, expected);
                }
            }
        }
        finally
        {
            registration.Dispose();
        }
    }

    /// <summary>Compare-exchange <paramref name="from"/> → <paramref name="to"/>, linking the lock on success.</summary>
    private static bool TryTake(ThreadIdentity.State me, int from, int to, RobustLock* self)
    {
        if (Interlocked.CompareExchange(ref self->Word, to, from) == from)
        {
            Debug.Assert((to & TidMask) == me.Tid, "the new word names the caller as owner");
            Link(me.Head, self);
            return true;
        }

        return false;
    }

    /// <summary>
    /// After a long sleep: if the thread named in the word no longer exists, mark the lock abandoned so the
    /// next pass of the loop takes it over. (The kernel normally does this at the owner's death.)
    /// </summary>
    private static void RecoverIfOwnerGone(int* word, int seen)
    {
        int owner = seen & TidMask;
        if (owner != 0 && !ThreadExists(owner))
        {
            Interlocked.CompareExchange(ref *word, (seen & WaitersBit) | OwnerDiedBit, seen);
        }
    }

    /// <summary>Whether a thread with this kernel id exists (in this pid namespace).</summary>
    internal static bool ThreadExists(int tid) =>
        Libc.Kill(tid, 0) == 0 || Errors.LastErrno != (int)Errno.ESRCH;

    [DoesNotReturn]
    private static void ThrowNotOwner(int owner, int caller) => throw new SynchronizationLockException(
        owner == 0
            ? "The lock is not held: unlock without a matching lock."
            : $"The lock is held by thread {owner}, not by the calling thread {caller}; only the owner may unlock it.");

    [DoesNotReturn]
    private static void ThrowNotLinked() => throw new InvalidOperationException(
        "This lock is not the one that was locked: it was copied (C# copied the struct) or its memory was overwritten. " +
        "Use the lock in place, through a ref.");
}
