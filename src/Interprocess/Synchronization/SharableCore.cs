using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Interprocess.Interop;

namespace Interprocess.Synchronization;

/// <summary>
/// The shared-memory state behind <see cref="InterprocessSharableMutex"/> and
/// <see cref="InterprocessUpgradableMutex"/>: a robust gate for the one exclusive or upgradable owner, a state
/// word readers sleep on, and a table of reader slots that names every holder of a shared lock.
/// </summary>
/// <remarks>
/// <para><b>Layout</b> (320 bytes; all zeros = unlocked):</para>
/// <code>
///   0  RobustLock Gate   held by the exclusive owner or by the upgradable owner (kernel-notified owner death)
///  40  int State         futex readers sleep on: EXCLUSIVE (1) | READERS_WAITING (2) | SLOT_WAITERS (4)
///  44  int Drain         futex the gate owner sleeps on while readers drain: 1 = "wake me when you leave"
///  48  16 bytes reserved
///  64  int Slots[64]     0 = free; else the kernel thread id of one holder of a shared lock
/// </code>
/// <para><b>Who holds what.</b> An exclusive owner holds the gate with EXCLUSIVE set and no slot. The upgradable
/// owner holds the gate with EXCLUSIVE clear and one slot (it is a reader too). A sharable owner holds one slot
/// per shared lock it took. EXCLUSIVE set means "a writer is in or waiting for readers to leave": readers that
/// arrive back off (writer preference, as Boost's first gate), readers already in finish.</para>
/// <para><b>The reader handshake</b> (store then load on both sides, each store a full fence):</para>
/// <code>
///  reader enter:  (1) CAS slot 0 -> tid          (2) read State: EXCLUSIVE? then (3) leave the slot and wait
///  writer enter:  (1) hold the gate  (2) OR EXCLUSIVE into State  (3) scan the slots until all are 0
///  reader leave:  (1) exchange slot -> 0         (2) read Drain: 1? then exchange Drain -> 0 and wake it
///  writer drain:  (1) exchange Drain -> 1        (2) scan the slots again, then sleep on Drain == 1
/// </code>
/// <para>Either the reader sees EXCLUSIVE or the writer sees the reader's slot; either the drainer sees the slot
/// free or the leaving reader sees Drain = 1 and changes it (so the drainer's futex wait cannot miss the wake).</para>
/// <para><b>Dead owners.</b> The gate is a <see cref="RobustLock"/>: the kernel marks it when its owner dies and the
/// next gate locker is told. A dead writer also leaves EXCLUSIVE set: a reader that finds EXCLUSIVE set and the gate
/// abandoned (or its owner gone) takes the gate, clears the stale EXCLUSIVE, takes its slot and reports the
/// takeover. A dead reader leaves its slot: a drainer that has slept for <see cref="RobustLock.LivenessCheckNanoseconds"/>
/// (or that has just taken over a dead gate owner) frees every slot whose thread no longer exists and reports the
/// takeover. A slot holds a thread id, so a reader thread that exits holding a shared lock is recovered as well.</para>
/// <para><b>Limits.</b> At most <see cref="SlotCount"/> shared holders at once: one more waits for a slot, as
/// Boost's lock_sharable waits at its maximum reader count; this keeps every reader named, so no dead reader can
/// block a writer forever. Thread ids are those of the pid namespace the processes share. A dead reader's thread
/// id reused by a new thread before the liveness check looks like a live reader until that thread ends.</para>
/// </remarks>
[StructLayout(LayoutKind.Explicit, Size = Size)]
internal unsafe struct SharableCore
{
    /// <summary>The size of the layout in bytes.</summary>
    internal const int Size = SlotsOffset + (SlotCount * sizeof(int));

    /// <summary>How many threads can hold a shared (or the upgradable) lock at once.</summary>
    internal const int SlotCount = 64;

    /// <summary>A writer is in, or waiting for the readers in to leave: new readers back off.</summary>
    internal const int ExclusiveBit = 1;

    /// <summary>A reader sleeps on <see cref="State"/> until EXCLUSIVE is cleared.</summary>
    internal const int ReadersWaitingBit = 2;

    /// <summary>A reader sleeps on <see cref="State"/> until a slot is free (the table was full).</summary>
    internal const int SlotWaitersBit = 4;

    private const int SlotsOffset = 64;
    private const int SlotMask = SlotCount - 1;

    /// <summary>Spins before a contended locker sleeps.</summary>
    private const int SpinCount = 100;

    /// <summary>Held by the exclusive owner or by the upgradable owner.</summary>
    [FieldOffset(0)] internal RobustLock Gate;

    /// <summary>EXCLUSIVE | READERS_WAITING | SLOT_WAITERS; readers sleep on this word.</summary>
    [FieldOffset(40)] internal int State;

    /// <summary>1 while the gate owner sleeps waiting for readers to leave; the gate owner sleeps on it.</summary>
    [FieldOffset(44)] internal int Drain;

    /// <summary>The reader slots: 0 = free, else the thread id of a shared holder.</summary>
    [FieldOffset(SlotsOffset)] private fixed int _slots[SlotCount];

    /// <summary>The outcome of waiting for the readers to leave.</summary>
    private enum DrainResult
    {
        Drained,
        TimedOut,
        Canceled,
        /// <summary>The waiting thread itself holds a shared lock: it would wait for itself forever.</summary>
        Recursion,
    }

    private SharableCore* Self
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => (SharableCore*)Unsafe.AsPointer(ref this);
    }

    /// <summary>The first reader slot.</summary>
    private int* Slots
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => (int*)((byte*)Unsafe.AsPointer(ref this) + SlotsOffset);
    }

    /// <summary>True when a writer holds the lock (or waits for readers to leave): a snapshot.</summary>
    internal bool IsExclusive => (Volatile.Read(ref State) & ExclusiveBit) != 0 && Gate.OwnerTid != 0;

    /// <summary>True when an upgradable owner holds the lock: a snapshot.</summary>
    internal bool IsUpgradable => (Volatile.Read(ref State) & ExclusiveBit) == 0 && Gate.OwnerTid != 0;

    /// <summary>How many slots are taken (shared holders plus the upgradable owner): a snapshot.</summary>
    internal int SharedCount
    {
        get
        {
            int n = 0;
            int* slots = Slots;
            for (int i = 0; i < SlotCount; i++)
            {
                if (Volatile.Read(ref slots[i]) != 0)
                {
                    n++;
                }
            }

            return n;
        }
    }

    // ------------------------------------------------------------------ shared ownership

    /// <summary>The whole uncontended shared lock: a read, a compare-exchange of the home slot and a read.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool TryEnterSharedFast(int tid)
    {
        SharableCore* self = Self;
        if (ThreadIdentity.IsOnStack(self))
        {
            RobustLock.ThrowCopied();
        }

        if ((Volatile.Read(ref self->State) & ExclusiveBit) == 0)
        {
            int* slot = self->Slots + Home(tid);
            if (Interlocked.CompareExchange(ref *slot, tid, 0) == 0)
            {
                // The compare-exchange is a full fence: this read cannot pass it, so either we see a writer's
                // EXCLUSIVE here or that writer's slot scan sees our slot (reader handshake, step 2).
                if ((Volatile.Read(ref self->State) & ExclusiveBit) == 0)
                {
                    return true;
                }

                LeaveSlot(slot);
            }
        }

        return false;
    }

    /// <summary>Takes a shared lock, waiting until <paramref name="deadline"/>.</summary>
    internal LockStatus EnterShared(int tid, Deadline deadline, CancellationToken cancellationToken) =>
        TryEnterSharedFast(tid) ? LockStatus.Acquired : AcquireSlot(tid, gateOwner: false, deadline, cancellationToken, out _);

    /// <summary>Takes a shared lock, waiting at most <paramref name="timeout"/>, whose clock starts only if the lock is not free now.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    internal LockStatus EnterShared(int tid, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Deadline.ThrowIfInvalid(timeout);
        return TryEnterSharedFast(tid) ? LockStatus.Acquired : AcquireSlot(tid, gateOwner: false, Deadline.FromTimeout(timeout), cancellationToken, out _);
    }

    /// <summary>Releases one shared lock of <paramref name="tid"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void ExitShared(int tid)
    {
        SharableCore* self = Self;
        int* home = self->Slots + Home(tid);
        if (Volatile.Read(ref *home) != tid || self->Gate.OwnerTid == tid)
        {
            ExitSharedSlow(tid);
            return;
        }

        LeaveSlot(home);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ExitSharedSlow(int tid)
    {
        int* slot = FindOwnSlot(tid, null);
        if (slot == null)
        {
            ThrowNotHeld("a sharable lock");
        }

        // The upgradable owner's slot is its upgradable ownership, not a shared lock it may drop this way.
        if (IsUpgradableOwner(tid) && FindOwnSlot(tid, slot) == null)
        {
            throw new SynchronizationLockException(
                "The calling thread holds the upgradable lock, not a sharable one: use UnlockUpgradable or UnlockUpgradableAndLockSharable.");
        }

        LeaveSlot(slot);
    }

    // ------------------------------------------------------------------ exclusive ownership

    /// <summary>Takes the exclusive lock: the gate, then EXCLUSIVE, then waits for the readers to leave.</summary>
    internal LockStatus EnterExclusive(int tid, Deadline deadline, CancellationToken cancellationToken)
    {
        var started = LazyDeadline.From(deadline);
        return EnterExclusive(tid, ref started, cancellationToken);
    }

    /// <summary>As <see cref="EnterExclusive(int, Deadline, CancellationToken)"/>, waiting at most <paramref name="timeout"/>, whose clock starts only if the call must wait.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    internal LockStatus EnterExclusive(int tid, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var lazy = new LazyDeadline(timeout);
        return EnterExclusive(tid, ref lazy, cancellationToken);
    }

    private LockStatus EnterExclusive(int tid, ref LazyDeadline deadline, CancellationToken cancellationToken)
    {
        // The gate refuses a thread that holds it already (exclusive or upgradable) with LockRecursionException.
        LockStatus gate = Gate.Acquire(ThreadIdentity.Current, ref deadline, cancellationToken);
        if (gate == LockStatus.NotAcquired)
        {
            return LockStatus.NotAcquired;
        }

        // (2) OR publishes "a writer is in": readers that arrive from now on back off. A full fence.
        int old = Interlocked.Or(ref State, ExclusiveBit);
        bool stale = (old & ExclusiveBit) != 0;
        bool abandoned = gate == LockStatus.AcquiredAbandoned || stale;
        if (abandoned)
        {
            ReclaimDeadSlots(null);
        }

        // (3) no reader inside: the uncontended case, without the drain loop's setup.
        if (!abandoned && FindBusySlot(null) == null)
        {
            return LockStatus.Acquired;
        }

        DrainResult drained = DrainReaders(tid, null, deadline.Value, cancellationToken, ref abandoned);
        if (drained == DrainResult.Drained)
        {
            return abandoned ? LockStatus.AcquiredAbandoned : LockStatus.Acquired;
        }

        GiveUpGate(tid, gate == LockStatus.AcquiredAbandoned, stale);
        return drained == DrainResult.Recursion && deadline.Value.RemainingNanoseconds() == 0
            ? LockStatus.NotAcquired
            : ThrowIfNotTimedOut(drained);
    }

    /// <summary>Releases the exclusive lock of <paramref name="tid"/>.</summary>
    internal void ExitExclusive(int tid)
    {
        CheckExclusiveOwner(tid);
        ClearExclusive();
        Gate.Release(ThreadIdentity.Current);
    }

    // ------------------------------------------------------------------ upgradable ownership

    /// <summary>Takes the upgradable lock: the gate, then a slot (the upgradable owner is a reader too).</summary>
    internal LockStatus EnterUpgradable(int tid, Deadline deadline, CancellationToken cancellationToken)
    {
        if (Gate.OwnerTid == tid)
        {
            throw new LockRecursionException("The calling thread already holds this mutex exclusively or upgradably.");
        }

        LockStatus gate = Gate.Acquire(ThreadIdentity.Current, deadline, cancellationToken);
        if (gate == LockStatus.NotAcquired)
        {
            return LockStatus.NotAcquired;
        }

        bool abandoned = gate == LockStatus.AcquiredAbandoned;
        if ((Volatile.Read(ref State) & ExclusiveBit) != 0)
        {
            // A writer died holding the gate: its EXCLUSIVE is stale, and we are not a writer.
            abandoned = true;
            ClearExclusive();
        }

        if (abandoned)
        {
            ReclaimDeadSlots(null);
        }

        LockStatus slot;
        try
        {
            slot = AcquireSlot(tid, gateOwner: true, deadline, cancellationToken, out _);
        }
        catch
        {
            GiveUpGate(tid, abandoned, staleExclusive: false);
            throw;
        }

        if (slot == LockStatus.NotAcquired)
        {
            GiveUpGate(tid, abandoned, staleExclusive: false);
            return LockStatus.NotAcquired;
        }

        return abandoned ? LockStatus.AcquiredAbandoned : LockStatus.Acquired;
    }

    /// <summary>Releases the upgradable lock of <paramref name="tid"/>.</summary>
    internal void ExitUpgradable(int tid)
    {
        CheckUpgradableOwner(tid);
        int* slot = FindOwnSlot(tid, null);
        if (slot != null)
        {
            LeaveSlot(slot);
        }

        Gate.Release(ThreadIdentity.Current);
    }

    // ------------------------------------------------------------------ transfers

    /// <summary>Exclusive → upgradable: take a slot, then let readers in. Never waits for other owners.</summary>
    internal void ExclusiveToUpgradable(int tid)
    {
        CheckExclusiveOwner(tid);
        AcquireSlot(tid, gateOwner: true, Deadline.Infinite, default, out _);
        ClearExclusive();
    }

    /// <summary>Exclusive → sharable: take a slot, let readers in, give up the gate.</summary>
    internal void ExclusiveToSharable(int tid)
    {
        CheckExclusiveOwner(tid);
        AcquireSlot(tid, gateOwner: true, Deadline.Infinite, default, out _);
        ClearExclusive();
        Gate.Release(ThreadIdentity.Current);
    }

    /// <summary>Upgradable → sharable: give up the gate; the slot stays as a shared lock.</summary>
    internal void UpgradableToSharable(int tid)
    {
        CheckUpgradableOwner(tid);
        Gate.Release(ThreadIdentity.Current);
    }

    /// <summary>
    /// Upgradable → exclusive: set EXCLUSIVE, wait for the other readers to leave, then drop our slot. On a
    /// timeout the caller still holds the upgradable lock.
    /// </summary>
    internal LockStatus UpgradableToExclusive(int tid, Deadline deadline, CancellationToken cancellationToken)
    {
        CheckUpgradableOwner(tid);
        int* own = FindOwnSlot(tid, null);
        Interlocked.Or(ref State, ExclusiveBit);
        bool abandoned = false;
        DrainResult drained = DrainReaders(tid, own, deadline, cancellationToken, ref abandoned);
        if (drained == DrainResult.Drained)
        {
            if (own != null)
            {
                LeaveSlot(own);
            }

            return abandoned ? LockStatus.AcquiredAbandoned : LockStatus.Acquired;
        }

        ClearExclusive();
        return drained == DrainResult.Recursion && deadline.RemainingNanoseconds() == 0
            ? LockStatus.NotAcquired
            : ThrowIfNotTimedOut(drained);
    }

    /// <summary>Sharable → exclusive if no one else holds any lock, without waiting.</summary>
    internal LockStatus TrySharableToExclusive(int tid)
    {
        int* own = FindOwnSharedSlotForTransfer(tid);
        LockStatus gate = Gate.Acquire(ThreadIdentity.Current, Deadline.FromTimeout(TimeSpan.Zero), default);
        if (gate == LockStatus.NotAcquired)
        {
            return LockStatus.NotAcquired;
        }

        int old = Interlocked.Or(ref State, ExclusiveBit);
        bool stale = (old & ExclusiveBit) != 0;
        bool abandoned = gate == LockStatus.AcquiredAbandoned || stale;
        if (abandoned)
        {
            ReclaimDeadSlots(own);
        }

        DrainResult drained = DrainReaders(tid, own, Deadline.FromTimeout(TimeSpan.Zero), default, ref abandoned);
        if (drained == DrainResult.Drained)
        {
            LeaveSlot(own);
            return abandoned ? LockStatus.AcquiredAbandoned : LockStatus.Acquired;
        }

        GiveUpGate(tid, gate == LockStatus.AcquiredAbandoned, stale);
        return LockStatus.NotAcquired;
    }

    /// <summary>Sharable → upgradable if there is no exclusive or upgradable owner, without waiting.</summary>
    internal LockStatus TrySharableToUpgradable(int tid)
    {
        FindOwnSharedSlotForTransfer(tid);
        LockStatus gate = Gate.Acquire(ThreadIdentity.Current, Deadline.FromTimeout(TimeSpan.Zero), default);
        if (gate == LockStatus.NotAcquired)
        {
            return LockStatus.NotAcquired;
        }

        bool abandoned = gate == LockStatus.AcquiredAbandoned;
        if ((Volatile.Read(ref State) & ExclusiveBit) != 0)
        {
            abandoned = true;
            ClearExclusive();
        }

        // Our slot becomes the upgradable owner's slot.
        return abandoned ? LockStatus.AcquiredAbandoned : LockStatus.Acquired;
    }

    // ------------------------------------------------------------------ machinery

    /// <summary>
    /// Takes a reader slot. A reader (<paramref name="gateOwner"/> false) backs off while EXCLUSIVE is set and
    /// recovers a dead writer's stale EXCLUSIVE; the gate owner (converting or taking the upgradable lock) only
    /// waits when the table is full.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private LockStatus AcquireSlot(int tid, bool gateOwner, Deadline deadline, CancellationToken cancellationToken, out int* taken)
    {
        SharableCore* self = Self;
        if (ThreadIdentity.IsOnStack(self))
        {
            RobustLock.ThrowCopied();
        }

        int* state = &self->State;
        bool abandoned = false;
        int spins = deadline.RemainingNanoseconds() == 0 ? 0 : SpinCount;
        CancellationTokenRegistration registration = default;
        try
        {
            while (true)
            {
                int s = Volatile.Read(ref *state);
                int waitBit;
                if (gateOwner || (s & ExclusiveBit) == 0)
                {
                    int* slot = ClaimAnySlot(tid);
                    if (slot != null)
                    {
                        // The claim is a full fence; see TryEnterSharedFast.
                        if (gateOwner || (Volatile.Read(ref *state) & ExclusiveBit) == 0)
                        {
                            taken = slot;
                            return abandoned ? LockStatus.AcquiredAbandoned : LockStatus.Acquired;
                        }

                        LeaveSlot(slot);
                        continue;
                    }

                    waitBit = SlotWaitersBit;
                }
                else
                {
                    if (self->Gate.OwnerTid == tid)
                    {
                        throw new LockRecursionException("The calling thread holds this mutex exclusively; it cannot also take it shared.");
                    }

                    // A dead writer's EXCLUSIVE: the kernel has marked the gate (or its owner is gone).
                    if ((Volatile.Read(ref self->Gate.Word) & RobustLock.OwnerDiedBit) != 0 && TryRecoverDeadWriter(tid, out int* slot))
                    {
                        taken = slot;
                        return LockStatus.AcquiredAbandoned;
                    }

                    waitBit = ReadersWaitingBit;
                }

                if (spins > 0)
                {
                    spins--;
                    Thread.SpinWait(8);
                    continue;
                }

                long remaining = deadline.RemainingNanoseconds();
                if (remaining == 0)
                {
                    taken = null;
                    return LockStatus.NotAcquired;
                }

                cancellationToken.ThrowIfCancellationRequested();
                if (cancellationToken.CanBeCanceled && registration == default)
                {
                    registration = cancellationToken.UnsafeRegister(static s => FutexCalls.Wake((int*)(nint)s!, int.MaxValue), (nint)state);
                    continue;
                }

                int expected = s | waitBit;
                if (s != expected)
                {
                    // Announce the sleeper, then look once more before sleeping (the announcement is a full fence).
                    Interlocked.CompareExchange(ref *state, expected, s);
                    continue;
                }

                long slice = remaining < 0 || remaining > RobustLock.LivenessCheckNanoseconds ? RobustLock.LivenessCheckNanoseconds : remaining;
                if (FutexCalls.Wait(state, expected, slice) == FutexWaitResult.TimedOut &&
                    !gateOwner && (expected & ExclusiveBit) != 0 && self->Gate.IsAbandonedOrOwnerGone() &&
                    TryRecoverDeadWriter(tid, out int* recovered))
                {
                    taken = recovered;
                    return LockStatus.AcquiredAbandoned;
                }
            }
        }
        finally
        {
            registration.Dispose();
        }
    }

    /// <summary>
    /// A reader found EXCLUSIVE set and the gate abandoned: take the gate, clear the stale EXCLUSIVE, take a slot
    /// while still holding the gate (so no writer slips in between), and give the gate back. False when someone
    /// else got the gate first or no slot is free (the caller then waits on).
    /// </summary>
    private bool TryRecoverDeadWriter(int tid, out int* slot)
    {
        slot = null;
        LockStatus gate = Gate.Acquire(ThreadIdentity.Current, Deadline.FromTimeout(TimeSpan.Zero), default);
        if (gate == LockStatus.NotAcquired)
        {
            return false;
        }

        // We hold the gate: an EXCLUSIVE still set was left by a dead owner.
        bool stale = (Volatile.Read(ref State) & ExclusiveBit) != 0;
        if (!stale && gate == LockStatus.Acquired)
        {
            // Its owner let go normally in the meantime: nothing to recover.
            Gate.Release(ThreadIdentity.Current);
            return false;
        }

        ReclaimDeadSlots(null);
        slot = ClaimAnySlot(tid);
        ClearExclusive();
        if (slot == null)
        {
            // All slots are held by live readers: let them go on, and leave the gate marked for the next writer.
            Gate.ReleaseAbandoned(ThreadIdentity.Current);
            return false;
        }

        Gate.Release(ThreadIdentity.Current);
        return true;
    }

    /// <summary>
    /// Waits until every slot but <paramref name="own"/> is free. After each liveness interval asleep, frees the
    /// slots of threads that no longer exist (and sets <paramref name="abandoned"/>).
    /// </summary>
    private DrainResult DrainReaders(int tid, int* own, Deadline deadline, CancellationToken cancellationToken, ref bool abandoned)
    {
        SharableCore* self = Self;
        int* drain = &self->Drain;
        int spins = deadline.RemainingNanoseconds() == 0 ? 0 : SpinCount;
        CancellationTokenRegistration registration = default;
        try
        {
            while (true)
            {
                int* busy = FindBusySlot(own);
                if (busy == null)
                {
                    return DrainResult.Drained;
                }

                if (Volatile.Read(ref *busy) == tid)
                {
                    return DrainResult.Recursion;
                }

                if (spins > 0)
                {
                    spins--;
                    Thread.SpinWait(8);
                    continue;
                }

                long remaining = deadline.RemainingNanoseconds();
                if (remaining == 0)
                {
                    return DrainResult.TimedOut;
                }

                if (cancellationToken.IsCancellationRequested)
                {
                    return DrainResult.Canceled;
                }

                if (cancellationToken.CanBeCanceled && registration == default)
                {
                    // Changing the word as well as waking means a cancel just before the sleep is not missed.
                    registration = cancellationToken.UnsafeRegister(
                        static s =>
                        {
                            Interlocked.Exchange(ref *(int*)(nint)s!, 0);
                            FutexCalls.Wake((int*)(nint)s!, int.MaxValue);
                        },
                        (nint)drain);
                    continue;
                }

                // (1) announce the sleeper (a full fence), (2) look again, (3) sleep while Drain is still 1.
                Interlocked.Exchange(ref *drain, 1);
                if (FindBusySlot(own) == null)
                {
                    return DrainResult.Drained;
                }

                long slice = remaining < 0 || remaining > RobustLock.LivenessCheckNanoseconds ? RobustLock.LivenessCheckNanoseconds : remaining;
                if (FutexCalls.Wait(drain, 1, slice) == FutexWaitResult.TimedOut && ReclaimDeadSlots(own))
                {
                    abandoned = true;
                }
            }
        }
        finally
        {
            registration.Dispose();
            // Only the gate owner drains: no one else can need the flag now.
            Volatile.Write(ref *drain, 0);
        }
    }

    /// <summary>Frees the slots (other than <paramref name="own"/>) of threads that no longer exist.</summary>
    private bool ReclaimDeadSlots(int* own)
    {
        bool any = false;
        int* slots = Slots;
        for (int i = 0; i < SlotCount; i++)
        {
            int* slot = slots + i;
            int v = Volatile.Read(ref *slot);
            if (v == 0 || slot == own)
            {
                continue;
            }

            // A value that cannot be a thread id is damage in shared memory; no live reader holds it.
            if ((v < 0 || v > RobustLock.TidMask || !RobustLock.ThreadExists(v)) &&
                Interlocked.CompareExchange(ref *slot, 0, v) == v)
            {
                any = true;
            }
        }

        if (any)
        {
            WakeSlotWaiters();
        }

        return any;
    }

    /// <summary>Claims a free slot for <paramref name="tid"/>, probing from its home slot; null when all are taken.</summary>
    private int* ClaimAnySlot(int tid)
    {
        int* slots = Slots;
        for (int k = 0; k < SlotCount; k++)
        {
            int* slot = slots + ((Home(tid) + k) & SlotMask);
            if (Volatile.Read(ref *slot) == 0 && Interlocked.CompareExchange(ref *slot, tid, 0) == 0)
            {
                return slot;
            }
        }

        return null;
    }

    /// <summary>A slot held by <paramref name="tid"/> other than <paramref name="except"/>, or null.</summary>
    private int* FindOwnSlot(int tid, int* except)
    {
        int* slots = Slots;
        for (int k = 0; k < SlotCount; k++)
        {
            int* slot = slots + ((Home(tid) + k) & SlotMask);
            if (slot != except && Volatile.Read(ref *slot) == tid)
            {
                return slot;
            }
        }

        return null;
    }

    /// <summary>A taken slot other than <paramref name="own"/>, or null when all others are free.</summary>
    private int* FindBusySlot(int* own)
    {
        int* slots = Slots;
        if (!AnySlotBusy(slots))
        {
            return null;
        }

        for (int i = 0; i < SlotCount; i++)
        {
            // Acquire: a slot seen free orders the reader's critical section before what the writer does next.
            if (slots + i != own && Volatile.Read(ref slots[i]) != 0)
            {
                return slots + i;
            }
        }

        return null;
    }

    /// <summary>
    /// A thread's first-choice slot. Threads created one after another have consecutive ids; multiplying by 17
    /// puts their home slots 17 apart, on different cache lines, so concurrent readers do not share one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Home(int tid) => (tid * 17) & SlotMask;

    /// <summary>Whether any slot is taken: one pass of vector loads over the table (the writer's common case).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool AnySlotBusy(int* slots)
    {
        Vector128<int> any = Vector128.Load(slots);
        for (int i = 4; i < SlotCount; i += 4)
        {
            any |= Vector128.Load(slots + i);
        }

        // Each 4-byte slot is read in one access (x86-64: inside an aligned 8-byte chunk; ARM64: element-atomic),
        // so a slot is never seen as a torn mix of two values. Acquire for the whole scan: a slot seen free orders the reader's critical section before what follows.
        Volatile.ReadBarrier();
        return any != Vector128<int>.Zero;
    }

    /// <summary>Frees a slot and wakes a draining writer or slot waiters if there are any.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void LeaveSlot(int* slot)
    {
        // (1) The exchange releases the reader's critical section and is a full fence before (2) the reads below.
        Interlocked.Exchange(ref *slot, 0);
        if ((Volatile.Read(ref Drain) | (Volatile.Read(ref State) & SlotWaitersBit)) != 0)
        {
            WakeAfterLeave();
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void WakeAfterLeave()
    {
        int* drain = (int*)Unsafe.AsPointer(ref Drain);
        if (Volatile.Read(ref *drain) != 0 && Interlocked.Exchange(ref *drain, 0) != 0)
        {
            FutexCalls.Wake(drain, 1);
        }

        WakeSlotWaiters();
    }

    private void WakeSlotWaiters()
    {
        if ((Volatile.Read(ref State) & SlotWaitersBit) != 0 &&
            (Interlocked.And(ref State, ~SlotWaitersBit) & SlotWaitersBit) != 0)
        {
            FutexCalls.Wake((int*)Unsafe.AsPointer(ref State), int.MaxValue);
        }
    }

    /// <summary>Clears EXCLUSIVE (a full fence that publishes the writer's work) and wakes the readers waiting.</summary>
    private void ClearExclusive()
    {
        int old = Interlocked.And(ref State, ~(ExclusiveBit | ReadersWaitingBit));
        if ((old & ReadersWaitingBit) != 0)
        {
            FutexCalls.Wake((int*)Unsafe.AsPointer(ref State), int.MaxValue);
        }
    }

    /// <summary>
    /// Gives the gate back after a failed attempt. If the attempt had taken over a dead owner, the marks are put
    /// back (the gate abandoned, a dead writer's EXCLUSIVE kept) so that the next locker is still told.
    /// </summary>
    private void GiveUpGate(int tid, bool gateAbandoned, bool staleExclusive)
    {
        if (!staleExclusive)
        {
            ClearExclusive();
        }

        if (gateAbandoned || staleExclusive)
        {
            Gate.ReleaseAbandoned(ThreadIdentity.Current);
            // Readers blocked by the stale EXCLUSIVE see the abandoned gate and recover it themselves.
            FutexCalls.Wake((int*)Unsafe.AsPointer(ref State), int.MaxValue);
        }
        else
        {
            Gate.Release(ThreadIdentity.Current);
        }
    }

    private bool IsUpgradableOwner(int tid) => Gate.OwnerTid == tid && (Volatile.Read(ref State) & ExclusiveBit) == 0;

    private void CheckExclusiveOwner(int tid)
    {
        if (Gate.OwnerTid != tid || (Volatile.Read(ref State) & ExclusiveBit) == 0)
        {
            ThrowNotHeld("the exclusive lock");
        }
    }

    private void CheckUpgradableOwner(int tid)
    {
        if (!IsUpgradableOwner(tid))
        {
            ThrowNotHeld("the upgradable lock");
        }
    }

    /// <summary>The caller's shared slot for a try-transfer; it must hold a shared lock and neither of the others.</summary>
    private int* FindOwnSharedSlotForTransfer(int tid)
    {
        int* own = FindOwnSlot(tid, null);
        if (own == null || Gate.OwnerTid == tid)
        {
            ThrowNotHeld("a sharable lock (and only that)");
        }

        return own;
    }

    private static LockStatus ThrowIfNotTimedOut(DrainResult result) => result switch
    {
        DrainResult.Canceled => throw new OperationCanceledException(),
        DrainResult.Recursion => throw new LockRecursionException(
            "The calling thread holds a sharable lock on this mutex: waiting for all readers to leave would wait for itself."),
        _ => LockStatus.NotAcquired,
    };

    [DoesNotReturn]
    private static void ThrowNotHeld(string what) => throw new SynchronizationLockException(
        $"The calling thread (tid {ThreadIdentity.Tid}) does not hold {what} of this mutex.");
}
