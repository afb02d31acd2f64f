using System.Globalization;
using Interprocess.Containers;
using Interprocess.Managed;

namespace Interprocess.TestDriver.Containers;

/// <summary>Driver commands for the SharedString tests.</summary>
internal static class StringCommands
{
    /// <summary>string-hash TEXT: prints the SharedString hash of TEXT (to show that it is the same in every process).</summary>
    [DriverCommand("string-hash")]
    public static int Hash(string[] args)
    {
        Console.WriteLine("HASH " + SharedString.HashOf(args[0]).ToString(CultureInfo.InvariantCulture));
        return 0;
    }

    /// <summary>string-append SEG NAME SUFFIX: appends SUFFIX to the SharedString NAME and prints its text and hash.</summary>
    [DriverCommand("string-append")]
    public static int Append(string[] args)
    {
        using var seg = ManagedSharedMemory.OpenExisting(args[0]);
        var s = SharedString.Find(seg.Manager, args[1]);
        s.Append(args[2]);
        Console.WriteLine("TEXT " + s.ToString());
        Console.WriteLine("HASH " + s.GetHashCode().ToString(CultureInfo.InvariantCulture));
        return 0;
    }
}
