using System.Globalization;
using System.Text;
using Interprocess.Memory;

namespace Interprocess.TestDriver.Memory;

/// <summary>Driver commands for FileMapping and MappedRegion tests.</summary>
internal static class FileMappingCommands
{
    /// <summary>file-write PATH OFFSET TEXT: writes TEXT as UTF-8 at OFFSET through a region of the file mapped there, flushes, prints OK.</summary>
    [DriverCommand("file-write")]
    public static int Write(string[] args)
    {
        using var file = new FileMapping(args[0]);
        long offset = long.Parse(args[1], CultureInfo.InvariantCulture);
        byte[] text = Encoding.UTF8.GetBytes(args[2]);
        using var region = new MappedRegion(file, AccessMode.ReadWrite, offset, text.Length);
        text.CopyTo(region.GetSpan());
        region.Flush();
        Console.WriteLine("OK");
        return 0;
    }

    /// <summary>file-read PATH OFFSET LENGTH: prints the bytes at OFFSET of the file, through a read-only mapping, as UTF-8.</summary>
    [DriverCommand("file-read")]
    public static int Read(string[] args)
    {
        using var file = new FileMapping(args[0], AccessMode.ReadOnly);
        long offset = long.Parse(args[1], CultureInfo.InvariantCulture);
        int length = int.Parse(args[2], CultureInfo.InvariantCulture);
        using var region = new MappedRegion(file, AccessMode.ReadOnly, offset, length);
        Console.WriteLine(Encoding.UTF8.GetString(region.GetReadOnlySpan()));
        return 0;
    }
}
