using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using Interprocess.Interop;

namespace Interprocess.Synchronization;

/// <summary>
/// The condition variable both <see cref="InterprocessCondition"/> and <see cref="InterprocessConditionAny"/>
/// are made of: a sequence word (the futex) that every notification advances, and a registry of waiters so
/// that a notification with nobody waiting costs no system call. All-zero memory is a condition with no waiters.
/// </summary>
/// <remarks>
/// <para><b>Layout</b> (16 bytes):</para>
/// <code>
///  0  int  Sequence  advanced by every notification that finds waiters (the futex word)
///  4  int  Reserved  0
///  8  long Registry  registered waiters (low 32 bits) | epoch (high 32 bits), advanced by every NotifyAll
/// </code>
/// <para><b>The protocol.</b></para>
/// <list type="number">
/// <item>Wait, holding the lock: read Sequence (s).</item>
/// <item>Register: Registry += 1, remembering the epoch it was counted in.</item>
/// <item>Release the lock.</item>
/// <item>Sleep: FUTEX_WAIT on Sequence expecting s. The kernel sleeps only while Sequence is still s. Wake-ups
///   that leave Sequence at s (a cancellation of another waiter, a spurious wake) send the waiter back to sleep.</item>
/// <item>Leave (Sequence moved: notified; or the deadline passed; or canceled): deregister (Registry -= 1) if
///   Registry is still in the epoch of (2); a NotifyAll since then has already cleared the registration.</item>
/// <item>Re-take the lock (not bounded by the timeout, not cancelable: a wait always returns with the lock
///   held, as Boost's and .NET's <see cref="Monitor.Wait(object)"/> do), reporting a dead owner as the lock does.</item>
/// <item>NotifyOne: if Registry counts no waiter, return (no system call). Else Sequence += 1, FUTEX_WAKE 1.</item>
/// <item>NotifyAll: if Registry counts no waiter, return. Else exchange Registry to (epoch + 1, 0 waiters),
///   Sequence += 1, FUTEX_WAKE all.</item>
/// </list>
/// <para><b>No lost wake-up.</b> A notifier that holds the lock, or took it after the waiter released it in (3),
/// sees the registration of (2) (the lock orders them) and advances Sequence after the waiter read it in (1), so
/// the waiter either finds Sequence changed in (4) or is asleep when the wake comes. Reading Sequence before
/// registering matters for NotifyAll: a NotifyAll that clears a registration advances Sequence after it, hence
/// after (1). A waiter that sees Sequence moved reports a notification even if its deadline passed or its token
/// was canceled meanwhile, so a NotifyOne is never swallowed by a waiter that then gives up.</para>
/// <para><b>A waiter that dies</b> (SIGKILL while asleep) is removed from the kernel's queue, so a later
/// NotifyOne wakes a live waiter; it leaves a stale registration, which makes each NotifyOne enter the kernel
/// even with nobody waiting, until the next NotifyAll clears every registration of its epoch.</para>
/// <para><b>NotifyOne without the lock.</b> As with the first glibc condition variables, a waiter that arrives
/// between a NotifyOne's advance and its wake may take the wake meant for an older waiter. Notify while
/// holding the lock (waiters register under it) when that matters; a predicate loop is never harmed.</para>
/// </remarks>
[StructLayout(LayoutKind.Explicit, Size = Size)]
internal unsafe struct ConditionCore
{
    /// <summary>The size of the layout in bytes.</summary>
    internal const int Size = 16;

    /// <summary>When the wait can be canceled, the longest single sleep (the cancel callback's wake can land
    /// just before the waiter enters the kernel; the slice bounds how long that race can delay the cancellation).</summary>
    private const long CancelableSliceNanoseconds = 100_000_000;

    /// <summary>Advanced by every notification that finds waiters; the futex word.</summary>
    [FieldOffset(0)] private int _sequence;

    /// <summary>Registered waiters (low 32 bits) and the NotifyAll epoch (high 32 bits).</summary>
    [FieldOffset(8)] private long _registry;

    /// <summary>Threads registered as waiting (a snapshot; it may include waiters killed since the last NotifyAll).</summary>
    internal readonly int WaiterCount => (int)Volatile.Read(in _registry);

    /// <summary>Waits until notified or <paramref name="deadline"/>, releasing and re-taking <paramref name="lockable"/>.</summary>
    internal ConditionWaitStatus Wait<TLock>(ref TLock lockable, Deadline deadline, CancellationToken cancellationToken)
        where TLock : struct, IExclusiveLockable
    {
        CheckPlacement();
        if (typeof(TLock) == typeof(InterprocessRecursiveMutex) &&
            Unsafe.As<TLock, InterprocessRecursiveMutex>(ref lockable).RecursionCount > 1)
        {
            throw new LockRecursionException(
                "A condition wait releases the lock once; this recursive mutex is held more than once, so the wait would never release it.");
        }

        cancellationToken.ThrowIfCancellationRequested();

        // (1) Read while holding the lock: a notification after our release below advances it.
        int seen = Volatile.Read(ref _sequence);
        // (2) The exchange is a full barrier: it is visible before the lock's release in (3).
        long registry = Interlocked.Increment(ref _registry);
        if ((int)registry <= 0)
        {
            throw InterprocessException.Corrupted(null, "The condition's waiter count is out of range: the condition is damaged.");
        }

        int epoch = (int)(registry >> 32);
        try
        {
            // (3)
            lockable.Unlock();
        }
        catch
        {
            Deregister(epoch);
            throw;
        }

        bool notified = false;
        ExceptionDispatchInfo? failure = null;
        try
        {
            notified = Sleep(seen, deadline, cancellationToken);
        }
        catch (Exception e)
        {
            failure = ExceptionDispatchInfo.Capture(e);
        }

        // (5), (6)
        Deregister(epoch);
        LockStatus relock = lockable.Acquire(Timeout.InfiniteTimeSpan, CancellationToken.None);
        bool abandoned = relock == LockStatus.AcquiredAbandoned;
        if (failure is not null)
        {
            if (abandoned)
            {
                throw new AbandonedLockException(
                    "The wait ended with an exception, and the lock's previous owner died holding it; the lock is now held by the caller.",
                    failure.SourceException);
            }

            failure.Throw();
        }

        return (notified, abandoned) switch
        {
            (true, false) => ConditionWaitStatus.Notified,
            (true, true) => ConditionWaitStatus.NotifiedAbandoned,
            (false, false) => ConditionWaitStatus.TimedOut,
            (false, true) => ConditionWaitStatus.TimedOutAbandoned,
        };
    }

    /// <summary>(7) Wakes one waiter, if any is registered.</summary>
    internal void NotifyOne()
    {
        CheckPlacement();
        if ((int)Volatile.Read(ref _registry) == 0)
        {
            return;
        }

        // Full barrier: the move of Sequence is seen by a waiter that reads it after being woken.
        Interlocked.Increment(ref _sequence);
        FutexCalls.Wake(SequenceWord, 1);
    }

    /// <summary>(8) Wakes every waiter, and clears every registration (a dead waiter's too).</summary>
    internal void NotifyAll()
    {
        CheckPlacement();
        long registry = Volatile.Read(ref _registry);
        while (true)
        {
            if ((int)registry == 0)
            {
                return;
            }

            long next = (long)((ulong)registry & 0xFFFFFFFF_00000000UL) + (1L << 32);
            long found = Interlocked.CompareExchange(ref _registry, next, registry);
            if (found == registry)
            {
                break;
            }

            registry = found;
        }

        Interlocked.Increment(ref _sequence);
        FutexCalls.Wake(SequenceWord, int.MaxValue);
    }

    private readonly int* SequenceWord => (int*)Unsafe.AsPointer(ref Unsafe.AsRef(in _sequence));

    /// <summary>(4) True when Sequence moved (notified), false when the deadline passed first.</summary>
    private bool Sleep(int seen, Deadline deadline, CancellationToken cancellationToken)
    {
        int* word = SequenceWord;
        CancellationTokenRegistration registration = default;
        if (cancellationToken.CanBeCanceled)
        {
            registration = cancellationToken.UnsafeRegister(static w => FutexCalls.Wake((int*)(nint)w!, int.MaxValue), (nint)word);
        }

        try
        {
            while (true)
            {
                // A move of Sequence wins over a deadline or a cancellation, so a notification is never swallowed.
                if (Volatile.Read(ref *word) != seen)
                {
                    return true;
                }

                long remaining = deadline.RemainingNanoseconds();
                if (remaining == 0)
                {
                    return false;
                }

                cancellationToken.ThrowIfCancellationRequested();
                if (cancellationToken.CanBeCanceled && (remaining < 0 || remaining > CancelableSliceNanoseconds))
                {
                    remaining = CancelableSliceNanoseconds;
                }

                FutexCalls.Wait(word, seen, remaining);
            }
        }
        finally
        {
            registration.Dispose();
        }
    }

    /// <summary>(5) Removes the caller's registration, unless a NotifyAll already cleared its epoch.</summary>
    private void Deregister(int epoch)
    {
        long registry = Volatile.Read(ref _registry);
        while ((int)(registry >> 32) == epoch && (int)registry > 0)
        {
            long found = Interlocked.CompareExchange(ref _registry, registry - 1, registry);
            if (found == registry)
            {
                return;
            }

            registry = found;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly void CheckPlacement()
    {
        _ = ThreadIdentity.Tid; // makes the stack bounds known to IsOnStack
        if (ThreadIdentity.IsOnStack(Unsafe.AsPointer(ref Unsafe.AsRef(in this))))
        {
            ThrowCopied();
        }
    }

    [DoesNotReturn]
    private static void ThrowCopied() => throw new InvalidOperationException(
        "This condition lives on the stack: it is a copy of a condition in shared memory (C# copied the struct). " +
        "Use the condition in place, through a ref.");
}
