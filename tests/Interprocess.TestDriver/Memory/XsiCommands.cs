using System.Globalization;
using System.Text;
using Interprocess.Memory;

namespace Interprocess.TestDriver.Memory;

/// <summary>Driver commands for XsiSharedMemory tests.</summary>
internal static class XsiCommands
{
    /// <summary>xsi-read-key KEY OFFSET LENGTH: opens the segment by key (decimal), prints its id, then the bytes at OFFSET as UTF-8.</summary>
    [DriverCommand("xsi-read-key")]
    public static int ReadByKey(string[] args)
    {
        var shm = XsiSharedMemory.OpenExisting(XsiKey.FromValue(int.Parse(args[0], CultureInfo.InvariantCulture)));
        using var region = new MappedRegion(shm, AccessMode.ReadOnly);
        long offset = long.Parse(args[1], CultureInfo.InvariantCulture);
        int length = int.Parse(args[2], CultureInfo.InvariantCulture);
        Console.WriteLine(shm.Id.ToString(CultureInfo.InvariantCulture));
        Console.WriteLine(Encoding.UTF8.GetString(region.GetReadOnlySpan(offset, length)));
        return 0;
    }

    /// <summary>xsi-write-id ID OFFSET TEXT: opens the segment by id, writes TEXT as UTF-8 at OFFSET, prints the key value.</summary>
    [DriverCommand("xsi-write-id")]
    public static int WriteById(string[] args)
    {
        var shm = XsiSharedMemory.OpenById(int.Parse(args[0], CultureInfo.InvariantCulture));
        using var region = new MappedRegion(shm);
        long offset = long.Parse(args[1], CultureInfo.InvariantCulture);
        byte[] text = Encoding.UTF8.GetBytes(args[2]);
        text.CopyTo(region.GetSpan(offset, text.Length));
        Console.WriteLine(shm.Key.Value.ToString(CultureInfo.InvariantCulture));
        return 0;
    }
}
