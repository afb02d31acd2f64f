using Interprocess.Containers;
using Interprocess.Managed;

namespace Examples;

/// <summary>
/// Boost's doc_managed_mapped_file.cpp: a managed segment in a file. The parent creates it with a list named
/// "MyList" of 100 ints; a child opens the file and appends to the list under the segment's lock; with nobody
/// using it, the file is grown offline; reopened, it still holds the list, which can now grow further.
/// </summary>
internal static class ManagedMappedFileExample
{
    public static readonly Example Info = new("managed-mapped-file", "doc_managed_mapped_file.cpp",
        "a managed segment in a file: shared by two processes, grown offline, still there when they are gone", Run);

    private static int Run(string[] args)
    {
        if (args is ["child", var childPath])
        {
            using var file = ManagedMappedFile.OpenExisting(childPath);
            var list = SharedList<int>.Find(file.Manager, "MyList");
            file.Manager.AtomicFunc(() =>                     // the segment's own lock guards the list here
            {
                for (int i = 100; i < 200; i++)
                {
                    list.AddLast(i);
                }
            });
            Console.WriteLine($"  child: opened {childPath}; MyList now holds {list.Count} ints");
            return 0;
        }

        string path = Path.Combine(Path.GetTempPath(), $"example-managed-file-{Guid.NewGuid():N}");
        try
        {
            using (var file = ManagedMappedFile.CreateNew(path, 65536))
            {
                var list = SharedList<int>.Create(file.Manager, "MyList");
                for (int i = 0; i < 100; i++)
                {
                    list.AddLast(i);
                }

                file.Flush();
                Console.WriteLine($"parent: created {path} with MyList = 0..99");
                if (Child.Run(Info.Name, path) != 0)
                {
                    return 1;
                }
            }

            long newSize = ManagedMappedFile.Grow(path, 65536);  // nobody has it open now: grow it offline
            using var reopened = ManagedMappedFile.OpenExisting(path);
            var found = SharedList<int>.Find(reopened.Manager, "MyList");
            bool kept = found.ToList().SequenceEqual(Enumerable.Range(0, 200));
            for (int i = 200; i < 2200; i++)
            {
                found.AddLast(i);                                // more than the original 64 KiB could hold
            }

            Console.WriteLine($"parent: grew the file to {newSize} bytes and reopened it: MyList kept 0..199: {kept}; now {found.Count} ints");
            if (!kept || found.Count != 2200)
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
