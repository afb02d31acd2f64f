using System.Globalization;
using System.Text;
using System.Text.Json;
using Interprocess.Managed;
using Interprocess.Memory;
using Interprocess.Streams;

namespace Interprocess.TestDriver.Streams;

/// <summary>Driver commands for BufferStream and BufferWriter tests: the other side of a stream in shared memory.</summary>
internal static class StreamCommands
{
    /// <summary>Where the writer publishes the number of bytes written (a long at offset 0 of the region).</summary>
    private const int LengthOffset = 0;

    /// <summary>Where the stream's bytes start.</summary>
    private const int DataOffset = 64;

    /// <summary>
    /// stream-read NAME: opens the shared memory object read-only, reads the published length, and reads the
    /// records a BinaryWriter wrote there through a BufferStream: an int count, then count strings. Prints
    /// "COUNT n", each string on a line of its own, then "END position".
    /// </summary>
    [DriverCommand("stream-read")]
    public static int Read(string[] args)
    {
        using var shm = SharedMemoryObject.OpenExisting(args[0], AccessMode.ReadOnly);
        using var region = new MappedRegion(shm, AccessMode.ReadOnly);
        long length = Volatile.Read(in region.GetReadOnlyRef<long>(LengthOffset));   // acquires the bytes the writer stored before it
        using var stream = new BufferStream(region, DataOffset, length);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        int count = reader.ReadInt32();
        Console.WriteLine($"COUNT {count}");
        for (int i = 0; i < count; i++)
        {
            Console.WriteLine(reader.ReadString());
        }

        Console.WriteLine($"END {stream.Position.ToString(CultureInfo.InvariantCulture)} {reader.PeekChar().ToString(CultureInfo.InvariantCulture)}");
        return 0;
    }

    /// <summary>
    /// stream-json SEGMENT KEY VALUE: opens a managed segment, allocates a block, serializes {"key":KEY,"value":VALUE}
    /// into it with Utf8JsonWriter over a BufferWriter, publishes the handle and the length as the named pair
    /// "json" (long handle, long length) and prints "WROTE length".
    /// </summary>
    [DriverCommand("stream-json")]
    public static int Json(string[] args)
    {
        using var segment = ManagedSharedMemory.OpenExisting(args[0]);
        long handle = segment.Manager.Allocate(1024);
        var writer = new BufferWriter(segment.Manager, handle, 1024);
        using (var json = new Utf8JsonWriter(writer))
        {
            json.WriteStartObject();
            json.WriteString("key", args[1]);
            json.WriteNumber("value", long.Parse(args[2], CultureInfo.InvariantCulture));
            json.WriteEndObject();
        }

        segment.Manager.ConstructArray<long>("json", [handle, writer.WrittenCount]);
        Console.WriteLine($"WROTE {writer.WrittenCount}");
        return 0;
    }
}
