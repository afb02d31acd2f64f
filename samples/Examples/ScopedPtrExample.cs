using Interprocess.Managed;
using Interprocess.SmartPointers;

namespace Examples;

/// <summary>
/// Boost's doc_scoped_ptr.cpp: an object built in a managed segment is guarded by a <see cref="ScopedPtr{T}"/> while
/// a step that can throw runs. The first time nothing throws: the object is released from the guard and published
/// by name. The second time the step throws: the guard destroys the object, nothing is published, nothing leaks.
/// </summary>
internal static class ScopedPtrExample
{
    public static readonly Example Info = new("scoped-ptr", "doc_scoped_ptr.cpp",
        "a ScopedPtr frees an object when a step throws, and lets it go when the step succeeds", Run);

    private record struct MyClass(int Value);

    private sealed class MyException : Exception
    {
        public MyException()
            : base("the step in the middle failed")
        {
        }
    }

    private static int Run(string[] args)
    {
        string name = $"example-scoped-ptr-{Guid.NewGuid():N}";
        try
        {
            using var segment = ManagedSharedMemory.CreateNew(name, 65536);
            var manager = segment.Manager;
            bool ok = true;
            for (int i = 0; i < 2; i++)
            {
                try
                {
                    using var guard = new ScopedPtr<MyClass>(UniquePtr<MyClass>.Create(manager, new MyClass(i)));
                    guard.Value.Value += 100;                    // use it while it is guarded
                    if (i == 1)
                    {
                        throw new MyException();                 // the guard destroys the object on the way out
                    }

                    manager.Construct("my_object", guard.Release());   // passed the dangerous part: keep it
                }
                catch (MyException e)
                {
                    Console.WriteLine($"try {i}: {e.Message}; the guard destroyed the object");
                }

                if (i == 0)
                {
                    ref var kept = ref manager.Find<UniquePtr<MyClass>>("my_object").Value;
                    Console.WriteLine($"try {i}: no exception; 'my_object' was published with value {kept.Value.Value}");
                    ok &= kept.Value.Value == 100;
                    kept.Destroy();                              // done with it: destroy it by hand
                    manager.Destroy<UniquePtr<MyClass>>("my_object");
                }
                else
                {
                    ok &= !manager.TryFind<UniquePtr<MyClass>>("my_object", out _);
                }

                ok &= manager.AllMemoryDeallocated();             // nothing leaked, either way
            }

            Console.WriteLine($"all memory free after both tries: {manager.AllMemoryDeallocated()}");
            if (!ok || !manager.AllMemoryDeallocated())
            {
                return 1;
            }

            Console.WriteLine("OK: the scoped pointer kept the object that was released and freed the one that was not");
            return 0;
        }
        finally
        {
            ManagedSharedMemory.Remove(name);
        }
    }
}
