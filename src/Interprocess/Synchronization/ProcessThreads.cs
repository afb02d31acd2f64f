namespace Interprocess.Synchronization;

/// <summary>Questions about the threads of this process.</summary>
internal static class ProcessThreads
{
    /// <summary>
    /// True when <paramref name="tid"/> (a kernel thread id, as lock words store owners) is a live thread of this
    /// process: <c>/proc/self/task/TID</c> exists.
    /// </summary>
    internal static bool Contains(int tid) => tid > 0 && Directory.Exists($"/proc/self/task/{tid}");
}
