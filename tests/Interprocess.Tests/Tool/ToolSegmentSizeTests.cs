using System.Globalization;
using System.Text.Json;
using Interprocess.Managed;
using Interprocess.Memory;
using Interprocess.Tests.Infrastructure;

namespace Interprocess.Tests.Tool;

/// <summary>`interprocess list` judges a segment's recorded size and an interrupted resize as the library's opener does.</summary>
public sealed class ToolSegmentSizeTests
{
    private const long SegmentSize = 1L << 20;

    [Fact]
    public void ObjectLargerThanTheSegment_IsOk_WithADetail_AndHeaderLargerThanTheObject_IsCorrupt()
    {
        string larger = UniqueName.New("tool-larger"), smaller = UniqueName.New("tool-smaller");
        try
        {
            // What a rolled-back grow leaves: the object is larger than the recorded size; the library opens it.
            ManagedSharedMemory.CreateNew(larger, SegmentSize).Dispose();
            using (var shm = SharedMemoryObject.OpenExisting(larger))
            {
                shm.Truncate(2 * SegmentSize);
            }

            using (ManagedSharedMemory.OpenExisting(larger))
            {
            }

            // A header recording more than the object holds: the library refuses it.
            ManagedSharedMemory.CreateNew(smaller, SegmentSize).Dispose();
            using (var shm = SharedMemoryObject.OpenExisting(smaller))
            using (var region = new MappedRegion(shm))
            {
                region.Write(24, 4 * SegmentSize);
            }

            Assert.Equal(InterprocessErrorCode.Corrupted, Assert.Throws<InterprocessException>(() => ManagedSharedMemory.OpenExisting(smaller)).ErrorCode);

            var entries = List();
            var big = entries[larger];
            Assert.Equal("ok", big.GetProperty("status").GetString());
            Assert.Equal(2 * SegmentSize, big.GetProperty("size").GetInt64());
            Assert.Contains("file larger than segment (interrupted grow?)", big.GetProperty("detail").GetString());
            Assert.Contains($"the segment is {SegmentSize} bytes", big.GetProperty("detail").GetString());
            var bad = entries[smaller];
            Assert.Equal("corrupt", bad.GetProperty("status").GetString());
            Assert.Contains($"the header says {4 * SegmentSize} bytes", bad.GetProperty("detail").GetString());

            var inspect = ToolRunner.Run("inspect", larger);
            Assert.True(inspect.ExitCode == 0, inspect.ToString());
            Assert.Contains("segment size", inspect.Stdout);
        }
        finally
        {
            ManagedSharedMemory.Remove(larger);
            ManagedSharedMemory.Remove(smaller);
        }
    }

    [Fact]
    public void AResizeUnderWay_AndAnInterruptedOne_AreReportedFromTheJournal()
    {
        string name = UniqueName.New("tool-resize");
        try
        {
            ManagedSharedMemory.CreateNew(name, SegmentSize).Dispose();
            using (var d = Driver.Start("managed-resize-stop", "shm", "grow", name, "grow-end-linked", SegmentSize.ToString(CultureInfo.InvariantCulture)))
            {
                d.Expect("AT grow-end-linked");
                var live = List()[name];
                Assert.Equal("incomplete", live.GetProperty("status").GetString());
                Assert.Equal($"being resized: an offline Grow ({SegmentSize} -> {2 * SegmentSize} bytes) by pid {d.Pid}", live.GetProperty("detail").GetString());
                d.Kill();
            }

            var dead = List()[name];
            Assert.Equal("incomplete", dead.GetProperty("status").GetString());
            Assert.StartsWith($"an interrupted offline Grow ({SegmentSize} -> {2 * SegmentSize} bytes)", dead.GetProperty("detail").GetString());
            var inspect = ToolRunner.Run("inspect", name);
            Assert.True(inspect.ExitCode == 3, inspect.ToString());
            Assert.Contains("interrupted offline Grow", inspect.Stdout);

            // A read-write open completes the grow; the tool then sees an ordinary segment.
            using (var seg = ManagedSharedMemory.OpenExisting(name))
            {
                Assert.Equal(2 * SegmentSize, seg.Manager.Size);
            }

            var done = List()[name];
            Assert.Equal("ok", done.GetProperty("status").GetString());
            Assert.DoesNotContain("larger", done.GetProperty("detail").GetString());
        }
        finally
        {
            ManagedSharedMemory.Remove(name);
        }
    }

    private static Dictionary<string, JsonElement> List()
    {
        var r = ToolRunner.Run("list", "--json", "--kind", "segment");
        Assert.True(r.ExitCode == 0, r.ToString());
        using var json = JsonDocument.Parse(r.Stdout);
        return json.RootElement.EnumerateArray().ToDictionary(e => e.GetProperty("name").GetString()!, e => e.Clone());
    }
}
