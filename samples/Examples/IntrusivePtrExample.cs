using Interprocess.Managed;
using Interprocess.SmartPointers;
using Interprocess.Synchronization;

namespace Examples;

/// <summary>
/// Boost's doc_intrusive.cpp: an object that keeps its own reference count (Boost's intrusive_ptr_add_ref /
/// intrusive_ptr_release; here <see cref="IIntrusiveCounted{TSelf}"/>), referred to by <see cref="IntrusivePtr{T}"/>s.
/// The parent publishes a reference by name; a child process finds it, takes references of its own, changes the
/// object and releases them; the last release destroys the object and frees its memory.
/// </summary>
internal static class IntrusivePtrExample
{
    public static readonly Example Info = new("intrusive-ptr", "doc_intrusive.cpp",
        "an object with its own reference count, referred to by IntrusivePtrs from two processes", Run);

    /// <summary>Boost's reference_counted_class: the count is a field of the object itself.</summary>
    private struct ReferenceCounted : IIntrusiveCounted<ReferenceCounted>
    {
        public int UseCount;
        public long Visits;

        public static ref int ReferenceCount(ref ReferenceCounted value) => ref value.UseCount;
    }

    private static int Run(string[] args)
    {
        if (args is ["child", var childName])
        {
            using var shm = ManagedSharedMemory.OpenExisting(childName);
            ref var mutex = ref shm.Manager.Find<InterprocessMutex>("visits lock").Value;
            var published = shm.Manager.Find<IntrusivePtr<ReferenceCounted>>("intrusive ptr").Value;
            var mine = new IntrusivePtr<ReferenceCounted>[10];
            for (int i = 0; i < mine.Length; i++)
            {
                mine[i] = published.Clone();                     // the object's own count goes up
            }

            Console.WriteLine($"  child: took {mine.Length} references: the object's count is {published.UseCount}");
            bool ok = published.UseCount == 12;
            foreach (var reference in mine)
            {
                using (new ScopedLock<InterprocessMutex>(ref mutex))   // the object itself is not synchronized
                {
                    reference.Value.Visits++;
                }

                reference.Dispose();
            }

            Console.WriteLine($"  child: released them: the count is back to {published.UseCount}");
            return ok && published.UseCount == 2 ? 0 : 1;
        }

        string name = $"example-intrusive-{Guid.NewGuid():N}";
        try
        {
            using var segment = ManagedSharedMemory.CreateNew(name, 65536);
            var manager = segment.Manager;
            manager.Construct("visits lock", new InterprocessMutex());
            var first = IntrusivePtr<ReferenceCounted>.Create(manager, default);
            manager.Construct("intrusive ptr", first.Clone());  // a second reference, published by name
            Console.WriteLine($"parent: the object's count is {first.UseCount} (this process + the named reference)");

            if (Child.Run(Info.Name, name) != 0)
            {
                return 1;
            }

            long visits = first.Value.Visits;
            Console.WriteLine($"parent: the child visited {visits} times; count {first.UseCount}");
            manager.Find<IntrusivePtr<ReferenceCounted>>("intrusive ptr").Value.Dispose();
            manager.Destroy<IntrusivePtr<ReferenceCounted>>("intrusive ptr");
            bool oneLeft = first.UseCount == 1;
            first.Dispose();                                     // the last reference: the object is destroyed
            manager.Destroy<InterprocessMutex>("visits lock");
            bool freed = manager.AllMemoryDeallocated();
            Console.WriteLine($"parent: released the last references: the object was freed: {freed}");
            if (visits != 10 || !oneLeft || !freed)
            {
                return 1;
            }

            Console.WriteLine("OK: the object counted its own references across two processes and was freed by the last");
            return 0;
        }
        finally
        {
            ManagedSharedMemory.Remove(name);
        }
    }
}
