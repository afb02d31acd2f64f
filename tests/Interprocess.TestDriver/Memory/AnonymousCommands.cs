using System.Globalization;
using System.Text;
using Interprocess.Memory;

namespace Interprocess.TestDriver.Memory;

/// <summary>Driver commands for AnonymousSharedMemory tests.</summary>
internal static class AnonymousCommands
{
    /// <summary>
    /// anon-echo HANDLE: opens the parent's memory from HANDLE, prints the length-prefixed UTF-8 text at offset 0,
    /// writes "child saw: TEXT" length-prefixed at offset 4096, prints OK.
    /// </summary>
    [DriverCommand("anon-echo")]
    public static int Echo(string[] args)
    {
        using var memory = AnonymousSharedMemory.Open(args[0]);
        using var region = memory.Map();
        int length = region.Read<int>(0);
        string text = Encoding.UTF8.GetString(region.GetReadOnlySpan(4, length));
        Console.WriteLine(text);

        byte[] reply = Encoding.UTF8.GetBytes("child saw: " + text);
        reply.CopyTo(region.GetSpan(4096 + 4, reply.Length));
        region.Write(4096, reply.Length);
        Console.WriteLine("OK");
        return 0;
    }

    /// <summary>anon-read-only HANDLE: opens read-only, prints the size and the int at offset 0, then tries a ReadWrite map and prints what happened.</summary>
    [DriverCommand("anon-read-only")]
    public static int ReadOnly(string[] args)
    {
        using var memory = AnonymousSharedMemory.Open(args[0], AccessMode.ReadOnly);
        using var region = memory.Map(AccessMode.ReadOnly);
        Console.WriteLine(memory.Size.ToString(CultureInfo.InvariantCulture));
        Console.WriteLine(region.Read<int>(0).ToString(CultureInfo.InvariantCulture));
        try
        {
            using var writable = memory.Map(AccessMode.ReadWrite);
            Console.WriteLine("MAPPED");
        }
        catch (ArgumentException)
        {
            Console.WriteLine("REFUSED");
        }

        return 0;
    }

    /// <summary>
    /// anon-create SIZE TEXT: creates anonymous memory, writes TEXT length-prefixed at offset 0, prints the handle,
    /// and keeps the memory open until a line arrives on stdin.
    /// </summary>
    [DriverCommand("anon-create")]
    public static int Create(string[] args)
    {
        using var memory = AnonymousSharedMemory.Create(long.Parse(args[0], CultureInfo.InvariantCulture));
        using (var region = memory.Map())
        {
            byte[] text = Encoding.UTF8.GetBytes(args[1]);
            text.CopyTo(region.GetSpan(4, text.Length));
            region.Write(0, text.Length);
        }

        Console.WriteLine(memory.Handle);
        Console.ReadLine();
        return 0;
    }
}
