using System.Globalization;
using System.Text;
using Interprocess.Memory;

namespace Interprocess.TestDriver.Memory;

/// <summary>Driver commands for SharedMemoryObject and MappedRegion tests.</summary>
internal static class SharedMemoryCommands
{
    /// <summary>shm-read NAME OFFSET LENGTH: prints the bytes at OFFSET as UTF-8 text.</summary>
    [DriverCommand("shm-read")]
    public static int Read(string[] args)
    {
        using var shm = SharedMemoryObject.OpenExisting(args[0], AccessMode.ReadOnly);
        using var region = new MappedRegion(shm, AccessMode.ReadOnly);
        long offset = long.Parse(args[1], CultureInfo.InvariantCulture);
        int length = int.Parse(args[2], CultureInfo.InvariantCulture);
        Console.WriteLine(Encoding.UTF8.GetString(region.GetReadOnlySpan(offset, length)));
        return 0;
    }

    /// <summary>shm-write NAME OFFSET TEXT: writes TEXT as UTF-8 at OFFSET through a region mapped at that offset.</summary>
    [DriverCommand("shm-write")]
    public static int Write(string[] args)
    {
        using var shm = SharedMemoryObject.OpenExisting(args[0]);
        long offset = long.Parse(args[1], CultureInfo.InvariantCulture);
        byte[] text = Encoding.UTF8.GetBytes(args[2]);
        using var region = new MappedRegion(shm, AccessMode.ReadWrite, offset, text.Length);
        text.CopyTo(region.GetSpan());
        Console.WriteLine("OK");
        return 0;
    }

    /// <summary>
    /// shm-create-write-hold NAME SIZE OFFSET TEXT: creates the object, writes TEXT as UTF-8 at OFFSET, prints
    /// WRITTEN and then waits for a line on stdin (the test kills it there) without disposing anything.
    /// </summary>
    [DriverCommand("shm-create-write-hold")]
    public static int CreateWriteHold(string[] args)
    {
        var shm = SharedMemoryObject.CreateNew(args[0], long.Parse(args[1], CultureInfo.InvariantCulture));
        var region = new MappedRegion(shm);
        byte[] text = Encoding.UTF8.GetBytes(args[3]);
        text.CopyTo(region.GetSpan(long.Parse(args[2], CultureInfo.InvariantCulture), text.Length));
        Console.WriteLine("WRITTEN");
        Console.ReadLine();
        GC.KeepAlive(region);
        return 0;
    }

    /// <summary>
    /// shm-race NAME SIZE: open-or-create; the creator fills the object with the byte 0x5A and then sets the
    /// last byte to 1 ("ready"); everyone waits for "ready" and checks the contents. Prints CREATED or OPENED
    /// and then the checksum.
    /// </summary>
    [DriverCommand("shm-race")]
    public static int Race(string[] args)
    {
        string name = args[0];
        int size = int.Parse(args[1], CultureInfo.InvariantCulture);
        Console.ReadLine(); // start together
        using var shm = SharedMemoryObject.OpenOrCreate(name, size);
        if (shm.Created)
        {
            using var r = new MappedRegion(shm);
            r.GetSpan(0, size - 1).Fill(0x5A);
            Volatile.Write(ref r.GetRef<byte>(size - 1), 1);
        }

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (shm.Size < size)
        {
            if (DateTime.UtcNow > deadline)
            {
                return 2;
            }

            Thread.Yield();
        }

        using var region = new MappedRegion(shm);
        while (Volatile.Read(ref region.GetRef<byte>(size - 1)) != 1)
        {
            if (DateTime.UtcNow > deadline)
            {
                return 3;
            }

            Thread.Yield();
        }

        long sum = 0;
        foreach (byte b in region.GetReadOnlySpan(0, size - 1))
        {
            sum += b;
        }

        Console.WriteLine(shm.Created ? "CREATED" : "OPENED");
        Console.WriteLine(sum.ToString(CultureInfo.InvariantCulture));
        return 0;
    }
}
