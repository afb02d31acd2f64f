using System.Globalization;
using CsCheck;
using Interprocess.Memory;
using Interprocess.Queues;
using Interprocess.Tests.Infrastructure;
using Interprocess.TestDriver.Queues;

namespace Interprocess.Tests.Queues;

public sealed class MpmcQueueTests : IDisposable
{
    private const int Max = 300;
    private readonly string _name = UniqueName.New("mpmc");

    public void Dispose() => MpmcQueue.Remove(_name);

    private static string S(long n) => n.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public void InOneProcess_FifoAcrossWrapAround_FullAndEmptyAreReported()
    {
        using var q = MpmcQueue.CreateNew(_name, 4, 16);
        for (int round = 0; round < 10; round++)
        {
            for (int i = 0; i < 4; i++)
            {
                Assert.True(q.TrySend(BitConverter.GetBytes((long)((round * 4) + i))));
            }

            Assert.False(q.TrySend(new byte[1]));
            var buffer = new byte[16];
            for (int i = 0; i < 4; i++)
            {
                Assert.True(q.TryReceive(buffer, out int n));
                Assert.Equal(8, n);
                Assert.Equal((round * 4) + i, BitConverter.ToInt64(buffer));
            }

            Assert.False(q.TryReceive(buffer, out _));
        }

        Assert.Throws<ArgumentException>(() => q.TryReceive(new byte[8], out _));
        Assert.Throws<InvalidOperationException>(() => q.Commit(12345));
    }

    /// <summary>
    /// Random sequences of every producer and consumer call of one handle (several reservations and peeks held at
    /// once, committed and released in any order) against a model of the positions: each call succeeds exactly
    /// when the model says, and every message comes out whole, once, in claim order.
    /// </summary>
    [Fact]
    public void RandomOperationSequences_MatchAModelOfThePositions() =>
        Gen.Select(Gen.Int[0, 5], Gen.Int[0, 40], Gen.Byte).Array[1, 200].Sample(ops =>
        {
            const int capacity = 4;
            string name = UniqueName.New("mpmc-model");
            try
            {
                using var q = MpmcQueue.CreateNew(name, capacity, 40);
                var messages = new List<byte[]>(); // by position
                var states = new List<char>();     // by position: R reserved, C committed, P peeked, D done
                var reserved = new List<(long Ticket, byte[] Message)>();
                var peeked = new List<long>();
                int consumer = 0;
                foreach (var (op, n, b) in ops)
                {
                    var message = Enumerable.Range(b, n).Select(i => (byte)(i * 7)).ToArray();
                    int producer = states.Count;
                    bool room = producer < capacity || states[producer - capacity] == 'D';
                    bool ready = consumer < producer && states[consumer] == 'C';
                    switch (op)
                    {
                        case 0: // TrySend
                            Assert.Equal(room, q.TrySend(message));
                            if (room)
                            {
                                messages.Add(message);
                                states.Add('C');
                            }

                            break;
                        case 1: // TryReserve, written now, committed later
                            bool claimed = q.TryReserve(n, out long ticket, out Span<byte> span);
                            Assert.Equal(room, claimed);
                            if (claimed)
                            {
                                Assert.Equal(producer, ticket);
                                message.CopyTo(span);
                                messages.Add(message);
                                states.Add('R');
                                reserved.Add((ticket, message));
                            }

                            break;
                        case 2: // Commit one of the held reservations
                            if (reserved.Count > 0)
                            {
                                var (t, _) = reserved[b % reserved.Count];
                                reserved.RemoveAt(b % reserved.Count);
                                q.Commit(t);
                                states[(int)t] = 'C';
                            }

                            break;
                        case 3: // TryReceive
                            var buffer = new byte[40];
                            Assert.Equal(ready, q.TryReceive(buffer, out int got));
                            if (ready)
                            {
                                Assert.Equal(messages[consumer], buffer.AsSpan(0, got).ToArray());
                                states[consumer++] = 'D';
                            }

                            break;
                        case 4: // TryPeek, released later
                            Assert.Equal(ready, q.TryPeek(out long p, out ReadOnlySpan<byte> m));
                            if (ready)
                            {
                                Assert.Equal(consumer, p);
                                Assert.Equal(messages[consumer], m.ToArray());
                                states[consumer++] = 'P';
                                peeked.Add(p);
                            }

                            break;
                        default: // Release one of the held peeks
                            if (peeked.Count > 0)
                            {
                                long t = peeked[b % peeked.Count];
                                peeked.RemoveAt(b % peeked.Count);
                                q.Release(t);
                                states[(int)t] = 'D';
                            }

                            break;
                    }
                }

                var info = FastQueueInfo.Inspect(name);
                Assert.Equal(states.Count, info.ProducerPosition);
                Assert.Equal(consumer, info.ConsumerPosition);
                Assert.Equal(states.Count(c => c == 'C'), info.Depth);
                Assert.Equal(reserved.Count + peeked.Count, info.ClaimingProcessIds.Count);
            }
            finally
            {
                MpmcQueue.Remove(name);
            }
        });

    [Fact]
    public void ProducerKilledHoldingAReservedSlot_ConsumersSkipItOnlyAfterItsDeath_AndTheSlotIsReused()
    {
        using var q = MpmcQueue.CreateNew(_name, 4, 64);
        var buffer = new byte[64];
        q.Send([0]);
        using var holder = Driver.Start("fq-mpmc-hold", _name, "reserve");
        Assert.Equal("HELD 1", holder.ReadLine(TimeSpan.FromSeconds(30)));
        q.Send([2]);
        Assert.Equal([holder.Pid], FastQueueInfo.Inspect(_name).ClaimingProcessIds);

        Assert.True(q.TryReceive(buffer, out int n));
        Assert.Equal((1, 0), (n, buffer[0]));

        // FIFO: message 2 waits behind the live producer's slot, however long we look (past the 1 ms after which
        // its holder's liveness is checked).
        Assert.False(q.TryReceive(buffer, out _, TimeSpan.FromMilliseconds(50)));
        Assert.False(q.TryReceive(buffer, out _));

        holder.Kill();
        holder.WaitForExit();
        Assert.True(q.TryReceive(buffer, out n, TimeSpan.FromSeconds(10)), "the dead producer's slot was never skipped");
        Assert.Equal((1, 2), (n, buffer[0])); // its half-written message (0xEE) was never delivered
        Assert.Empty(FastQueueInfo.Inspect(_name).ClaimingProcessIds);

        // The whole capacity is back, in order.
        for (byte i = 10; i < 14; i++)
        {
            Assert.True(q.TrySend([i]));
        }

        Assert.False(q.TrySend([99]));
        for (byte i = 10; i < 14; i++)
        {
            Assert.True(q.TryReceive(buffer, out n));
            Assert.Equal((1, i), (n, buffer[0]));
        }

        Assert.False(q.TryReceive(buffer, out _));
    }

    [Fact]
    public void ConsumerKilledHoldingAPeekedMessage_ItsSlotIsReclaimedOnlyAfterItsDeath_TheMessageGoesWithIt()
    {
        using var q = MpmcQueue.CreateNew(_name, 2, 64);
        var buffer = new byte[64];
        q.Send([0]);
        q.Send([1]);
        using var holder = Driver.Start("fq-mpmc-hold", _name, "peek");
        Assert.Equal("HELD 0 1 0", holder.ReadLine(TimeSpan.FromSeconds(30)));
        Assert.True(q.TryReceive(buffer, out int n));
        Assert.Equal((1, 1), (n, buffer[0]));

        // Position 2 needs the slot the live consumer holds: the queue is full while it lives.
        Assert.False(q.TrySend([2], TimeSpan.FromMilliseconds(50)));
        Assert.False(q.TrySend([2]));
        Assert.Equal([holder.Pid], FastQueueInfo.Inspect(_name).ClaimingProcessIds);

        holder.Kill();
        holder.WaitForExit();
        Assert.True(q.TrySend([2], TimeSpan.FromSeconds(10)), "the dead consumer's slot was never reclaimed");
        Assert.True(q.TrySend([3]));
        Assert.False(q.TrySend([4]));
        Assert.True(q.TryReceive(buffer, out n));
        Assert.Equal((1, 2), (n, buffer[0])); // message 0 went with the consumer that claimed it: never delivered twice
        Assert.True(q.TryReceive(buffer, out n));
        Assert.Equal((1, 3), (n, buffer[0]));
        Assert.False(q.TryReceive(buffer, out _));
        Assert.Empty(FastQueueInfo.Inspect(_name).ClaimingProcessIds);
    }

    [Fact]
    public void BadTickets_AreRefused_AndChangeNothing()
    {
        using var q = MpmcQueue.CreateNew(_name, 4, 64);
        Assert.True(q.TryReserve(3, out long produced, out Span<byte> room));
        new byte[] { 7, 8, 9 }.CopyTo(room);
        Assert.Throws<InvalidOperationException>(() => q.Release(produced)); // claimed for writing, not reading
        q.Commit(produced);
        Assert.Throws<InvalidOperationException>(() => q.Commit(produced)); // twice
        Assert.Throws<InvalidOperationException>(() => q.Commit(produced + 1)); // never claimed
        Assert.Throws<InvalidOperationException>(() => q.Release(produced)); // committed, not claimed for reading

        Assert.True(q.TryPeek(out long consumed, out ReadOnlySpan<byte> message));
        Assert.Equal([7, 8, 9], message.ToArray());
        Assert.Equal(produced, consumed);
        Assert.Throws<InvalidOperationException>(() => q.Commit(consumed)); // claimed for reading, not writing
        q.Release(consumed);
        Assert.Throws<InvalidOperationException>(() => q.Release(consumed)); // twice
        Assert.Throws<InvalidOperationException>(() => q.Release(-1));

        // Nothing was disturbed: the queue holds four messages and delivers them in order.
        for (byte i = 0; i < 4; i++)
        {
            Assert.True(q.TrySend([i]));
        }

        Assert.False(q.TrySend([9]));
        var buffer = new byte[64];
        for (byte i = 0; i < 4; i++)
        {
            Assert.True(q.TryReceive(buffer, out int n));
            Assert.Equal((1, i), (n, buffer[0]));
        }
    }

    [Fact]
    public void Timeouts_AndCancellation_OnAFullAndAnEmptyQueue_ClaimNothing()
    {
        using var q = MpmcQueue.CreateNew(_name, 2, 64);
        var buffer = new byte[64];
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.False(q.TryReceive(buffer, out _, TimeSpan.FromMilliseconds(100)));
        Assert.True(watch.ElapsedMilliseconds >= 90, $"an empty queue's receive gave up after {watch.ElapsedMilliseconds} ms of 100");
        Assert.False(q.TryPeek(out _, out _, TimeSpan.Zero));
        using (var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50)))
        {
            Assert.ThrowsAny<OperationCanceledException>(() => q.Receive(buffer, cts.Token));
        }

        q.Send([1]);
        q.Send([2]);
        watch.Restart();
        Assert.False(q.TrySend([3], TimeSpan.FromMilliseconds(100)));
        Assert.True(watch.ElapsedMilliseconds >= 90, $"a full queue's send gave up after {watch.ElapsedMilliseconds} ms of 100");
        Assert.False(q.TryReserve(1, out _, out _, TimeSpan.Zero));
        using (var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50)))
        {
            Assert.ThrowsAny<OperationCanceledException>(() => q.Send([3], cts.Token));
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => q.TrySend([3], TimeSpan.FromMilliseconds(-2)));
        Assert.Empty(FastQueueInfo.Inspect(_name).ClaimingProcessIds);
        Assert.True(q.TryReceive(buffer, out int n));
        Assert.Equal((1, 1), (n, buffer[0]));
        Assert.True(q.TryReceive(buffer, out n));
        Assert.Equal((1, 2), (n, buffer[0]));
        Assert.False(q.TryReceive(buffer, out _));
    }

    [Fact]
    public void LapFieldWrap_MessagesKeepFlowingInOrder()
    {
        // Counters and slot words as they are after 2^40 - 1 laps minus two positions: the 40-bit lap of the slot
        // words wraps to 0 a few messages later.
        const int capacity = 4;
        long start = (((1L << 40) - 1) * capacity) - 2;
        MpmcQueue.CreateNew(_name, capacity, 64).Dispose();
        using (var shm = SharedMemoryObject.OpenExisting(_name))
        using (var region = new MappedRegion(shm))
        {
            region.Write(QueueHeaderDescriptor.ProducerPositionOffset, start);
            region.Write(QueueHeaderDescriptor.ConsumerPositionOffset, start);
            for (long p = start; p < start + capacity; p++)
            {
                long lap = (p / capacity) & ((1L << 40) - 1);
                region.Write(QueueHeaderDescriptor.DataOffset + ((p % capacity) * 80), lap << 24); // Free in that lap
            }
        }

        using var q = MpmcQueue.OpenExisting(_name);
        var buffer = new byte[64];
        for (int round = 0; round < 5; round++)
        {
            for (byte i = 0; i < capacity; i++)
            {
                Assert.True(q.TrySend([(byte)(round * 10), i]), $"round {round}, message {i}");
            }

            Assert.False(q.TrySend([99]));
            for (byte i = 0; i < capacity; i++)
            {
                Assert.True(q.TryReceive(buffer, out int n));
                Assert.Equal((2, (byte)(round * 10), i), (n, buffer[0], buffer[1]));
            }

            Assert.False(q.TryReceive(buffer, out _));
        }

        var info = FastQueueInfo.Inspect(_name);
        Assert.Equal(start + (5 * capacity), info.ProducerPosition);
        Assert.Equal(0, info.Depth);
    }

    [Fact]
    public void DamagedSlots_AreReported_NeverDelivered_AndTheQueueKeepsItsCapacity()
    {
        using var q = MpmcQueue.CreateNew(_name, 4, 64);
        q.Send([1]);
        using var shm = SharedMemoryObject.OpenExisting(_name);
        using var region = new MappedRegion(shm);
        long slot0 = QueueHeaderDescriptor.DataOffset;
        long committed = region.Read<long>(slot0);

        // A committed message whose length no message can have: reported, dropped, its slot freed.
        region.Write(slot0 + 8, 1000);
        var e = Assert.Throws<InterprocessException>(() => q.TryPeek(out _, out _));
        Assert.Equal(InterprocessErrorCode.Corrupted, e.ErrorCode);
        Assert.Contains("dropped", e.Message, StringComparison.Ordinal);
        Assert.False(q.TryReceive(new byte[64], out _));

        // The same through TryReceive (its own fast path): reported, dropped, nothing copied into the buffer.
        q.Send([5]);
        long slot1Length = slot0 + 80 + 8;
        region.Write(slot1Length, -7);
        var received = new byte[64];
        e = Assert.Throws<InterprocessException>(() => q.TryReceive(received, out _));
        Assert.Equal(InterprocessErrorCode.Corrupted, e.ErrorCode);
        Assert.Contains("dropped", e.Message, StringComparison.Ordinal);
        Assert.Equal(new byte[64], received);
        Assert.False(q.TryReceive(received, out _));

        // Slot words of impossible laps, where the next consumer (position 2) and the next producer (3) look.
        q.Send([2]);
        long slot2 = slot0 + 160;
        long good = region.Read<long>(slot2);
        long readingNextLap = (1L << 24) | (3L << 22) | 1234; // claimed for reading one lap ahead: needs the counter there
        foreach (long bad in new[] { committed + (5L << 24), good - (3L << 24), readingNextLap })
        {
            region.Write(slot2, bad);
            Assert.Equal(InterprocessErrorCode.Corrupted, Assert.Throws<InterprocessException>(() => q.TryPeek(out _, out _)).ErrorCode);
            Assert.Equal(InterprocessErrorCode.Corrupted, Assert.Throws<InterprocessException>(() => q.TryReceive(received, out _)).ErrorCode);
        }

        region.Write(slot2, good);
        long slot3 = slot0 + 240;
        region.Write(slot3, 7L << 24); // lap 7 at position 3 (lap 0)
        Assert.Equal(InterprocessErrorCode.Corrupted, Assert.Throws<InterprocessException>(() => q.TrySend([3])).ErrorCode);
        region.Write(slot3, 4321L); // free in the right lap, but with a pid: no free slot has one
        Assert.Equal(InterprocessErrorCode.Corrupted, Assert.Throws<InterprocessException>(() => q.TrySend([3])).ErrorCode);
        Assert.Equal(InterprocessErrorCode.Corrupted, Assert.Throws<InterprocessException>(() => q.TryReserve(1, out _, out _)).ErrorCode);
        Assert.Equal(4321L, region.Read<long>(slot3)); // nothing claimed over it
        region.Write(slot3, 0L);

        var buffer = new byte[64];
        Assert.True(q.TryReceive(buffer, out int n));
        Assert.Equal((1, 2), (n, buffer[0]));
        for (byte i = 0; i < 4; i++)
        {
            Assert.True(q.TrySend([i]));
        }

        Assert.False(q.TrySend([9]));
    }

    /// <summary>
    /// Three producer and three consumer processes, zero-copy (reserve/commit, peek/release) or copying (Send/Receive,
    /// with their waiting paths); "copy-pinned" pins each process to one CPU (alternately 0 and 1), whose waits then
    /// spin in short stretches between yields.
    /// </summary>
    [Theory]
    [InlineData("zc")]
    [InlineData("copy")]
    [InlineData("copy-pinned")]
    public void ThreeProducerAndThreeConsumerProcesses_EveryMessageIsDeliveredExactlyOnce(string variant)
    {
        const long perProducer = 5000;
        bool pinned = variant.EndsWith("-pinned", StringComparison.Ordinal);
        string mode = pinned ? variant[..^"-pinned".Length] : variant;
        using var q = MpmcQueue.CreateNew(_name, 64, Max);
        var consumers = Enumerable.Range(0, 3).Select(c => Driver.StartOnCpu(pinned ? c % 2 : null, "fq-mpmc-recv", _name, S(Max), mode)).ToList();
        var producers = Enumerable.Range(0, 3).Select(p => Driver.StartOnCpu(pinned ? (p + 1) % 2 : null, "fq-mpmc-send", _name, S(p), "0", S(perProducer), S(Max), mode)).ToList();
        try
        {
            foreach (var d in consumers.Concat(producers))
            {
                d.Expect("READY", TimeSpan.FromSeconds(30));
            }

            // Read the consumers' lines as they come (a full stdout pipe would block a consumer holding a slot).
            var lists = consumers.Select(_ => new List<(int, long)>()).ToList();
            var readers = consumers.Select((c, i) => Background.Start(() => lists[i].AddRange(ReadReceived(c)))).ToList();
            foreach (var p in producers)
            {
                p.Expect("DONE", TimeSpan.FromSeconds(60));
            }

            for (int i = 0; i < 3; i++)
            {
                Assert.True(q.TrySend([], TimeSpan.FromSeconds(30))); // one stop message per consumer
            }

            var seen = new HashSet<(int Producer, long Seq)>();
            readers.ForEach(r => r.Join(TimeSpan.FromSeconds(60)));
            foreach (var list in lists)
            {
                foreach (var (p, s) in list)
                {
                    Assert.True(seen.Add((p, s)), $"message {s} of producer {p} was delivered twice");
                }
            }

            Assert.Equal(3 * perProducer, seen.Count);
        }
        finally
        {
            foreach (var d in consumers.Concat(producers))
            {
                d.Dispose();
            }
        }
    }

    private string Dump()
    {
        using var shm = Interprocess.Memory.SharedMemoryObject.OpenExisting(_name);
        using var region = new Interprocess.Memory.MappedRegion(shm);
        var sb = new System.Text.StringBuilder();
        sb.Append($"tail {region.Read<long>(64)} head {region.Read<long>(128)} notEmpty {region.Read<long>(192):x} notFull {region.Read<long>(256):x};");
        int slot = region.Read<int>(20);
        for (int i = 0; i < 16; i++)
        {
            long st = region.Read<long>(512 + (i * slot));
            sb.Append($" [{i}: lap {st >> 24} status {(st >> 22) & 3} pid {st & 0x3FFFFF}]");
        }

        return sb.ToString();
    }

    private static List<(int Producer, long Seq)> ReadReceived(Driver consumer)
    {
        var got = new List<(int, long)>();
        while (consumer.TryReadLine(out string line, TimeSpan.FromSeconds(60)))
        {
            if (line == "DONE")
            {
                break;
            }

            Assert.StartsWith("M ", line, StringComparison.Ordinal);
            var parts = line.Split(' ');
            got.Add((int.Parse(parts[1], CultureInfo.InvariantCulture), long.Parse(parts[2], CultureInfo.InvariantCulture)));
        }

        return got;
    }

    /// <summary>Producers and consumers killed at random moments, zero-copy or in the copying Send/Receive.</summary>
    [Theory]
    [InlineData("zc")]
    [InlineData("copy")]
    public void ProducersAndConsumersKilledAtRandomMoments_QueueKeepsWorking_NoDuplicates_LossOnlyInKilledConsumers(string mode)
    {
        using var q = MpmcQueue.CreateNew(_name, 16, Max);
        var random = new Random(4242);
        var committed = new HashSet<(int Producer, long Seq)>();
        var received = new HashSet<(int Producer, long Seq)>();
        var next = new long[3];
        int consumerKills = 0;
        for (int iteration = 0; iteration < 20; iteration++)
        {
            // Two producers (one will die) and two consumers (one will die).
            int victim = iteration % 3;
            using var p1 = Driver.Start("fq-mpmc-send", _name, S(victim), S(next[victim]), "-1", S(Max), mode);
            int other = (victim + 1) % 3;
            using var p2 = Driver.Start("fq-mpmc-send", _name, S(other), S(next[other]), "-1", S(Max), mode);
            using var c1 = Driver.Start("fq-mpmc-recv", _name, S(Max), mode);
            using var c2 = Driver.Start("fq-mpmc-recv", _name, S(Max), mode);
            foreach (var d in new[] { p1, p2, c1, c2 })
            {
                d.Expect("READY", TimeSpan.FromSeconds(30));
            }

            var got1 = new List<(int Producer, long Seq)>();
            var got2 = new List<(int Producer, long Seq)>();
            var r1 = Background.Start(() => got1.AddRange(ReadReceived(c1)));
            var r2 = Background.Start(() => got2.AddRange(ReadReceived(c2)));
            Thread.Sleep(random.Next(5, 50));
            p1.Kill();
            Thread.Sleep(random.Next(0, 20));
            c1.Kill();
            consumerKills++;
            Thread.Sleep(random.Next(0, 20));
            p2.Kill();
            p1.WaitForExit();
            c1.WaitForExit();
            p2.WaitForExit();
            foreach (var (d, id) in new[] { (p1, victim), (p2, other) })
            {
                // A producer killed before it printed anything may still have committed its first message.
                next[id]++;
                while (d.TryReadLine(out string line, TimeSpan.FromSeconds(30)))
                {
                    long seq = long.Parse(line.AsSpan(2), CultureInfo.InvariantCulture);
                    committed.Add((id, seq));
                    next[id] = Math.Max(next[id], seq + 2); // seq + 1 may have been committed without its line
                }
            }

            // c2 drains what is left (reclaiming the dead processes' slots), then stops.
            Assert.True(q.TrySend([], TimeSpan.FromSeconds(30)), $"iteration {iteration}: the stop message could not be sent; the surviving consumer says: {c2.StdErr}; state: {Dump()}");
            r1.Join(TimeSpan.FromSeconds(60));
            r2.Join(TimeSpan.FromSeconds(60));
            foreach (var list in new[] { got1, got2 })
            {
                foreach (var m in list)
                {
                    Assert.True(received.Add(m), $"message {m.Seq} of producer {m.Producer} was delivered twice");
                }
            }

            Assert.Equal(0, c2.WaitForExit());
        }

        foreach (var m in received)
        {
            Assert.True(m.Seq < next[m.Producer], $"message {m.Seq} of producer {m.Producer} was never sent");
        }

        int missing = committed.Count(m => !received.Contains(m));
        Assert.True(missing <= consumerKills, $"{missing} committed messages were lost with {consumerKills} consumer kills");

        // Still works.
        Assert.True(q.TrySend([1, 2, 3], TimeSpan.FromSeconds(30)));
        var buffer = new byte[Max];
        Assert.True(q.TryReceive(buffer, out int n, TimeSpan.FromSeconds(30)));
        Assert.Equal(3, n);
    }
}
