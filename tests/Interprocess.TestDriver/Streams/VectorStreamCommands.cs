using System.Globalization;
using System.Text;
using Interprocess.Containers;
using Interprocess.Managed;
using Interprocess.Streams;
using Interprocess.Synchronization;

namespace Interprocess.TestDriver.Streams;

/// <summary>Driver commands for the VectorStream tests: the other process of a stream over a shared byte vector.</summary>
internal static class VectorStreamCommands
{
    /// <summary>
    /// vectorstream-write SEG FIRST COUNT: finds the mutex "lock" and the SharedVector&lt;byte&gt; "text"; under the
    /// mutex appends records FIRST .. FIRST+COUNT-1 (<see cref="Record"/>) through a StreamWriter over a VectorStream;
    /// prints "WROTE length".
    /// </summary>
    [DriverCommand("vectorstream-write")]
    public static int Write(string[] args)
    {
        using var segment = ManagedSharedMemory.OpenExisting(args[0]);
        ref var mutex = ref segment.Manager.Find<InterprocessMutex>("lock").Value;
        var vector = SharedVector<byte>.Find(segment.Manager, "text");
        int first = int.Parse(args[1], CultureInfo.InvariantCulture);
        int count = int.Parse(args[2], CultureInfo.InvariantCulture);
        long length;
        mutex.Lock();
        try
        {
            using var stream = new VectorStream(vector);
            stream.Seek(0, SeekOrigin.End);
            using (var writer = new StreamWriter(stream, new UTF8Encoding(false), bufferSize: 256, leaveOpen: true))
            {
                for (int i = first; i < first + count; i++)
                {
                    writer.Write(Record(i));
                }
            }

            length = stream.Length;
        }
        finally
        {
            mutex.Unlock();
        }

        Console.WriteLine("WROTE " + length.ToString(CultureInfo.InvariantCulture));
        return 0;
    }

    /// <summary>
    /// vectorstream-check SEG COUNT: under the mutex "lock", reads the vector "text" through a read-only VectorStream
    /// and checks every byte against records 0 .. COUNT-1; prints "OK length" or where it differs (exit code 1).
    /// </summary>
    [DriverCommand("vectorstream-check")]
    public static int Check(string[] args)
    {
        using var segment = ManagedSharedMemory.OpenExisting(args[0]);
        ref var mutex = ref segment.Manager.Find<InterprocessMutex>("lock").Value;
        var vector = SharedVector<byte>.Find(segment.Manager, "text");
        int count = int.Parse(args[1], CultureInfo.InvariantCulture);
        var expected = new StringBuilder();
        for (int i = 0; i < count; i++)
        {
            expected.Append(Record(i));
        }

        byte[] want = Encoding.UTF8.GetBytes(expected.ToString());
        byte[] got;
        mutex.Lock();
        try
        {
            using var stream = new VectorStream(vector, FileAccess.Read);
            using var copy = new MemoryStream();
            var chunk = new byte[1000];
            int n;
            while ((n = stream.Read(chunk)) > 0)
            {
                copy.Write(chunk, 0, n);
            }

            got = copy.ToArray();
        }
        finally
        {
            mutex.Unlock();
        }

        int at = want.AsSpan().CommonPrefixLength(got);
        if (at != want.Length || got.Length != want.Length)
        {
            Console.WriteLine($"DIFFERENT at byte {at}: {got.Length} bytes, {want.Length} expected");
            return 1;
        }

        Console.WriteLine("OK " + got.Length.ToString(CultureInfo.InvariantCulture));
        return 0;
    }

    /// <summary>
    /// vectorstream-flood SEG: locks the mutex "lock" and writes to the vector "text" through a VectorStream, in
    /// chunks of 64 KiB, the byte <c>((offset + shift) % 251) + 1</c> at every offset; prints "WRITING" after the first
    /// 16 chunks and goes on until it is killed. At 16 MiB it empties the vector (the buffer keeps the old bytes) and
    /// starts again with the next shift (7 more), so bytes published ahead of their write would show the old shift.
    /// </summary>
    [DriverCommand("vectorstream-flood")]
    public static int Flood(string[] args)
    {
        using var segment = ManagedSharedMemory.OpenExisting(args[0]);
        ref var mutex = ref segment.Manager.Find<InterprocessMutex>("lock").Value;
        var vector = SharedVector<byte>.Find(segment.Manager, "text");
        const int Chunk = 64 * 1024;
        var chunks = new byte[251][];                                       // chunks[r]: the chunk whose first byte has (offset + shift) % 251 == r
        for (int r = 0; r < chunks.Length; r++)
        {
            chunks[r] = new byte[Chunk];
            for (int i = 0; i < Chunk; i++)
            {
                chunks[r][i] = (byte)(((r + i) % 251) + 1);
            }
        }

        mutex.Lock();
        using var stream = new VectorStream(vector);
        int shift = 0;
        for (long written = 0; ; written++)
        {
            if (stream.Position >= 16 << 20)
            {
                stream.Clear();
                shift = (shift + 7) % 251;
            }

            stream.Write(chunks[(int)((stream.Position + shift) % 251)]);
            if (written == 16)
            {
                Console.WriteLine("WRITING");
            }
        }
    }

    /// <summary>Record <paramref name="i"/> as vectorstream-write formats it (the tests build the same text).</summary>
    public static string Record(int i) =>
        string.Create(CultureInfo.InvariantCulture, $"record {i}: {i * 7919 % 10007} {(i % 3 == 0 ? "Grüße" : "x")} {i * 0.5}\n");
}
