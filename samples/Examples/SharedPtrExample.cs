using Interprocess.Managed;
using Interprocess.SmartPointers;

namespace Examples;

/// <summary>
/// Boost's doc_shared_ptr.cpp: a value shared by two named owners and watched by a named weak pointer in a managed
/// mapped file. The file is closed; a child process opens it, releases the owners one by one (the count is kept in
/// the file) and sees the weak pointer expire when the last owner goes; the parent reopens the file and finds
/// nothing left.
/// </summary>
internal static class SharedPtrExample
{
    public static readonly Example Info = new("shared-ptr", "doc_shared_ptr.cpp",
        "a SharedPtr with two named owners and a WeakPtr in a mapped file; a child releases them and the value goes", Run);

    private record struct TypeToShare(int Value, long Stamp);

    private static int Run(string[] args)
    {
        if (args is ["child", var childPath])
        {
            using var file = ManagedMappedFile.OpenExisting(childPath);
            var manager = file.Manager;
            ref var owner1 = ref manager.Find<SharedPtr<TypeToShare>>("shared ptr owner 1").Value;
            ref var owner2 = ref manager.Find<SharedPtr<TypeToShare>>("shared ptr owner 2").Value;
            ref var weak = ref manager.Find<WeakPtr<TypeToShare>>("weak ptr").Value;
            Console.WriteLine($"  child: both owners point to the same value: {owner1 == owner2}; use count {owner1.UseCount}; value {owner1.Value}");
            bool ok = owner1 == owner2 && owner1.UseCount == 2;

            owner1.Dispose();                                    // release owner 1 (the named slot now holds an empty pointer)
            manager.Destroy<SharedPtr<TypeToShare>>("shared ptr owner 1");
            Console.WriteLine($"  child: owner 1 released: use count {owner2.UseCount}, weak pointer expired: {weak.Expired}");
            ok &= owner2.UseCount == 1 && !weak.Expired;

            var locked = weak.Lock();                            // a new owner from the weak pointer, while one remains
            ok &= !locked.IsNull && locked.Value.Value == 42 && owner2.UseCount == 2;
            locked.Dispose();

            owner2.Dispose();                                    // the last owner: the value is destroyed
            manager.Destroy<SharedPtr<TypeToShare>>("shared ptr owner 2");
            Console.WriteLine($"  child: owner 2 released: weak pointer expired: {weak.Expired}, lock gives an empty pointer: {weak.Lock().IsNull}");
            ok &= weak.Expired && weak.Lock().IsNull;

            weak.Dispose();                                      // the last weak reference frees the count block
            manager.Destroy<WeakPtr<TypeToShare>>("weak ptr");
            return ok ? 0 : 1;
        }

        string path = Path.Combine(Path.GetTempPath(), $"example-shared-ptr-{Guid.NewGuid():N}");
        try
        {
            using (var file = ManagedMappedFile.CreateNew(path, 65536))
            {
                var manager = file.Manager;
                var shared = SharedPtr<TypeToShare>.Create(manager, new TypeToShare(42, DateTime.UtcNow.Ticks));
                manager.Construct("shared ptr owner 1", shared);             // the named object is the first owner
                manager.Construct("shared ptr owner 2", shared.Clone());     // a second owner
                manager.Construct("weak ptr", WeakPtr<TypeToShare>.From(shared));
                Console.WriteLine($"parent: two named owners (use count {shared.UseCount}) and a weak pointer in '{Path.GetFileName(path)}'; file closed");
            }

            if (Child.Run(Info.Name, path) != 0)
            {
                return 1;
            }

            using (var reopened = ManagedMappedFile.OpenExisting(path))
            {
                bool empty = reopened.Manager.NamedObjectCount == 0 && reopened.Manager.AllMemoryDeallocated();
                Console.WriteLine($"parent: reopened the file: no named objects, all memory free: {empty}");
                if (!empty)
                {
                    return 1;
                }
            }

            Console.WriteLine("OK: the shared value lived while an owner did, in either process, and was freed by the last");
            return 0;
        }
        finally
        {
            ManagedMappedFile.Remove(path);
        }
    }
}
