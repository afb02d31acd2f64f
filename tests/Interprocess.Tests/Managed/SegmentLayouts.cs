using Interprocess.Managed;

namespace Interprocess.Tests.Managed;

/// <summary>The algorithm × index combinations the scenario tests run over (xUnit member data).</summary>
internal static class SegmentLayouts
{
    /// <summary>Every allocation algorithm (for tests of raw memory, where the index does not matter).</summary>
    public static TheoryData<AllocationAlgorithm> Algorithms => new(AllocationAlgorithm.Tlsf, AllocationAlgorithm.SequentialFit);

    /// <summary>Every algorithm with every index that holds names.</summary>
    public static TheoryData<AllocationAlgorithm, NameIndexKind> WithNameIndexes => new()
    {
        { AllocationAlgorithm.Tlsf, NameIndexKind.Hash },
        { AllocationAlgorithm.Tlsf, NameIndexKind.Ordered },
        { AllocationAlgorithm.SequentialFit, NameIndexKind.Hash },
        { AllocationAlgorithm.SequentialFit, NameIndexKind.Ordered },
    };

    /// <summary>Every algorithm with every index, the no-index option included.</summary>
    public static TheoryData<AllocationAlgorithm, NameIndexKind> All => new()
    {
        { AllocationAlgorithm.Tlsf, NameIndexKind.Hash },
        { AllocationAlgorithm.Tlsf, NameIndexKind.Ordered },
        { AllocationAlgorithm.Tlsf, NameIndexKind.None },
        { AllocationAlgorithm.SequentialFit, NameIndexKind.Hash },
        { AllocationAlgorithm.SequentialFit, NameIndexKind.Ordered },
        { AllocationAlgorithm.SequentialFit, NameIndexKind.None },
    };

    public static ManagedSegmentOptions Options(AllocationAlgorithm algorithm, NameIndexKind index = NameIndexKind.Hash) =>
        new() { Algorithm = algorithm, Index = index };

    public static ManagedHeapMemory Heap(long size, AllocationAlgorithm algorithm, NameIndexKind index = NameIndexKind.Hash) =>
        new(size, Options(algorithm, index));
}
