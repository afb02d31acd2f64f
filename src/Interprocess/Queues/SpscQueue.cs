using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Interprocess.Synchronization;

namespace Interprocess.Queues;

/// <summary>
/// A single-producer / single-consumer queue of variable-size byte messages in a named shared memory object:
/// lock-free, zero-copy on both sides, and asleep in the kernel only when empty (consumer) or full (producer).
/// </summary>
/// <remarks>
/// <para><b>Roles.</b> At any moment at most one thread (in any process) produces and at most one consumes; the
/// queue does not check this. A producer or consumer that dies can be replaced by another process that opens
/// the queue and carries on.</para>
/// <para><b>Layout (version 3).</b> A byte ring of <see cref="Capacity"/> bytes (a power of two) of 16-byte-aligned
/// records (16-byte header: commit tag, length, type; then the payload), with padding records at the wrap; two
/// byte counters on separate cache lines. See docs/fast-queues.md.</para>
/// <para><b>Publication.</b> The producer writes the record header and payload, then stores the record's commit
/// tag (its position plus one) with a release store; the consumer polls the tag of the record at its own
/// position (acquire) and reads the record once the tag is there, so a hand-off moves only the record's own
/// cache lines. A record is visible only after that store, so a producer killed at any point (while copying
/// included) never exposes a half-written message: the next producer writes over the uncommitted bytes. The
/// producer counter is a hint for producers and inspection, next to the token of the producer handle that last
/// took over; a handle that finds its own token and its own hint there writes without reading the ring (the
/// tag word the consumer polls would cost a cache-line transfer to read), any other checks the ring first. The
/// consumer counter is read by the producer only when its cached copy says "full".</para>
/// <para><b>Delivery on a consumer crash: at-least-once.</b> A message is <i>delivered</i> when
/// <see cref="Release"/> (or the release inside <see cref="TryReceive(Span{byte}, out int)"/>) has stored the
/// consumer counter past it. A consumer killed between <see cref="TryPeek(out ReadOnlySpan{byte})"/> and
/// <see cref="Release"/> (or in the middle of a receive's copy) has not consumed it: the next consumer gets the
/// same message again. Committed messages are therefore never lost, and never delivered twice except for the
/// one message a killed consumer was reading when it died, which the next consumer receives again. A consumer
/// that must not act twice records the message's identity together with its own side effects.</para>
/// <para><b>Waiting.</b> A blocked side spins for a few microseconds, yields, then sleeps on a futex in the
/// header; the other side's fast path enters the kernel only when the sleepers flag is set. An idle queue uses
/// no CPU.</para>
/// <para><b>Threads.</b> A handle may be used by one producing thread and one consuming thread at once (their
/// fields are separate); not by two producers. Disposing while another thread uses the handle is an error.</para>
/// </remarks>
/// <example>
/// <code>
/// // process A (producer):
/// using var q = SpscQueue.CreateNew("orders", capacity: 1 &lt;&lt; 20, maxMessageSize: 4096);
/// q.Send("hello"u8);
/// if (q.TryReserve(8, out Span&lt;byte&gt; slot)) { BitConverter.TryWriteBytes(slot, 42L); q.Commit(); }
///
/// // process B (consumer):
/// using var q = SpscQueue.OpenExisting("orders");
/// var buffer = new byte[q.MaxMessageSize];
/// int n = q.Receive(buffer);                        // "hello", waiting if the queue is empty
/// q.TryPeek(out ReadOnlySpan&lt;byte&gt; message, Timeout.InfiniteTimeSpan);
/// long value = BitConverter.ToInt64(message);       // 42, read in place
/// q.Release();
/// // when both are done: SpscQueue.Remove("orders");
/// </code>
/// </example>
public sealed unsafe partial class SpscQueue : IDisposable
{
    // Record states, in ring order (T = the first position whose tag is 0, C = consumer counter, P = the producer
    // counter, a hint: P <= T, and P < T only after a producer died between a commit tag and the hint):
    //  1. Free: bytes at or after T (and before C + Capacity). Only the producer writes them. The tag word at T
    //     is 0 ("not committed"): the producer stored it when it reserved the record that ends at T.
    //  2. Reserved: [T, _pendingProducer) in the producer's handle, written in place, tag still 0; the tag word at
    //     _pendingProducer already 0. Invisible to the consumer.
    //  3. Committed: [C, T) after the producer's release store of each record's tag. Immutable until consumed.
    //  4. Peeked: [C, _pendingConsumer) in the consumer's handle, read in place; still committed in shared memory.
    //  5. Released: the consumer's release store moves C past it; it is free again (1).
    // A crash in (2) leaves the tag 0 (the bytes return to Free); a crash in (4) leaves C unchanged (the record
    // stays Committed and is delivered again).

    /// <summary>The object and mapping; the pointers below are valid while it is not disposed.</summary>
    private readonly QueueMapping _mapping;

    /// <summary>The ring (data area).</summary>
    private readonly byte* _ring;

    /// <summary>Capacity - 1.</summary>
    private readonly long _mask;

    /// <summary>The ring's size in bytes.</summary>
    private readonly long _capacity;

    /// <summary>The maximum payload length.</summary>
    private readonly int _maxMessageSize;

    /// <summary>The producer's hint: the end of the committed records, stored after each commit tag (only grows; may lag by one record after a producer died).</summary>
    private readonly long* _producerPosition;

    /// <summary>The token of the producer handle that last took over the tail (next to the hint, on the producer's line).</summary>
    private readonly long* _producerOwner;

    /// <summary>This handle's producer token: random, never 0 (what a fresh header holds).</summary>
    private readonly long _producerToken = Random.Shared.NextInt64(1, long.MaxValue);

    /// <summary>Bytes released by the consumer (only grows).</summary>
    private readonly long* _consumerPosition;

    /// <summary>The event count consumers sleep on.</summary>
    private readonly byte* _notEmpty;

    /// <summary>The event count producers sleep on.</summary>
    private readonly byte* _notFull;

    /// <summary>Producer side: the last consumer counter read (a lower bound of the real one).</summary>
    private long _cachedConsumer;

    /// <summary>Producer side: the hint as this handle last stored it, after its own commit tag; -1 before its first reserve.</summary>
    private long _ownTail = -1;

    /// <summary>Producer side: the end of the reserved record (where its marker is); -1 when nothing is reserved.</summary>
    private long _pendingProducer = -1;

    /// <summary>Producer side: the position of the reserved message record.</summary>
    private long _pendingRecord;

    /// <summary>Producer side: the position of the padding before the reserved record, or -1 when there is none.</summary>
    private long _pendingPadding = -1;

    /// <summary>Consumer side: the counter <see cref="Release"/> will store; -1 when nothing is peeked.</summary>
    private long _pendingConsumer = -1;

    /// <summary>Producer side: how long a wait for room spins before it sleeps.</summary>
    private SpinBudget _producerSpin;

    /// <summary>Consumer side: how long a wait for a message spins before it sleeps.</summary>
    private SpinBudget _consumerSpin;

    /// <summary>Set by <see cref="Dispose"/>.</summary>
    private bool _disposed;

    private SpscQueue(QueueMapping mapping)
    {
        _mapping = mapping;
        _ring = mapping.Data;
        _capacity = mapping.Capacity;
        _mask = mapping.Capacity - 1;
        _maxMessageSize = mapping.MaxMessageSize;
        _producerPosition = (long*)(mapping.Base + QueueHeaderDescriptor.ProducerPositionOffset);
        _producerOwner = (long*)(mapping.Base + QueueHeaderDescriptor.ProducerOwnerOffset);
        _consumerPosition = (long*)(mapping.Base + QueueHeaderDescriptor.ConsumerPositionOffset);
        _notEmpty = mapping.Base + QueueHeaderDescriptor.NotEmptyOffset;
        _notFull = mapping.Base + QueueHeaderDescriptor.NotFullOffset;
        _cachedConsumer = Volatile.Read(ref *_consumerPosition);
        CheckCounters(Volatile.Read(ref *_producerPosition), _cachedConsumer);
    }

    /// <summary>The queue's name.</summary>
    public string Name => _mapping.Name;

    /// <summary>The ring's size in bytes.</summary>
    public long Capacity => _capacity;

    /// <summary>The largest message, in bytes.</summary>
    public int MaxMessageSize => _maxMessageSize;

    /// <summary>True when this handle created the queue.</summary>
    public bool Created => _mapping.Created;

    /// <summary>Whether no committed message is waiting (a snapshot).</summary>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    public bool IsEmpty
    {
        get
        {
            ThrowIfDisposed();
            long head = Volatile.Read(ref *_consumerPosition);
            return Volatile.Read(ref *TagAt(head)) != SpscQueueDescriptor.TagOf(head);
        }
    }

    /// <summary>
    /// Producer: reserves room for a message of <paramref name="length"/> bytes and hands out the room itself, to
    /// be written in place and published with <see cref="Commit"/>. Does not wait.
    /// </summary>
    /// <param name="length">The message's length, 0 to <see cref="MaxMessageSize"/>.</param>
    /// <param name="buffer">The room, exactly <paramref name="length"/> bytes, valid until <see cref="Commit"/>.</param>
    /// <returns>True if reserved; false if the queue has no room now.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative or above <see cref="MaxMessageSize"/>; nothing was reserved.</exception>
    /// <exception cref="InvalidOperationException">A reservation is already pending (commit it first).</exception>
    /// <exception cref="InterprocessException">The queue's counters are damaged (<see cref="InterprocessErrorCode.Corrupted"/>).</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryReserve(int length, out Span<byte> buffer)
    {
        ThrowIfDisposed();
        CheckLength(length);
        if (_pendingProducer >= 0)
        {
            ThrowPending("TryReserve", "a reservation", "Commit()");
        }

        return TryReserveCore(length, out buffer);
    }

    /// <summary>Producer: as <see cref="TryReserve(int, out Span{byte})"/>, waiting for room up to <paramref name="timeout"/>.</summary>
    /// <param name="length">The message's length, 0 to <see cref="MaxMessageSize"/>.</param>
    /// <param name="buffer">The room, exactly <paramref name="length"/> bytes, valid until <see cref="Commit"/>.</param>
    /// <param name="timeout">How long to wait; <see cref="TimeSpan.Zero"/> does not wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>True if reserved; false if the time ran out.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The length or the timeout is out of range.</exception>
    /// <exception cref="InvalidOperationException">A reservation is already pending.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled; nothing was reserved.</exception>
    /// <exception cref="InterprocessException">The queue's counters are damaged (<see cref="InterprocessErrorCode.Corrupted"/>).</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryReserve(int length, out Span<byte> buffer, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Deadline.ThrowIfInvalid(timeout);
        ThrowIfDisposed();
        CheckLength(length);
        if (_pendingProducer >= 0)
        {
            ThrowPending("TryReserve", "a reservation", "Commit()");
        }

        // The deadline (a clock read) only when there is no room now.
        return TryReserveCore(length, out buffer) || TryReserveWaiting(length, out buffer, Deadline.FromTimeout(timeout), cancellationToken);
    }

    /// <summary>The slow path of the waiting reserve (kept out of line, so the fast path stays small).</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private bool TryReserveWaiting(int length, out Span<byte> buffer, Deadline deadline, CancellationToken cancellationToken)
    {
        while (!TryReserveCore(length, out buffer))
        {
            var room = new RoomCondition(this, SpscQueueDescriptor.RecordLength(length));
            if (!QueueWaiter.Wait(_notFull, ref room, ref _producerSpin, deadline, cancellationToken))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Producer: publishes the message reserved by <see cref="TryReserve(int, out Span{byte})"/>; the consumer can read it from now on.</summary>
    /// <exception cref="InvalidOperationException">Nothing is reserved.</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public void Commit()
    {
        ThrowIfDisposed();
        long pending = _pendingProducer;
        if (pending < 0)
        {
            ThrowNothing("Commit", "reserved", "TryReserve");
        }

        _pendingProducer = -1;
        long record = _pendingRecord;
        long padding = _pendingPadding;
        if (padding < 0)
        {
            // Publishes the record header and payload written since TryReserve, and the 0 tag at its end
            // (release): step 1 of QueueWaiter's protocol before Wake reads the sleepers flag (ordered by the
            // sleeper's membarrier, or a full barrier). The consumer polls this very word.
            QueueWaiter.Publish(TagAt(record), SpscQueueDescriptor.TagOf(record));
        }
        else
        {
            // The message first (release: its header, payload and the 0 tag after it), then the padding, which is
            // where the consumer polls (step 1 of the protocol): a committed padding is always followed by a
            // committed message, and a producer killed between the two leaves the padding uncommitted.
            _pendingPadding = -1;
            Volatile.Write(ref *TagAt(record), SpscQueueDescriptor.TagOf(record));
            QueueWaiter.Publish(TagAt(padding), SpscQueueDescriptor.TagOf(padding));
        }

        FinishCommit(pending);
    }

    /// <summary>
    /// Producer: writes the header of the message record at ring offset <paramref name="index"/> (its tag stays 0)
    /// and the marker at <paramref name="end"/>, where the next record will start. Returns the record's address.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private byte* BeginRecord(long index, int length, long end)
    {
        byte* at = _ring + index;
        *(int*)(at + SpscQueueDescriptor.LengthOffset) = length;
        *(int*)(at + SpscQueueDescriptor.TypeOffset) = SpscQueueDescriptor.TypeMessage;
        // The marker: the next record's tag word is 0 before this record can be committed (ordered by the commit's
        // release), so nothing a previous lap left there (a tag, or payload bytes) is ever read as a commit.
        *TagAt(end) = SpscQueueDescriptor.NotCommitted;
        return at;
    }

    /// <summary>Producer, after the commit tags: stores the hint <paramref name="end"/>, remembers it as this handle's own, and wakes sleeping consumers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void FinishCommit(long end)
    {
        // The hint, after the tag (a producer killed between the two leaves a committed tag at the hint, which the
        // next producer walks past; the other order could leave the hint past a record never committed). Only
        // producers and inspection read it: the line stays in this core's cache.
        Volatile.Write(ref *_producerPosition, end);
        _ownTail = end;
        QueueWaiter.Wake(_notEmpty);
    }

    /// <summary>Producer: copies <paramref name="message"/> into the queue if there is room now.</summary>
    /// <param name="message">The message, at most <see cref="MaxMessageSize"/> bytes.</param>
    /// <returns>True if sent; false if the queue has no room.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The message is longer than <see cref="MaxMessageSize"/>; nothing was sent.</exception>
    /// <exception cref="InvalidOperationException">A reservation is pending.</exception>
    /// <exception cref="InterprocessException">The queue's counters are damaged (<see cref="InterprocessErrorCode.Corrupted"/>).</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TrySend(ReadOnlySpan<byte> message)
    {
        // The fast path: the common case of a busy producer (this handle owns the tail, the cached consumer counter
        // says there is room, the record and its marker fit before the end of the ring), in one method with
        // everything in registers. Every other case takes the general path (reserve, copy, commit), which is the
        // reference: the two write the same bytes in the same order.
        int length = message.Length;
        long tail = Volatile.Read(ref *_producerPosition);
        long record = SpscQueueDescriptor.RecordLength(length);
        long index = tail & _mask;
        if (_disposed || _pendingProducer >= 0 || (uint)length > (uint)_maxMessageSize
            || tail != _ownTail || Volatile.Read(ref *_producerOwner) != _producerToken
            || record + SpscQueueDescriptor.MarkerLength > _capacity - index
            || record + SpscQueueDescriptor.MarkerLength > _capacity - (tail - _cachedConsumer))
        {
            return TrySendGeneral(message);
        }

        long end = tail + record;
        byte* at = BeginRecord(index, length, end);
        SmallCopy.Copy(message, new Span<byte>(at + SpscQueueDescriptor.RecordHeaderLength, length));
        QueueWaiter.Publish((long*)(at + SpscQueueDescriptor.TagOffset), SpscQueueDescriptor.TagOf(tail));
        FinishCommit(end);
        return true;
    }

    /// <summary>TrySend's general path: a takeover, a wrap, a full-looking queue, or bad input (which throws here).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool TrySendGeneral(ReadOnlySpan<byte> message)
    {
        if (!TryReserve(message.Length, out Span<byte> buffer))
        {
            return false;
        }

        message.CopyTo(buffer);
        Commit();
        return true;
    }

    /// <summary>Producer: copies <paramref name="message"/> into the queue, waiting for room up to <paramref name="timeout"/>.</summary>
    /// <param name="message">The message, at most <see cref="MaxMessageSize"/> bytes.</param>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>True if sent; false if the time ran out.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The message is too long, or the timeout is negative and not infinite.</exception>
    /// <exception cref="InvalidOperationException">A reservation is pending.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled; nothing was sent.</exception>
    /// <exception cref="InterprocessException">The queue's counters are damaged (<see cref="InterprocessErrorCode.Corrupted"/>).</exception>
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
        if (!TryReserve(message.Length, out Span<byte> buffer, timeout, cancellationToken))
        {
            return false;
        }

        message.CopyTo(buffer);
        Commit();
        return true;
    }

    /// <summary>Producer: copies <paramref name="message"/> into the queue, waiting as long as it takes for room.</summary>
    /// <param name="message">The message, at most <see cref="MaxMessageSize"/> bytes.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="ArgumentOutOfRangeException">The message is longer than <see cref="MaxMessageSize"/>; nothing was sent.</exception>
    /// <exception cref="InvalidOperationException">A reservation is pending.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled; nothing was sent.</exception>
    /// <exception cref="InterprocessException">The queue's counters are damaged (<see cref="InterprocessErrorCode.Corrupted"/>).</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    public void Send(ReadOnlySpan<byte> message, CancellationToken cancellationToken = default)
    {
        // The common case (room now) is TrySend's path exactly; only a full queue pays for the waiting form.
        if (!TrySend(message))
        {
            TrySend(message, Timeout.InfiniteTimeSpan, cancellationToken);
        }
    }

    /// <summary>
    /// Consumer: hands out the oldest committed message in place, without removing it; <see cref="Release"/>
    /// removes it. Does not wait.
    /// </summary>
    /// <param name="message">The message, valid until <see cref="Release"/>.</param>
    /// <returns>True if a message is there; false if the queue is empty.</returns>
    /// <exception cref="InvalidOperationException">A peeked message has not been released.</exception>
    /// <exception cref="InterprocessException">The queue is damaged (<see cref="InterprocessErrorCode.Corrupted"/>).</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryPeek(out ReadOnlySpan<byte> message)
    {
        ThrowIfDisposed();
        if (_pendingConsumer >= 0)
        {
            ThrowPending("TryPeek", "a peeked message", "Release()");
        }

        return TryPeekCore(out message);
    }

    /// <summary>Consumer: as <see cref="TryPeek(out ReadOnlySpan{byte})"/>, waiting for a message up to <paramref name="timeout"/>.</summary>
    /// <param name="message">The message, valid until <see cref="Release"/>.</param>
    /// <param name="timeout">How long to wait; <see cref="TimeSpan.Zero"/> does not wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>True if a message is there; false if the time ran out.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="InvalidOperationException">A peeked message has not been released.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled.</exception>
    /// <exception cref="InterprocessException">The queue is damaged (<see cref="InterprocessErrorCode.Corrupted"/>).</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryPeek(out ReadOnlySpan<byte> message, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Deadline.ThrowIfInvalid(timeout);
        ThrowIfDisposed();
        if (_pendingConsumer >= 0)
        {
            ThrowPending("TryPeek", "a peeked message", "Release()");
        }

        return TryPeekCore(out message) || TryPeekWaiting(out message, Deadline.FromTimeout(timeout), cancellationToken);
    }

    /// <summary>The slow path of the waiting peek (kept out of line, so the fast path stays small).</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private bool TryPeekWaiting(out ReadOnlySpan<byte> message, Deadline deadline, CancellationToken cancellationToken)
    {
        while (!TryPeekCore(out message))
        {
            var data = new DataCondition(this);
            if (!QueueWaiter.Wait(_notEmpty, ref data, ref _consumerSpin, deadline, cancellationToken))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Consumer: removes the message handed out by <see cref="TryPeek(out ReadOnlySpan{byte})"/>; its span must not be used after this.</summary>
    /// <exception cref="InvalidOperationException">No message is peeked.</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public void Release()
    {
        ThrowIfDisposed();
        long pending = _pendingConsumer;
        if (pending < 0)
        {
            ThrowNothing("Release", "peeked", "TryPeek");
        }

        _pendingConsumer = -1;
        ReleaseTo(pending);
    }

    /// <summary>Consumer: moves the consumer counter to <paramref name="end"/> and wakes sleeping producers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ReleaseTo(long end)
    {
        // Publishes "the consumer is done with these bytes" (release: the reads of the payload come before it), so
        // the producer may overwrite them: step 1 of QueueWaiter's protocol before Wake.
        QueueWaiter.Publish(_consumerPosition, end);
        QueueWaiter.Wake(_notFull);
    }

    /// <summary>Consumer: copies the oldest message into <paramref name="buffer"/> and removes it, if there is one now.</summary>
    /// <param name="buffer">Where to copy; it must hold the message (not necessarily <see cref="MaxMessageSize"/>).</param>
    /// <param name="length">The message's length.</param>
    /// <returns>True if a message was received; false if the queue is empty.</returns>
    /// <exception cref="ArgumentException">The buffer is shorter than the waiting message (the message says how long it is); the message stays in the queue.</exception>
    /// <exception cref="InvalidOperationException">A peeked message has not been released.</exception>
    /// <exception cref="InterprocessException">The queue is damaged (<see cref="InterprocessErrorCode.Corrupted"/>).</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryReceive(Span<byte> buffer, out int length)
    {
        // The fast path: a committed message record (not a padding) that fits the buffer, read and released in one
        // method; an empty queue answers false after one load of the tag. Every other case (a padding, damage, a
        // short buffer, a pending peek, a disposed handle) takes the general path (peek, copy, release), which
        // decides and throws exactly as it always did.
        long head = Volatile.Read(ref *_consumerPosition);
        if (SpscQueueDescriptor.IsRecordStart(head) && !_disposed && _pendingConsumer < 0)
        {
            // Non-negative and 16-byte aligned: the 16-byte header lies inside the ring.
            long index = head & _mask;
            byte* at = _ring + index;
            long tag = Volatile.Read(ref *(long*)(at + SpscQueueDescriptor.TagOffset)); // acquires the record
            if (tag == SpscQueueDescriptor.NotCommitted)
            {
                length = 0;
                return false;
            }

            int size = *(int*)(at + SpscQueueDescriptor.LengthOffset);
            long record = SpscQueueDescriptor.RecordLength(size);
            if (tag == SpscQueueDescriptor.TagOf(head)
                && *(int*)(at + SpscQueueDescriptor.TypeOffset) == SpscQueueDescriptor.TypeMessage
                && (uint)size <= (uint)_maxMessageSize && record <= _capacity - index && size <= buffer.Length)
            {
                SmallCopy.Copy(new ReadOnlySpan<byte>(at + SpscQueueDescriptor.RecordHeaderLength, size), buffer);
                ReleaseTo(head + record);
                length = size;
                return true;
            }
        }

        return TryReceiveGeneral(buffer, out length);
    }

    /// <summary>TryReceive's general path: a padding first, a short buffer, damage, or misuse (which throws here).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool TryReceiveGeneral(Span<byte> buffer, out int length)
    {
        if (!TryPeek(out ReadOnlySpan<byte> message))
        {
            length = 0;
            return false;
        }

        length = CopyOut(message, buffer);
        return true;
    }

    /// <summary>Consumer: as <see cref="TryReceive(Span{byte}, out int)"/>, waiting for a message up to <paramref name="timeout"/>.</summary>
    /// <param name="buffer">Where to copy; it must hold the message.</param>
    /// <param name="length">The message's length.</param>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>True if a message was received; false if the time ran out.</returns>
    /// <exception cref="ArgumentException">The buffer is shorter than the waiting message; the message stays in the queue.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="InvalidOperationException">A peeked message has not been released.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled; nothing was received.</exception>
    /// <exception cref="InterprocessException">The queue is damaged (<see cref="InterprocessErrorCode.Corrupted"/>).</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryReceive(Span<byte> buffer, out int length, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Deadline.ThrowIfInvalid(timeout);
        return TryReceive(buffer, out length) || TryReceiveWaiting(buffer, out length, Deadline.FromTimeout(timeout), cancellationToken);
    }

    /// <summary>
    /// The slow path of the waiting receive: waits until the tag at the consumer counter is set, then takes the
    /// message through <see cref="TryReceive(Span{byte}, out int)"/> (its fast path, in the common case), so that
    /// a consumer woken by a message pays the same few instructions as one that found it there.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private bool TryReceiveWaiting(Span<byte> buffer, out int length, Deadline deadline, CancellationToken cancellationToken)
    {
        do
        {
            var data = new DataCondition(this);
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
    /// <param name="buffer">Where to copy; it must hold the message.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The message's length.</returns>
    /// <exception cref="ArgumentException">The buffer is shorter than the waiting message; the message stays in the queue.</exception>
    /// <exception cref="InvalidOperationException">A peeked message has not been released.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled; nothing was received.</exception>
    /// <exception cref="InterprocessException">The queue is damaged (<see cref="InterprocessErrorCode.Corrupted"/>).</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    public int Receive(Span<byte> buffer, CancellationToken cancellationToken = default)
    {
        // The common case (a message now) is TryReceive's path exactly; only an empty queue pays for the waiting form.
        if (!TryReceive(buffer, out int length))
        {
            TryReceive(buffer, out length, Timeout.InfiniteTimeSpan, cancellationToken);
        }

        return length;
    }

    /// <summary>Unmaps the queue (idempotent). A pending reservation is dropped (never published); a peeked message stays in the queue.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _mapping.Dispose();
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"SpscQueue '{Name}' ({_capacity} bytes, messages up to {_maxMessageSize} bytes)";

    /// <summary>The tag word of the record at <paramref name="position"/> (masked into the ring: never outside the mapping).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long* TagAt(long position) => (long*)(_ring + (position & _mask) + SpscQueueDescriptor.TagOffset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryReserveCore(int length, out Span<byte> buffer)
    {
        // The hint and the owner token share the producer's own line: two loads that hit this core's cache. Both
        // ours: no other producer has run since our last commit, so the hint is exact and the ring need not be
        // read (a load of the tag word the consumer polls would wait for that line to come back, a cache-line
        // transfer on every message, before the record's own stores).
        long tail = Volatile.Read(ref *_producerPosition);
        if (tail != _ownTail || Volatile.Read(ref *_producerOwner) != _producerToken)
        {
            tail = TakeOverTail(tail);
        }

        long record = SpscQueueDescriptor.RecordLength(length);
        long index = tail & _mask;
        long toEnd = _capacity - index;
        long needed = SpscQueueDescriptor.Needed(record, toEnd);
        if (needed > _capacity - (tail - _cachedConsumer) && !HasRoomSlow(tail, needed))
        {
            buffer = default;
            return false;
        }

        // Every offset below is masked into the ring and the record was checked to fit before its end; a damaged
        // counter can give wrong data, never an access outside the mapping. The tag words stay 0 until Commit.
        long position = tail;
        if (record > toEnd)
        {
            // The record does not fit before the end: pad to the end, start at offset 0. Committed after the record.
            byte* pad = _ring + index;
            *(int*)(pad + SpscQueueDescriptor.LengthOffset) = (int)(toEnd - SpscQueueDescriptor.RecordHeaderLength);
            *(int*)(pad + SpscQueueDescriptor.TypeOffset) = SpscQueueDescriptor.TypePadding;
            _pendingPadding = tail;
            position = tail + toEnd;
            index = 0;
            // Offset 0 still holds whatever the last lap left; it is unreachable until the padding is committed,
            // after this record's own tag, but a clean 0 keeps the rule "the first uncommitted tag is 0" simple.
            *TagAt(position) = SpscQueueDescriptor.NotCommitted;
        }

        long end = position + record;
        byte* at = BeginRecord(index, length, end);
        _pendingRecord = position;
        _pendingProducer = end;
        buffer = new Span<byte>(at + SpscQueueDescriptor.RecordHeaderLength, length);
        return true;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool HasRoomSlow(long tail, long needed)
    {
        // Acquires the consumer's "done with these bytes": we may overwrite everything before its counter.
        long head = Volatile.Read(ref *_consumerPosition);
        CheckPositions(tail, head);
        _cachedConsumer = head;
        return needed <= _capacity - (tail - head);
    }

    /// <summary>
    /// Producer, slow path: the first reserve of this handle, or the first after another producer ran. Stamps the
    /// header with this handle's token, then checks the tag at the hint <paramref name="hint"/>: another producer may
    /// have died between its commit tag and the hint (<see cref="FindTail"/> then walks past the committed
    /// records). The token is stored before any of our tags (their stores have release semantics), so a producer that
    /// ran before us and produces again after us finds a token not its own and checks the ring in turn.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private long TakeOverTail(long hint)
    {
        Volatile.Write(ref *_producerOwner, _producerToken);
        long tail = Volatile.Read(ref *TagAt(hint)) == SpscQueueDescriptor.NotCommitted ? hint : FindTail(hint);
        _ownTail = tail;
        return tail;
    }

    /// <summary>
    /// Producer, slow path: the hint <paramref name="hint"/> points at a committed record (its producer died
    /// after the commit tag, before the hint). Walks the committed records from there (or from the consumer
    /// counter, if the consumer has read past the hint) to the first 0 tag, checking each, and stores the hint.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private long FindTail(long hint)
    {
        long head = Volatile.Read(ref *_consumerPosition);
        CheckCounters(hint, head);
        long position = Math.Max(hint, head);
        while (true)
        {
            long tag = Volatile.Read(ref *TagAt(position));
            if (tag == SpscQueueDescriptor.NotCommitted)
            {
                break;
            }

            if (tag != SpscQueueDescriptor.TagOf(position))
            {
                ThrowCorruptedRecord(position, $"the commit tag is {tag}, neither 0 (not committed) nor {SpscQueueDescriptor.TagOf(position)} (committed)");
            }

            position += CommittedRecordLength(position);
            if (position - head > _capacity)
            {
                ThrowCorruptedRecord(position, $"the committed records run past the consumer counter {head} plus the capacity");
            }
        }

        Volatile.Write(ref *_producerPosition, position);
        return position;
    }

    /// <summary>The length of the committed record at <paramref name="position"/> (its tag checked by the caller), validated.</summary>
    private long CommittedRecordLength(long position)
    {
        byte* at = _ring + (position & _mask);
        long toEnd = _capacity - (position & _mask);
        int length = *(int*)(at + SpscQueueDescriptor.LengthOffset);
        int type = *(int*)(at + SpscQueueDescriptor.TypeOffset);
        if (type == SpscQueueDescriptor.TypeMessage)
        {
            long record = SpscQueueDescriptor.RecordLength(length);
            if ((uint)length > (uint)_maxMessageSize || record > toEnd)
            {
                ThrowCorruptedRecord(position, $"a message record of {length} bytes does not fit (maximum {_maxMessageSize}, {toEnd} bytes to the end of the ring)");
            }

            return record;
        }

        if (type != SpscQueueDescriptor.TypePadding || length != toEnd - SpscQueueDescriptor.RecordHeaderLength || toEnd > _capacity / 2)
        {
            ThrowCorruptedRecord(position, $"a record of type {type} and length {length} where a message or a padding to the end of the ring belongs");
        }

        return toEnd;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryPeekCore(out ReadOnlySpan<byte> message)
    {
        long head = Volatile.Read(ref *_consumerPosition); // our own counter: only consumers write it
        if (!SpscQueueDescriptor.IsRecordStart(head))
        {
            ThrowBadTag(head, 0); // negative or not 16-byte aligned: its header could reach past the ring
        }

        long index = head & _mask;
        byte* at = _ring + index;
        // Acquires the record the producer committed with this tag (its header, payload, and the 0 tag after it).
        long tag = Volatile.Read(ref *(long*)(at + SpscQueueDescriptor.TagOffset));
        if (tag != SpscQueueDescriptor.TagOf(head))
        {
            if (tag == SpscQueueDescriptor.NotCommitted)
            {
                message = default;
                return false;
            }

            ThrowBadTag(head, tag);
        }

        int length = *(int*)(at + SpscQueueDescriptor.LengthOffset);
        int type = *(int*)(at + SpscQueueDescriptor.TypeOffset);
        long toEnd = _capacity - index;
        if (type != SpscQueueDescriptor.TypeMessage || (uint)length > (uint)_maxMessageSize || SpscQueueDescriptor.RecordLength(length) > toEnd)
        {
            return PeekAfterPadding(head, out message);
        }

        _pendingConsumer = head + SpscQueueDescriptor.RecordLength(length);
        message = new ReadOnlySpan<byte>(at + SpscQueueDescriptor.RecordHeaderLength, length);
        return true;
    }

    /// <summary>
    /// The committed record at <paramref name="head"/> is not a valid message: a padding (skipped: the message after
    /// it was committed before it, at offset 0; the skip is stored by Release), or damage.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool PeekAfterPadding(long head, out ReadOnlySpan<byte> message)
    {
        long next = head + CommittedRecordLength(head); // throws unless a valid padding (or a valid message: not here)
        long tag = Volatile.Read(ref *TagAt(next));
        if (tag != SpscQueueDescriptor.TagOf(next))
        {
            ThrowCorruptedRecord(next, $"a committed padding is followed by the commit tag {tag}, not {SpscQueueDescriptor.TagOf(next)} (the message after a padding is committed before it)");
        }

        byte* at = _ring + (next & _mask);
        int length = *(int*)(at + SpscQueueDescriptor.LengthOffset);
        int type = *(int*)(at + SpscQueueDescriptor.TypeOffset);
        if (type != SpscQueueDescriptor.TypeMessage)
        {
            ThrowCorruptedRecord(next, $"a record of type {type} after a padding, where a message belongs");
        }

        long record = CommittedRecordLength(next);
        _pendingConsumer = next + record;
        message = new ReadOnlySpan<byte>(at + SpscQueueDescriptor.RecordHeaderLength, length);
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int CopyOut(ReadOnlySpan<byte> message, Span<byte> buffer)
    {
        if (message.Length > buffer.Length)
        {
            _pendingConsumer = -1; // not released: the message stays first in the queue
            throw new ArgumentException($"The buffer holds {buffer.Length} bytes; the waiting message needs {message.Length}. The message stays in the queue.", nameof(buffer));
        }

        message.CopyTo(buffer);
        Release();
        return message.Length;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CheckLength(int length)
    {
        if ((uint)length > (uint)_maxMessageSize)
        {
            QueueLimits.ThrowMessageTooLong(length, _maxMessageSize);
        }
    }

    /// <summary>Checks a true tail (found by this producer) against the consumer counter.</summary>
    private void CheckPositions(long tail, long head)
    {
        if (head < 0 || tail < head || tail - head > _capacity || ((tail | head) & (SpscQueueDescriptor.RecordAlignment - 1)) != 0)
        {
            QueueMapping.ThrowCorrupted(Name, $"the SPSC queue's counters are inconsistent (producer {tail}, consumer {head}, capacity {_capacity})");
        }
    }

    /// <summary>
    /// Checks the producer's hint against the consumer counter: the hint may lag the consumer (by a record whose
    /// producer died between its tag and the hint), never by more than the ring.
    /// </summary>
    private void CheckCounters(long hint, long head)
    {
        if (head < 0 || hint < 0 || Math.Abs(hint - head) > _capacity || ((hint | head) & (SpscQueueDescriptor.RecordAlignment - 1)) != 0)
        {
            QueueMapping.ThrowCorrupted(Name, $"the SPSC queue's counters are inconsistent (producer {hint}, consumer {head}, capacity {_capacity})");
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
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowBadTag(long head, long tag)
    {
        if (!SpscQueueDescriptor.IsRecordStart(head))
        {
            ThrowCorruptedRecord(head, "the consumer counter is negative or not 16-byte aligned");
        }

        ThrowCorruptedRecord(head, $"the commit tag is {tag}, neither 0 (not committed) nor {SpscQueueDescriptor.TagOf(head)} (committed); a tag of an earlier lap is never taken for a commit");
    }

    [DoesNotReturn]
    private void ThrowCorruptedRecord(long position, string what) =>
        QueueMapping.ThrowCorrupted(Name, $"the SPSC queue is damaged at byte counter {position}: {what}");

    [DoesNotReturn]
    private static void ThrowPending(string operation, string what, string fix) =>
        throw new InvalidOperationException($"{operation}: {what} is still pending on this handle; call {fix} first.");

    [DoesNotReturn]
    private static void ThrowNothing(string operation, string what, string how) =>
        throw new InvalidOperationException($"{operation}: nothing is {what}; call {how} first.");

    /// <summary>The producer's wait: room for a record of a given length (with the padding a wrap may need).</summary>
    private readonly struct RoomCondition(SpscQueue queue, long record) : IQueueCondition
    {
        public bool IsReady(ref bool poll)
        {
            // The hint is exact here: TryReserveCore, which failed before this wait, walked past any committed tag.
            long tail = Volatile.Read(ref *queue._producerPosition);
            long toEnd = queue._capacity - (tail & queue._mask);
            return queue.HasRoomSlow(tail, SpscQueueDescriptor.Needed(record, toEnd));
        }
    }

    /// <summary>
    /// The consumer's wait: the tag at the consumer counter is no longer 0: committed (or damaged: TryPeekCore then
    /// says so). This reads the very word the producer's publishing store writes (QueueWaiter's steps 1 and 4).
    /// </summary>
    private readonly struct DataCondition(SpscQueue queue) : IQueueCondition
    {
        public bool IsReady(ref bool poll) =>
            Volatile.Read(ref *queue.TagAt(Volatile.Read(ref *queue._consumerPosition))) != SpscQueueDescriptor.NotCommitted;
    }
}
