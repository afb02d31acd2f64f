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
/// <para><b>Layout.</b> A byte ring of <see cref="Capacity"/> bytes (a power of two) of 8-byte-aligned records
/// (8-byte header: length, type; then the payload), with padding records at the wrap; two byte counters on
/// separate cache lines; each side caches the other's counter and reads it only when its cached value says
/// "full" or "empty". See docs/fast-queues.md.</para>
/// <para><b>Publication.</b> The producer writes the record header and payload, then stores the producer
/// counter with a release store; the consumer reads the counter with acquire before it reads a
/// record. A record is visible only after that store, so a producer killed at any point (while copying
/// included) never exposes a half-written message: the next producer writes over the unpublished bytes.</para>
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
    // Record states, in ring order, as seen from the counters (P = producer counter, C = consumer counter):
    //  1. Free: bytes at or after P (and before C + Capacity). Only the producer writes them.
    //  2. Reserved: [P, _pendingProducer) in the producer's handle, written in place; invisible to the consumer.
    //  3. Committed: [C, P) after the producer's release store of P. Immutable until consumed.
    //  4. Peeked: [C, _pendingConsumer) in the consumer's handle, read in place; still committed in shared memory.
    //  5. Released: the consumer's release store moves C past it; it is free again (1).
    // A crash in (2) leaves P unchanged (the bytes return to Free); a crash in (4) leaves C unchanged (the record
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

    /// <summary>Bytes published by the producer (only grows).</summary>
    private readonly long* _producerPosition;

    /// <summary>Bytes released by the consumer (only grows).</summary>
    private readonly long* _consumerPosition;

    /// <summary>The event count consumers sleep on.</summary>
    private readonly byte* _notEmpty;

    /// <summary>The event count producers sleep on.</summary>
    private readonly byte* _notFull;

    /// <summary>Producer side: the last consumer counter read (a lower bound of the real one).</summary>
    private long _cachedConsumer;

    /// <summary>Producer side: the counter <see cref="Commit"/> will publish; -1 when nothing is reserved.</summary>
    private long _pendingProducer = -1;

    /// <summary>Consumer side: the last producer counter read (a lower bound of the real one).</summary>
    private long _cachedProducer;

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
        _consumerPosition = (long*)(mapping.Base + QueueHeaderDescriptor.ConsumerPositionOffset);
        _notEmpty = mapping.Base + QueueHeaderDescriptor.NotEmptyOffset;
        _notFull = mapping.Base + QueueHeaderDescriptor.NotFullOffset;
        _cachedConsumer = Volatile.Read(ref *_consumerPosition);
        _cachedProducer = _cachedConsumer;
        CheckPositions(Volatile.Read(ref *_producerPosition), _cachedConsumer);
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
            return Volatile.Read(ref *_producerPosition) == Volatile.Read(ref *_consumerPosition);
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
        var deadline = Deadline.FromTimeout(timeout);
        ThrowIfDisposed();
        CheckLength(length);
        if (_pendingProducer >= 0)
        {
            ThrowPending("TryReserve", "a reservation", "Commit()");
        }

        return TryReserveCore(length, out buffer) || TryReserveWaiting(length, out buffer, deadline, cancellationToken);
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
        // Publishes the record header and payload written since TryReserve (release): step 1 of QueueWaiter's
        // protocol before Wake reads the sleepers flag (ordered by the sleeper's membarrier, or a full barrier).
        QueueWaiter.Publish(_producerPosition, pending);
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Send(ReadOnlySpan<byte> message, CancellationToken cancellationToken = default) =>
        TrySend(message, Timeout.InfiniteTimeSpan, cancellationToken);

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
        var deadline = Deadline.FromTimeout(timeout);
        ThrowIfDisposed();
        if (_pendingConsumer >= 0)
        {
            ThrowPending("TryPeek", "a peeked message", "Release()");
        }

        return TryPeekCore(out message) || TryPeekWaiting(out message, deadline, cancellationToken);
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
        // Publishes "the consumer is done with these bytes" (release: the reads of the payload come before it), so
        // the producer may overwrite them: step 1 of QueueWaiter's protocol before Wake.
        QueueWaiter.Publish(_consumerPosition, pending);
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
        if (!TryPeek(out ReadOnlySpan<byte> message, timeout, cancellationToken))
        {
            length = 0;
            return false;
        }

        length = CopyOut(message, buffer);
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Receive(Span<byte> buffer, CancellationToken cancellationToken = default)
    {
        TryReceive(buffer, out int length, Timeout.InfiniteTimeSpan, cancellationToken);
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryReserveCore(int length, out Span<byte> buffer)
    {
        long tail = Volatile.Read(ref *_producerPosition); // our own counter: only producers write it
        long record = SpscQueueDescriptor.RecordLength(length);
        long index = tail & _mask;
        long toEnd = _capacity - index;
        long needed = record <= toEnd ? record : toEnd + record;
        if (needed > _capacity - (tail - _cachedConsumer) && !HasRoomSlow(tail, needed))
        {
            buffer = default;
            return false;
        }

        // Every offset below is masked into the ring and the record was checked to fit before its end; a damaged
        // counter can give wrong data, never an access outside the mapping.
        if (record > toEnd)
        {
            // The record does not fit before the end: pad to the end, start at offset 0. Published with the record.
            byte* pad = _ring + index;
            *(int*)(pad + SpscQueueDescriptor.LengthOffset) = (int)(toEnd - SpscQueueDescriptor.RecordHeaderLength);
            *(int*)(pad + SpscQueueDescriptor.TypeOffset) = SpscQueueDescriptor.TypePadding;
            index = 0;
        }

        byte* at = _ring + index;
        *(int*)(at + SpscQueueDescriptor.LengthOffset) = length;
        *(int*)(at + SpscQueueDescriptor.TypeOffset) = SpscQueueDescriptor.TypeMessage;
        _pendingProducer = tail + needed;
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryPeekCore(out ReadOnlySpan<byte> message)
    {
        long head = Volatile.Read(ref *_consumerPosition); // our own counter: only consumers write it
        while (true)
        {
            if (head == _cachedProducer)
            {
                // Acquires the records the producer published with its counter.
                long tail = Volatile.Read(ref *_producerPosition);
                if (tail == head)
                {
                    message = default;
                    return false;
                }

                CheckPositions(tail, head);
                _cachedProducer = tail;
            }

            if ((head & (SpscQueueDescriptor.RecordAlignment - 1)) != 0)
            {
                ThrowCorruptedRecord(head, "the consumer counter is not 8-byte aligned");
            }

            long index = head & _mask;
            byte* at = _ring + index;
            int length = *(int*)(at + SpscQueueDescriptor.LengthOffset);
            int type = *(int*)(at + SpscQueueDescriptor.TypeOffset);
            long available = _cachedProducer - head;
            long toEnd = _capacity - index;
            if (type == SpscQueueDescriptor.TypeMessage)
            {
                long record = SpscQueueDescriptor.RecordLength(length);
                if ((uint)length > (uint)_maxMessageSize || record > toEnd || record > available)
                {
                    ThrowCorruptedRecord(head, $"a message record of {length} bytes does not fit (maximum {_maxMessageSize}, {Math.Min(toEnd, available)} bytes published)");
                }

                _pendingConsumer = head + record;
                message = new ReadOnlySpan<byte>(at + SpscQueueDescriptor.RecordHeaderLength, length);
                return true;
            }

            if (type != SpscQueueDescriptor.TypePadding || length != toEnd - SpscQueueDescriptor.RecordHeaderLength || toEnd >= available)
            {
                ThrowCorruptedRecord(head, $"a record of type {type} and length {length} where a message or a padding to the end of the ring belongs");
            }

            // Skip the padding (the message after it was published with it; the skip is stored by Release).
            head += toEnd;
        }
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

    private void CheckLength(int length)
    {
        if ((uint)length > (uint)_maxMessageSize)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, $"A message of this queue is 0 to {_maxMessageSize} bytes long; this one is {length}. Nothing was sent.");
        }
    }

    private void CheckPositions(long tail, long head)
    {
        if (head < 0 || tail < head || tail - head > _capacity)
        {
            QueueMapping.ThrowCorrupted(Name, $"the SPSC queue's counters are inconsistent (producer {tail}, consumer {head}, capacity {_capacity})");
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
            long tail = Volatile.Read(ref *queue._producerPosition);
            long toEnd = queue._capacity - (tail & queue._mask);
            long needed = record <= toEnd ? record : toEnd + record;
            return queue.HasRoomSlow(tail, needed);
        }
    }

    /// <summary>The consumer's wait: a published record.</summary>
    private readonly struct DataCondition(SpscQueue queue) : IQueueCondition
    {
        public bool IsReady(ref bool poll) => Volatile.Read(ref *queue._producerPosition) != Volatile.Read(ref *queue._consumerPosition);
    }
}
