using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;
using Interprocess.Synchronization;
using D = Interprocess.Queues.MpmcQueueDescriptor;

namespace Interprocess.Queues;

/// <summary>
/// A multi-producer / multi-consumer queue of variable-size byte messages (up to <see cref="MaxMessageSize"/>)
/// in a named shared memory object: lock-free, zero-copy on both sides, and asleep in the kernel only when empty
/// (consumers) or full (producers). Any number of threads in any number of processes may produce and consume.
/// </summary>
/// <remarks>
/// <para><b>Layout.</b> A ring of <see cref="Capacity"/> fixed-size slots, each with a 64-bit state word that
/// holds the slot's lap, its status and the pid of the process that holds it (D. Vyukov's bounded MPMC queue,
/// with the claim made on the slot word instead of on the shared counter, so that the claimer's pid is recorded
/// in the same atomic step as the claim). Fixed slots rather than a byte ring: a slot is claimed, written and
/// freed on its own, so a crashed claimer leaves exactly one slot to reclaim and never a hole of unknown length
/// in a byte stream; the price is that every message takes a slot of the maximum size.</para>
/// <para><b>FIFO.</b> Messages are delivered in the order their slots were claimed. A consumer that finds the
/// next slot claimed but not yet committed by a live producer reports the queue as empty until it is committed,
/// even if later slots are already committed.</para>
/// <para><b>Crashes.</b> A message becomes visible only when its producer commits it (a full-barrier store of
/// the slot word after the payload), so a producer killed while writing never exposes a half-written message.
/// A slot claimed by a process that no longer exists (kill(pid, 0) fails with ESRCH) is reclaimed by the next
/// producer or consumer that needs it: an uncommitted message is dropped (it was never sent), and the slot of a
/// consumer killed while reading is freed. Delivery: a message is <i>delivered</i> when a consumer claims it
/// (TryPeek / TryReceive / Receive). Every committed message is delivered to exactly one consumer: never twice,
/// and never lost, except that a consumer killed after claiming a message and before it has acted on it takes
/// that message with it (at most one message per thread of the killed process; at-most-once for that one).
/// Liveness is per process: the pids must be in one pid namespace, and a reused pid delays a reclaim until the
/// new holder of the pid exits. A stuck slot is noticed by a waiter within
/// <see cref="QueueWaiter.LivenessPollNanoseconds"/> nanoseconds (100 ms) of sleeping, and by non-blocking calls
/// from 1 ms after first seeing it.</para>
/// <para><b>Waiting.</b> As <see cref="SpscQueue"/>: spin a few microseconds, then sleep on a futex; the fast
/// path of the other side makes no system call when nobody sleeps.</para>
/// </remarks>
/// <example>
/// <code>
/// // any number of producer processes:
/// using var q = MpmcQueue.OpenOrCreate("jobs", capacity: 1024, maxMessageSize: 256);
/// q.Send("job 1"u8);
///
/// // any number of consumer processes:
/// using var q = MpmcQueue.OpenOrCreate("jobs", capacity: 1024, maxMessageSize: 256);
/// var buffer = new byte[q.MaxMessageSize];
/// int n = q.Receive(buffer);   // each message goes to exactly one consumer
/// </code>
/// </example>
public sealed unsafe partial class MpmcQueue : IDisposable
{
    // Slot states (D = MpmcQueueDescriptor; lap L is the lap of the position that uses the slot):
    //  1. Free(L): waiting for the producer of position p (lap L). All-zero memory is Free(0).
    //  2. Writing(L, pid): a producer claimed it (CAS 1->2 on the slot word, which records its pid), then moves
    //     ProducerPosition past p (or another producer helps), then writes Length and the payload in place.
    //  3. Committed(L): the producer's full-barrier store 2->3 publishes Length and payload.
    //  4. Reading(L, pid): a consumer claimed it (CAS 3->4, acquiring the payload), then moves ConsumerPosition
    //     past p (or helps), then reads the payload in place.
    //  5. Free(L+1): the consumer's full-barrier store 4->5 hands the slot to the producer of p + Capacity.
    // Recovery: Writing(L, dead pid) -> Free(L+1) (nothing was committed, nothing is lost); Reading(L, dead pid)
    // -> Free(L+1) (the dead consumer had claimed the message). Every transition is a CAS or exchange of the whole
    // word, so at most one process wins each step, and a recovering CAS fails if the holder moved on meanwhile.
    // The counters are hints that only grow: whoever finds the slot of the counter's position already claimed
    // (or already in a later lap) moves the counter on with a CAS, so a claimer killed before moving it never
    // stalls the others.

    /// <summary>Stopwatch ticks a slot must be seen unchanged in a claimed state before its holder's liveness is checked (1 ms).</summary>
    private static readonly long s_suspectTicks = Stopwatch.Frequency / 1000;

    /// <summary>This process's pid, as stored in the slots it claims.</summary>
    private static readonly int s_pid = Environment.ProcessId;

    /// <summary>The object and mapping; the pointers below are valid while it is not disposed.</summary>
    private readonly QueueMapping _mapping;

    /// <summary>The first slot.</summary>
    private readonly byte* _slots;

    /// <summary>Capacity - 1.</summary>
    private readonly long _mask;

    /// <summary>log2(Capacity): position >> this = lap.</summary>
    private readonly int _lapShift;

    /// <summary>Bytes per slot.</summary>
    private readonly int _slotSize;

    /// <summary>The maximum payload length.</summary>
    private readonly int _maxMessageSize;

    /// <summary>The next position to claim for producing (a hint that only grows).</summary>
    private readonly long* _producerPosition;

    /// <summary>The next position to claim for consuming (a hint that only grows).</summary>
    private readonly long* _consumerPosition;

    /// <summary>The event count consumers sleep on.</summary>
    private readonly byte* _notEmpty;

    /// <summary>The event count producers sleep on.</summary>
    private readonly byte* _notFull;

    /// <summary>A claimed slot word seen before (liveness heuristics; benign races between threads).</summary>
    private long _suspectState = -1;

    /// <summary>When <see cref="_suspectState"/> was first seen or last checked.</summary>
    private long _suspectSince;

    /// <summary>A slot word whose holder was found dead.</summary>
    private long _deadState = -1;

    /// <summary>Set by <see cref="Dispose"/>.</summary>
    private bool _disposed;

    /// <summary>
    /// This handle's last claim for writing found the queue full: the next claim reads the slot word before it
    /// tries the compare-exchange (see <see cref="TrySend(ReadOnlySpan{byte})"/>). Shared by the handle's threads;
    /// a heuristic, written only when it changes.
    /// </summary>
    private bool _producerFoundFull;

    /// <summary>Producers of this handle: how long a wait for a free slot spins before it sleeps (shared by its threads; a heuristic).</summary>
    private SpinBudget _producerSpin;

    /// <summary>Consumers of this handle: how long a wait for a message spins before it sleeps (shared by its threads; a heuristic).</summary>
    private SpinBudget _consumerSpin;

    private MpmcQueue(QueueMapping mapping)
    {
        if (s_pid > D.PidMask)
        {
            mapping.Dispose();
            throw new PlatformNotSupportedException($"Process id {s_pid} does not fit in the {D.PidBits} bits of a slot word.");
        }

        _mapping = mapping;
        _slots = mapping.Data;
        _mask = mapping.Capacity - 1;
        _lapShift = BitOperations.Log2((ulong)mapping.Capacity);
        _slotSize = mapping.ElementSize;
        _maxMessageSize = mapping.MaxMessageSize;
        _producerPosition = (long*)(mapping.Base + QueueHeaderDescriptor.ProducerPositionOffset);
        _consumerPosition = (long*)(mapping.Base + QueueHeaderDescriptor.ConsumerPositionOffset);
        _notEmpty = mapping.Base + QueueHeaderDescriptor.NotEmptyOffset;
        _notFull = mapping.Base + QueueHeaderDescriptor.NotFullOffset;
    }

    /// <summary>The queue's name.</summary>
    public string Name => _mapping.Name;

    /// <summary>The number of slots: how many messages the queue holds.</summary>
    public long Capacity => _mask + 1;

    /// <summary>The largest message, in bytes.</summary>
    public int MaxMessageSize => _maxMessageSize;

    /// <summary>True when this handle created the queue.</summary>
    public bool Created => _mapping.Created;

    /// <summary>
    /// Producer: claims a slot for a message of <paramref name="length"/> bytes and hands out its payload, to be
    /// written in place and published with <see cref="Commit(long)"/>. Does not wait.
    /// </summary>
    /// <param name="length">The message's length, 0 to <see cref="MaxMessageSize"/>.</param>
    /// <param name="ticket">Identifies the claim for <see cref="Commit(long)"/>.</param>
    /// <param name="buffer">The payload, exactly <paramref name="length"/> bytes, valid until the commit.</param>
    /// <returns>True if claimed; false if the queue is full.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative or above <see cref="MaxMessageSize"/>.</exception>
    /// <exception cref="InterprocessException">The queue is damaged (<see cref="InterprocessErrorCode.Corrupted"/>).</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryReserve(int length, out long ticket, out Span<byte> buffer)
    {
        ThrowIfDisposed();
        CheckLength(length);
        return TryReserveCore(length, out ticket, out buffer);
    }

    /// <summary>Producer: as <see cref="TryReserve(int, out long, out Span{byte})"/>, waiting for a free slot up to <paramref name="timeout"/>.</summary>
    /// <param name="length">The message's length, 0 to <see cref="MaxMessageSize"/>.</param>
    /// <param name="ticket">Identifies the claim for <see cref="Commit(long)"/>.</param>
    /// <param name="buffer">The payload, exactly <paramref name="length"/> bytes, valid until the commit.</param>
    /// <param name="timeout">How long to wait; <see cref="TimeSpan.Zero"/> does not wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>True if claimed; false if the time ran out.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The length or the timeout is out of range.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled; nothing was claimed.</exception>
    /// <exception cref="InterprocessException">The queue is damaged (<see cref="InterprocessErrorCode.Corrupted"/>).</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryReserve(int length, out long ticket, out Span<byte> buffer, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Deadline.ThrowIfInvalid(timeout);
        ThrowIfDisposed();
        CheckLength(length);
        if (TryReserveCore(length, out ticket, out buffer))
        {
            return true;
        }

        var deadline = Deadline.FromTimeout(timeout); // a clock read: only when there is no room now
        do
        {
            var room = new ChangeCondition(this, _producerPosition, consumer: false);
            if (!QueueWaiter.Wait(_notFull, ref room, ref _producerSpin, deadline, cancellationToken))
            {
                return false;
            }
        }
        while (!TryReserveCore(length, out ticket, out buffer));

        return true;
    }

    /// <summary>Producer: publishes the message claimed with <paramref name="ticket"/>; one consumer will receive it.</summary>
    /// <param name="ticket">The ticket from <see cref="TryReserve(int, out long, out Span{byte})"/>.</param>
    /// <exception cref="InvalidOperationException">The ticket is not a slot this process claimed for writing (already committed, or never claimed).</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Commit(long ticket)
    {
        ThrowIfDisposed();
        long* word = StateWord(ticket);
        long lap = LapOfPosition(ticket);
        if (Volatile.Read(ref *word) != D.Make(lap, D.Writing, s_pid))
        {
            ThrowBadTicket(ticket, "Commit", "claimed for writing by TryReserve");
        }

        PublishCommitted(word, lap);
    }

    /// <summary>
    /// (2 -> 3) Publishes the Length and payload of the slot this process holds for writing in <paramref name="lap"/>
    /// (release), then wakes sleeping consumers: step 1 of QueueWaiter's protocol, then its wake check. A plain
    /// store can do it (QueueWaiter.Publish): nobody else writes a slot word held by a live process (a reclaim
    /// needs the holder dead). Commit and TrySend's fast path.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void PublishCommitted(long* word, long lap)
    {
        QueueWaiter.Publish(word, D.Make(lap, D.Committed, 0));
        QueueWaiter.Wake(_notEmpty);
    }

    /// <summary>
    /// (4 -> 5) Hands the slot this process holds for reading in <paramref name="lap"/> to the next lap's producer
    /// (release: the reads of the payload come first), then wakes sleeping producers; a plain store suffices, as in
    /// <see cref="PublishCommitted"/>. Release, TryReceive's fast path, and the drop of a damaged message.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void FreeForNextLap(long* word, long lap)
    {
        QueueWaiter.Publish(word, D.Make(lap + 1, D.Free, 0));
        QueueWaiter.Wake(_notFull);
    }

    /// <summary>Producer: copies <paramref name="message"/> into the queue if a slot is free now.</summary>
    /// <param name="message">The message, at most <see cref="MaxMessageSize"/> bytes.</param>
    /// <returns>True if sent; false if the queue is full.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The message is longer than <see cref="MaxMessageSize"/>; nothing was sent.</exception>
    /// <exception cref="InterprocessException">The queue is damaged (<see cref="InterprocessErrorCode.Corrupted"/>).</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TrySend(ReadOnlySpan<byte> message)
    {
        // The common case in one method: the slot at the producer counter is free in its lap. It does what
        // TryReserve, the copy and Commit do, without their decoding, their calls and Commit's ticket check (the
        // claim was made just above). Anything else goes through them. The claim is tried without reading the
        // word first, as in TryReserveCore.
        ThrowIfDisposed();
        CheckLength(message.Length);
        long pos = Volatile.Read(ref *_producerPosition);
        long lap = LapOfPosition(pos);
        long* word = StateWord(pos);
        long free = D.Make(lap, D.Free, 0);
        if ((!_producerFoundFull || Volatile.Read(ref *word) == free)
            && Interlocked.CompareExchange(ref *word, D.Make(lap, D.Writing, s_pid), free) == free)
        {
            Interlocked.CompareExchange(ref *_producerPosition, pos + 1, pos);
            if (_producerFoundFull)
            {
                _producerFoundFull = false;
            }

            byte* slot = (byte*)word;
            *(int*)(slot + D.LengthOffset) = message.Length;
            SmallCopy.Copy(message, new Span<byte>(slot + D.PayloadOffset, message.Length));
            PublishCommitted(word, lap);
            return true;
        }

        return TrySendGeneral(message);
    }

    /// <summary>TrySend's general path: TryReserve (which decides, reclaims and reports damage), the copy, Commit.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool TrySendGeneral(ReadOnlySpan<byte> message)
    {
        if (!TryReserveCore(message.Length, out long ticket, out Span<byte> buffer))
        {
            return false;
        }

        SmallCopy.Copy(message, buffer);
        Commit(ticket);
        return true;
    }

    /// <summary>Producer: copies <paramref name="message"/> into the queue, waiting for a free slot up to <paramref name="timeout"/>.</summary>
    /// <param name="message">The message, at most <see cref="MaxMessageSize"/> bytes.</param>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>True if sent; false if the time ran out.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The message is too long, or the timeout is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled; nothing was sent.</exception>
    /// <exception cref="InterprocessException">The queue is damaged (<see cref="InterprocessErrorCode.Corrupted"/>).</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TrySend(ReadOnlySpan<byte> message, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        // Room now: TrySend's fast path, without the deadline's clock read; otherwise the waiting reserve.
        Deadline.ThrowIfInvalid(timeout);
        return TrySend(message) || TrySendWaiting(message, timeout, cancellationToken);
    }

    /// <summary>The timed TrySend when there was no room at first: reserve (waiting), copy, commit.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool TrySendWaiting(ReadOnlySpan<byte> message, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!TryReserve(message.Length, out long ticket, out Span<byte> buffer, timeout, cancellationToken))
        {
            return false;
        }

        message.CopyTo(buffer);
        Commit(ticket);
        return true;
    }

    /// <summary>Producer: copies <paramref name="message"/> into the queue, waiting as long as it takes for a free slot.</summary>
    /// <param name="message">The message, at most <see cref="MaxMessageSize"/> bytes.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="ArgumentOutOfRangeException">The message is longer than <see cref="MaxMessageSize"/>; nothing was sent.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled; nothing was sent.</exception>
    /// <exception cref="InterprocessException">The queue is damaged (<see cref="InterprocessErrorCode.Corrupted"/>).</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    public void Send(ReadOnlySpan<byte> message, CancellationToken cancellationToken = default)
    {
        // The common case (room now) is TrySend's path exactly; only a full queue pays for the waiting form.
        if (!TrySend(message))
        {
            SendWaiting(message, cancellationToken);
        }
    }

    /// <summary>Send's waiting form, out of line: inlined, it made the tiered Send a 3 KB method whose common case paid for the wait's frame.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void SendWaiting(ReadOnlySpan<byte> message, CancellationToken cancellationToken) =>
        TrySend(message, Timeout.InfiniteTimeSpan, cancellationToken);

    /// <summary>
    /// Consumer: claims the oldest committed message and hands it out in place; <see cref="Release(long)"/> frees
    /// its slot. The claim is the delivery: no other consumer will see this message. Does not wait.
    /// </summary>
    /// <param name="ticket">Identifies the claim for <see cref="Release(long)"/>.</param>
    /// <param name="message">The message, valid until the release.</param>
    /// <returns>True if a message was claimed; false if the queue is empty (or its next message is still being written).</returns>
    /// <exception cref="InterprocessException">The queue is damaged (<see cref="InterprocessErrorCode.Corrupted"/>).</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryPeek(out long ticket, out ReadOnlySpan<byte> message)
    {
        ThrowIfDisposed();
        return TryPeekCore(out ticket, out message);
    }

    /// <summary>Consumer: as <see cref="TryPeek(out long, out ReadOnlySpan{byte})"/>, waiting for a message up to <paramref name="timeout"/>.</summary>
    /// <param name="ticket">Identifies the claim for <see cref="Release(long)"/>.</param>
    /// <param name="message">The message, valid until the release.</param>
    /// <param name="timeout">How long to wait; <see cref="TimeSpan.Zero"/> does not wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>True if a message was claimed; false if the time ran out.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled; nothing was claimed.</exception>
    /// <exception cref="InterprocessException">The queue is damaged (<see cref="InterprocessErrorCode.Corrupted"/>).</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryPeek(out long ticket, out ReadOnlySpan<byte> message, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Deadline.ThrowIfInvalid(timeout);
        ThrowIfDisposed();
        if (TryPeekCore(out ticket, out message))
        {
            return true;
        }

        var deadline = Deadline.FromTimeout(timeout); // a clock read: only when there is no message now
        do
        {
            var data = new ChangeCondition(this, _consumerPosition, consumer: true);
            if (!QueueWaiter.Wait(_notEmpty, ref data, ref _consumerSpin, deadline, cancellationToken))
            {
                return false;
            }
        }
        while (!TryPeekCore(out ticket, out message));

        return true;
    }

    /// <summary>Consumer: frees the slot of the message claimed with <paramref name="ticket"/>; its span must not be used after this.</summary>
    /// <param name="ticket">The ticket from <see cref="TryPeek(out long, out ReadOnlySpan{byte})"/>.</param>
    /// <exception cref="InvalidOperationException">The ticket is not a slot this process claimed for reading.</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Release(long ticket)
    {
        ThrowIfDisposed();
        long* word = StateWord(ticket);
        long lap = LapOfPosition(ticket);
        if (Volatile.Read(ref *word) != D.Make(lap, D.Reading, s_pid))
        {
            ThrowBadTicket(ticket, "Release", "claimed for reading by TryPeek");
        }

        FreeForNextLap(word, lap);
    }

    /// <summary>Consumer: copies the oldest message into <paramref name="buffer"/> and removes it, if there is one now.</summary>
    /// <param name="buffer">Where to copy; it must hold the message.</param>
    /// <param name="length">The message's length.</param>
    /// <returns>True if a message was received; false if the queue is empty.</returns>
    /// <exception cref="ArgumentException">The buffer is shorter than <see cref="MaxMessageSize"/> (checked before anything is claimed: a claimed message cannot be put back); nothing was received. Use TryPeek to read messages in place.</exception>
    /// <exception cref="InterprocessException">The queue is damaged (<see cref="InterprocessErrorCode.Corrupted"/>).</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryReceive(Span<byte> buffer, out int length)
    {
        // The common cases in one method: a committed message at the consumer counter (claimed, checked, copied
        // and released as TryPeek and Release do, without their decoding and calls), or a free slot of this lap
        // there (empty). Anything else goes through TryPeek's path.
        CheckBuffer(buffer);
        ThrowIfDisposed();
        long pos = Volatile.Read(ref *_consumerPosition);
        long lap = LapOfPosition(pos);
        long* word = StateWord(pos);
        long committed = D.Make(lap, D.Committed, 0);
        long state = Volatile.Read(ref *word);
        if (state == committed && Interlocked.CompareExchange(ref *word, D.Make(lap, D.Reading, s_pid), committed) == committed)
        {
            Interlocked.CompareExchange(ref *_consumerPosition, pos + 1, pos);
            byte* slot = (byte*)word;
            int n = *(int*)(slot + D.LengthOffset);
            if ((uint)n > (uint)_maxMessageSize)
            {
                DropDamaged(pos, n);
            }

            SmallCopy.Copy(new ReadOnlySpan<byte>(slot + D.PayloadOffset, n), buffer);
            FreeForNextLap(word, lap);
            length = n;
            return true;
        }

        if (state == D.Make(lap, D.Free, 0))
        {
            length = 0;
            return false; // empty
        }

        return TryReceiveGeneral(buffer, out length);
    }

    /// <summary>TryReceive's general path: TryPeek (which decides, reclaims and reports damage), the copy, Release.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool TryReceiveGeneral(Span<byte> buffer, out int length)
    {
        if (!TryPeekCore(out long ticket, out ReadOnlySpan<byte> message))
        {
            length = 0;
            return false;
        }

        length = CopyOut(ticket, message, buffer);
        return true;
    }

    /// <summary>Consumer: as <see cref="TryReceive(Span{byte}, out int)"/>, waiting for a message up to <paramref name="timeout"/>.</summary>
    /// <param name="buffer">Where to copy; it must hold <see cref="MaxMessageSize"/> bytes.</param>
    /// <param name="length">The message's length.</param>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>True if a message was received; false if the time ran out.</returns>
    /// <exception cref="ArgumentException">The buffer is shorter than <see cref="MaxMessageSize"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled; nothing was received.</exception>
    /// <exception cref="InterprocessException">The queue is damaged (<see cref="InterprocessErrorCode.Corrupted"/>).</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryReceive(Span<byte> buffer, out int length, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Deadline.ThrowIfInvalid(timeout);
        if (TryReceive(buffer, out length)) // checks the buffer before anything waits
        {
            return true;
        }

        var deadline = Deadline.FromTimeout(timeout); // a clock read: only when there is no message now
        do
        {
            // Wait for a change at the consumer position, then claim through TryReceive's path (as a caller that found the message there).
            var data = new ChangeCondition(this, _consumerPosition, consumer: true);
            if (!QueueWaiter.Wait(_notEmpty, ref data, ref _consumerSpin, deadline, cancellationToken))
            {
                length = 0;
                return false;
            }
        }
        while (!TryReceive(buffer, out length));

        return true;
    }

    /// <summary>Consumer: copies the oldest message into <paramref name="buffer"/> and removes it, waiting as long as it takes for one.</summary>
    /// <param name="buffer">Where to copy; it must hold <see cref="MaxMessageSize"/> bytes.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The message's length.</returns>
    /// <exception cref="ArgumentException">The buffer is shorter than <see cref="MaxMessageSize"/>.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled; nothing was received.</exception>
    /// <exception cref="InterprocessException">The queue is damaged (<see cref="InterprocessErrorCode.Corrupted"/>).</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    public int Receive(Span<byte> buffer, CancellationToken cancellationToken = default)
    {
        // The common case (a message now) is TryReceive's path exactly; only an empty queue pays for the waiting form.
        if (!TryReceive(buffer, out int length))
        {
            length = ReceiveWaiting(buffer, cancellationToken);
        }

        return length;
    }

    /// <summary>Receive's waiting form, out of line (see <see cref="SendWaiting"/>).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private int ReceiveWaiting(Span<byte> buffer, CancellationToken cancellationToken)
    {
        TryReceive(buffer, out int length, Timeout.InfiniteTimeSpan, cancellationToken);
        return length;
    }

    /// <summary>Unmaps the queue (idempotent). Slots this handle claimed and did not commit or release are reclaimed by others only after this process exits.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _mapping.Dispose();
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"MpmcQueue '{Name}' ({Capacity} slots, messages up to {_maxMessageSize} bytes)";

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long LapOfPosition(long position) => position >> _lapShift;

    /// <summary>The signed difference of two 40-bit laps (so that comparisons survive the lap's wrap).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long LapDiff(long slotLap, long lap) => ((slotLap - lap) << D.LapShift) >> D.LapShift;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long* StateWord(long position) => (long*)(_slots + ((position & _mask) * _slotSize) + D.StateOffset);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool TryReserveCore(int length, out long ticket, out Span<byte> buffer)
    {
        // The first claim goes straight to the compare-exchange, without reading the slot word: its line was last
        // written by the consumer that freed the slot, and a read would fetch it shared, only for the
        // compare-exchange to fetch it again, exclusive: a second cross-core transfer on every hand-off's path
        // (W3's bare slot-claim protocol went from 1.81-1.94 to 1.40-1.56 times the spin floor without it). A
        // handle whose last claim found the queue full reads first, so that a producer polling a full queue does
        // not keep taking the line from the consumer that is reading the slot.
        bool direct = !_producerFoundFull;
        while (true)
        {
            long pos = Volatile.Read(ref *_producerPosition);
            long lap = LapOfPosition(pos);
            long* word = StateWord(pos);
            long free = D.Make(lap, D.Free, 0);
            long claim = D.Make(lap, D.Writing, s_pid);
            long state;
            if (direct)
            {
                // (1 -> 2) The claim; its full barrier also acquires the previous consumer's release of the slot.
                state = Interlocked.CompareExchange(ref *word, claim, free);
                direct = false;
            }
            else
            {
                state = Volatile.Read(ref *word);
                if (state == free)
                {
                    state = Interlocked.CompareExchange(ref *word, claim, free); // (1 -> 2), as above
                }
            }

            if (state == free)
            {
                Interlocked.CompareExchange(ref *_producerPosition, pos + 1, pos);
                if (_producerFoundFull)
                {
                    _producerFoundFull = false;
                }

                byte* slot = (byte*)word;
                *(int*)(slot + D.LengthOffset) = length;
                ticket = pos;
                buffer = new Span<byte>(slot + D.PayloadOffset, length);
                return true;
            }

            long d = LapDiff(D.LapOf(state), lap);
            int status = D.StatusOf(state);
            if (d == 0 && status == D.Free)
            {
                // A free slot carries no pid: damage, which would otherwise leave its consumers waiting forever.
                ThrowCorruptedSlot(pos, state);
            }
            else if (d >= 0)
            {
                // Claimed by another producer, or already further on: move the counter past it for everyone. While
                // the counter is still at pos, the only later state is Free(lap + 1), left by a consumer that skipped
                // the slot of a producer that died before moving the counter; anything else is damage.
                if (d > 0 && (d > 1 || status != D.Free) && Volatile.Read(ref *_producerPosition) == pos)
                {
                    ThrowCorruptedSlot(pos, state);
                }

                Interlocked.CompareExchange(ref *_producerPosition, pos + 1, pos);
            }
            else if (d == -1 && status != D.Free)
            {
                // The slot still belongs to the previous lap: full, unless its holder died.
                if (status != D.Committed && IsHolderDead(state))
                {
                    Interlocked.CompareExchange(ref *word, D.Make(lap, D.Free, 0), state);
                }
                else if (Volatile.Read(ref *_producerPosition) == pos)
                {
                    if (!_producerFoundFull)
                    {
                        _producerFoundFull = true;
                    }

                    ticket = -1;
                    buffer = default;
                    return false;
                }
            }
            else
            {
                ThrowCorruptedSlot(pos, state);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool TryPeekCore(out long ticket, out ReadOnlySpan<byte> message)
    {
        while (true)
        {
            long pos = Volatile.Read(ref *_consumerPosition);
            long lap = LapOfPosition(pos);
            long* word = StateWord(pos);
            long state = Volatile.Read(ref *word);
            long d = LapDiff(D.LapOf(state), lap);
            int status = D.StatusOf(state);
            if (d == 0)
            {
                switch (status)
                {
                    case D.Committed:
                        // (3 -> 4) The claim = the delivery; it acquires the payload the producer's commit published.
                        if (Interlocked.CompareExchange(ref *word, D.Make(lap, D.Reading, s_pid), state) == state)
                        {
                            Interlocked.CompareExchange(ref *_consumerPosition, pos + 1, pos);
                            byte* slot = (byte*)word;
                            int length = *(int*)(slot + D.LengthOffset);
                            if ((uint)length > (uint)_maxMessageSize)
                            {
                                DropDamaged(pos, length);
                            }

                            ticket = pos;
                            message = new ReadOnlySpan<byte>(slot + D.PayloadOffset, length);
                            return true;
                        }

                        break;
                    case D.Reading:
                        Interlocked.CompareExchange(ref *_consumerPosition, pos + 1, pos);
                        break;
                    case D.Writing:
                        if (!IsHolderDead(state))
                        {
                            ticket = -1;
                            message = default;
                            return false; // being written by a live producer
                        }

                        // Its producer died before committing: skip the slot (nothing was sent), help the counter on.
                        Interlocked.CompareExchange(ref *word, D.Make(lap + 1, D.Free, 0), state);
                        Interlocked.CompareExchange(ref *_consumerPosition, pos + 1, pos);
                        break;
                    default:
                        ticket = -1;
                        message = default;
                        return false; // (1) Free: empty
                }
            }
            else if (d > 0)
            {
                // Consumed or skipped already, the counter lagging: move it on. While the counter is still at pos, a
                // slot can be at most one lap ahead and not claimed for reading (that needs the counter at pos +
                // Capacity); anything else is damage (the re-read rules out a counter read long before the word).
                if ((d > 1 || status == D.Reading) && Volatile.Read(ref *_consumerPosition) == pos)
                {
                    ThrowCorruptedSlot(pos, state);
                }

                Interlocked.CompareExchange(ref *_consumerPosition, pos + 1, pos);
            }
            else if (d == -1 && status == D.Reading)
            {
                // The previous lap's consumer still holds the slot: nothing produced here yet. Reclaim it if it died.
                if (!IsHolderDead(state))
                {
                    ticket = -1;
                    message = default;
                    return false;
                }

                Interlocked.CompareExchange(ref *word, D.Make(lap, D.Free, 0), state);
            }
            else
            {
                ThrowCorruptedSlot(pos, state);
            }
        }
    }

    /// <summary>
    /// Whether the process holding the claimed slot word <paramref name="state"/> is gone. Checked with a system
    /// call only after the same word was seen for 1 ms (a live holder usually moves on within microseconds).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool IsHolderDead(long state)
    {
        if (state == _deadState)
        {
            return true;
        }

        long now = Stopwatch.GetTimestamp();
        if (state != _suspectState)
        {
            _suspectState = state;
            _suspectSince = now;
            return false;
        }

        if (now - _suspectSince < s_suspectTicks)
        {
            return false;
        }

        _suspectSince = now;
        int pid = D.PidOf(state);
        if (pid == s_pid || pid == 0 || RobustLock.ThreadExists(pid))
        {
            return false;
        }

        _deadState = state;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int CopyOut(long ticket, ReadOnlySpan<byte> message, Span<byte> buffer)
    {
        SmallCopy.Copy(message, buffer);
        Release(ticket);
        return message.Length;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CheckBuffer(Span<byte> buffer)
    {
        if (buffer.Length < _maxMessageSize)
        {
            ThrowShortBuffer(buffer.Length);
        }
    }

    [DoesNotReturn]
    private void ThrowShortBuffer(int length) =>
        throw new ArgumentException($"The buffer holds {length} bytes; a receive needs room for the largest message of this queue, {_maxMessageSize} bytes (a claimed message cannot be put back). Use TryPeek to read messages in place.", "buffer");

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CheckLength(int length)
    {
        if ((uint)length > (uint)_maxMessageSize)
        {
            QueueLimits.ThrowMessageTooLong(length, _maxMessageSize);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ThrowIfDisposed()
    {
        if (_disposed)
        {
            ThrowDisposed();
        }
    }

    [DoesNotReturn]
    private void ThrowDisposed() => throw new ObjectDisposedException(ToString());

    [DoesNotReturn]
    private void ThrowCorruptedSlot(long position, long state, string? what = null) => QueueMapping.ThrowCorrupted(
        Name,
        $"the MPMC queue is damaged at position {position}: {what ?? $"slot word 0x{state:x16} (lap {D.LapOf(state)}, status {D.StatusOf(state)}) cannot follow lap {LapOfPosition(position)}"}");

    /// <summary>
    /// A message this handle has just claimed (Reading) has a length no message can have: frees its slot for the
    /// next lap, so that the queue keeps working with its whole capacity, and reports the damage. The message is
    /// dropped: its bytes cannot be trusted.
    /// </summary>
    [DoesNotReturn]
    private void DropDamaged(long position, int length)
    {
        FreeForNextLap(StateWord(position), LapOfPosition(position));
        ThrowCorruptedSlot(position, 0, $"a message length of {length} (maximum {_maxMessageSize}); the message was dropped");
    }

    [DoesNotReturn]
    private static void ThrowBadTicket(long ticket, string operation, string what) =>
        throw new InvalidOperationException($"{operation}: ticket {ticket} is not a slot this process {what} (already done, or never claimed).");

    /// <summary>
    /// A waiter's condition, looked up afresh at each check: for a consumer, a committed message (or a counter to
    /// move on) at its position; for a producer, a slot of its lap (or a counter to move on). Either way, a slot
    /// held by a dead process also makes the waiter retry, so that it reclaims the slot.
    /// </summary>
    private readonly struct ChangeCondition(MpmcQueue queue, long* counter, bool consumer) : IQueueCondition
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public bool IsReady(ref bool poll)
        {
            long pos = Volatile.Read(ref *counter);
            long state = Volatile.Read(ref *queue.StateWord(pos));
            long d = LapDiff(D.LapOf(state), queue.LapOfPosition(pos));
            int status = D.StatusOf(state);
            if (d > 0 || (d == 0 && (!consumer || status is D.Committed or D.Reading)))
            {
                return true;
            }

            if ((d == 0 && status == D.Writing) || (d == -1 && status is D.Writing or D.Reading))
            {
                // A claimed slot blocks us: its holder's death wakes nobody, so sleep in slices and look again.
                poll = true;
                return queue.IsHolderDead(state);
            }

            return false;
        }
    }
}
