using System.Text;
using System.Text.Json;
using Interprocess.Managed;
using Interprocess.Memory;
using Interprocess.Queues;
using Interprocess.Synchronization;
using Interprocess.Tests.Infrastructure;

namespace Interprocess.Tests.Tool;

/// <summary>`interprocess list`, `--help` and argument errors, run as a real process.</summary>
public sealed class ToolListTests
{
    [Theory]
    [InlineData]
    [InlineData("list")]
    [InlineData("inspect")]
    [InlineData("remove")]
    [InlineData("bench")]
    public void Help_OnEveryCommand_PrintsUsageAndTheExitCodes(params string[] command)
    {
        var r = ToolRunner.Run([.. command, "--help"]);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("Usage:", r.Stdout);
        Assert.Contains("Exit codes:", r.Stdout);
        Assert.Contains("2  no object by that name", r.Stdout);
    }

    [Theory]
    [InlineData("list", "--kind", "nonsense")]
    [InlineData("list", "--no-such-option")]
    [InlineData("inspect")]
    [InlineData("frobnicate")]
    [InlineData("bench", "--scale", "0")]
    public void BadArguments_PrintTheUsage_ExitCode1(params string[] args)
    {
        var r = ToolRunner.Run(args);

        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Contains("Usage:", r.Stdout);
        Assert.NotEqual(string.Empty, r.Stderr.Trim());
    }

    [Fact]
    public void UnknownWorkload_ExitCode1()
    {
        var r = ToolRunner.Run("bench", "W9", "--bench", ToolRunner.BenchPath);

        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Contains("unknown workload 'W9'", r.Stderr);
    }

    [Fact]
    public void List_FindsEveryKindTheTestCreated_WithKindTypeSizePermissionsAndOwner()
    {
        string segment = UniqueName.New("tool-seg"), mq = UniqueName.New("tool-mq"), spsc = UniqueName.New("tool-spsc"),
            mpmc = UniqueName.New("tool-mpmc"), bcast = UniqueName.New("tool-bc"), mutex = UniqueName.New("tool-mtx"),
            sem = UniqueName.New("tool-sem"), plain = UniqueName.New("tool-shm");
        try
        {
            using var s = ManagedSharedMemory.CreateNew(segment, 1 << 20);
            using var q = MessageQueue.Create(mq, 4, 16);
            using var q1 = SpscQueue.CreateNew(spsc, 4096, 64);
            using var q2 = MpmcQueue.CreateNew(mpmc, 8, 64);
            using var q3 = BroadcastQueue.CreateNew(bcast, 8, 64);
            using var m = NamedMutex.CreateNew(mutex);
            using var n = NamedSemaphore.CreateNew(sem, 3);
            using var p = SharedMemoryObject.CreateNew(plain, 4096, permissions: new Permissions(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead));

            var r = ToolRunner.Run("list", "--json");

            Assert.True(r.ExitCode == 0, r.ToString());
            using var json = JsonDocument.Parse(r.Stdout);
            var byName = json.RootElement.EnumerateArray().ToLookup(e => e.GetProperty("name").GetString()!);
            AssertEntry(byName, segment, "segment", "ManagedSharedMemory", 1 << 20);
            AssertEntry(byName, mq, "queue", "MessageQueue", null);
            AssertEntry(byName, spsc, "queue", "SpscQueue", null);
            AssertEntry(byName, mpmc, "queue", "MpmcQueue", null);
            AssertEntry(byName, bcast, "queue", "BroadcastQueue", null);
            AssertEntry(byName, mutex, "sync", "NamedMutex", null);
            AssertEntry(byName, sem, "sync", "NamedSemaphore", 32);
            var plainEntry = AssertEntry(byName, plain, "shm", "-", 4096, mode: "0640");
            Assert.Equal("-rw-r-----", plainEntry.GetProperty("permissions").GetString());
            Assert.Equal(p.OwnerUserId, plainEntry.GetProperty("uid").GetInt32());
            Assert.Equal(Environment.UserName, plainEntry.GetProperty("owner").GetString());
            Assert.Equal("ipsync." + mutex, byName[mutex].Single().GetProperty("file").GetString());
            Assert.Equal("sem." + sem, byName[sem].Single().GetProperty("file").GetString());

            var syncOnly = ToolRunner.Run("list", "--kind", "sync");
            Assert.True(syncOnly.ExitCode == 0, syncOnly.ToString());
            Assert.Contains(mutex, syncOnly.Stdout);
            Assert.Contains(sem, syncOnly.Stdout);
            Assert.DoesNotContain(segment, syncOnly.Stdout);
            Assert.DoesNotContain(mq, syncOnly.Stdout);
            Assert.StartsWith("KIND", syncOnly.Stdout);
        }
        finally
        {
            ManagedSharedMemory.Remove(segment);
            MessageQueue.Remove(mq);
            SpscQueue.Remove(spsc);
            MpmcQueue.Remove(mpmc);
            BroadcastQueue.Remove(bcast);
            NamedMutex.Remove(mutex);
            NamedSemaphore.Remove(sem);
            SharedMemoryObject.Remove(plain);
        }
    }

    [Fact]
    public void CorruptAndForeignObjects_AreReported_AndNothingCrashes()
    {
        string truncatedSegment = UniqueName.New("tool-bad-seg"), badSync = UniqueName.New("tool-bad-sync"),
            badQueue = UniqueName.New("tool-bad-q"), foreign = UniqueName.New("tool-foreign"), emptySync = UniqueName.New("tool-empty-sync");
        try
        {
            // A segment header cut short, a named object with foreign bytes, a fast queue of an unknown kind,
            // random bytes, and a named object still empty (its creator "died" before sizing it).
            Create(truncatedSegment, 40, "IPMSEG01"u8);
            Create("ipsync." + badSync, 100, "NOTAKIND and then some"u8);
            var queueHeader = new byte[600];
            "IPQUEUE1"u8.CopyTo(queueHeader);
            queueHeader[8] = 1;
            queueHeader[12] = 9;
            Create(badQueue, 600, queueHeader);
            Create(foreign, 300, Encoding.ASCII.GetBytes(new string('z', 300)));
            Create("ipsync." + emptySync, 0, []);

            var r = ToolRunner.Run("list", "--json");

            Assert.True(r.ExitCode == 0, r.ToString());
            using var json = JsonDocument.Parse(r.Stdout);
            var byName = json.RootElement.EnumerateArray().ToLookup(e => e.GetProperty("name").GetString()!);
            Assert.Equal("corrupt", AssertEntry(byName, truncatedSegment, "segment", "ManagedSharedMemory", 40, status: null).GetProperty("status").GetString());
            Assert.Equal("corrupt", AssertEntry(byName, badSync, "sync", "-", 100, status: null).GetProperty("status").GetString());
            Assert.Equal("corrupt", AssertEntry(byName, badQueue, "queue", "-", 600, status: null).GetProperty("status").GetString());
            Assert.Equal("incomplete", AssertEntry(byName, emptySync, "sync", "-", 0, status: null).GetProperty("status").GetString());
            AssertEntry(byName, foreign, "shm", "-", 300);

            foreach (string name in new[] { truncatedSegment, badSync, badQueue, emptySync })
            {
                var inspect = ToolRunner.Run("inspect", name);
                Assert.True(inspect.ExitCode == 3, inspect.ToString());
                Assert.Matches("status: +(corrupt|incomplete): ", inspect.Stdout);
            }

            var plain = ToolRunner.Run("inspect", foreign);
            Assert.True(plain.ExitCode == 0, plain.ToString());
            Assert.Contains("no library header", plain.Stdout);
        }
        finally
        {
            SharedMemoryObject.Remove(truncatedSegment);
            SharedMemoryObject.Remove("ipsync." + badSync);
            SharedMemoryObject.Remove(badQueue);
            SharedMemoryObject.Remove(foreign);
            SharedMemoryObject.Remove("ipsync." + emptySync);
        }
    }

    /// <summary>A shared memory object of <paramref name="size"/> bytes starting with <paramref name="content"/>.</summary>
    internal static void Create(string name, long size, ReadOnlySpan<byte> content)
    {
        using var shm = SharedMemoryObject.CreateNew(name, size);
        if (size > 0)
        {
            using var region = new MappedRegion(shm);
            content.CopyTo(region.GetSpan(0, content.Length));
        }
    }

    private static JsonElement AssertEntry(ILookup<string, JsonElement> byName, string name, string kind, string type, long? size, string? mode = "0600", string? status = "ok")
    {
        var e = Assert.Single(byName[name]);
        Assert.Equal(kind, e.GetProperty("kind").GetString());
        Assert.Equal(type, e.GetProperty("type").GetString());
        if (status is not null)
        {
            Assert.Equal(status, e.GetProperty("status").GetString());
        }

        if (size is not null)
        {
            Assert.Equal(size.Value, e.GetProperty("size").GetInt64());
        }

        if (mode is not null)
        {
            Assert.Equal(mode, e.GetProperty("mode").GetString());
        }

        Assert.True(e.GetProperty("uid").GetInt32() >= 0);
        Assert.True(DateTimeOffset.Parse(e.GetProperty("modified").GetString()!, System.Globalization.CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow.AddHours(-1));
        return e;
    }
}
