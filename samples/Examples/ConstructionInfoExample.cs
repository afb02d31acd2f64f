using Interprocess.Managed;

namespace Examples;

/// <summary>Boost's doc_managed_construction_info.cpp: what a segment records about each object (name, kind, type, length).</summary>
internal static class ConstructionInfoExample
{
    public static readonly Example Info = new("construction-info", "doc_managed_construction_info.cpp",
        "ask a segment for the name, kind, type and length of named, unique and anonymous objects", Run);

    private record struct Point(double X, double Y);

    private static int Run(string[] args)
    {
        string name = $"example-info-{Guid.NewGuid():N}";
        try
        {
            using var segment = ManagedSharedMemory.CreateNew(name, 65536);
            var manager = segment.Manager;
            manager.ConstructArray("my ints", 10, 0);                                    // named array
            manager.ConstructUnique(new Point(1, 2));                                    // one per type, named by the type
            SegmentObject<long> anonymous = manager.ConstructAnonymous(42L);             // no name: only the handle finds it

            long[] handles = [manager.Find<int>("my ints").Handle, manager.FindUnique<Point>().Handle, anonymous.Handle];
            foreach (long handle in handles)
            {
                SegmentObjectInfo info = manager.GetObjectInfo(handle);
                Console.WriteLine($"{info.Kind,-9} name '{info.Name}', type {info.TypeName}, {info.Count} x {info.ElementSize} bytes");
            }

            var ints = manager.GetObjectInfo(handles[0]);
            if (ints.Kind != ObjectKind.Named || ints.Count != 10 || manager.GetObjectInfo(handles[2]).Kind != ObjectKind.Anonymous)
            {
                return 1;
            }

            Console.WriteLine("OK: the segment knows each object's name, kind, type and length");
            return 0;
        }
        finally
        {
            ManagedSharedMemory.Remove(name);
        }
    }
}
