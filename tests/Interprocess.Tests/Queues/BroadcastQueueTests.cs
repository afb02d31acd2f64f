using System.Globalization;
using Interprocess.Queues;
using Interprocess.Tests.Infrastructure;
using Interprocess.TestDriver.Queues;

namespace Interprocess.Tests.Queues;

public sealed class BroadcastQueueTests : IDisposable
{
    private const int Max = 200;
    private readonly string _name = UniqueName.New("bcast");

    public void Dispose() => BroadcastQueue.Remove(_name);

    private static string S(long n) => n.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public void ThreeSubscriberProcesses_EachGetsEveryMessageOrIsToldWhatItLost()
    {
        const long count = 20_000;
        using var q = BroadcastQueue.CreateNew(_name, 1024, Max);
        var subscribers = Enumerable.Range(0, 3).Select(_ => Driver.Start("fq-bcast-recv", _name, S(count), S(Max))).ToList();
        using var producer = Driver.Start("fq-bcast-send", _name, "0", S(count), S(Max));
        try
        {
            foreach (var s in subscribers)
            {
                s.Expect("READY", TimeSpan.FromSeconds(30));
            }

            producer.Expect("READY", TimeSpan.FromSeconds(30));
            producer.Send("go");
            producer.Expect("DONE", TimeSpan.FromSeconds(60));
            foreach (var s in subscribers)
            {
                string line = s.ReadLine(TimeSpan.FromSeconds(60));
                Assert.StartsWith("DONE ", line, StringComparison.Ordinal);
                var parts = line.Split(' ');
                Assert.Equal(count, long.Parse(parts[1], CultureInfo.InvariantCulture) + long.Parse(parts[2], CultureInfo.InvariantCulture));
                Assert.Equal(0, s.WaitForExit());
            }
        }
        finally
        {
            subscribers.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public void SlowSubscriber_IsLapped_AndToldHowManyItLost()
    {
        using var q = BroadcastQueue.CreateNew(_name, 8, 16);
        using var sub = BroadcastQueue.OpenExisting(_name);
        for (long i = 0; i < 20; i++)
        {
            q.Send(BitConverter.GetBytes(i));
        }

        var buffer = new byte[16];
        Assert.True(sub.TryReceive(buffer, out int n, out long lost));
        Assert.Equal(8, n);
        Assert.Equal(13, BitConverter.ToInt64(buffer));
        Assert.Equal(13, lost);
        for (long i = 14; i < 20; i++)
        {
            Assert.True(sub.TryReceive(buffer, out _, out lost));
            Assert.Equal(0, lost);
            Assert.Equal(i, BitConverter.ToInt64(buffer));
        }

        Assert.False(sub.TryReceive(buffer, out _, out _));
        Assert.Equal(13, sub.LostMessages);
    }
}
