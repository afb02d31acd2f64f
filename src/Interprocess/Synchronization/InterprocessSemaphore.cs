using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Interprocess.Interop;

namespace Interprocess.Synchronization;

/// <summary>
/// A process-shared counting semaphore that lives in shared memory (Boost's <c>interprocess_semaphore</c>):
/// place it in a struct of yours inside a mapped region, call <see cref="Initialize(int)"/> once, then
/// <see cref="Post()"/> and <see cref="Wait()"/> from any process.
/// </summary>
/// <remarks>
/// <para><b>Initialize first.</b> Unlike the mutexes, all-zero memory is <i>not</i> a usable semaphore: the
/// initial count is a choice the creator must make (Boost's constructor takes it too), and a semaphore that
/// was never initialized, or memory that holds something else, must not pass for one with a count of zero
/// (a waiter would then hang forever with no hint why). <see cref="Initialize(int)"/> writes the count and a
/// magic word; every operation checks the magic word and throws <see cref="InterprocessException"/> with
/// <see cref="InterprocessErrorCode.Corrupted"/> when it is missing. The process that creates the shared
/// memory initializes the semaphore before the others use it (as with Boost's construct-then-open).</para>
/// <para><b>In place only.</b> Use the semaphore through a reference into shared memory; a copy
/// (<c>var s = shared.Semaphore;</c>) is not the semaphore, and a copy on the stack is refused with
/// <see cref="InvalidOperationException"/>. <see cref="Size"/> is 16 bytes, 8-byte aligned.</para>
/// <para><b>Speed.</b> A post with nobody asleep and a wait that finds a unit are one compare-exchange on
/// shared memory, with no system call. A waiter that finds the count at zero spins briefly (a few pauses, then
/// a few tens of yields of the core, so that a partner on the same core can run: some microseconds in all)
/// before it sleeps in the kernel (futex); a post enters the kernel only when someone sleeps.</para>
/// <para><b>No owner.</b> A semaphore is not owned by anyone, so nothing is "abandoned" when a process dies:
/// a count that was posted is never lost (it stays in shared memory until someone takes it); a waiter that
/// is killed while waiting leaves at most a stale entry in the waiter count, which costs later posts an
/// unneeded wake-up system call and nothing else; a process that dies between a <see cref="Wait()"/> and its
/// matching <see cref="Post()"/> takes that unit with it for good. Restoring it belongs to the protocol of
/// the application (as with any counting semaphore, POSIX's and Boost's included).</para>
/// <para><b>Limits.</b> The count ranges from 0 to <see cref="MaxCount"/> (<see cref="int.MaxValue"/>, as
/// POSIX's SEM_VALUE_MAX); a post beyond it throws <see cref="SemaphoreFullException"/> and changes nothing.</para>
/// </remarks>
/// <example>
/// <code>
/// struct Shared { public InterprocessSemaphore Ready; public long Value; }
///
/// // process A (creates the memory):
/// ref Shared s = ref region.GetRef&lt;Shared&gt;(0);
/// s.Ready.Initialize(0);
/// s.Value = 42;
/// s.Ready.Post();               // publishes Value to the process that takes this unit
///
/// // process B (opens it):
/// ref Shared s = ref region.GetRef&lt;Shared&gt;(0);
/// s.Ready.Wait();
/// Console.WriteLine(s.Value);   // 42
/// </code>
/// </example>
[StructLayout(LayoutKind.Explicit, Size = Size)]
public struct InterprocessSemaphore
{
    // The protocol. State is one 64-bit word: Count in the low half (offset 0 on little-endian x86-64, the
    // futex word), Waiters (threads registered to sleep) in the high half. Every change is a full-barrier
    // compare-exchange of the whole word, so a snapshot of both halves is always consistent.
    //  1. Take (TryWait and every retry of Wait): while Count > 0, compare-exchange Count -> Count - 1. The
    //     exchange acquires what the poster published before its post.
    //  2. Post(n): compare-exchange Count -> Count + n (refused above MaxCount). The exchange publishes the
    //     poster's earlier writes. If the word it replaced had Waiters > 0, FUTEX_WAKE min(n, Waiters) on Count.
    //  3. Wait, slow path: spin for a few microseconds retrying (1); then register: Waiters += 1.
    //  4. Registered, loop: if Count > 0, take a unit and deregister in ONE exchange (Count - 1, Waiters - 1)
    //     and return. Otherwise FUTEX_WAIT on Count expecting 0: the kernel sleeps only if Count is still 0,
    //     checked atomically with queueing the sleeper.
    //  5. On a timeout or a cancellation, check (4)'s take once more (a unit that arrived wins over giving up:
    //     a woken waiter that gave up while a unit waited would strand the unit with others asleep); then
    //     deregister (Waiters - 1) and return false / throw.
    // No lost wake-up: a waiter sleeps only while Count == 0 (the kernel checks, 4). Its registration (3)
    // precedes that check, and a post's exchange (2) is ordered with it: either the post's exchange saw the
    // registration, and it wakes (after raising Count, so the waiter is asleep and gets the wake, or sees
    // Count > 0 and does not sleep), or the post came first and the waiter's check sees Count > 0. A woken
    // waiter takes a unit or finds Count at 0 because someone else took it (4, 5), so a unit never sits in
    // Count while all waiters sleep.

    /// <summary>The size of the semaphore in shared memory, in bytes.</summary>
    public const int Size = 16;

    /// <summary>The largest count the semaphore holds (as POSIX's SEM_VALUE_MAX).</summary>
    public const int MaxCount = int.MaxValue;

    /// <summary>The magic word of an initialized semaphore: "SEM1" (layout version 1).</summary>
    internal const int Magic = 0x314D4553;

    /// <summary>One waiter in the high half of <see cref="_state"/>.</summary>
    private const long OneWaiter = 1L << 32;

    /// <summary>Spins (with pause, then sched_yield) before a waiter registers to sleep.</summary>
    private const int SpinCount = 40;

    /// <summary>When the wait can be canceled, the longest single sleep (bounds the cancellation race, see <see cref="WaitSlow"/>).</summary>
    private const long CancelableSliceNanoseconds = 100_000_000;

    /// <summary>Count (low 32 bits; the futex word) and Waiters (high 32 bits). See the protocol above.</summary>
    [FieldOffset(0)] private long _state;

    /// <summary><see cref="Magic"/> once initialized; written last, with release, by <see cref="Initialize(int)"/>.</summary>
    [FieldOffset(8)] private int _magic;

    /// <summary>The current count (a snapshot that may change at once).</summary>
    /// <exception cref="InterprocessException">The semaphore was not initialized or is damaged (<see cref="InterprocessErrorCode.Corrupted"/>).</exception>
    public readonly int Count
    {
        get
        {
            CheckMagic();
            return CountOf(Volatile.Read(in _state));
        }
    }

    /// <summary>Whether this memory holds an initialized semaphore (a snapshot).</summary>
    public readonly bool IsInitialized => Volatile.Read(in _magic) == Magic;

    /// <summary>
    /// Makes this memory a semaphore with <paramref name="initialCount"/> units. Call it once, in the process
    /// that creates the shared memory, before any other process uses the semaphore; never while it is in use.
    /// </summary>
    /// <param name="initialCount">The initial count, 0 to <see cref="MaxCount"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="initialCount"/> is negative.</exception>
    /// <exception cref="InvalidOperationException">This is a copy on the stack, or the semaphore is not 8-byte aligned.</exception>
    public void Initialize(int initialCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(initialCount);
        CheckPlacement();
        Volatile.Write(ref _state, (uint)initialCount);
        // Publishes the state above: whoever reads the magic with acquire sees the initial count.
        Volatile.Write(ref _magic, Magic);
    }

    /// <summary>Adds one unit, waking one waiter if any sleeps.</summary>
    /// <exception cref="SemaphoreFullException">The count is already <see cref="MaxCount"/>.</exception>
    /// <exception cref="InterprocessException">The semaphore was not initialized or is damaged (<see cref="InterprocessErrorCode.Corrupted"/>).</exception>
    /// <exception cref="InvalidOperationException">This is a copy on the stack.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Post() => Post(1);

    /// <summary>Adds <paramref name="releaseCount"/> units, waking as many waiters (as many as sleep).</summary>
    /// <param name="releaseCount">How many units to add; at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="releaseCount"/> is less than 1.</exception>
    /// <exception cref="SemaphoreFullException">The count would exceed <see cref="MaxCount"/>; nothing was added.</exception>
    /// <exception cref="InterprocessException">The semaphore was not initialized or is damaged (<see cref="InterprocessErrorCode.Corrupted"/>).</exception>
    /// <exception cref="InvalidOperationException">This is a copy on the stack.</exception>
    public unsafe void Post(int releaseCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(releaseCount, 1);
        Validate();
        ref long state = ref _state;
        long old = Volatile.Read(ref state);
        while (true)
        {
            int count = CountOf(old);
            if (count > MaxCount - releaseCount)
            {
                ThrowFull(count, releaseCount);
            }

            // (2) The exchange publishes every write the poster made before it.
            long seen = Interlocked.CompareExchange(ref state, old + releaseCount, old);
            if (seen == old)
            {
                break;
            }

            old = seen;
        }

        int waiters = WaitersOf(old);
        if (waiters != 0)
        {
            FutexCalls.Wake(CountWord, Math.Min(releaseCount, waiters));
        }
    }

    /// <summary>Takes one unit, waiting as long as it takes for one to be posted.</summary>
    /// <exception cref="InterprocessException">The semaphore was not initialized or is damaged (<see cref="InterprocessErrorCode.Corrupted"/>).</exception>
    /// <exception cref="InvalidOperationException">This is a copy on the stack.</exception>
    public void Wait()
    {
        Validate();
        if (!TryTake())
        {
            WaitSlow(Deadline.Infinite, default);
        }
    }

    /// <summary>Takes one unit, waiting until one is posted or <paramref name="cancellationToken"/> is canceled.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="OperationCanceledException">The wait was canceled; no unit was taken.</exception>
    /// <exception cref="InterprocessException">The semaphore was not initialized or is damaged (<see cref="InterprocessErrorCode.Corrupted"/>).</exception>
    /// <exception cref="InvalidOperationException">This is a copy on the stack.</exception>
    public void Wait(CancellationToken cancellationToken)
    {
        Validate();
        cancellationToken.ThrowIfCancellationRequested();
        if (!TryTake())
        {
            WaitSlow(Deadline.Infinite, cancellationToken);
        }
    }

    /// <summary>Takes one unit if the count is above zero, without waiting.</summary>
    /// <returns>True if a unit was taken.</returns>
    /// <exception cref="InterprocessException">The semaphore was not initialized or is damaged (<see cref="InterprocessErrorCode.Corrupted"/>).</exception>
    /// <exception cref="InvalidOperationException">This is a copy on the stack.</exception>
    public bool TryWait()
    {
        Validate();
        return TryTake();
    }

    /// <summary>Takes one unit, waiting at most <paramref name="timeout"/> (measured on the monotonic clock).</summary>
    /// <param name="timeout">How long to wait; <see cref="TimeSpan.Zero"/> does not wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>True if a unit was taken; false if the time ran out.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled; no unit was taken.</exception>
    /// <exception cref="InterprocessException">The semaphore was not initialized or is damaged (<see cref="InterprocessErrorCode.Corrupted"/>).</exception>
    /// <exception cref="InvalidOperationException">This is a copy on the stack.</exception>
    public bool TryWait(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Deadline.ThrowIfInvalid(timeout);
        Validate();
        cancellationToken.ThrowIfCancellationRequested();
        if (TryTake())
        {
            return true;
        }

        // The deadline (a clock read) only now that the call must wait.
        return timeout != TimeSpan.Zero && WaitSlow(Deadline.FromTimeout(timeout), cancellationToken);
    }

    /// <summary>The futex word: the low (count) half of the state.</summary>
    private readonly unsafe int* CountWord => (int*)Unsafe.AsPointer(ref Unsafe.AsRef(in _state));

    /// <summary>Threads registered to sleep (a snapshot; it may count waiters killed while waiting).</summary>
    internal readonly int WaiterCount => WaitersOf(Volatile.Read(in _state));

    private static int CountOf(long state) => (int)state;

    private static int WaitersOf(long state) => (int)(state >> 32);

    /// <summary>(1) Takes a unit if there is one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryTake()
    {
        ref long state = ref _state;
        long old = Volatile.Read(ref state);
        while (CountOf(old) > 0)
        {
            // Acquires what the poster of this unit published.
            long seen = Interlocked.CompareExchange(ref state, old - 1, old);
            if (seen == old)
            {
                return true;
            }

            old = seen;
        }

        if (CountOf(old) < 0 || WaitersOf(old) < 0)
        {
            ThrowCorrupted("a negative count or waiter count");
        }

        return false;
    }

    /// <summary>(4) Registered: takes a unit and deregisters in one exchange, if there is a unit.</summary>
    private bool TryTakeRegistered()
    {
        ref long state = ref _state;
        long old = Volatile.Read(ref state);
        while (CountOf(old) > 0)
        {
            long seen = Interlocked.CompareExchange(ref state, old - 1 - OneWaiter, old);
            if (seen == old)
            {
                return true;
            }

            old = seen;
        }

        return false;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private unsafe bool WaitSlow(Deadline deadline, CancellationToken cancellationToken)
    {
        // (3) Spin first: in a ping-pong the partner usually posts within microseconds, and a sleep and wake
        // cost tens. The spin pauses at first, then yields the core (so a partner on this core can run); it pauses
        // in a process pinned to one core too (PeerSpinWait: SpinWait would only yield there).
        var spinner = default(PeerSpinWait);
        // Measured (two processes, 2-core VM): 0.4 us round trip across cores and 4 us on one core, against 13-15
        // and 5.4-5.9 us for Boost's interprocess_semaphore in the same session; with no spin, 13 and 6.7 us.
        for (int i = 0; i < SpinCount; i++)
        {
            spinner.SpinOnce();
            if (CountOf(Volatile.Read(ref _state)) > 0 && TryTake())
            {
                return true;
            }
        }

        int* word = CountWord;
        Interlocked.Add(ref _state, OneWaiter);
        bool registered = true;
        CancellationTokenRegistration registration = default;
        try
        {
            if (cancellationToken.CanBeCanceled)
            {
                // Wakes every sleeper on the word; the others find the count at 0 and sleep again. A cancellation
                // that lands between the token check and the sleep is not seen by the kernel, so cancelable sleeps
                // are cut into slices of CancelableSliceNanoseconds.
                registration = cancellationToken.UnsafeRegister(static w => FutexCalls.Wake((int*)(nint)w!, int.MaxValue), (nint)word);
            }

            while (true)
            {
                // (4)
                if (TryTakeRegistered())
                {
                    registered = false;
                    return true;
                }

                long remaining = deadline.RemainingNanoseconds();
                if (remaining == 0 || cancellationToken.IsCancellationRequested)
                {
                    // (5) A unit that arrived meanwhile wins over giving up.
                    if (TryTakeRegistered())
                    {
                        registered = false;
                        return true;
                    }

                    cancellationToken.ThrowIfCancellationRequested();
                    return false;
                }

                if (cancellationToken.CanBeCanceled && (remaining < 0 || remaining > CancelableSliceNanoseconds))
                {
                    remaining = CancelableSliceNanoseconds;
                }

                FutexCalls.Wait(word, 0, remaining);
                CheckMagic();
            }
        }
        finally
        {
            // (5) Deregister on every way out that did not take a unit (timeout, cancellation, failure).
            if (registered)
            {
                Interlocked.Add(ref _state, -OneWaiter);
            }

            registration.Dispose();
        }
    }

    /// <summary>The checks every operation makes: initialized, in place.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly unsafe void Validate()
    {
        CheckMagic();
        _ = ThreadIdentity.Tid; // makes the stack bounds known to IsOnStack
        if (ThreadIdentity.IsOnStack(Unsafe.AsPointer(ref Unsafe.AsRef(in this))))
        {
            RobustLock.ThrowCopied();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly void CheckMagic()
    {
        // Acquires the initial state published with the magic word.
        if (Volatile.Read(in _magic) != Magic)
        {
            ThrowNotInitialized(_magic);
        }
    }

    private readonly unsafe void CheckPlacement()
    {
        void* self = Unsafe.AsPointer(ref Unsafe.AsRef(in this));
        _ = ThreadIdentity.Tid; // makes the stack bounds known to IsOnStack
        if (ThreadIdentity.IsOnStack(self))
        {
            RobustLock.ThrowCopied();
        }

        if (((nint)self & 7) != 0)
        {
            throw new InvalidOperationException($"A semaphore must be 8-byte aligned in memory; this one is at an address ending in 0x{(nint)self & 7:x}.");
        }
    }

    [DoesNotReturn]
    private static void ThrowNotInitialized(int magic) => throw InterprocessException.Corrupted(
        null,
        magic == 0
            ? "This memory does not hold an initialized InterprocessSemaphore (call Initialize(initialCount) once, in the creating process, before use)."
            : $"This memory does not hold an InterprocessSemaphore (found 0x{magic:x8} where the magic word 0x{Magic:x8} belongs): a foreign or damaged object.");

    [DoesNotReturn]
    private static void ThrowCorrupted(string what) =>
        throw InterprocessException.Corrupted(null, $"The InterprocessSemaphore is damaged: {what}.");

    [DoesNotReturn]
    private static void ThrowFull(int count, int releaseCount) => throw new SemaphoreFullException(
        $"Posting {releaseCount} to a semaphore whose count is {count} would exceed the maximum count {MaxCount}.");
}
