using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using Interprocess.Interop;
using Interprocess.Synchronization;
using L = Interprocess.Queues.MessageQueueLayout;

namespace Interprocess.Queues;

/// <summary>
/// Waiting while the queue is full or empty, without glibc's condition variables.
/// </summary>
/// <remarks>
/// <para>Boost's waiters sleep in the queue's two process-shared <c>pthread_cond_t</c>. glibc's condition variable
/// is not robust: a waiter killed asleep keeps a reference on its group that a later <c>pthread_cond_signal</c>
/// waits for, for ever (glibc 2.36, <c>__condvar_quiesce_and_switch_g1</c>), and a signaller killed inside it
/// leaves the condition's internal lock held. So our waiters never enter the conditions. They spin briefly
/// without the lock, then sleep on a futex: the 32-bit event word at offset 4 of the object (spare bytes
/// Boost never touches), bits 0 and 1 "a receiver / a sender of ours may sleep", bits 2-31 a sequence.</para>
/// <para>The protocol (every step that reads or writes the event word's bits holds the queue's mutex, except the
/// futex calls, which the kernel performs atomically with its own check of the word):</para>
/// <list type="number">
/// <item>A waiter W that finds the queue full (a sender) or empty (a receiver) releases the lock, spins for at most
///   <see cref="SpinNanoseconds"/> watching the count (adaptive: halved after a spin in vain, doubled
///   after one that saw the peer act, and twice the whole wait, up to 100 µs, after a wait that slept: see
///   <see cref="AfterSleep"/>; on a machine with one processor online it yields twice instead; in a process
///   pinned to one core it yields between stretches of the spin), and re-takes the lock. Under a steady stream
///   the other side acts within that time: no one sleeps and no one has to wake anyone.</item>
/// <item>Still blocked, W sets its class's bit (atomic or), keeps the resulting value v, and releases the lock.</item>
/// <item>W sleeps with FUTEX_WAIT_BITSET(word, v, its class), at most one slice.</item>
/// <item>A notifier N of ours (a sender after it linked a message; a receiver after it committed a take) changes
///   the count under the lock, then, still under the lock, reads the word: if the other class's bit is set, it
///   adds 4 to the sequence and clears the bit in one compare-and-swap.</item>
/// <item>N unlocks, then wakes every sleeper of that class with FUTEX_WAKE_BITSET (after the unlock, so that the
///   woken waiter does not find the lock still held: on a busy machine the wake-up often preempts N).</item>
/// <item>No lost wake-up: W set its bit and read v under the lock, before N took it; so N sees the bit, and makes
///   the word differ from v before it wakes. W's FUTEX_WAIT either finds the word changed (returns at once) or
///   was queued before the wake (the kernel checks the word and queues W atomically) and is woken. The sequence
///   makes the word differ from v even if W's bit was set again by another waiter in between.</item>
/// <item>W, woken (or its word changed), re-takes the lock and re-checks the queue from (2): another process may
///   have taken the message first. Several woken waiters of one class compete for the lock; the losers
///   register again.</item>
/// </list>
/// <para>Deaths. A waiter of ours killed anywhere holds nothing but, at most, its bit: the next notifier clears
/// it with one needless wake. A notifier killed holding the lock: the next locker gets EOWNERDEAD, repairs the
/// queue and wakes every sleeper (<see cref="WakeAllWaiters"/>). A notifier killed between its unlock and its
/// wake: its sleepers find the word changed at the end of their current slice (at most <see cref="MaxSliceNs"/>).
/// So a death of one of our processes never leaves one of ours asleep for longer than a slice with the queue ready.</para>
/// <para>Boost peers. A Boost waiter is woken by <c>pthread_cond_signal</c>, which our notifiers send after the
/// unlock when Boost's blocked counter is non-zero (Boost's own rule; our waiters never touch those counters).
/// A Boost notifier changes the count but wakes only the condition, so our sleepers also end each futex sleep
/// after a slice and re-check when the count changed: the first slice is <see cref="FirstSliceNs"/>, each
/// further one twice as long, up to <see cref="MaxSliceNs"/>. That is the latency of a message from a Boost
/// process to an idle .NET waiter, and an idle waiter's cost (a few system calls a second).</para>
/// </remarks>
public sealed unsafe partial class MessageQueue
{
    /// <summary>Event word bits and FUTEX_WAIT_BITSET classes: a receiver waits for "not empty", a sender for "not full".</summary>
    private const int ReceiverWaiting = 1, SenderWaiting = 2;

    /// <summary>The event word's sequence step (bits 2-31).</summary>
    private const int SequenceStep = 4;

    /// <summary>The longest spin of a waiter without the lock before it sleeps, unless its last wait slept (<see cref="AfterSleep"/>): much less than a wake-up (about 20 µs on the VMs measured), much more than a cross-core hand-off.</summary>
    private const long SpinNanoseconds = 5_000;

    /// <summary>The shortest spin: the adaptive spin never drops below it, so that it can find a responsive peer again.</summary>
    private const long MinSpinNanoseconds = 300;

    /// <summary>
    /// Yields of the core instead of the spin on a machine with one processor online (<see cref="Processors"/>), so
    /// that a peer on the same core can run before we sleep. Not done with several processors online: on a loaded
    /// machine a yield hands the core to other processes for a whole time slice (milliseconds), where a futex sleep
    /// is woken within microseconds.
    /// </summary>
    private const int YieldCount = 2;

    /// <summary>The first futex sleep of a wait (1 ms); each further one doubles, up to <see cref="MaxSliceNs"/>.</summary>
    private const long FirstSliceNs = 1_000_000;

    /// <summary>The longest futex sleep (50 ms): bounds how late a waiter notices a Boost peer's send or receive, or a cancellation.</summary>
    private const long MaxSliceNs = 50_000_000;

    /// <summary>Stopwatch ticks of the longest and of the shortest spin.</summary>
    private static readonly long s_maxSpinTicks = Math.Max(1, SpinNanoseconds * Stopwatch.Frequency / 1_000_000_000),
        s_minSpinTicks = Math.Max(1, MinSpinNanoseconds * Stopwatch.Frequency / 1_000_000_000);

    /// <summary>Stopwatch ticks of the longest spin after a wait that slept (see <see cref="AfterSleep"/>).</summary>
    private static readonly long s_sleepSpinTicks = Math.Max(s_maxSpinTicks, QueueWaiter.MaxSpinNanoseconds * Stopwatch.Frequency / 1_000_000_000);

    /// <summary>
    /// This handle's current spin, in Stopwatch ticks (adaptive, per handle, updated without synchronization: a
    /// lost update only changes a heuristic). Doubled after a spin that saw the peer act (up to
    /// <see cref="SpinNanoseconds"/>), halved after one that did not, raised after a wait that slept
    /// (<see cref="AfterSleep"/>): with the peer running on another core the spin saves both sides a sleep and a
    /// wake-up; on an oversubscribed machine, where the peer waits for a core, spinning only takes a core from it.
    /// </summary>
    private long _spinTicks = s_maxSpinTicks;

    private int* EventWord => (int*)(_base + L.EventWordOffset);

    /// <summary>The low half of m_cur_num_msg, which holds the whole count (at most 2^31-1; little-endian).</summary>
    private int* CountWord => (int*)(_base + L.Header + L.CurNumMsg);

    /// <summary>
    /// Waits, with the lock held on entry, while the queue is full (<paramref name="full"/>: a sender) or empty (a
    /// receiver). Returns with the lock held, unless re-taking it failed (<paramref name="held"/> is then false).
    /// </summary>
    /// <returns>True when the queue is no longer full (empty); false when the deadline passed first.</returns>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    private bool WaitWhile(bool full, Deadline deadline, CancellationToken ct, ref bool held)
    {
        // (1) Spin without the lock.
        int seen = Volatile.Read(ref *CountWord);
        Unlock();
        held = false;
        long start = Stopwatch.GetTimestamp();
        SpinWhileUnchanged(seen, start);
        Lock(Deadline.Infinite);
        held = true;
        if (!Blocked(full))
        {
            return true;
        }

        int bit = full ? SenderWaiting : ReceiverWaiting;
        CancellationTokenRegistration registration = default;
        try
        {
            if (ct.CanBeCanceled)
            {
                // Moves the sequence and wakes every sleeper of the queue, so that ours, if asleep or about to
                // sleep, re-checks the token at once (the others re-check the queue and sleep again).
                registration = ct.UnsafeRegister(static q => ((MessageQueue)q!).WakeForCancellation(), this);
            }

            while (Blocked(full))
            {
                ct.ThrowIfCancellationRequested();
                if (deadline.RemainingNanoseconds() == 0)
                {
                    return false;
                }

                // (2) Register under the lock, keep the value the futex wait expects.
                int expected = Interlocked.Or(ref *EventWord, bit) | bit;
                int count = Volatile.Read(ref *CountWord);
                Unlock();
                held = false;

                // (3)
                SleepWhileUnchanged(expected, count, bit, deadline, ct);

                // (6)
                Lock(Deadline.Infinite);
                held = true;
            }

            AfterSleep(Stopwatch.GetTimestamp() - start);
            return true;
        }
        finally
        {
            registration.Dispose();
        }
    }

    private bool Blocked(bool full) => full ? CurNum == _maxMessages : CurNum == 0;

    /// <summary>Step (1): spins (yields, with one processor online) while the count word keeps <paramref name="seen"/>; the spin began at <paramref name="start"/> (Stopwatch ticks).</summary>
    private void SpinWhileUnchanged(int seen, long start)
    {
        int* word = CountWord;
        if (Processors.SpinningHelps)
        {
            long spin = _spinTicks;
            long until = start + spin;
            do
            {
                for (int i = 0; i < SpinChecksPerClockRead; i++)
                {
                    X86Base.Pause();
                    if (Volatile.Read(ref *word) != seen)
                    {
                        _spinTicks = Math.Min(spin * 2, s_maxSpinTicks);
                        return;
                    }
                }

                Processors.BetweenSpins();
            }
            while (Stopwatch.GetTimestamp() < until);
            _spinTicks = Math.Max(spin / 2, s_minSpinTicks);
        }

        else
        {
            for (int i = 0; i < YieldCount; i++)
            {
                Thread.Yield();
                if (Volatile.Read(ref *word) != seen)
                {
                    return;
                }
            }
        }
    }

    /// <summary>
    /// After a wait that slept and was satisfied <paramref name="waitedTicks"/> after its spin began: the next spin
    /// lasts twice as long, up to <see cref="QueueWaiter.MaxSpinNanoseconds"/> (100 µs), or the default again after
    /// a longer wait (an idle peer). Without it, a ping-pong whose two sides once fell asleep stayed asleep: each
    /// reply then comes a wake-up later (20 µs or more on the VMs measured), every spin fails, and the spin, halved
    /// after each failure, never reaches the reply again (W3 measured 15 to 24 µs per round trip in whole runs,
    /// against 0.6 to 0.9 µs when spinning). With it, the side that waited long enough to see the woken peer's
    /// reply catches the next one spinning, and both return to spinning.
    /// </summary>
    private void AfterSleep(long waitedTicks) =>
        _spinTicks = waitedTicks >= s_sleepSpinTicks ? s_maxSpinTicks : Math.Clamp(2 * waitedTicks, s_maxSpinTicks, s_sleepSpinTicks);

    /// <summary>
    /// Step (3), without the lock: sleeps on the event word while it holds <paramref name="expected"/>, in slices;
    /// returns when woken, when the word changed, when the count changed (a Boost peer), or when the deadline
    /// passed or the token was cancelled.
    /// </summary>
    private void SleepWhileUnchanged(int expected, int count, int bit, Deadline deadline, CancellationToken ct)
    {
        int* word = EventWord;
        long slice = FirstSliceNs;
        while (!ct.IsCancellationRequested)
        {
            long remaining = deadline.RemainingNanoseconds();
            if (remaining == 0)
            {
                return;
            }

            long sleep = remaining < 0 ? slice : Math.Min(remaining, slice);
            var result = FutexCalls.Wait(word, expected, sleep, (uint)bit);
            if (result is FutexWaitResult.Woken or FutexWaitResult.ValueChanged
                || Volatile.Read(ref *word) != expected
                || Volatile.Read(ref *CountWord) != count)
            {
                return;
            }

            slice = Math.Min(slice * 2, MaxSliceNs);
        }
    }

    /// <summary>
    /// Step (4), with the lock held, after a change that may end the wait of class <paramref name="bit"/>: if one
    /// of ours may sleep, moves the sequence and clears the bit; the caller then calls <see cref="Wake"/> after
    /// its unlock. Without sleepers: one load, no system call.
    /// </summary>
    /// <returns>True if the caller must wake the class.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool ClaimWake(int bit)
    {
        // Plain load: the bit is set only under the lock we hold.
        if ((Volatile.Read(ref *EventWord) & bit) == 0)
        {
            return false;
        }

        int* word = EventWord;
        int old = Volatile.Read(ref *word), seen;
        while ((seen = Interlocked.CompareExchange(ref *word, unchecked(old + SequenceStep) & ~bit, old)) != old)
        {
            old = seen;
        }

        return true;
    }

    /// <summary>Step (5), after the unlock: wakes every sleeper of class <paramref name="bit"/>.</summary>
    private void Wake(int bit) => FutexCalls.Wake(EventWord, int.MaxValue, (uint)bit);

    /// <summary>After a repair (lock held): every sleeper of ours re-checks, whichever class.</summary>
    private void WakeAllWaiters()
    {
        int* word = EventWord;
        int old = Volatile.Read(ref *word), seen;
        while ((seen = Interlocked.CompareExchange(ref *word, unchecked(old + SequenceStep) & ~(ReceiverWaiting | SenderWaiting), old)) != old)
        {
            old = seen;
        }

        FutexCalls.Wake(word, int.MaxValue, Futex.FUTEX_BITSET_MATCH_ANY);
    }

    /// <summary>A token was cancelled (any thread, no lock): moves the sequence and wakes every sleeper so that the cancelled one notices.</summary>
    private void WakeForCancellation()
    {
        Interlocked.Add(ref *EventWord, SequenceStep);
        FutexCalls.Wake(EventWord, int.MaxValue, Futex.FUTEX_BITSET_MATCH_ANY);
    }
}
