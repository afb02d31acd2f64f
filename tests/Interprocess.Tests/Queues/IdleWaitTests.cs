using System.Globalization;
using Interprocess.Memory;
using Interprocess.Queues;
using Interprocess.Tests.Infrastructure;

namespace Interprocess.Tests.Queues;

/// <summary>
/// A side blocked on an empty queue (a consumer) or a full one (a producer) sleeps: it uses almost no CPU, for
/// every kind of queue. The blocked side is a child process; it measures its own processor time around the one
/// blocking call, which this test ends after a second by sending (or receiving) a message.
/// </summary>
public sealed class IdleWaitTests : IDisposable
{
    /// <summary>CPU a side may use while blocked for about a second: its spin (at most 100 µs), a few yields, and ten 100 ms sleep slices.</summary>
    private const long MaxCpuMilliseconds = 50;

    private readonly string _name = UniqueName.New("idle");

    public void Dispose() => SharedMemoryObject.Remove(_name);

    [Theory]
    [InlineData("spsc", "recv")]
    [InlineData("spsc", "send")]
    [InlineData("mpmc", "recv")]
    [InlineData("mpmc", "send")]
    [InlineData("bcast", "recv")]
    [InlineData("mq", "recv")]
    [InlineData("mq", "send")]
    public void BlockedForOneSecond_UsesAlmostNoCpu(string kind, string side) => BlockedForOneSecond(kind, side, pinned: false);

    /// <summary>A blocked side in a process pinned to one CPU, which spins before it sleeps as an unpinned one does, still sleeps.</summary>
    [Theory]
    [InlineData("spsc", "recv")]
    [InlineData("mpmc", "send")]
    [InlineData("mq", "recv")]
    [InlineData("mq", "send")]
    public void BlockedForOneSecond_PinnedToOneCpu_UsesAlmostNoCpu(string kind, string side) => BlockedForOneSecond(kind, side, pinned: true);

    private void BlockedForOneSecond(string kind, string side, bool pinned)
    {
        using IDisposable q = kind switch
        {
            "spsc" => SpscQueue.CreateNew(_name, 1024, 64),
            "mpmc" => MpmcQueue.CreateNew(_name, 4, 64),
            "bcast" => BroadcastQueue.CreateNew(_name, 4, 64),
            _ => MessageQueue.Create(_name, 2, 64),
        };
        var message = new byte[8];
        int filled = 0;
        if (side == "send")
        {
            while (TrySend(q, message))
            {
                filled++;
            }

            Assert.True(filled > 0, "the queue took no message");
        }

        using var child = Driver.StartOnCpu(pinned ? 0 : null, "fq-idle", kind, side, _name);
        child.Expect("READY");
        Thread.Sleep(1000);
        if (side == "send")
        {
            Assert.True(TryReceive(q), "the full queue had no message to receive");
        }
        else
        {
            Send(q, message);
        }

        string line = child.ReadLine(TimeSpan.FromSeconds(30));
        Assert.StartsWith("CPU ", line, StringComparison.Ordinal);
        long ms = long.Parse(line.AsSpan(4), CultureInfo.InvariantCulture);
        Assert.True(ms < MaxCpuMilliseconds, $"the blocked {kind} {side} used {ms} ms of CPU in about 1 s");
        if (side == "send")
        {
            // The blocked send went through once room was made: the queue is full again, with the same count.
            int after = 0;
            while (TryReceive(q))
            {
                after++;
            }

            Assert.Equal(filled, after);
        }
    }

    private static bool TrySend(IDisposable q, byte[] message) => q switch
    {
        SpscQueue spsc => spsc.TrySend(message),
        MpmcQueue mpmc => mpmc.TrySend(message),
        MessageQueue mq => mq.TrySend(message, 0),
        _ => throw new ArgumentException("a broadcast publisher never waits", nameof(q)),
    };

    private static void Send(IDisposable q, byte[] message)
    {
        switch (q)
        {
            case SpscQueue spsc: spsc.Send(message); break;
            case MpmcQueue mpmc: mpmc.Send(message); break;
            case BroadcastQueue bcast: bcast.Send(message); break;
            case MessageQueue mq: mq.Send(message, 0); break;
        }
    }

    private static bool TryReceive(IDisposable q)
    {
        var buffer = new byte[64];
        return q switch
        {
            SpscQueue spsc => spsc.TryReceive(buffer, out _),
            MpmcQueue mpmc => mpmc.TryReceive(buffer, out _),
            MessageQueue mq => mq.TryReceive(buffer, out _, out _),
            _ => throw new ArgumentException("not used with a broadcast queue", nameof(q)),
        };
    }
}
