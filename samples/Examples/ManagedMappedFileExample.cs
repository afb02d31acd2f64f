using Interprocess.Managed;

namespace Examples;

/// <summary>
/// Boost's doc_managed_mapped_file.cpp: a managed segment in a file. The parent creates it with a named array;
/// a child opens the file, updates the array under the segment's lock; the data is in the file after both exit.
/// </summary>
internal static class ManagedMappedFileExample
{
    public static readonly Example Info = new("managed-mapped-file", "doc_managed_mapped_file.cpp",
        "a managed segment in a file: shared by two processes, still there when they are gone", Run);

    private static int Run(string[] args)
    {
        if (args is ["child", var childPath])
        {
            using var file = ManagedMappedFile.OpenExisting(childPath);
            var totals = file.Manager.Find<long>("totals");
            file.Manager.AtomicFunc(() =>
            {
                Span<long> span = totals.AsSpan();
                for (int i = 0; i < span.Length; i++)
                {
                    span[i] += 100;
                }
            });
            Console.WriteLine($"  child: opened {childPath}; added 100 to each of {totals.Count} totals");
            return 0;
        }

        string path = Path.Combine(Path.GetTempPath(), $"example-managed-file-{Guid.NewGuid():N}");
        try
        {
            using (var file = ManagedMappedFile.CreateNew(path, 65536))
            {
                file.Manager.ConstructArray<long>("totals", [1, 2, 3]);
                file.Flush();
                Console.WriteLine($"parent: created {path} with 'totals' = 1 2 3");
                if (Child.Run(Info.Name, path) != 0)
                {
                    return 1;
                }
            }

            using var reopened = ManagedMappedFile.OpenReadOnly(path);   // nobody has it open now: it is just a file
            long[] totals = reopened.Manager.Find<long>("totals").AsSpan().ToArray();
            Console.WriteLine($"parent: reopened the file read-only: totals = {string.Join(' ', totals)}");
            if (!totals.SequenceEqual([101L, 102, 103]))
            {
                return 1;
            }

            Console.WriteLine("OK: the managed mapped file kept what both processes wrote");
            return 0;
        }
        finally
        {
            ManagedMappedFile.Remove(path);
        }
    }
}
