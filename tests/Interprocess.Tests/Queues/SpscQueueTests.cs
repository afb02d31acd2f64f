using System.Globalization;
using CsCheck;
using Interprocess.Memory;
using Interprocess.Queues;
using Interprocess.Tests.Infrastructure;
using Interprocess.TestDriver.Queues;

namespace Interprocess.Tests.Queues;

public sealed class SpscQueueTests : IDisposable
{
    private readonly string _name = UniqueName.New("spsc");

    public void Dispose() => SpscQueue.Remove(_name);

    private static string S(long n) => n.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public void InOneProcess_MessagesComeOutInOrder_WithWrapAroundMaxSizeAndEmptyMessages()
    {
        const int max = 500;
        using var q = SpscQueue.CreateNew(_name, 4096, max);
        var buffer = new byte[max];
        long next = 0;
        for (long seq = 0; seq < 5000; seq++)
        {
            int length = QueueMessage.LengthFor(seq, max, allowEmpty: true);
            QueueMessage.Fill(buffer.AsSpan(0, length), seq, 0);
            while (!q.TrySend(buffer.AsSpan(0, length)))
            {
                Assert.True(q.TryReceive(buffer, out int got));
                Assert.Null(QueueMessage.Check(buffer.AsSpan(0, got), max, true, out long s, out _));
                Assert.Equal(QueueMessage.LengthFor(next, max, true), got);
                Assert.True(got == 0 || s == next);
                next++;
                QueueMessage.Fill(buffer.AsSpan(0, length), seq, 0);
            }
        }

        while (q.TryReceive(buffer, out int got))
        {
            Assert.Equal(QueueMessage.LengthFor(next, max, true), got);
            next++;
        }

        Assert.Equal(5000, next);
        Assert.True(q.IsEmpty);
    }

    /// <summary>
    /// Random sequences of every producer and consumer call (copying and zero-copy, buffers too short, messages of
    /// every length up to the maximum, across many wraps of a small ring) give the messages, lengths and refusals
    /// of a FIFO of byte arrays: the copying calls' fast paths and their general paths (wrap, padding, short
    /// buffer, a full-looking queue) agree byte for byte with each other and with reserve/commit and peek/release.
    /// </summary>
    [Fact]
    public void RandomOperationSequences_MatchAFifo() =>
        Gen.Select(Gen.Int[0, 5], Gen.Int[0, 112], Gen.Byte).Array[1, 200].Sample(ops =>
        {
            string name = UniqueName.New("spsc-model");
            try
            {
                using var q = SpscQueue.CreateNew(name, 256, 112);
                // The model: the messages, and where each record ends (the consumer counter after it); the producer
                // counter, to know exactly when a record, the padding a wrap needs and the marker fit.
                var model = new Queue<(byte[] Message, long End)>();
                long tail = 0, head = 0;
                foreach (var (op, n, b) in ops)
                {
                    var message = Enumerable.Range(b, n).Select(i => (byte)(i * 7)).ToArray();
                    switch (op)
                    {
                        case 0: // TrySend: refused exactly when the ring has no room for the record, its padding and the marker
                        case 1: // TryReserve + Commit
                            long record = SpscQueueDescriptor.RecordLength(n), toEnd = 256 - (tail & 255);
                            bool fits = SpscQueueDescriptor.Needed(record, toEnd) <= 256 - (tail - head);
                            bool sent;
                            if (op == 0)
                            {
                                sent = q.TrySend(message);
                            }
                            else if (sent = q.TryReserve(n, out Span<byte> room))
                            {
                                Assert.Equal(n, room.Length);
                                message.CopyTo(room);
                                q.Commit();
                            }

                            Assert.Equal(fits, sent);
                            if (sent)
                            {
                                tail += (record > toEnd ? toEnd : 0) + record;
                                model.Enqueue((message, tail));
                            }

                            break;
                        case 2: // TryReceive into a buffer of n bytes: too short throws, naming the size, and the message stays
                        case 3:
                            var buffer = new byte[op == 2 ? n : 112];
                            if (model.Count > 0 && model.Peek().Message.Length > buffer.Length)
                            {
                                var e = Assert.Throws<ArgumentException>(() => q.TryReceive(buffer, out _));
                                Assert.Contains($"needs {model.Peek().Message.Length}", e.Message, StringComparison.Ordinal);
                                break;
                            }

                            Assert.Equal(model.Count > 0, q.TryReceive(buffer, out int got));
                            if (model.Count > 0)
                            {
                                (var expected, head) = model.Dequeue();
                                Assert.Equal(expected, buffer.AsSpan(0, got).ToArray());
                            }

                            break;
                        case 4: // TryPeek + Release
                            Assert.Equal(model.Count > 0, q.TryPeek(out ReadOnlySpan<byte> peeked));
                            if (model.Count > 0)
                            {
                                (var expected, head) = model.Dequeue();
                                Assert.Equal(expected, peeked.ToArray());
                                q.Release();
                            }

                            break;
                        default:
                            Assert.Equal(model.Count == 0, q.IsEmpty);
                            break;
                    }
                }

                var rest = new byte[112];
                while (model.Count > 0)
                {
                    Assert.True(q.TryReceive(rest, out int got));
                    Assert.Equal(model.Dequeue().Message, rest.AsSpan(0, got).ToArray());
                }

                Assert.False(q.TryReceive(rest, out _));
            }
            finally
            {
                SpscQueue.Remove(name);
            }
        });

    [Fact]
    public void ZeroCopy_ReserveCommitPeekRelease_AndMisuseIsRefused()
    {
        using var q = SpscQueue.CreateNew(_name, 1024, 64);
        Assert.Throws<InvalidOperationException>(() => q.Commit());
        Assert.Throws<InvalidOperationException>(() => q.Release());
        Assert.True(q.TryReserve(8, out Span<byte> room));
        BitConverter.TryWriteBytes(room, 42L);
        Assert.False(q.TryPeek(out _)); // not visible before Commit
        Assert.Throws<InvalidOperationException>(() => q.TryReserve(8, out _));
        q.Commit();
        Assert.True(q.TryPeek(out ReadOnlySpan<byte> m));
        Assert.Equal(42L, BitConverter.ToInt64(m));
        Assert.Throws<InvalidOperationException>(() => q.TryPeek(out _));
        q.Release();
        Assert.False(q.TryPeek(out _));
    }

    [Fact]
    public void FullQueue_TrySendFails_TimedSendTimesOut_NotEarly()
    {
        using var q = SpscQueue.CreateNew(_name, 128, 24);
        int sent = 0;
        while (q.TrySend(new byte[24]))
        {
            sent++;
        }

        Assert.Equal(2, sent); // 2 records of 48 bytes; a third would need a 32-byte padding, 48 bytes and the next header's 16
        var sw = System.Diagnostics.Stopwatch.StartNew();
        Assert.False(q.TrySend(new byte[24], TimeSpan.FromMilliseconds(100)));
        Assert.True(sw.ElapsedMilliseconds >= 95);
        using var cts = new CancellationTokenSource(50);
        Assert.ThrowsAny<OperationCanceledException>(() => q.Send(new byte[24], cts.Token));
    }

    [Fact]
    public void TooSmallBuffer_SaysTheSize_AndTheMessageStays()
    {
        using var q = SpscQueue.CreateNew(_name, 1024, 100);
        q.Send(new byte[50]);
        var e = Assert.Throws<ArgumentException>(() => q.TryReceive(new byte[10], out _));
        Assert.Contains("50", e.Message, StringComparison.Ordinal);
        Assert.True(q.TryReceive(new byte[50], out int n));
        Assert.Equal(50, n);
    }

    [Theory]
    [InlineData("copy")]
    [InlineData("zc")]
    public void ProducerChild_ConsumerParent_EveryMessageArrivesIntact(string mode)
    {
        const int max = 3000;
        const long count = 20_000;
        using var q = SpscQueue.CreateNew(_name, 16384, max);
        using var producer = Driver.Start("fq-spsc-send", _name, "0", S(count), S(max), mode);
        producer.Expect("READY");
        var buffer = new byte[max];
        for (long seq = 0; seq < count; seq++)
        {
            Assert.True(q.TryReceive(buffer, out int n, TimeSpan.FromSeconds(30)));
            Assert.Null(QueueMessage.Check(buffer.AsSpan(0, n), max, true, out long s, out _));
            Assert.Equal(QueueMessage.LengthFor(seq, max, true), n);
            Assert.True(n == 0 || s == seq, $"expected {seq}, got {s}");
        }

        producer.Expect("DONE", TimeSpan.FromSeconds(30));
        Assert.Equal(0, producer.WaitForExit());
        Assert.True(q.IsEmpty);
    }

    [Fact]
    public void ConsumerChild_ProducerParent_EveryMessageArrivesIntact()
    {
        const int max = 1000;
        const long count = 20_000;
        using var q = SpscQueue.CreateNew(_name, 4096, max);
        using var consumer = Driver.Start("fq-spsc-recv", _name, S(count), S(max));
        consumer.Expect("READY");
        var buffer = new byte[max];
        var sender = Background.Start(() =>
        {
            for (long seq = 0; seq < count; seq++)
            {
                int length = QueueMessage.LengthFor(seq, max, true);
                QueueMessage.Fill(buffer.AsSpan(0, length), seq, 0);
                Assert.True(q.TrySend(buffer.AsSpan(0, length), TimeSpan.FromSeconds(30)));
            }
        });
        for (long seq = 0; seq < count; seq++)
        {
            string line = consumer.ReadLine(TimeSpan.FromSeconds(30));
            Assert.Equal(QueueMessage.LengthFor(seq, max, true) == 0 ? "R Z" : "R " + S(seq), line);
        }

        consumer.Expect("DONE", TimeSpan.FromSeconds(30));
        sender.Join(TimeSpan.FromSeconds(30));
        Assert.Equal(0, consumer.WaitForExit());
    }

    [Fact]
    public void ProducerKilledAtRandomMoments_NothingHalfWrittenIsDelivered_NothingCommittedIsLostOrDuplicated()
    {
        const int max = 60_000;
        using var q = SpscQueue.CreateNew(_name, 1 << 18, max);
        var random = new Random(12345);
        var buffer = new byte[max];
        long next = 0;
        for (int iteration = 0; iteration < 20; iteration++)
        {
            using (var producer = Driver.Start("fq-spsc-send", _name, S(next), "-1", S(max), iteration % 2 == 0 ? "slow" : "copy"))
            {
                producer.Expect("READY");
                Thread.Sleep(random.Next(1, 40));
                // Drain a little while it runs, so it also dies while blocked on a full queue or mid-copy.
                for (int i = 0; i < random.Next(0, 50) && q.TryReceive(buffer, out int n0); i++)
                {
                    Expect(buffer.AsSpan(0, n0), ref next, max);
                }

                producer.Kill();
                producer.WaitForExit();
            }

            while (q.TryReceive(buffer, out int n))
            {
                Expect(buffer.AsSpan(0, n), ref next, max);
            }
        }

        // The queue still works with a fresh producer after 20 kills.
        using var last = Driver.Start("fq-spsc-send", _name, S(next), "100", S(max), "zc");
        last.Expect("READY");
        for (int i = 0; i < 100; i++)
        {
            Assert.True(q.TryReceive(buffer, out int n, TimeSpan.FromSeconds(30)));
            Expect(buffer.AsSpan(0, n), ref next, max);
        }

        last.Expect("DONE", TimeSpan.FromSeconds(30));
        Assert.True(next > 100);
    }

    private static void Expect(ReadOnlySpan<byte> m, ref long next, int max)
    {
        Assert.Null(QueueMessage.Check(m, max, true, out long s, out _));
        Assert.Equal(QueueMessage.LengthFor(next, max, true), m.Length);
        Assert.True(m.Length == 0 || s == next, $"expected message {next}, got {s}");
        next++;
    }

    /// <summary>
    /// Consumers killed at random moments while the producer keeps sending. "peek": each consumer peeks, prints,
    /// then releases, so the message a killed consumer was reading is delivered again (at most once per kill),
    /// and nothing is lost. "copy": each consumer uses Receive (TryReceive's fast path in the common case), whose
    /// release comes before the print, so a consumer killed between the two takes one message with it (delivered
    /// to it, as documented) and nothing is ever delivered twice. Either way every message arrives intact and in
    /// order, and the queue is empty at the end.
    /// </summary>
    [Theory]
    [InlineData("peek")]
    [InlineData("copy")]
    public void ConsumerKilledAtRandomMoments_CommittedMessagesAreDelivered_InOrder(string mode)
    {
        const int max = 2000;
        const long count = 30_000;
        using var q = SpscQueue.CreateNew(_name, 16384, max);
        var sender = Background.Start(() =>
        {
            var buffer = new byte[max];
            for (long seq = 0; seq < count; seq++)
            {
                int length = QueueMessage.LengthFor(seq, max, true);
                QueueMessage.Fill(buffer.AsSpan(0, length), seq, 0);
                if (!q.TrySend(buffer.AsSpan(0, length), TimeSpan.FromSeconds(60)))
                {
                    throw new TimeoutException("send");
                }
            }
        });
        var random = new Random(777);
        long next = 0; // the next sequence not yet seen
        int redelivered = 0, takenByTheDead = 0;
        int killedSinceLastLine = 0; // copy mode: each of these may have received one message it never printed
        for (int iteration = 0; next < count; iteration++)
        {
            // The last consumer of "copy" mode runs until killed too: how many messages the killed ones took with
            // them is known only from the lines that follow.
            using var consumer = Driver.Start("fq-spsc-recv", _name, iteration < 20 || mode == "copy" ? "-1" : S(count - next), S(max), mode);
            consumer.Expect("READY");
            if (iteration < 20)
            {
                Thread.Sleep(random.Next(5, 60));
                consumer.Kill();
                consumer.WaitForExit();
            }

            bool first = true;
            while (consumer.TryReadLine(out string line, TimeSpan.FromSeconds(30)))
            {
                if (line == "DONE")
                {
                    break;
                }

                Assert.StartsWith("R ", line, StringComparison.Ordinal);
                long seq = line == "R Z" ? -1 : long.Parse(line.AsSpan(2), CultureInfo.InvariantCulture);
                if (mode == "peek" && first && next > 0 && (seq == next - 1 || (seq == -1 && QueueMessage.LengthFor(next - 1, max, true) == 0 && QueueMessage.LengthFor(next, max, true) != 0)))
                {
                    redelivered++; // the documented at-least-once window: the message the killed consumer was reading
                    first = false;
                    continue;
                }

                if (mode == "copy" && first)
                {
                    // Received (released) by killed consumers that died before printing it: at most one per kill.
                    int skip = 0;
                    while (skip < killedSinceLastLine && !(seq == -1 ? QueueMessage.LengthFor(next + skip, max, true) == 0 : seq == next + skip))
                    {
                        skip++;
                    }

                    takenByTheDead += skip;
                    next += skip;
                    killedSinceLastLine = 0;
                }

                first = false;
                Assert.True(seq == -1 ? QueueMessage.LengthFor(next, max, true) == 0 : seq == next, $"expected {next}, got {line}");
                next++;
                if (iteration >= 20 && next == count)
                {
                    break;
                }
            }

            if (iteration < 20)
            {
                killedSinceLastLine++; // after its last printed line, it may have received one more
            }
        }

        sender.Join(TimeSpan.FromSeconds(60));
        Assert.True(redelivered <= 20);
        Assert.True(q.IsEmpty, $"messages left after all {count} were accounted for ({takenByTheDead} taken by killed consumers, {redelivered} delivered again)");
    }

    /// <summary>
    /// Layout version 2: the consumer polls the commit tag (position + 1) of the record at its position. Every
    /// payload here is filled with the very values that would pass for commit tags one and two laps later at the
    /// same bytes; the marker (the next record's tag set to 0 before a commit) must keep the consumer from ever
    /// taking them for commits. After each drain the queue must be empty, never deliver leftovers.
    /// </summary>
    [Fact]
    public unsafe void StaleTagsOfEarlierLaps_AreNeverTakenForCommits()
    {
        const long capacity = 256;
        const int max = 96;
        using var q = SpscQueue.CreateNew(_name, capacity, max);
        var random = new Random(4242);
        var expected = new Queue<(long Seq, int Length, long Position)>();
        long seq = 0;
        for (int round = 0; round < 3000; round++)
        {
            int burst = random.Next(1, 4);
            for (int i = 0; i < burst; i++)
            {
                int length = random.Next(0, max + 1);
                long tail = FastQueueInfo.Inspect(_name).ProducerPosition;
                long record = SpscQueueDescriptor.RecordLength(length);
                long toEnd = capacity - (tail & (capacity - 1));
                long position = record <= toEnd ? tail : tail + toEnd;
                if (!q.TryReserve(length, out Span<byte> room))
                {
                    break;
                }

                FillWithFutureTags(room, seq, position, capacity);
                q.Commit();
                expected.Enqueue((seq, length, position));
                seq++;
            }

            while (q.TryPeek(out ReadOnlySpan<byte> m))
            {
                var (s0, length, position) = expected.Dequeue();
                Assert.Equal(length, m.Length);
                var copy = new byte[length];
                FillWithFutureTags(copy, s0, position, capacity);
                Assert.True(m.SequenceEqual(copy), $"message {s0} damaged");
                q.Release();
            }

            Assert.Empty(expected);
            Assert.True(q.IsEmpty);
            Assert.False(q.TryPeek(out _));
        }

        Assert.True(seq > 3000);
    }

    /// <summary>The payload of a record at <paramref name="position"/>: the sequence, then in each 8-byte word the commit tag a record starting at that word's bytes would carry one lap (odd words: two laps) later.</summary>
    private static void FillWithFutureTags(Span<byte> payload, long seq, long position, long capacity)
    {
        for (int offset = 0; offset + 8 <= payload.Length; offset += 8)
        {
            long at = position + SpscQueueDescriptor.RecordHeaderLength + offset;
            long value = offset == 0 ? seq : SpscQueueDescriptor.TagOf(at + (capacity * (1 + ((offset / 8) & 1))));
            BitConverter.TryWriteBytes(payload[offset..], value);
        }

        payload[(payload.Length & ~7)..].Fill((byte)seq);
    }

    [Theory]
    [InlineData(48, 64)]   // 64-byte records: every fourth ends exactly at the end of the ring
    [InlineData(112, 128)] // the largest message of a 256-byte ring: every other one ends exactly there
    public void ExactFitRecords_EndAtTheEndOfTheRing_WithoutPadding(int length, int record)
    {
        const long capacity = 256;
        using var q = SpscQueue.CreateNew(_name, capacity, 112);
        Assert.Equal(record, SpscQueueDescriptor.RecordLength(length));
        var buffer = new byte[length];
        long sent = 0, received = 0;
        var random = new Random(99);
        while (received < 1000)
        {
            // Keep the producer up to the ring's room ahead, so that exact fits happen with the ring full and empty.
            for (int i = random.Next(0, 4); i > 0; i--)
            {
                QueueMessage.Fill(buffer, sent + 1, 0);
                if (!q.TrySend(buffer))
                {
                    break;
                }

                sent++;
            }

            // No padding was ever needed: the records follow each other with no gap, across every wrap.
            Assert.Equal(sent * record, FastQueueInfo.Inspect(_name).ProducerPosition);
            Assert.Equal(sent - received, FastQueueInfo.Inspect(_name).Depth);
            while (q.TryReceive(buffer, out int n))
            {
                Assert.Equal(length, n);
                Assert.Equal(++received, Intact(buffer));
            }
        }
    }

    /// <summary>
    /// The crash window between a commit tag and the producer hint (a producer killed there; SIGKILL cannot be
    /// aimed at one instruction, so the test puts the hint back by hand): the next producer walks past the
    /// committed record instead of overwriting it, whether the consumer has read it already or not.
    /// </summary>
    [Fact]
    public void ProducerDiedBetweenTagAndHint_NextProducerWalksPastTheCommittedRecord()
    {
        using var q = SpscQueue.CreateNew(_name, 1024, 64);
        using var shm = SharedMemoryObject.OpenExisting(_name);
        using var region = new MappedRegion(shm);
        var buffer = new byte[64];

        q.Send(Message(buffer, 1));
        Assert.Equal(80, region.Read<long>(QueueHeaderDescriptor.ProducerPositionOffset));
        region.Write(QueueHeaderDescriptor.ProducerPositionOffset, 0L); // the hint was never stored
        using (var next = SpscQueue.OpenExisting(_name))
        {
            next.Send(Message(buffer, 2));
        }

        Assert.Equal(160, FastQueueInfo.Inspect(_name).ProducerPosition);
        Assert.Equal(1, ReceiveSeq(q, buffer));
        Assert.Equal(2, ReceiveSeq(q, buffer));

        // Now the consumer has read past the stale hint as well.
        q.Send(Message(buffer, 3));
        Assert.Equal(3, ReceiveSeq(q, buffer));
        region.Write(QueueHeaderDescriptor.ProducerPositionOffset, 160L);
        Assert.Equal(240, FastQueueInfo.Inspect(_name).ProducerPosition);
        using (var next = SpscQueue.OpenExisting(_name))
        {
            next.Send(Message(buffer, 4));
        }

        Assert.Equal(4, ReceiveSeq(q, buffer));
        Assert.False(q.TryPeek(out _));
        Assert.Equal(320, region.Read<long>(QueueHeaderDescriptor.ProducerPositionOffset));
    }

    /// <summary>
    /// The same crash window, seen by a producer handle that ran before: it stored the hint itself, another
    /// producer then committed a record at that very hint and died before moving it. The hint is the one the first
    /// handle remembers, so only the owner token in the header tells it that someone else produced since; it must
    /// check the ring and walk past the record instead of overwriting it.
    /// </summary>
    [Fact]
    public void ProducerDiedBetweenTagAndHint_TheHandleThatRanBefore_DoesNotOverwriteIt()
    {
        using var q = SpscQueue.CreateNew(_name, 1024, 64);
        using var shm = SharedMemoryObject.OpenExisting(_name);
        using var region = new MappedRegion(shm);
        var buffer = new byte[64];

        q.Send(Message(buffer, 1));
        using (var other = SpscQueue.OpenExisting(_name))
        {
            other.Send(Message(buffer, 2));
        }

        Assert.Equal(160, region.Read<long>(QueueHeaderDescriptor.ProducerPositionOffset));
        region.Write(QueueHeaderDescriptor.ProducerPositionOffset, 80L); // the other producer died before its hint
        q.Send(Message(buffer, 3));
        q.Send(Message(buffer, 4));

        Assert.Equal(1, ReceiveSeq(q, buffer));
        Assert.Equal(2, ReceiveSeq(q, buffer));
        Assert.Equal(3, ReceiveSeq(q, buffer));
        Assert.Equal(4, ReceiveSeq(q, buffer));
        Assert.False(q.TryPeek(out _));
        Assert.Equal(320, region.Read<long>(QueueHeaderDescriptor.ProducerPositionOffset));
    }

    /// <summary>
    /// The same window across processes: this process produces, a child process produces one message and exits,
    /// and the hint is put back to this handle's own tail (as if the child had died between its tag and its hint).
    /// This handle's next messages must go after the child's, which must arrive intact and in order.
    /// </summary>
    [Fact]
    public void ProducerChildDiedBetweenTagAndHint_ParentProducerDoesNotOverwriteIt()
    {
        const int max = 200;
        using var q = SpscQueue.CreateNew(_name, 4096, max);
        using var shm = SharedMemoryObject.OpenExisting(_name);
        using var region = new MappedRegion(shm);
        var buffer = new byte[max];
        for (long seq = 0; seq < 3; seq++)
        {
            q.Send(Filled(buffer, seq, max));
        }

        long ownTail = region.Read<long>(QueueHeaderDescriptor.ProducerPositionOffset);
        using (var child = Driver.Start("fq-spsc-send", _name, "3", "1", S(max), "copy"))
        {
            child.Expect("READY");
            child.Expect("DONE", TimeSpan.FromSeconds(30));
            Assert.Equal(0, child.WaitForExit());
        }

        Assert.True(region.Read<long>(QueueHeaderDescriptor.ProducerPositionOffset) > ownTail);
        region.Write(QueueHeaderDescriptor.ProducerPositionOffset, ownTail);
        q.Send(Filled(buffer, 4, max));
        q.Send(Filled(buffer, 5, max));

        for (long seq = 0; seq < 6; seq++)
        {
            Assert.True(q.TryReceive(buffer, out int n));
            Assert.Null(QueueMessage.Check(buffer.AsSpan(0, n), max, true, out long s, out _));
            Assert.Equal(QueueMessage.LengthFor(seq, max, true), n);
            Assert.True(n == 0 || s == seq, $"expected {seq}, got {s}");
        }

        Assert.True(q.IsEmpty);
    }

    private static ReadOnlySpan<byte> Filled(byte[] buffer, long seq, int max)
    {
        Span<byte> message = buffer.AsSpan(0, QueueMessage.LengthFor(seq, max, allowEmpty: true));
        QueueMessage.Fill(message, seq, 0);
        return message;
    }

    private static ReadOnlySpan<byte> Message(byte[] buffer, long seq)
    {
        QueueMessage.Fill(buffer, seq, 0);
        return buffer;
    }

    private static long ReceiveSeq(SpscQueue q, byte[] buffer)
    {
        Assert.True(q.TryReceive(buffer, out int n));
        Assert.Equal(buffer.Length, n);
        return Intact(buffer);
    }

    /// <summary>The sequence of a message filled by QueueMessage.Fill at its full length, every byte checked.</summary>
    private static long Intact(byte[] message)
    {
        long seq = BitConverter.ToInt64(message);
        var expected = new byte[message.Length];
        QueueMessage.Fill(expected, seq, 0);
        Assert.True(expected.AsSpan().SequenceEqual(message), $"message {seq} is damaged");
        return seq;
    }

    /// <summary>
    /// The lost wake-up race of the commit-tag publication, many times across two processes: each child makes
    /// its sleeps unbounded (a lost wake-up hangs it instead of costing 100 ms) and answers after a random
    /// moment, so that the peer's wait ends while spinning, yielding, registering as a sleeper or asleep. A
    /// small ring with messages of every length wraps (paddings) and fills throughout.
    /// </summary>
    /// <remarks>
    /// Also with both children pinned to one CPU (null = not pinned), to the same one or to two: a process pinned to
    /// one CPU waits in short spins between yields (<c>Processors.MayShareCore</c>).
    /// </remarks>
    [Theory]
    [InlineData(null, null)]
    [InlineData(0, 0)]
    [InlineData(0, 1)]
    public void WakeUpRace_ManyRoundTripsAcrossProcesses_NoWakeUpIsLost(int? pingCpu, int? pongCpu)
    {
        string pong = _name + "-pong";
        try
        {
            const int max = 100;
            const long count = 20_000;
            using var a = SpscQueue.CreateNew(_name, 256, max);
            using var b = SpscQueue.CreateNew(pong, 256, max);
            using var pinger = Driver.StartOnCpu(pingCpu, "fq-spsc-race", pong, _name, "ping", S(count), S(max), "1");
            using var ponger = Driver.StartOnCpu(pongCpu, "fq-spsc-race", _name, pong, "pong", S(count), S(max), "2");
            pinger.Expect("READY");
            ponger.Expect("READY");
            pinger.Send("go");
            ponger.Send("go");
            pinger.Expect("DONE", TimeSpan.FromMinutes(3));
            ponger.Expect("DONE", TimeSpan.FromMinutes(3));
            Assert.Equal(0, pinger.WaitForExit());
            Assert.Equal(0, ponger.WaitForExit());
            Assert.True(a.IsEmpty && b.IsEmpty);
        }
        finally
        {
            SpscQueue.Remove(pong);
        }
    }
}
