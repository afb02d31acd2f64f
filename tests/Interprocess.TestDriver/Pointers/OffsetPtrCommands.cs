using System.Globalization;
using Interprocess.Memory;

namespace Interprocess.TestDriver.Pointers;

/// <summary>Driver commands for the OffsetPtr tests.</summary>
internal static class OffsetPtrCommands
{
    /// <summary>
    /// offset-ptr-list NAME PARENT_ADDRESS VALUE: maps the shared list in NAME at an address other than
    /// PARENT_ADDRESS (hex, the parent's mapping), prints "ADDRESS 0x...", "FORWARD a,b,..." and
    /// "BACKWARD ...", inserts VALUE in order, and prints "FORWARD ..." again.
    /// </summary>
    [DriverCommand("offset-ptr-list")]
    public static int List(string[] args)
    {
        string name = args[0];
        nint parentAddress = nint.Parse(args[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        long value = long.Parse(args[2], CultureInfo.InvariantCulture);

        using var shm = SharedMemoryObject.OpenExisting(name);
        var region = new MappedRegion(shm);
        MappedRegion? spacer = null;
        if (region.Address == parentAddress)
        {
            // Same address as the parent by chance: keep this mapping as a spacer, so the next one lands elsewhere.
            spacer = region;
            region = new MappedRegion(shm);
        }

        using (spacer)
        using (region)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ADDRESS 0x{region.Address:x}"));
            Console.WriteLine("FORWARD " + string.Join(',', SharedList.Forward(region)));
            Console.WriteLine("BACKWARD " + string.Join(',', SharedList.Backward(region)));
            SharedList.InsertSorted(region, value);
            Console.WriteLine("FORWARD " + string.Join(',', SharedList.Forward(region)));
        }

        return 0;
    }
}
