using System.Globalization;
using System.Text;
using System.Text.Json;
using Interprocess.Managed;
using Interprocess.Streams;

namespace Examples;

/// <summary>
/// Boost's doc_bufferstream.cpp: a stream over a fixed buffer in a managed segment. 100 numbers are written to
/// it as text and read back; then writing past its end is refused. Also: a BufferWriter lets a serializer write
/// JSON straight into the segment.
/// </summary>
internal static class BufferStreamExample
{
    public static readonly Example Info = new("bufferstream", "doc_bufferstream.cpp",
        "a Stream and an IBufferWriter over a fixed buffer in a managed segment; overflow is refused", Run);

    private const int BufferSize = 100 * 5;

    private static int Run(string[] args)
    {
        string name = $"example-bufferstream-{Guid.NewGuid():N}";
        try
        {
            using var segment = ManagedSharedMemory.CreateNew(name, 65536);
            segment.Manager.ConstructArray("MyCString", BufferSize, (byte)0);
            long handle = segment.Manager.Find<byte>("MyCString").Handle;

            // Write 100 numbers, one per line, into the 500-byte buffer in the segment.
            using var stream = new BufferStream(segment.Manager, handle, length: 0, capacity: BufferSize, FileAccess.ReadWrite);
            for (int i = 0; i < 100; i++)
            {
                stream.Write(Encoding.ASCII.GetBytes($"{i}\n"));
            }

            Console.WriteLine($"wrote 100 numbers: {stream.Length} of {stream.Capacity} bytes");

            // Read them back from the start.
            stream.Position = 0;
            var numbers = new List<int>();
            using (var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true))
            {
                while (reader.ReadLine() is { } line)
                {
                    numbers.Add(int.Parse(line, CultureInfo.InvariantCulture));
                }
            }

            Console.WriteLine($"read back {numbers.Count} numbers, equal: {numbers.SequenceEqual(Enumerable.Range(0, 100))}");

            // Rewind and write until the buffer is full: the write that does not fit is refused whole.
            stream.Position = 0;
            int written = 0;
            try
            {
                for (int i = 0; ; i++, written++)
                {
                    stream.Write(Encoding.ASCII.GetBytes($"{i % 5}\n"));
                }
            }
            catch (NotSupportedException e)
            {
                Console.WriteLine($"after {written} more numbers: {e.Message}");
            }

            // A BufferWriter in another block: Utf8JsonWriter writes straight into shared memory.
            long block = segment.Manager.Allocate(256);
            var writer = new BufferWriter(segment.Manager, block, 256);
            using (var json = new Utf8JsonWriter(writer))
            {
                JsonSerializer.Serialize(json, new { Name = "MyCString", Length = BufferSize });
            }

            Console.WriteLine($"BufferWriter: {writer.WrittenCount} bytes of JSON in the segment: {Encoding.UTF8.GetString(writer.WrittenSpan)}");

            if (numbers.Count != 100 || written != BufferSize / 2)
            {
                return 1;
            }

            Console.WriteLine("OK: the stream wrote and read in place and refused to overflow");
            return 0;
        }
        finally
        {
            ManagedSharedMemory.Remove(name);
        }
    }
}
