using Interprocess.Managed;

namespace Examples;

/// <summary>
/// Boost's doc_managed_copy_on_write.cpp: a managed mapped file opened copy-on-write can be changed freely while
/// the file stays as it was; the changed image can be saved to another file and opened from there.
/// </summary>
internal static class CopyOnWriteExample
{
    public static readonly Example Info = new("copy-on-write", "doc_managed_copy_on_write.cpp",
        "change a managed mapped file copy-on-write, leaving the file intact; save the copy elsewhere", Run);

    private static int Run(string[] args)
    {
        string path = Path.Combine(Path.GetTempPath(), $"example-cow-{Guid.NewGuid():N}");
        string path2 = path + "-2";
        try
        {
            using (var file = ManagedMappedFile.CreateNew(path, 65536))
            {
                file.Manager.Construct("MyInt", 0);
                using var cow = ManagedMappedFile.OpenCopyOnWrite(path);   // private pages: writes stay in this mapping
                cow.Manager.Destroy<int>("MyInt");
                cow.Manager.Construct("MyInt2", 0);
                Console.WriteLine($"copy-on-write view: MyInt {Has(cow, "MyInt")}, MyInt2 {Has(cow, "MyInt2")}");
                Console.WriteLine($"the file itself:     MyInt {Has(file, "MyInt")}, MyInt2 {Has(file, "MyInt2")}");
                if (Has(cow, "MyInt") || !Has(cow, "MyInt2") || !Has(file, "MyInt") || Has(file, "MyInt2"))
                {
                    return 1;
                }

                // Save the changed image to another file, then open that as a managed mapped file of its own.
                File.WriteAllBytes(path2, cow.Manager.GetSpan(0, checked((int)cow.Manager.Size)));
            }

            using (var copy = ManagedMappedFile.OpenExisting(path2))
            {
                Console.WriteLine($"the saved copy:      MyInt {Has(copy, "MyInt")}, MyInt2 {Has(copy, "MyInt2")}");
                if (Has(copy, "MyInt") || !Has(copy, "MyInt2"))
                {
                    return 1;
                }
            }

            using (var readOnly = ManagedMappedFile.OpenReadOnly(path))
            {
                Console.WriteLine($"the file, read-only: {readOnly.Manager.NamedObjectCount} named object(s)");
                if (readOnly.Manager.NamedObjectCount != 1)
                {
                    return 1;
                }
            }

            Console.WriteLine("OK: the copy-on-write changes stayed out of the file and went into the saved copy");
            return 0;
        }
        finally
        {
            ManagedMappedFile.Remove(path);
            ManagedMappedFile.Remove(path2);
        }
    }

    private static bool Has(ManagedMappedFile file, string name) => file.Manager.TryFind<int>(name, out _);
}
