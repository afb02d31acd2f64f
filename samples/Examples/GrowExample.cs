using Interprocess.Managed;

namespace Examples;

/// <summary>Boost's doc_managed_grow.cpp: a managed segment grown and shrunk offline (no process has it open), its objects kept.</summary>
internal static class GrowExample
{
    public static readonly Example Info = new("grow", "doc_managed_grow.cpp",
        "grow a managed shared memory segment offline, then shrink it to fit; objects survive", Run);

    private static int Run(string[] args)
    {
        string name = $"example-grow-{Guid.NewGuid():N}";
        try
        {
            long freeBefore;
            using (var segment = ManagedSharedMemory.CreateNew(name, 65536))
            {
                segment.Manager.Construct("MyInt", 42);
                segment.Manager.ConstructArray("MyArray", 4096, 7L);   // 32 KiB in use: shrinking stops above the 16 KiB minimum
                freeBefore = segment.Manager.GetFreeMemory();
                Console.WriteLine($"created: size {segment.Manager.Size}, free {freeBefore}");
            }

            long grown = ManagedSharedMemory.Grow(name, 65536);   // offline: nobody may have it open
            using (var segment = ManagedSharedMemory.OpenExisting(name))
            {
                Console.WriteLine($"grown:   size {grown}, free {segment.Manager.GetFreeMemory()}, MyInt = {segment.Manager.Find<int>("MyInt").Value}");
                if (segment.Manager.GetFreeMemory() < freeBefore + 60000 || segment.Manager.Find<int>("MyInt").Value != 42)
                {
                    return 1;
                }
            }

            long shrunk = ManagedSharedMemory.ShrinkToFit(name);
            using (var segment = ManagedSharedMemory.OpenExisting(name))
            {
                Console.WriteLine($"shrunk:  size {shrunk}, free {segment.Manager.GetFreeMemory()}, MyInt = {segment.Manager.Find<int>("MyInt").Value}");
                if (shrunk >= grown || segment.Manager.Find<int>("MyInt").Value != 42)
                {
                    return 1;
                }
            }

            Console.WriteLine("OK: the segment grew and shrank and kept its objects");
            return 0;
        }
        finally
        {
            ManagedSharedMemory.Remove(name);
        }
    }
}
