using System.Globalization;
using System.Text;
using Interprocess.Containers;
using Interprocess.Managed;
using Interprocess.Streams;

namespace Examples;

/// <summary>
/// Boost's doc_vectorstream.cpp: 100 integers in a shared vector are formatted as text into a stream over a shared
/// byte vector (reserved first, so the text is written in place without reallocation), parsed back into a second
/// shared vector and compared; then the formatted bytes are handed to a named vector with SwapVector, without a copy.
/// </summary>
internal static class VectorStreamExample
{
    public static readonly Example Info = new("vectorstream", "doc_vectorstream.cpp",
        "a Stream over a growable shared byte vector; formatted data is parsed back and swapped out without a copy", Run);

    private static int Run(string[] args)
    {
        string name = $"example-vectorstream-{Guid.NewGuid():N}";
        try
        {
            using var segment = ManagedSharedMemory.CreateNew(name, 65536);
            var manager = segment.Manager;

            // A vector of 100 integers in shared memory.
            var myvector = SharedVector<int>.Create(manager, "MyVector");
            myvector.Reserve(100);
            for (int i = 0; i < 100; i++)
            {
                myvector.Add(i);
            }

            // A stream over an (anonymous) shared byte vector; reserve room for the text so that it is not reallocated.
            var text = SharedVector<byte>.Create(manager);
            using var myvectorstream = new VectorStream(text);
            myvectorstream.Reserve(100 * 5);
            int capacity = myvectorstream.Capacity;

            // Write every element as text: the bytes go straight into shared memory.
            using (var writer = new StreamWriter(myvectorstream, Encoding.ASCII, leaveOpen: true))
            {
                foreach (int value in myvector)
                {
                    writer.WriteLine(value.ToString(CultureInfo.InvariantCulture));
                }
            }

            int capacityAfter = myvectorstream.Capacity;
            Console.WriteLine($"formatted {myvector.Count} integers into {myvectorstream.Length} bytes (capacity {capacity} before, {capacityAfter} after)");

            // Parse them back into a second shared vector and compare.
            var myvector2 = SharedVector<int>.Create(manager, "MyVector2");
            myvector2.Reserve(100);
            myvectorstream.Position = 0;
            using (var reader = new StreamReader(myvectorstream, Encoding.ASCII, leaveOpen: true))
            {
                while (reader.ReadLine() is { } line)
                {
                    myvector2.Add(int.Parse(line, CultureInfo.InvariantCulture));
                }
            }

            bool equal = myvector.AsReadOnlySpan().SequenceEqual(myvector2.AsReadOnlySpan());
            Console.WriteLine($"parsed {myvector2.Count} integers back, equal: {equal}");

            // A copy of the formatted text, then hand the bytes to a new named vector: no reallocation, no copy.
            byte[] stringcopy = myvectorstream.ToArray();
            var mystring = SharedVector<byte>.Create(manager, "MyString");
            myvectorstream.SwapVector(mystring);
            bool swapped = stringcopy.AsSpan().SequenceEqual(SharedVector<byte>.Find(manager, "MyString").AsReadOnlySpan());
            long streamLength = myvectorstream.Length;
            Console.WriteLine($"after SwapVector: 'MyString' holds {mystring.Count} bytes (equal to the copy: {swapped}), the stream {streamLength}");

            // Done: destroy the vectors.
            SharedVector<int>.Destroy(manager, "MyVector2");
            SharedVector<int>.Destroy(manager, "MyVector");
            SharedVector<byte>.Destroy(manager, "MyString");
            text.Destroy();

            if (!equal || !swapped || capacity != capacityAfter || streamLength != 0 || !manager.AllMemoryDeallocated())
            {
                return 1;
            }

            Console.WriteLine("OK: 100 integers formatted into a shared byte vector, parsed back, and swapped out without a copy");
            return 0;
        }
        finally
        {
            ManagedSharedMemory.Remove(name);
        }
    }
}
