using System.Globalization;
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

    /// <summary>Three producer and three consumer processes, zero-copy (reserve/commit, peek/release) or copying (Send/Receive, with their waiting paths).</summary>
    [Theory]
    [InlineData("zc")]
    [InlineData("copy")]
    public void ThreeProducerAndThreeConsumerProcesses_EveryMessageIsDeliveredExactlyOnce(string mode)
    {
        const long perProducer = 5000;
        using var q = MpmcQueue.CreateNew(_name, 64, Max);
        var consumers = Enumerable.Range(0, 3).Select(_ => Driver.Start("fq-mpmc-recv", _name, S(Max), mode)).ToList();
        var producers = Enumerable.Range(0, 3).Select(p => Driver.Start("fq-mpmc-send", _name, S(p), "0", S(perProducer), S(Max), mode)).ToList();
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
