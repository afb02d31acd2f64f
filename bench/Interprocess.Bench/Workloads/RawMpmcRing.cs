using System.Runtime.CompilerServices;

namespace Interprocess.Bench.Workloads;

/// <summary>
/// Two bare multi-producer/multi-consumer ring protocols in C#, without anything a real queue needs around them
/// (no validation, no crash recovery, no sleeping: a caller spins on false), measured next to
/// <see cref="Interprocess.Queues.MpmcQueue"/> in <c>interprocess_mpmc_queue_paired</c> W3 to show how much of
/// its round trip is the protocol itself on the machine at hand:
/// <list type="bullet">
/// <item><b>SlotClaim</b>: <c>MpmcQueue</c>'s protocol, the claim a compare-exchange of the slot word (lap, status,
///   pid; the producer's made without reading the word first), then a compare-exchange that moves the counter on;
///   commit and release are plain stores.</item>
/// <item><b>CounterClaim</b>: D. Vyukov's bounded queue, the claim a compare-exchange of the producer's or
///   consumer's counter, each slot a sequence word; everything else plain stores. It records no claimer, so a
///   claimer killed between its claim and its publish would block the queue for good.</item>
/// </list>
/// Layout at <c>baseAddress</c>: the producer counter (offset 0), the consumer counter (64), a never-written
/// "sleepers" word per side (128, 136; each side reads the other's after it publishes, as the real queues do),
/// then <see cref="Slots"/> slots of <c>slotSize</c> bytes from offset 256: the state or sequence word, the
/// length, the payload from offset 16. All-zero memory is an empty ring.
/// </summary>
internal readonly unsafe struct RawMpmcRing(byte* baseAddress, bool counterClaim, int slotSize = 80)
{
    /// <summary>Slots per ring (the W3 queues' capacity).</summary>
    public const int Slots = 16;

    /// <summary>The bytes a ring takes with 80-byte slots (see <see cref="RawMpmcRing"/>); one with 128-byte slots takes 256 + 16 × 128.</summary>
    public const int Size = 4096;

    private const long Mask = Slots - 1;
    private const int LapShift = 4; // log2(Slots)

    private long* ProducerCounter => (long*)baseAddress;

    private long* ConsumerCounter => (long*)(baseAddress + 64);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TrySend(ReadOnlySpan<byte> message, int pid) =>
        counterClaim ? TrySendCounterClaim(message) : TrySendSlotClaim(message, pid);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryReceive(Span<byte> buffer, int pid, out int length) =>
        counterClaim ? TryReceiveCounterClaim(buffer, out length) : TryReceiveSlotClaim(buffer, pid, out length);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long* Slot(long position) => (long*)(baseAddress + 256 + ((position & Mask) * slotSize));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long State(long lap, int status, int pid) => (lap << 24) | ((long)status << 22) | (uint)pid;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Publish(long* word, long value, int sleepersOffset)
    {
        Volatile.Write(ref *word, value);
        _ = Volatile.Read(ref *(int*)(baseAddress + sleepersOffset));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool TrySendSlotClaim(ReadOnlySpan<byte> message, int pid)
    {
        while (true)
        {
            long position = Volatile.Read(ref *ProducerCounter);
            long lap = position >> LapShift;
            long* word = Slot(position);
            long state = Interlocked.CompareExchange(ref *word, State(lap, 1, pid), State(lap, 0, 0)); // no read first, as MpmcQueue
            if (state == State(lap, 0, 0))
            {
                Interlocked.CompareExchange(ref *ProducerCounter, position + 1, position);
                *(int*)((byte*)word + 8) = message.Length;
                message.CopyTo(new Span<byte>((byte*)word + 16, message.Length));
                Publish(word, State(lap, 2, 0), 136);
                return true;
            }
            else if (state >> 24 == lap)
            {
                Interlocked.CompareExchange(ref *ProducerCounter, position + 1, position);
            }
            else
            {
                return false;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool TryReceiveSlotClaim(Span<byte> buffer, int pid, out int length)
    {
        while (true)
        {
            long position = Volatile.Read(ref *ConsumerCounter);
            long lap = position >> LapShift;
            long* word = Slot(position);
            long state = Volatile.Read(ref *word);
            if (state == State(lap, 2, 0))
            {
                if (Interlocked.CompareExchange(ref *word, State(lap, 3, pid), state) == state)
                {
                    Interlocked.CompareExchange(ref *ConsumerCounter, position + 1, position);
                    length = *(int*)((byte*)word + 8);
                    new ReadOnlySpan<byte>((byte*)word + 16, length).CopyTo(buffer);
                    Publish(word, State(lap + 1, 0, 0), 128);
                    return true;
                }
            }
            else if (state >> 24 == lap && ((state >> 22) & 3) == 3)
            {
                Interlocked.CompareExchange(ref *ConsumerCounter, position + 1, position);
            }
            else
            {
                length = 0;
                return false;
            }
        }
    }

    // Vyukov: slot s holds sequence number q, stored as q - s (so that all-zero memory means q = s for every slot).
    // The producer of position p needs q == p and publishes p + 1; the consumer of p needs p + 1 and frees the
    // slot for position p + Slots.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long Sequence(long* word, long position) => Volatile.Read(ref *word) + (position & Mask);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool TrySendCounterClaim(ReadOnlySpan<byte> message)
    {
        while (true)
        {
            long position = Volatile.Read(ref *ProducerCounter);
            long* word = Slot(position);
            long difference = Sequence(word, position) - position;
            if (difference == 0)
            {
                if (Interlocked.CompareExchange(ref *ProducerCounter, position + 1, position) == position)
                {
                    *(int*)((byte*)word + 8) = message.Length;
                    message.CopyTo(new Span<byte>((byte*)word + 16, message.Length));
                    Publish(word, position + 1 - (position & Mask), 136);
                    return true;
                }
            }
            else if (difference < 0)
            {
                return false;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool TryReceiveCounterClaim(Span<byte> buffer, out int length)
    {
        while (true)
        {
            long position = Volatile.Read(ref *ConsumerCounter);
            long* word = Slot(position);
            long difference = Sequence(word, position) - (position + 1);
            if (difference == 0)
            {
                if (Interlocked.CompareExchange(ref *ConsumerCounter, position + 1, position) == position)
                {
                    length = *(int*)((byte*)word + 8);
                    new ReadOnlySpan<byte>((byte*)word + 16, length).CopyTo(buffer);
                    Publish(word, position + Slots - (position & Mask), 128);
                    return true;
                }
            }
            else if (difference < 0)
            {
                length = 0;
                return false;
            }
        }
    }
}
