// C# counterparts of Boost.Interprocess's documentation examples (docs/samples.md lists them with the Boost
// example each mirrors).
//
//   dotnet run --project samples/Examples -- list
//   dotnet run --project samples/Examples -- shared-memory
//
// Each example prints what happens and ends with a line starting "OK:" (exit code 0) or fails with a non-zero
// exit code. A two-process example starts a second copy of this program as its child ("<example> child ...").
using System.Runtime.Versioning;
using Examples;

[assembly: SupportedOSPlatform("linux")]

Example[] examples =
[
    SharedMemoryExample.Info,
    AnonymousSharedMemoryExample.Info,
    XsiSharedMemoryExample.Info,
    FileMappingExample.Info,
    OffsetPtrExample.Info,
    NamedMutexExample.Info,
    AnonymousMutexExample.Info,
    AnonymousConditionExample.Info,
    AnonymousSemaphoreExample.Info,
    UpgradableMutexExample.Info,
    MessageQueueExample.Info,
    NamedAllocationExample.Info,
    RawAllocationExample.Info,
    AlignedAllocationExample.Info,
    MultipleAllocationExample.Info,
    ConstructionInfoExample.Info,
    CopyOnWriteExample.Info,
    GrowExample.Info,
    HeapMemoryExample.Info,
    ExternalBufferExample.Info,
    ManagedMappedFileExample.Info,
    BufferStreamExample.Info,
    AllocationCommandExample.Info,
    AllocatorsExample.Info,
    VectorExample.Info,
    ContainersOfContainersExample.Info,
    MoveContainersExample.Info,
    ComplexMapExample.Info,
    MapExample.Info,
    UnorderedMapExample.Info,
    SharedPtrExample.Info,
    SharedPtrExplicitExample.Info,
    UniquePtrExample.Info,
    ScopedPtrExample.Info,
    IntrusivePtrExample.Info,
    FileLockExample.Info,
    VectorStreamExample.Info,
];

if (args is [] or ["list"])
{
    foreach (var e in examples)
    {
        Console.WriteLine($"{e.Name,-26} {e.Boost,-44} {e.Summary}");
    }

    return 0;
}

var example = examples.FirstOrDefault(e => e.Name == args[0]);
if (example is null)
{
    Console.Error.WriteLine($"No example '{args[0]}'. Run with 'list' to see them.");
    return 2;
}

return example.Run(args[1..]);
