using System.Runtime.InteropServices;
using Interprocess.Managed;

namespace Examples;

/// <summary>
/// Boost's doc_managed_external_buffer.cpp: a managed segment in a buffer the program owns. Because everything in
/// it is stored as offsets, a byte copy of the buffer is a segment too, with the same objects.
/// </summary>
internal static class ExternalBufferExample
{
    public static readonly Example Info = new("external-buffer", "doc_managed_external_buffer.cpp",
        "a managed segment in your own buffer; a byte copy of the buffer is the same segment", Run);

    private const int Size = 64 * 1024;

    private static unsafe int Run(string[] args)
    {
        void* first = NativeMemory.AlignedAlloc(Size, 16);
        void* second = NativeMemory.AlignedAlloc(Size, 16);
        try
        {
            using (var segment = ManagedExternalBuffer.Create((nint)first, Size))
            {
                segment.Manager.ConstructArray<int>("MyList", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
                Console.WriteLine($"built a segment at 0x{(nint)first:x} with 'MyList'");
            }

            Buffer.MemoryCopy(first, second, Size, Size);   // a plain byte copy, to another address
            using var copy = ManagedExternalBuffer.Open((nint)second, Size);
            Span<int> list = copy.Manager.Find<int>("MyList").AsSpan();
            Console.WriteLine($"opened the copy at 0x{(nint)second:x}: MyList = {string.Join(' ', list.ToArray())}");
            if (!list.SequenceEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]))
            {
                return 1;
            }

            Console.WriteLine("OK: the byte copy of the buffer is a working segment");
            return 0;
        }
        finally
        {
            NativeMemory.AlignedFree(first);
            NativeMemory.AlignedFree(second);
        }
    }
}
