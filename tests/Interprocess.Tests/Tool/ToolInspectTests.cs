using Interprocess.Managed;
using Interprocess.Queues;
using Interprocess.Synchronization;
using Interprocess.Tests.Infrastructure;

namespace Interprocess.Tests.Tool;

/// <summary>`interprocess inspect` on objects the test creates, and on a lock held by a child process.</summary>
public sealed class ToolInspectTests
{
    /// <summary>An element type with a recognizable name and size.</summary>
    private readonly record struct Position(double X, double Y, double Z);

    [Fact]
    public void Segment_ShowsSizeFreeMemoryAlgorithmIndexTheThreeNamedObjectsAndSanity()
    {
        string name = UniqueName.New("tool-seg");
        try
        {
            using var segment = ManagedSharedMemory.CreateNew(name, 1 << 20, options: new ManagedSegmentOptions { Algorithm = AllocationAlgorithm.SequentialFit, Index = NameIndexKind.Ordered });
            segment.Manager.Construct("counter", 42L);
            segment.Manager.ConstructArray<int>("totals", 100, 0);
            segment.Manager.Construct("origin", new Position(1, 2, 3));
            segment.Manager.ConstructUnique(7);
            long free = segment.Manager.GetFreeMemory();

            var r = ToolRunner.Run("inspect", name);

            Assert.True(r.ExitCode == 0, r.ToString());
            var f = Fields(r.Stdout);
            Assert.Equal("segment (ManagedSharedMemory)", f["kind"]);
            Assert.StartsWith("1048576 B", f["segment size"]);
            Assert.StartsWith($"{free} B", f["free memory"]);
            Assert.Equal("SequentialFit", f["algorithm"]);
            Assert.Equal("Ordered", f["name index"]);
            Assert.Equal("3", f["named objects"]);
            Assert.Equal("1", f["unique objects"]);
            Assert.Equal("ok", f["sanity"]);
            Assert.Matches(@"counter +System\.Int64 +8 +1 +8 ", r.Stdout);
            Assert.Matches(@"totals +System\.Int32 +4 +100 +400 ", r.Stdout);
            Assert.Matches(@"origin +\S*Position +24 +1 +24 ", r.Stdout);
        }
        finally
        {
            ManagedSharedMemory.Remove(name);
        }
    }

    [Fact]
    public void MessageQueue_WithTwoMessages_ShowsCapacityDepthAndBlockedParties()
    {
        string name = UniqueName.New("tool-mq");
        try
        {
            using var q = MessageQueue.Create(name, maxMessages: 5, maxMessageSize: 32);
            q.Send("one"u8, 1);
            q.Send("two"u8, 2);

            var r = ToolRunner.Run("inspect", name, "--kind", "queue");

            Assert.True(r.ExitCode == 0, r.ToString());
            var f = Fields(r.Stdout);
            Assert.Equal("queue (MessageQueue)", f["kind"]);
            Assert.Equal("5 messages", f["capacity"]);
            Assert.Equal("32 bytes", f["max message size"]);
            Assert.Equal("2 messages", f["depth"]);
            Assert.Equal("0", f["blocked senders"]);
            Assert.Equal("0", f["blocked receivers"]);
            Assert.Equal("free", f["lock"]);
        }
        finally
        {
            MessageQueue.Remove(name);
        }
    }

    [Fact]
    public void FastQueues_ShowCapacityAndDepth()
    {
        string spsc = UniqueName.New("tool-spsc"), mpmc = UniqueName.New("tool-mpmc"), bcast = UniqueName.New("tool-bc");
        try
        {
            using var s = SpscQueue.CreateNew(spsc, 4096, 100);
            using var m = MpmcQueue.CreateNew(mpmc, 8, 64);
            using var b = BroadcastQueue.CreateNew(bcast, 4, 64);
            s.Send("a"u8);
            s.Send("bb"u8);
            for (int i = 0; i < 3; i++)
            {
                m.Send("ccc"u8);
            }

            for (int i = 0; i < 6; i++)
            {
                b.Send("d"u8);
            }

            var fs = Fields(Ok(ToolRunner.Run("inspect", spsc)));
            Assert.Equal("queue (SpscQueue)", fs["kind"]);
            Assert.Equal("4096 bytes", fs["capacity"]);
            Assert.Equal("100 bytes", fs["max message size"]);
            Assert.Equal("2 messages", fs["depth"]);
            Assert.Equal("none", fs["blocked receivers"]);

            var fm = Fields(Ok(ToolRunner.Run("inspect", mpmc)));
            Assert.Equal("8 messages", fm["capacity"]);
            Assert.Equal("3 messages", fm["depth"]);
            Assert.Equal("none", fm["claimed slots"]);

            var fb = Fields(Ok(ToolRunner.Run("inspect", bcast)));
            Assert.StartsWith("4 messages in the ring", fb["depth"]);
            Assert.Equal("6", fb["producer position"]);
            Assert.Equal("free", fb["producer lock"]);
        }
        finally
        {
            SpscQueue.Remove(spsc);
            MpmcQueue.Remove(mpmc);
            BroadcastQueue.Remove(bcast);
        }
    }

    [Fact]
    public void NamedMutex_HeldByAChild_ThenByAKilledChild_ShowsTheOwnerThenADeadOwner()
    {
        string name = UniqueName.New("tool-mtx");
        try
        {
            using var mutex = NamedMutex.CreateNew(name);
            Assert.Equal("free", Fields(Ok(ToolRunner.Run("inspect", name)))["state"]);

            using (var child = Driver.Start("named-mutex-hold", name))
            {
                child.Expect("LOCKED");
                var held = Fields(Ok(ToolRunner.Run("inspect", name, "--kind", "sync")));
                Assert.Equal("sync (NamedMutex)", held["kind"]);
                Assert.Equal("held", held["state"]);
                Assert.Contains($"of pid {child.Pid} ", held["holder"]);
                Assert.EndsWith("alive", held["holder"]);

                child.Kill();
            }

            var dead = Fields(Ok(ToolRunner.Run("inspect", name)));
            Assert.Equal("abandoned", dead["state"]);
            Assert.StartsWith("dead", dead["holder"]);

            // What the tool said is what the next locker finds; inspecting changed nothing.
            Assert.Equal(LockStatus.AcquiredAbandoned, mutex.Acquire(TimeSpan.FromSeconds(10)));
            mutex.Unlock();
            Assert.Equal("free", Fields(Ok(ToolRunner.Run("inspect", name)))["state"]);
        }
        finally
        {
            NamedMutex.Remove(name);
        }
    }

    [Fact]
    public void NamedSemaphore_ShowsItsCount()
    {
        string name = UniqueName.New("tool-sem");
        try
        {
            using var sem = NamedSemaphore.CreateNew(name, 3);
            sem.Post();

            var f = Fields(Ok(ToolRunner.Run("inspect", name)));

            Assert.Equal("sync (NamedSemaphore)", f["kind"]);
            Assert.Equal("4", f["count"]);
        }
        finally
        {
            NamedSemaphore.Remove(name);
        }
    }

    [Fact]
    public void UnknownName_ExitCode2()
    {
        string name = UniqueName.New("tool-none");

        var r = ToolRunner.Run("inspect", name);

        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains($"no shared memory object named '{name}'", r.Stderr);
    }

    /// <summary>The "key: value" lines of an inspect output (the first of each key).</summary>
    internal static Dictionary<string, string> Fields(string stdout)
    {
        var fields = new Dictionary<string, string>();
        foreach (string line in stdout.Split('\n'))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && !line.StartsWith(' '))
            {
                fields.TryAdd(line[..colon], line[(colon + 1)..].Trim());
            }
        }

        return fields;
    }

    private static string Ok(ToolRunner.Result r)
    {
        Assert.True(r.ExitCode == 0, r.ToString());
        return r.Stdout;
    }
}
