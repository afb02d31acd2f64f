using Interprocess;
using Interprocess.Memory;

namespace Examples;

/// <summary>
/// Boost's doc_file_mapping.cpp: a file mapped into memory. The parent writes through the mapping and flushes;
/// the child maps the same file and checks, and the parent also reads the file the ordinary way.
/// </summary>
internal static class FileMappingExample
{
    public static readonly Example Info = new("file-mapping", "doc_file_mapping.cpp",
        "map a file, write through the mapping; a child maps it too; the bytes are in the file", Run);

    private const int FileSize = 10000;

    private static int Run(string[] args)
    {
        if (args is ["child", var childPath])
        {
            using var file = new FileMapping(childPath, AccessMode.ReadOnly);
            using var view = new MappedRegion(file, AccessMode.ReadOnly);
            bool allOnes = !view.GetReadOnlySpan().ContainsAnyExcept((byte)1);
            Console.WriteLine($"  child: mapped {childPath} ({view.Size} bytes); every byte is 1: {allOnes}");
            return allOnes ? 0 : 1;
        }

        string path = Path.Combine(Path.GetTempPath(), $"example-file-{Guid.NewGuid():N}");
        try
        {
            using (var stream = File.Create(path))
            {
                stream.SetLength(FileSize);
            }

            using (var file = new FileMapping(path))
            using (var region = new MappedRegion(file))
            {
                region.GetSpan().Fill(1);
                region.Flush();   // msync: to the disk (other mappings of the file see the bytes at once anyway)
                Console.WriteLine($"parent: mapped {path} and filled it with 1s");
            }

            int code = Child.Run(Info.Name, path);
            bool inFile = !File.ReadAllBytes(path).AsSpan().ContainsAnyExcept((byte)1);
            Console.WriteLine($"parent: read the file with File.ReadAllBytes; every byte is 1: {inFile}");
            if (code != 0 || !inFile)
            {
                return 1;
            }

            Console.WriteLine($"OK: {FileSize} bytes written through a mapping are in the file");
            return 0;
        }
        finally
        {
            FileMapping.Remove(path);
        }
    }
}
