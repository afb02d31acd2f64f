using Interprocess.Synchronization;

namespace Interprocess.TestDriver.Synchronization;

/// <summary>Driver commands for the tests of how waiters decide to spin.</summary>
internal static class ProcessorCommands
{
    /// <summary>cpu-spin: prints ".NET's processor count (this process's mask), the processors online, whether waiters spin", and exits.</summary>
    [DriverCommand("cpu-spin")]
    public static int SpinDecision(string[] args)
    {
        _ = args;
        Console.WriteLine($"{Environment.ProcessorCount} {Processors.Online} {Processors.SpinningHelps}");
        return 0;
    }
}
