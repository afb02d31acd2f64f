using System.Diagnostics;
using System.Runtime.CompilerServices;
using Interprocess.Interop;
using Interprocess.Synchronization;

namespace Interprocess.Queues;

/// <summary>
/// Spin-then-sleep waiting on an event count of a queue header (<see cref="EventCountDescriptor"/>), and the
/// matching wake. The fast path of the other side costs one load of the sleepers flag and no system call when
/// no one sleeps.
/// </summary>
/// <remarks>
/// The protocol (no lost wake-up). A waker is a side that has just made the condition true (a producer that
/// committed a message wakes consumers on NotEmpty; a consumer that released room wakes producers on NotFull).
/// <list type="number">
/// <item>Waker: publishes its change (SpscQueue: the commit tag of the record at the consumer's position, the very word its
///   condition reads; SpscQueue's consumer: its position; the other queues: a slot word) with a store of release semantics. SpscQueue
///   uses <see cref="Publish"/>: a plain release store when this process is registered for the asymmetric
///   barrier (<see cref="AsymmetricBarrier"/>), else Interlocked.Exchange (a full barrier). The other queues
///   publish with a compare-and-swap or exchange, a full barrier anyway.</item>
/// <item>Waker: reads Sleepers. Zero: done, no system call (the fast path). The compiler keeps this load after
///   the store of step 1 (volatile accesses are not reordered with each other by the JIT); the CPU may perform
///   it before the store is visible (x86 store-load reordering) unless step 1 was a full barrier.</item>
/// <item>Waker, Sleepers non-zero: Sleepers = 0 (exchange), Sequence += 1 (full barrier), FUTEX_WAKE all on
///   Sequence. Every sleeper wakes, re-checks and re-registers (step 4) if it must sleep again.</item>
/// <item>Waiter: after a short spin (pause for <see cref="SpinNanoseconds"/>, then a few yields of the core)
///   reads Sequence into s, THEN sets Sleepers = 1 with a full barrier (exchange), THEN, when this process has
///   the asymmetric barrier, issues membarrier(MEMBARRIER_CMD_GLOBAL_EXPEDITED), THEN re-checks the condition;
///   ready: return.</item>
/// <item>Waiter: FUTEX_WAIT on Sequence expecting s: the kernel sleeps only if Sequence is still s, checked
///   atomically with queueing the sleeper. Woken (or the value changed, or a signal): back to step 4.</item>
/// </list>
/// Why nothing is lost: steps 1-2 and 4 are Dekker's pattern: either the waker sees Sleepers = 1 or the
/// waiter's re-check sees the change. With a full-barrier publish this is the classic argument (a barrier
/// between each side's store and its load). With a plain publish the waiter's membarrier supplies the waker's
/// barrier: when it returns, every CPU running a thread of a registered process has executed a full barrier
/// (and a thread not running passed one at its context switch). Take the point b where the waker's thread
/// executed it: if the waker's store (1) came before b, it is globally visible before membarrier returns, so
/// the re-check sees it; if it came after b, so did the waker's load (2), which then follows the waiter's flag
/// store (made visible by the exchange before membarrier began) and sees Sleepers = 1. A process uses the plain
/// publish only after its own registration succeeded (an unregistered process's threads get no barrier), so a
/// waker is either registered or fences itself. If the sleeper's process has no membarrier while the waker's
/// has (a system call filter applied to one process only; the kernel is shared), a wake-up can be missed and
/// the sleeper then wakes at the end of its slice (below): delayed by up to 100 ms, never lost; such a process
/// is the only case where delivery relies on the slice.
/// If the waker sees the flag, it increments Sequence after any waiter's read of s (that waiter's flag store
/// followed its read of s, and the waker's read of the flag saw it), so the waiter's FUTEX_WAIT either fails at once (EAGAIN) or
/// was queued before the wake and is woken. A waker that clears the flag set by a waiter still on its way to
/// sleep also increments Sequence, so that waiter's FUTEX_WAIT fails and it re-registers: a waiter never
/// sleeps with the flag cleared behind its back. A waiter killed while asleep leaves the flag set, which costs
/// one spurious FUTEX_WAKE (the flag is cleared by it) and nothing else.
/// Crashes of a waker: a waker killed between clearing the flag (3) and its FUTEX_WAKE would leave the sleepers
/// asleep with the flag clear, so no later waker would wake them either. Therefore every sleep is cut into
/// slices of <see cref="LivenessPollNanoseconds"/> (100 ms): such a sleeper re-checks within one slice. This also
/// lets a waiter notice a slot held by a dead process. An idle waiter thus wakes ten times a second for a few
/// microseconds: no measurable CPU.
/// </remarks>
internal static unsafe class QueueWaiter
{
    /// <summary>How long a waiter spins with <c>pause</c> before it yields and sleeps: a few microseconds, much less than a wake-up (about 20 µs on the VMs measured) and much more than a cross-core hand-off (about 0.1 µs).</summary>
    internal const long SpinNanoseconds = 5_000;

    /// <summary>The longest adaptive spin (<see cref="SpinBudget"/>): above the cross-CPU wake-up latency of the VMs measured (20 to 50 µs), so that a ping-pong whose peer needed a wake-up returns to spinning instead of both sides sleeping on every hand-off.</summary>
    internal const long MaxSpinNanoseconds = 100_000;

    /// <summary>Condition checks (one pause each) between two reads of the clock in the spin phase.</summary>
    private const int SpinChecksPerClockRead = 32;

    /// <summary>Yields of the core after the pause phase (so that a peer on the same core can run) before sleeping.</summary>
    private const int YieldCount = 8;

    /// <summary>The longest single sleep: bounds how long a sleeper misses a wake-up lost to a killed waker, or a slot held by a dead process (see <see cref="IQueueCondition"/>).</summary>
    internal const long LivenessPollNanoseconds = 100_000_000;

    /// <summary>
    /// The slice a sleep is cut into: <see cref="LivenessPollNanoseconds"/>. Tests of the wake-up protocol set it
    /// far longer in a child process, so that a lost wake-up shows as a hang instead of a 100 ms delay.
    /// </summary>
    internal static long SliceNanoseconds = LivenessPollNanoseconds;


    /// <summary>
    /// True when this process is registered for membarrier(MEMBARRIER_CMD_GLOBAL_EXPEDITED): its wakers may then
    /// publish with a plain release store (<see cref="Publish"/>) and its sleepers issue the barrier for them
    /// (steps 1 and 4 of the protocol). Decided once per process; false when the kernel or a system call filter
    /// refuses the command, and then every publish of this process is a full barrier.
    /// </summary>
    internal static readonly bool AsymmetricBarrier = RegisterAsymmetricBarrier();

    /// <summary>Forces the static initialization of this class and of <see cref="SpinBudget"/> (called when a queue is opened).</summary>
    internal static void EnsureInitialized()
    {
        _ = AsymmetricBarrier;
        _ = SpinBudget.BaseTicks;
    }

    private static bool RegisterAsymmetricBarrier()
    {
        long supported = Libc.Membarrier(Libc.SYS_membarrier, Libc.MEMBARRIER_CMD_QUERY, 0, 0);
        const int needed = Libc.MEMBARRIER_CMD_GLOBAL_EXPEDITED | Libc.MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED;
        return supported >= 0
            && (supported & needed) == needed
            && Libc.Membarrier(Libc.SYS_membarrier, Libc.MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED, 0, 0) == 0;
    }

    /// <summary>
    /// Step 1 for a counter that only its own side writes (SpscQueue's positions): stores <paramref name="value"/>
    /// with release semantics, publishing every store before it (a plain <c>mov</c> on x86 when
    /// <see cref="AsymmetricBarrier"/>, else a full-barrier exchange).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Publish(long* position, long value)
    {
        if (AsymmetricBarrier)
        {
            Volatile.Write(ref *position, value);
        }
        else
        {
            Interlocked.Exchange(ref *position, value);
        }
    }

    /// <summary>Steps 2-3: wakes every sleeper on the event count at <paramref name="eventCount"/> if any may sleep. Call after the publish of step 1 (<see cref="Publish"/> or a full-barrier atomic).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Wake(byte* eventCount)
    {
        // (2) A plain load, after the caller's publish (step 1): either that publish was a full barrier, or the
        // sleepers' membarrier orders it (see the protocol).
        if (Volatile.Read(ref *(int*)(eventCount + EventCountDescriptor.SleepersOffset)) != 0)
        {
            WakeSlow(eventCount);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void WakeSlow(byte* eventCount)
    {
        // (3)
        Interlocked.Exchange(ref *(int*)(eventCount + EventCountDescriptor.SleepersOffset), 0);
        int* sequence = (int*)(eventCount + EventCountDescriptor.SequenceOffset);
        Interlocked.Increment(ref *sequence);
        FutexCalls.Wake(sequence, int.MaxValue);
    }

    /// <summary>
    /// Waits until <paramref name="condition"/> holds, the deadline passes or the token is canceled. Steps 4-5.
    /// </summary>
    /// <param name="eventCount">The event count to sleep on.</param>
    /// <param name="condition">What to wait for.</param>
    /// <param name="spin">The waiting side's adaptive spin (<see cref="SpinBudget"/>), updated when the spin was not enough.</param>
    /// <param name="deadline">When to give up.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>True when the condition holds; false when the time ran out first.</returns>
    /// <exception cref="OperationCanceledException">The token was canceled.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static bool Wait<TCondition>(byte* eventCount, ref TCondition condition, ref SpinBudget spin, Deadline deadline, CancellationToken cancellationToken)
        where TCondition : struct, IQueueCondition
    {
        bool poll = false;
        if (condition.IsReady(ref poll))
        {
            return true;
        }

        // (4) Spin: pause while the peer is about to act (skipped when the machine has one processor online, where
        // only a yield can help; a process pinned to one core still spins, its peer has a core of its own: see
        // Processors).
        // One pause per check (a pause is up to ~140 cycles on recent cores: batching them would add their whole
        // cost to the hand-off latency); the clock is read only every SpinChecksPerClockRead checks, and first
        // after the first batch: a hand-off that completes within it (the usual case of a busy ping-pong) pays
        // no clock read at all. The start is then early by at most one batch, which the adaptive spin ignores.
        long start = 0;
        if (Processors.SpinningHelps)
        {
            long until = long.MaxValue;
            while (true)
            {
                for (int i = 0; i < SpinChecksPerClockRead; i++)
                {
                    System.Runtime.Intrinsics.X86.X86Base.Pause();
                    if (condition.IsReady(ref poll))
                    {
                        return true;
                    }
                }

                Processors.BetweenSpins();

                long now = Stopwatch.GetTimestamp();
                if (start == 0)
                {
                    start = now;
                    until = now + spin.Ticks;
                }
                else if (now >= until)
                {
                    break;
                }
            }
        }
        else
        {
            start = Stopwatch.GetTimestamp();
        }

        for (int i = 0; i < YieldCount; i++)
        {
            Thread.Yield();
            if (condition.IsReady(ref poll))
            {
                spin.AfterYield();
                return true;
            }
        }

        if (deadline.HasPassed)
        {
            return false;
        }

        cancellationToken.ThrowIfCancellationRequested();
        int* sequence = (int*)(eventCount + EventCountDescriptor.SequenceOffset);
        int* sleepers = (int*)(eventCount + EventCountDescriptor.SleepersOffset);
        CancellationTokenRegistration registration = default;
        try
        {
            if (cancellationToken.CanBeCanceled)
            {
                // The token is marked canceled before callbacks run, and the callback bumps the sequence: a waiter
                // that checked the token too early finds the sequence changed and its FUTEX_WAIT fails at once.
                registration = cancellationToken.UnsafeRegister(
                    static p =>
                    {
                        int* seq = (int*)(nint)p!;
                        Interlocked.Increment(ref *seq);
                        FutexCalls.Wake(seq, int.MaxValue);
                    },
                    (nint)sequence);
            }

            while (true)
            {
                // (4) Snapshot the sequence BEFORE registering, then register with a full barrier, then re-check.
                int snapshot = Volatile.Read(ref *sequence);
                Interlocked.Exchange(ref *sleepers, 1);
                if (AsymmetricBarrier)
                {
                    // The barrier of every running waker's thread (step 4): a publish of theirs not yet visible
                    // is visible when this returns, or their next read of Sleepers sees our 1. Cannot fail once
                    // registered (the return value is not needed).
                    Libc.Membarrier(Libc.SYS_membarrier, Libc.MEMBARRIER_CMD_GLOBAL_EXPEDITED, 0, 0);
                }

                poll = false;
                if (condition.IsReady(ref poll))
                {
                    // Registered but not asleep: the flag stays set (the next waker clears it with one spurious
                    // FUTEX_WAKE); clearing it here could hide another waiter of the same event count.
                    return true;
                }

                long remaining = deadline.RemainingNanoseconds();
                if (remaining == 0)
                {
                    return false;
                }

                cancellationToken.ThrowIfCancellationRequested();
                // Sliced always (a waker may die between steps 3 and its wake; a dead slot holder wakes nobody).
                long slice = Volatile.Read(ref SliceNanoseconds);
                if (remaining < 0 || remaining > slice)
                {
                    remaining = slice;
                }

                // (5)
                FutexCalls.Wait(sequence, snapshot, remaining);

                // Woken (or the slice ended): check before registering again. A waker that woke us has cleared the
                // flag already, so a satisfied waiter leaves without setting it (which would make the peer's next
                // publish pay a FUTEX_WAKE for nobody) and without a membarrier.
                poll = false;
                if (condition.IsReady(ref poll))
                {
                    spin.AfterSleep(Stopwatch.GetTimestamp() - start);
                    return true;
                }
            }
        }
        finally
        {
            registration.Dispose();
        }
    }
}
