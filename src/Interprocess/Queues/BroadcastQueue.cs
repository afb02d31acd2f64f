using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Interprocess.Synchronization;
using D = Interprocess.Queues.BroadcastQueueDescriptor;

namespace Interprocess.Queues;

/// <summary>
/// A broadcast queue in a named shared memory object: every subscriber receives every message published after
/// it subscribed, in order; a subscriber that falls more than <see cref="Capacity"/> messages behind is lapped
/// and told how many messages it lost. Publishing never waits for subscribers.
/// </summary>
/// <remarks>
/// <para><b>Choice: lapping, not back-pressure.</b> One slow or dead subscriber must not stop the producers and
/// every other subscriber (as in Aeron's broadcast buffer), so producers overwrite the oldest message and a
/// lapped subscriber skips to the oldest message still intact, with the number skipped in <c>lost</c>.</para>
/// <para><b>Subscribers.</b> Each handle is one subscriber: its cursor lives in the handle, starting at the
/// newest position when the handle is opened (or created). A handle may publish and receive; one thread
/// receives per handle.</para>
/// <para><b>Producers.</b> Any number, in any processes: they take the robust <see cref="InterprocessMutex"/>
/// in the header for the few instructions of a publish (uncontended: one compare-exchange each way). A producer
/// killed while publishing leaves the lock to the kernel's robust-futex recovery and its slot marked "being
/// written" (odd sequence); the next producer writes the same position again. Killed after completing the
/// message but before advancing ProducerPosition, it leaves a complete message, which is delivered, and the next
/// producer starts after it. A half-written message is never
/// delivered: each slot is a seqlock; a subscriber copies the message, then checks that the slot's sequence is
/// still the one it read before the copy, and discards the copy (as lapped) otherwise.</para>
/// <para><b>Delivery.</b> Every message published (sequence made even) after a subscriber's cursor is delivered
/// to that subscriber exactly once, or counted in <c>lost</c> if it was overwritten first. Receiving is a copy,
/// never in place (a slot can be overwritten at any time).</para>
/// </remarks>
/// <example>
/// <code>
/// // publisher process:
/// using var q = BroadcastQueue.OpenOrCreate("prices", capacity: 4096, maxMessageSize: 64);
/// q.Send(priceBytes);
///
/// // each subscriber process (receives what is published from now on):
/// using var q = BroadcastQueue.OpenOrCreate("prices", capacity: 4096, maxMessageSize: 64);
/// var buffer = new byte[q.MaxMessageSize];
/// int n = q.Receive(buffer, out long lost);   // lost > 0 if this subscriber was lapped
/// </code>
/// </example>
public sealed unsafe partial class BroadcastQueue : IDisposable
{
    // Slot states for position p (seqlock; S = Sequence):
    //  1. Older: S < 2p + 1 (never written, or an older position): nothing at p yet.
    //  2. Writing: S = 2p + 1, set by a full-barrier exchange BEFORE the payload is written.
    //  3. Complete: S = 2p + 2, a release store AFTER the payload; then ProducerPosition = p + 1 (full barrier).
    //     A position once complete is never written again: a producer that finds ProducerPosition's slot in
    //     state 3 (its predecessor died between the two stores) starts after it.
    //  4. Overwritten: S > 2p + 2: position p + k * Capacity took the slot; p is lost to whoever has not read it.
    // A reader copies in state 3 and accepts the copy only if S is still 2p + 2 after it (with a full barrier
    // between the copy and the re-read): any overwrite begins with state 2 of a later position, which changes S.

    /// <summary>The object and mapping; the pointers below are valid while it is not disposed.</summary>
    private readonly QueueMapping _mapping;

    /// <summary>The first slot.</summary>
    private readonly byte* _slots;

    /// <summary>Capacity - 1.</summary>
    private readonly long _mask;

    /// <summary>Bytes per slot.</summary>
    private readonly int _slotSize;

    /// <summary>The maximum payload length.</summary>
    private readonly int _maxMessageSize;

    /// <summary>Messages published (only grows).</summary>
    private readonly long* _producerPosition;

    /// <summary>The lock that serializes producers.</summary>
    private readonly InterprocessMutex* _producerLock;

    /// <summary>The event count subscribers sleep on.</summary>
    private readonly byte* _notEmpty;

    /// <summary>This subscriber's next position.</summary>
    private long _cursor;

    /// <summary>Set by <see cref="Dispose"/>.</summary>
    private bool _disposed;

    /// <summary>How long a wait for a message spins before it sleeps.</summary>
    private SpinBudget _spin;

    private BroadcastQueue(QueueMapping mapping)
    {
        _mapping = mapping;
        _slots = mapping.Data;
        _mask = mapping.Capacity - 1;
        _slotSize = mapping.ElementSize;
        _maxMessageSize = mapping.MaxMessageSize;
        _producerPosition = (long*)(mapping.Base + QueueHeaderDescriptor.ProducerPositionOffset);
        _producerLock = (InterprocessMutex*)(mapping.Base + QueueHeaderDescriptor.ProducerLockOffset);
        _notEmpty = mapping.Base + QueueHeaderDescriptor.NotEmptyOffset;
        _cursor = Volatile.Read(ref *_producerPosition);
        if (_cursor < 0)
        {
            mapping.Dispose();
            QueueMapping.ThrowCorrupted(mapping.Name, $"the broadcast queue's position is negative ({_cursor})");
        }
    }

    /// <summary>The queue's name.</summary>
    public string Name => _mapping.Name;

    /// <summary>The number of slots: how far a subscriber may fall behind before it is lapped.</summary>
    public long Capacity => _mask + 1;

    /// <summary>The largest message, in bytes.</summary>
    public int MaxMessageSize => _maxMessageSize;

    /// <summary>True when this handle created the queue.</summary>
    public bool Created => _mapping.Created;

    /// <summary>Messages this subscriber lost by being lapped, in all.</summary>
    public long LostMessages { get; private set; }

    /// <summary>Publishes <paramref name="message"/> to every subscriber. Waits only for another producer's publish in progress.</summary>
    /// <param name="message">The message, at most <see cref="MaxMessageSize"/> bytes.</param>
    /// <exception cref="ArgumentOutOfRangeException">The message is longer than <see cref="MaxMessageSize"/>; nothing was sent.</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Send(ReadOnlySpan<byte> message)
    {
        ThrowIfDisposed();
        if (message.Length > _maxMessageSize)
        {
            throw new ArgumentOutOfRangeException(nameof(message), message.Length, $"A message of this queue is 0 to {_maxMessageSize} bytes long; this one is {message.Length}. Nothing was sent.");
        }

        // AcquiredAbandoned: a producer died holding the lock, in the middle of a publish; the repair below runs then
        // and only then (a live producer always advances ProducerPosition before it unlocks).
        var status = _producerLock->Acquire(Timeout.InfiniteTimeSpan);
        try
        {
            long pos = Volatile.Read(ref *_producerPosition);
            byte* slot = _slots + ((pos & _mask) * _slotSize);
            long* sequence = (long*)(slot + D.SequenceOffset);
            if (status == LockStatus.AcquiredAbandoned)
            {
                // A producer killed between (3) and storing ProducerPosition left position pos complete: subscribers
                // may have received it or be copying it. Writing pos again would give them two different messages
                // under one position (those that had it would miss the new one, the others would never see the
                // first), and a copy in progress could be torn without the sequence showing it (it would return
                // to the same even value). Move past it. (Killed in (2), before (3): the slot is odd, nobody has
                // it, and pos is written again.) At most Capacity steps: a slot holds one position at a time.
                while (Volatile.Read(ref *sequence) == D.Complete(pos))
                {
                    pos++;
                    slot = _slots + ((pos & _mask) * _slotSize);
                    sequence = (long*)(slot + D.SequenceOffset);
                }
            }

            // (2) Full barrier: "being written" is visible before any byte of the payload changes.
            Interlocked.Exchange(ref *sequence, D.Writing(pos));
            *(int*)(slot + D.LengthOffset) = message.Length;
            message.CopyTo(new Span<byte>(slot + D.PayloadOffset, message.Length));
            // (3) Publishes Length and the payload (release).
            Volatile.Write(ref *sequence, D.Complete(pos));
            // Full barrier: step 1 of QueueWaiter's protocol before Wake reads the sleepers flag.
            Interlocked.Exchange(ref *_producerPosition, pos + 1);
        }
        finally
        {
            _producerLock->Unlock();
        }

        QueueWaiter.Wake(_notEmpty);
    }

    /// <summary>Copies this subscriber's next message into <paramref name="buffer"/>, if one has been published.</summary>
    /// <param name="buffer">Where to copy; it must hold the message.</param>
    /// <param name="length">The message's length.</param>
    /// <param name="lost">How many messages this subscriber lost (was lapped) just before this one.</param>
    /// <returns>True if a message was received; false if there is none yet.</returns>
    /// <exception cref="ArgumentException">The buffer is shorter than the message (the message says how long it is); the cursor stays on it.</exception>
    /// <exception cref="InterprocessException">The queue is damaged (<see cref="InterprocessErrorCode.Corrupted"/>).</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryReceive(Span<byte> buffer, out int length, out long lost)
    {
        ThrowIfDisposed();
        return TryReceiveCore(buffer, out length, out lost);
    }

    /// <summary>As <see cref="TryReceive(Span{byte}, out int, out long)"/>, waiting for a message up to <paramref name="timeout"/>.</summary>
    /// <param name="buffer">Where to copy; it must hold the message.</param>
    /// <param name="length">The message's length.</param>
    /// <param name="lost">How many messages this subscriber lost just before this one.</param>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>True if a message was received; false if the time ran out.</returns>
    /// <exception cref="ArgumentException">The buffer is shorter than the message; the cursor stays on it.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled.</exception>
    /// <exception cref="InterprocessException">The queue is damaged (<see cref="InterprocessErrorCode.Corrupted"/>).</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryReceive(Span<byte> buffer, out int length, out long lost, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Deadline.ThrowIfInvalid(timeout);
        ThrowIfDisposed();
        if (TryReceiveCore(buffer, out length, out lost))
        {
            return true;
        }

        var deadline = Deadline.FromTimeout(timeout); // a clock read: only when there is no message now
        long lostBefore = 0;
        do
        {
            lostBefore += lost; // what each attempt that found no message skipped
            var data = new DataCondition(this);
            if (!QueueWaiter.Wait(_notEmpty, ref data, ref _spin, deadline, cancellationToken))
            {
                lost = lostBefore;
                return false;
            }
        }
        while (!TryReceiveCore(buffer, out length, out lost));

        lost += lostBefore;
        return true;
    }

    /// <summary>Copies this subscriber's next message into <paramref name="buffer"/>, waiting as long as it takes for one.</summary>
    /// <param name="buffer">Where to copy; it must hold the message.</param>
    /// <param name="lost">How many messages this subscriber lost just before this one.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The message's length.</returns>
    /// <exception cref="ArgumentException">The buffer is shorter than the message; the cursor stays on it.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled.</exception>
    /// <exception cref="InterprocessException">The queue is damaged (<see cref="InterprocessErrorCode.Corrupted"/>).</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Receive(Span<byte> buffer, out long lost, CancellationToken cancellationToken = default)
    {
        TryReceive(buffer, out int length, out lost, Timeout.InfiniteTimeSpan, cancellationToken);
        return length;
    }

    /// <summary>Unmaps the queue (idempotent).</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _mapping.Dispose();
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"BroadcastQueue '{Name}' ({Capacity} slots, messages up to {_maxMessageSize} bytes)";

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool TryReceiveCore(Span<byte> buffer, out int length, out long lost)
    {
        lost = 0;
        while (true)
        {
            long c = _cursor;
            byte* slot = _slots + ((c & _mask) * _slotSize);
            long* sequence = (long*)(slot + D.SequenceOffset);
            long expected = D.Complete(c);
            // Acquires the payload published with the sequence.
            long seen = Volatile.Read(ref *sequence);
            if (seen < expected)
            {
                length = 0;
                return false; // (1) or (2): not published yet
            }

            if (seen == expected)
            {
                int len = *(int*)(slot + D.LengthOffset);
                if ((uint)len <= (uint)_maxMessageSize)
                {
                    if (len > buffer.Length)
                    {
                        if (Volatile.Read(ref *sequence) == seen)
                        {
                            throw new ArgumentException($"The buffer holds {buffer.Length} bytes; the next message needs {len}. The subscriber stays on it.", nameof(buffer));
                        }
                    }
                    else
                    {
                        new ReadOnlySpan<byte>(slot + D.PayloadOffset, len).CopyTo(buffer);
                        // The copy's loads complete before the sequence is read again.
                        Interlocked.MemoryBarrier();
                        if (Volatile.Read(ref *sequence) == seen)
                        {
                            _cursor = c + 1;
                            length = len;
                            return true;
                        }
                    }
                }
                else if (Volatile.Read(ref *sequence) == seen)
                {
                    QueueMapping.ThrowCorrupted(Name, $"the broadcast queue is damaged at position {c}: a message length of {len} (maximum {_maxMessageSize})");
                }
            }

            // (4) Lapped (before or during the copy): skip to the oldest position the next publish cannot overwrite.
            long tail = Volatile.Read(ref *_producerPosition);
            long next = Math.Max(c + 1, tail - _mask);
            lost += next - c;
            LostMessages += next - c;
            _cursor = next;
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

    /// <summary>A subscriber's wait: its position was published (or overwritten).</summary>
    private readonly struct DataCondition(BroadcastQueue queue) : IQueueCondition
    {
        public bool IsReady(ref bool poll)
        {
            long c = queue._cursor;
            long* sequence = (long*)(queue._slots + ((c & queue._mask) * queue._slotSize) + D.SequenceOffset);
            return Volatile.Read(ref *sequence) >= D.Complete(c);
        }
    }
}
