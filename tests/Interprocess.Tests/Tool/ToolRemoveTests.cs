using Interprocess.Managed;
using Interprocess.Memory;
using Interprocess.Synchronization;
using Interprocess.Tests.Infrastructure;

namespace Interprocess.Tests.Tool;

/// <summary>`interprocess remove`.</summary>
public sealed class ToolRemoveTests
{
    [Fact]
    public void Remove_WithYes_RemovesTheObject()
    {
        string segment = UniqueName.New("tool-seg"), sem = UniqueName.New("tool-sem");
        try
        {
            ManagedSharedMemory.CreateNew(segment, 64 << 10).Dispose();
            NamedSemaphore.CreateNew(sem, 0).Dispose();

            var r1 = ToolRunner.Run("remove", segment, "--yes");
            var r2 = ToolRunner.Run("remove", sem, "-y");

            Assert.True(r1.ExitCode == 0, r1.ToString());
            Assert.True(r2.ExitCode == 0, r2.ToString());
            Assert.Contains("removed segment ManagedSharedMemory", r1.Stdout);
            Assert.False(SharedMemoryObject.Exists(segment));
            Assert.False(File.Exists("/dev/shm/sem." + sem));
        }
        finally
        {
            ManagedSharedMemory.Remove(segment);
            NamedSemaphore.Remove(sem);
        }
    }

    [Fact]
    public void Remove_WithoutYes_WhenNotInteractive_RefusesWithExitCode1()
    {
        string name = UniqueName.New("tool-mtx");
        try
        {
            NamedMutex.CreateNew(name).Dispose();

            var r = ToolRunner.Run("remove", name);

            Assert.True(r.ExitCode == 1, r.ToString());
            Assert.Contains("--yes", r.Stderr);
            Assert.True(SharedMemoryObject.Exists("ipsync." + name));
        }
        finally
        {
            NamedMutex.Remove(name);
        }
    }

    [Fact]
    public void Remove_AnAmbiguousName_AsksForKind_AndKindChoosesOne()
    {
        string name = UniqueName.New("tool-both");
        try
        {
            SharedMemoryObject.CreateNew(name, 4096).Dispose();
            NamedMutex.CreateNew(name).Dispose();

            var ambiguous = ToolRunner.Run("remove", name, "--yes");
            Assert.True(ambiguous.ExitCode == 1, ambiguous.ToString());
            Assert.Contains("--kind", ambiguous.Stderr);
            Assert.True(SharedMemoryObject.Exists(name) && SharedMemoryObject.Exists("ipsync." + name));

            var sync = ToolRunner.Run("remove", name, "--kind", "sync", "--yes");
            Assert.True(sync.ExitCode == 0, sync.ToString());
            Assert.False(SharedMemoryObject.Exists("ipsync." + name));
            Assert.True(SharedMemoryObject.Exists(name));

            var missing = ToolRunner.Run("remove", name, "--kind", "sync", "--yes");
            Assert.True(missing.ExitCode == 2, missing.ToString());
        }
        finally
        {
            SharedMemoryObject.Remove(name);
            NamedMutex.Remove(name);
        }
    }
}
