using Interprocess.Managed;

namespace Examples;

/// <summary>
/// Boost's doc_named_alloc.cpp: the parent constructs named objects and arrays in a managed segment; the child
/// finds them by name, checks them and destroys them.
/// </summary>
internal static class NamedAllocationExample
{
    public static readonly Example Info = new("named-allocation", "doc_named_alloc.cpp",
        "construct named objects and arrays in a managed segment; a child finds and destroys them", Run);

    private record struct MyType(float A, int B);

    private static int Run(string[] args)
    {
        if (args is ["child", var childName])
        {
            using var segment = ManagedSharedMemory.OpenExisting(childName);
            var manager = segment.Manager;
            var array = manager.Find<MyType>("MyType array");                  // throws if it is missing or not a MyType
            var instance = manager.Find<MyType>("MyType instance");
            var fromValues = manager.Find<MyType>("MyType array from values");
            Console.WriteLine($"  child: found 'MyType array' ({array.Count}), 'MyType instance' ({instance.Value}), 'MyType array from values' [{string.Join(", ", fromValues.AsSpan().ToArray())}]");
            bool ok = array.Count == 10 && instance.Value == new MyType(0, 0) && fromValues.AsSpan()[2] == new MyType(2.0f, 2);
            manager.Destroy<MyType>("MyType array");
            manager.Destroy<MyType>("MyType instance");
            manager.Destroy<MyType>("MyType array from values");
            Console.WriteLine("  child: destroyed all three");
            return ok ? 0 : 1;
        }

        string name = $"example-named-{Guid.NewGuid():N}";
        try
        {
            using var segment = ManagedSharedMemory.CreateNew(name, 65536);
            var manager = segment.Manager;
            manager.ConstructArray("MyType array", 10, new MyType(0.0f, 0));            // 10 elements, all the same
            manager.FindOrConstruct("MyType instance", new MyType(0.0f, 0));            // constructed: it did not exist
            manager.ConstructArray<MyType>("MyType array from values", [new(0.0f, 0), new(1.0f, 1), new(2.0f, 2)]);
            Console.WriteLine($"parent: constructed {manager.NamedObjectCount} named objects in '{name}'");

            if (Child.Run(Info.Name, name) != 0)
            {
                return 1;
            }

            bool gone = !manager.TryFind<MyType>("MyType array", out _) && manager.NamedObjectCount == 0;
            Console.WriteLine($"parent: after the child, named objects left: {manager.NamedObjectCount}");
            if (!gone)
            {
                return 1;
            }

            Console.WriteLine("OK: objects constructed by name in one process were found and destroyed in another");
            return 0;
        }
        finally
        {
            ManagedSharedMemory.Remove(name);
        }
    }
}
