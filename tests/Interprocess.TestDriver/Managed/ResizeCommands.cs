using System.Globalization;
using Interprocess.Managed;

namespace Interprocess.TestDriver.Managed;

/// <summary>Driver commands for the crash tests of the offline resize (Grow / ShrinkToFit).</summary>
internal static class ResizeCommands
{
    /// <summary>
    /// managed-resize-stop KIND OP TARGET STEP [EXTRA]: KIND is "shm" (TARGET a shared memory name) or "file"
    /// (TARGET a path); OP is "grow" (by EXTRA bytes) or "shrink". Stops at the resize step STEP (the test hook of
    /// SegmentManager): prints "AT STEP" and waits to be killed. Prints "DONE SIZE" if the step never came.
    /// </summary>
    [DriverCommand("managed-resize-stop")]
    public static int Stop(string[] args)
    {
        string kind = args[0], op = args[1], target = args[2], step = args[3];
        SegmentManager.TestHookResizeStep = s =>
        {
            if (s == step)
            {
                Console.WriteLine("AT " + s);
                Console.Out.Flush();
                Thread.Sleep(Timeout.Infinite);
            }
        };
        long extra = args.Length > 4 ? long.Parse(args[4], CultureInfo.InvariantCulture) : 0;
        long size = (kind, op) switch
        {
            ("shm", "grow") => ManagedSharedMemory.Grow(target, extra),
            ("shm", "shrink") => ManagedSharedMemory.ShrinkToFit(target),
            ("file", "grow") => ManagedMappedFile.Grow(target, extra),
            ("file", "shrink") => ManagedMappedFile.ShrinkToFit(target),
            _ => throw new ArgumentException($"unknown kind/operation {kind} {op}"),
        };
        Console.WriteLine("DONE " + size.ToString(CultureInfo.InvariantCulture));
        return 0;
    }
}
