using System.Globalization;
using Interprocess.Tests.Infrastructure;

namespace Interprocess.Tests.Synchronization;

/// <summary>
/// Waiters for a peer process (the queues' spins before they sleep) spin whenever the machine has more than one
/// processor online, even in a process pinned to one core: its peer has a mask of its own, usually another core.
/// </summary>
public sealed class ProcessorsTests
{
    [Fact]
    public void AProcessPinnedToOneCpu_StillSpinsForItsPeer()
    {
        using var driver = Driver.StartOnCpu(0, "cpu-spin");
        string[] fields = driver.ReadLine().Split(' ');
        Assert.Equal(0, driver.WaitForExit());

        // The mask took effect from the start: .NET counts the one processor the process may use.
        Assert.Equal("1", fields[0]);
        int online = int.Parse(fields[1], CultureInfo.InvariantCulture);
        bool spins = bool.Parse(fields[2]);
        Assert.True(online >= Environment.ProcessorCount, $"{online} processors online, fewer than this process may use ({Environment.ProcessorCount})");
        Assert.Equal(online > 1, spins);
        if (Environment.ProcessorCount > 1)
        {
            // This machine has several processors: the pinned process must spin (it did not, when the decision
            // followed Environment.ProcessorCount).
            Assert.True(spins);
        }
    }
}
