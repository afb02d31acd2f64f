using System.Diagnostics;
using System.Globalization;
using Interprocess.Memory;
using Interprocess.Queues;
using Interprocess.Synchronization;
using Interprocess.Tests.Infrastructure;
using Interprocess.TestDriver.Queues;
using Xunit.Abstractions;
using D = Interprocess.Queues.BroadcastQueueDescriptor;
using H = Interprocess.Queues.QueueHeaderDescriptor;

namespace Interprocess.Tests.Queues;

/// <summary>
/// BroadcastQueue under SIGKILL: producers killed at random moments (often in the middle of the copy into a
/// slot, the slot odd and the producer mutex held) and at chosen steps of a publish; subscribers killed at
/// random moments. Every message is a <see cref="PooledMessage"/> (every byte a function of producer and
/// sequence) and every subscriber's stream is compared, position by position, with a reference subscriber.
/// </summary>
public sealed class BroadcastQueueCrashTests : IDisposable
{
    private readonly string _name = UniqueName.New("bcast");
    private readonly ITestOutputHelper _output;

    public BroadcastQueueCrashTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => BroadcastQueue.Remove(_name);

    private static string S(long n) => n.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// 20 rounds; in each, a producer process publishes up to <c>perProducer</c> messages and is killed when
    /// ProducerPosition reaches a random point of its run, plus a random fraction of a publish; a subscriber process
    /// that subscribed just before it is killed the same way. Four subscriber processes run throughout; one of them
    /// is slow and usually lapped (it sleeps after each message with large messages; with small ones the test reads
    /// its output only at the end, so it stalls on the full pipe). After each round the test drains its own handle, the
    /// reference, which records what was completed at each position and must reach ProducerPosition; every other
    /// subscriber must have received exactly that, position by position, with nothing lost (<c>perProducer</c> is
    /// less than the capacity and they catch up between rounds, so none can be lapped), and the slow subscriber's
    /// messages must be the reference's at the positions its <c>lost</c> reports put them. "large": messages of
    /// 3/4 MiB to 1 MiB, so a kill mostly lands in the copy into the slot (odd sequence, mutex held; in one round
    /// of four the kill waits until the slot is seen odd); "small": 16 to 256 bytes, so kills land in every step.
    /// </summary>
    [Theory]
    [InlineData("large")]
    [InlineData("small")]
    public void ProducersAndSubscribersKilledAtRandomMoments_EverySubscriberGetsEveryCompletedMessageOnce_InOrder_NothingTorn(string size)
    {
        const int rounds = 20;
        bool large = size == "large";
        // Small messages: many per producer, so that a producer's run is long next to the test's reaction time.
        int capacity = large ? 32 : 16384;
        int perProducer = capacity / 2;
        var random = new Random(large ? 4711 : 4712);
        using var q = BroadcastQueue.CreateNew(_name, capacity, large ? PooledMessage.MaxLength : 256);
        using var shm = SharedMemoryObject.OpenExisting(_name);
        using var region = new MappedRegion(shm);
        var buffer = new byte[q.MaxMessageSize];
        // Touch every page of the slots once (they are zero: "never written"), so that the first producers'
        // copies are not slowed by page faults and the measured run below is that of a producer.
        region.GetSpan(H.DataOffset, (int)(region.Size - H.DataOffset)).Clear();
        var reference = new List<(int Producer, long Seq)>();
        var subscribers = new List<Subscriber>();
        try
        {
            for (int i = 0; i < 3; i++)
            {
                subscribers.Add(new Subscriber(Driver.Start("fq-bcast-kill-recv", _name, "0", S(i)), start: 0, lossAllowed: false));
            }

            var slow = new Subscriber(Driver.Start("fq-bcast-kill-recv", _name, large ? "100" : "0", "99"), start: 0, lossAllowed: true);
            subscribers.Add(slow);
            subscribers.ForEach(s => s.Driver.Expect("READY", TimeSpan.FromSeconds(60)));

            // Producer 0 is not killed: how long a publish takes here, with these subscribers (for the kill jitter).
            long perMessageUs = RunProducer(region, 0, perProducer, size);
            Drain(region, q, buffer, 0, reference);
            Assert.Equal(perProducer, reference.Count);
            subscribers.Where(s => s != slow).ToList().ForEach(s => s.CatchUp(reference, "producer 0"));
            _output.WriteLine($"{size}: about {perMessageUs} us per message");

            int holding = 0, writing = 0;
            for (int round = 1; round <= rounds; round++)
            {
                bool atOddSlot = large && round % 4 == 1;
                using var producer = Driver.Start("fq-bcast-kill-send", _name, S(round), S(perProducer), size);
                using var victimDriver = Driver.Start("fq-bcast-kill-recv", _name, "0", S(1000 + round));
                producer.Expect("READY", TimeSpan.FromSeconds(60));
                victimDriver.Expect("READY", TimeSpan.FromSeconds(60));
                // Nothing is being published now: the victim's cursor started at ProducerPosition.
                var before = SlotState.Read(region);
                var victim = new Subscriber(victimDriver, before.Position, lossAllowed: false);

                // The moments: when ProducerPosition reaches a random point of this producer's run, plus a random
                // fraction of a publish (a moment in wall-clock time would mostly fall before the first publish
                // or after the last one, the speed of a process start and of a publish vary so much here).
                long producerAt = before.Position + random.Next(atOddSlot ? perProducer / 2 : perProducer);
                long victimAt = before.Position + random.Next(perProducer);
                producer.Send("go");
                if (victimAt <= producerAt)
                {
                    WaitForPosition(region, victimAt, round);
                    Jitter(random, perMessageUs);
                    victimDriver.Kill();
                }

                WaitForPosition(region, producerAt, round);
                if (atOddSlot)
                {
                    WaitForOddSlot(region, before.Position + perProducer);
                }
                else
                {
                    Jitter(random, perMessageUs);
                }

                producer.Kill();
                if (victimAt > producerAt)
                {
                    Jitter(random, perMessageUs);
                    victimDriver.Kill();
                }

                // Where the kill landed: the mutex abandoned with a slot state this producer made (so it was this
                // producer that held it), and whether in the middle of writing that slot (odd sequence).
                var after = SlotState.Read(region);
                bool held = after.Abandoned && after != before;
                bool odd = held && after.Sequence == D.Writing(after.Position);
                holding += held ? 1 : 0;
                writing += odd ? 1 : 0;
                _output.WriteLine($"round {round}{(atOddSlot ? " (kill at an odd slot)" : "")}: producer killed after position {producerAt}{(held ? ", holding the mutex" : "")}{(odd ? ", writing position " + S(after.Position) : "")}; subscriber killed after position {victimAt}; position {after.Position}");

                // The next producer (next round) takes over. Check what this one completed, in every subscriber.
                int completed = reference.Count;
                Drain(region, q, buffer, round, reference);
                foreach (var s in subscribers.Where(s => s != slow))
                {
                    s.CatchUp(reference, $"round {round}");
                }

                victim.ReadToEnd(reference, $"round {round}, killed subscriber");
                _output.WriteLine($"  {reference.Count - completed} messages completed; the killed subscriber had {victim.Position - victim.Start + 1}");
            }

            // A last producer, not killed: the queue still works, and the slow subscriber catches up (or is told what it lost).
            RunProducer(region, rounds + 1, perProducer, size);
            int last = reference.Count;
            Drain(region, q, buffer, rounds + 1, reference);
            Assert.Equal(perProducer, reference.Count - last);
            subscribers.ForEach(s => s.CatchUp(reference, "last producer"));
            _output.WriteLine($"{reference.Count} messages completed; of {rounds} producers killed, {holding} held the mutex, {writing} of them writing a slot; the slow subscriber lost {slow.Lost}");
            if (large)
            {
                Assert.True(writing > 0, "no producer was killed while writing a slot: the test did not test what it says");
            }
        }
        finally
        {
            subscribers.ForEach(s => s.Driver.Dispose());
        }
    }

    /// <summary>
    /// Runs producer <paramref name="id"/> to its end (not killed); returns the microseconds per message of the
    /// second half of its run (the first includes the processes' warm-up), at least 1.
    /// </summary>
    private long RunProducer(MappedRegion region, int id, int count, string size)
    {
        using var producer = Driver.Start("fq-bcast-kill-send", _name, S(id), S(count), size);
        producer.Expect("READY", TimeSpan.FromSeconds(60));
        long start = Volatile.Read(ref region.GetRef<long>(H.ProducerPositionOffset));
        producer.Send("go");
        WaitForPosition(region, start + (count / 2), id);
        var clock = Stopwatch.StartNew();
        WaitForPosition(region, start + count, id);
        long us = (long)clock.Elapsed.TotalMicroseconds;
        producer.Expect("DONE", TimeSpan.FromSeconds(60));
        return Math.Max(1, us / (count - (count / 2)));
    }

    [Fact]
    public void ProducerKilledInTheMiddleOfTheCopy_MutexHeld_NextProducerWritesThePositionAgain_NothingHalfWrittenIsDelivered()
    {
        const int max = 4096;
        using var q = BroadcastQueue.CreateNew(_name, 8, max);
        using var early = BroadcastQueue.OpenExisting(_name);
        using var shm = SharedMemoryObject.OpenExisting(_name);
        using var region = new MappedRegion(shm);
        Publish(q, 1, 0, 3, max);
        using var late = BroadcastQueue.OpenExisting(_name);
        var buffer = new byte[max];
        using (var dying = Driver.Start("fq-bcast-die-publishing", _name, "writing", "2", "0", "4000"))
        {
            dying.Expect("WRITING 3", TimeSpan.FromSeconds(60));
            Assert.Equal(D.Writing(3), region.Read<long>(SlotOffset(region, 3) + D.SequenceOffset));
            Assert.False(late.TryReceive(buffer, out _, out _)); // half-written: not visible
            dying.Kill();
        }

        Assert.True(region.GetRef<InterprocessMutex>(H.ProducerLockOffset).IsAbandoned);
        Assert.False(late.TryReceive(buffer, out _, out _)); // still not visible after the death

        // The next producer takes the abandoned mutex over and writes position 3 again.
        var next = Background.Start(() => Publish(q, 3, 0, 2, max));
        next.Join(TimeSpan.FromSeconds(30));
        Expect(early, buffer, [(1, 0), (1, 1), (1, 2), (3, 0), (3, 1)]);
        Expect(late, buffer, [(3, 0), (3, 1)]);
        Assert.Equal(5, region.Read<long>(H.ProducerPositionOffset));
    }

    [Fact]
    public void ProducerKilledBetweenCompletingAndAdvancing_TheCompletedMessageIsDeliveredOnce_AndTheNextOneIsNotLost()
    {
        const int max = 4096;
        using var q = BroadcastQueue.CreateNew(_name, 8, max);
        using var a = BroadcastQueue.OpenExisting(_name);
        using var b = BroadcastQueue.OpenExisting(_name);
        using var shm = SharedMemoryObject.OpenExisting(_name);
        using var region = new MappedRegion(shm);
        var buffer = new byte[max];
        Publish(q, 1, 0, 3, max);
        Expect(a, buffer, [(1, 0), (1, 1), (1, 2)]);
        Expect(b, buffer, [(1, 0), (1, 1), (1, 2)]);
        using (var dying = Driver.Start("fq-bcast-die-publishing", _name, "complete", "2", "0", "3000"))
        {
            dying.Expect("COMPLETE 3", TimeSpan.FromSeconds(60));
            // Complete: a subscriber receives it before the producer dies (b has not looked yet).
            Expect(a, buffer, [(2, 0)]);
            dying.Kill();
        }

        Assert.True(region.GetRef<InterprocessMutex>(H.ProducerLockOffset).IsAbandoned);
        Assert.Equal(3, region.Read<long>(H.ProducerPositionOffset)); // the position was not advanced

        // The next producer must not write position 3 again: a has it, b has yet to get it.
        var next = Background.Start(() => Publish(q, 3, 0, 2, max));
        next.Join(TimeSpan.FromSeconds(30));
        Expect(a, buffer, [(3, 0), (3, 1)]);
        Expect(b, buffer, [(2, 0), (3, 0), (3, 1)]);
        Assert.Equal(6, region.Read<long>(H.ProducerPositionOffset));
    }

    /// <summary>Publishes messages <paramref name="from"/>.. (<paramref name="count"/> of them) of <paramref name="producer"/>.</summary>
    private static void Publish(BroadcastQueue q, int producer, long from, int count, int max)
    {
        var message = new byte[max];
        for (long seq = from; seq < from + count; seq++)
        {
            int length = PooledMessage.HeaderLength + (int)((seq * 977) % (max - PooledMessage.HeaderLength));
            PooledMessage.Fill(message.AsSpan(0, length), seq, producer);
            q.Send(message.AsSpan(0, length));
        }
    }

    /// <summary>Receives exactly <paramref name="expected"/>, each intact and with nothing lost, then nothing more.</summary>
    private static void Expect(BroadcastQueue q, byte[] buffer, (int Producer, long Seq)[] expected)
    {
        foreach (var (producer, seq) in expected)
        {
            Assert.True(q.TryReceive(buffer, out int n, out long lost, TimeSpan.FromSeconds(10)), $"message {seq} of producer {producer} did not arrive");
            Assert.Null(PooledMessage.Check(buffer.AsSpan(0, n), out long s, out int p));
            Assert.Equal((producer, seq, 0L), (p, s, lost));
        }

        Assert.False(q.TryReceive(buffer, out _, out _));
    }

    /// <summary>
    /// Drains the reference handle (no producer is running): every message intact, none lost, all from
    /// <paramref name="producer"/> (the only one since the last drain) and numbered on from the last (a producer's
    /// first message is 0); and it got every position below ProducerPosition (nothing published is left
    /// unreachable behind a slot a dead producer left).
    /// </summary>
    private static void Drain(MappedRegion region, BroadcastQueue q, byte[] buffer, int producer, List<(int Producer, long Seq)> reference)
    {
        while (q.TryReceive(buffer, out int n, out long lost))
        {
            string? bad = PooledMessage.Check(buffer.AsSpan(0, n), out long seq, out int p);
            Assert.True(bad is null, $"reference, after producer {producer}: {bad}");
            long expected = reference.Count > 0 && reference[^1].Producer == producer ? reference[^1].Seq + 1 : 0;
            Assert.True(lost == 0 && p == producer && seq == expected, $"reference: got message {seq} of producer {p} with {lost} lost, expected {expected} of {producer}");
            reference.Add((p, seq));
        }

        long published = Volatile.Read(ref region.GetRef<long>(H.ProducerPositionOffset));
        Assert.True(reference.Count >= published, $"after producer {producer}: ProducerPosition is {published}, but a subscriber gets no further than position {reference.Count}");
    }

    private static long SlotOffset(MappedRegion region, long position) =>
        H.DataOffset + ((position & (region.Read<long>(H.CapacityOffset) - 1)) * region.Read<int>(H.ElementSizeOffset));

    /// <summary>Spins 0 to <paramref name="maxMicroseconds"/> µs, at random.</summary>
    private static void Jitter(Random random, long maxMicroseconds)
    {
        long until = Stopwatch.GetTimestamp() + (random.NextInt64(maxMicroseconds + 1) * Stopwatch.Frequency / 1_000_000);
        while (Stopwatch.GetTimestamp() < until)
        {
            Thread.SpinWait(10);
        }
    }

    /// <summary>Waits until ProducerPosition reaches <paramref name="position"/>; fails if the producer does not get there (blocked).</summary>
    private static void WaitForPosition(MappedRegion region, long position, int producer)
    {
        var clock = Stopwatch.StartNew();
        while (Volatile.Read(ref region.GetRef<long>(H.ProducerPositionOffset)) < position)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"producer {producer} did not publish up to position {position} in 30 s (blocked by the one killed before it?)");
            Thread.SpinWait(10);
        }
    }

    /// <summary>Waits until the slot at ProducerPosition is being written (odd), or the position reaches <paramref name="end"/> (the producer finished first).</summary>
    private static void WaitForOddSlot(MappedRegion region, long end)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            long pos = Volatile.Read(ref region.GetRef<long>(H.ProducerPositionOffset));
            if (pos >= end)
            {
                return;
            }

            if (Volatile.Read(ref region.GetRef<long>(SlotOffset(region, pos) + D.SequenceOffset)) == D.Writing(pos))
            {
                return;
            }

            Thread.SpinWait(10);
        }
    }

    /// <summary>ProducerPosition, the sequence and length of its slot, and whether the producer mutex is marked abandoned.</summary>
    private readonly record struct SlotState(long Position, long Sequence, int Length, bool Abandoned)
    {
        public static SlotState Read(MappedRegion region)
        {
            long pos = Volatile.Read(ref region.GetRef<long>(H.ProducerPositionOffset));
            long slot = SlotOffset(region, pos);
            return new SlotState(
                pos,
                Volatile.Read(ref region.GetRef<long>(slot + D.SequenceOffset)),
                region.Read<int>(slot + D.LengthOffset),
                region.GetRef<InterprocessMutex>(H.ProducerLockOffset).IsAbandoned);
        }
    }

    /// <summary>
    /// A subscriber process and where it is: <see cref="Position"/> is the queue position of the last message it
    /// printed, counted from its start with the queue's own <c>lost</c> reports (position = previous + 1 + lost).
    /// </summary>
    private sealed class Subscriber(Driver driver, long start, bool lossAllowed)
    {
        public Driver Driver { get; } = driver;

        /// <summary>The position of its first message (its cursor when it subscribed).</summary>
        public long Start { get; } = start;

        public long Position { get; private set; } = start - 1;

        public long Lost { get; private set; }

        /// <summary>Reads its lines until it has printed the last message of <paramref name="reference"/>, checking each.</summary>
        public void CatchUp(List<(int Producer, long Seq)> reference, string when)
        {
            while (Position < reference.Count - 1)
            {
                Take(Driver.ReadLine(TimeSpan.FromSeconds(30)), reference, when);
            }
        }

        /// <summary>Reads the lines of a killed subscriber, checking each.</summary>
        public void ReadToEnd(List<(int Producer, long Seq)> reference, string when)
        {
            while (Driver.TryReadLine(out string line, TimeSpan.FromSeconds(30)))
            {
                Take(line, reference, when);
            }
        }

        /// <summary>
        /// One line: an intact message (the driver checked every byte), at the position its lost count says,
        /// which must be the reference's message at that position (so nothing duplicated, reordered, stale or
        /// never published, and losses exactly as reported).
        /// </summary>
        private void Take(string line, List<(int Producer, long Seq)> reference, string when)
        {
            Assert.False(line.StartsWith("BAD", StringComparison.Ordinal), $"{when}: subscriber {Driver.Pid}: {line}");
            var parts = line.Split(' ');
            Assert.True(parts.Length == 4 && parts[0] == "M", $"{when}: subscriber {Driver.Pid} printed '{line}'. stderr: {Driver.StdErr}");
            int producer = int.Parse(parts[1], CultureInfo.InvariantCulture);
            long seq = long.Parse(parts[2], CultureInfo.InvariantCulture);
            long lost = long.Parse(parts[3], CultureInfo.InvariantCulture);
            Assert.True(lossAllowed || lost == 0, $"{when}: subscriber {Driver.Pid} lost {lost} messages before message {seq} of producer {producer}, but it cannot have been lapped");
            long pos = Position + 1 + lost;
            Assert.True(pos < reference.Count, $"{when}: subscriber {Driver.Pid} got message {seq} of producer {producer} at position {pos}, past the {reference.Count} completed");
            Assert.True(reference[(int)pos] == (producer, seq), $"{when}: subscriber {Driver.Pid} got message {seq} of producer {producer} at position {pos}, where message {reference[(int)pos].Seq} of producer {reference[(int)pos].Producer} was completed");
            Position = pos;
            Lost += lost;
        }
    }
}
