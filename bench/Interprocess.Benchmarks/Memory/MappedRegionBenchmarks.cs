using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Interprocess.Memory;

namespace Interprocess.Benchmarks.Memory;

/// <summary>
/// The cost of <see cref="MappedRegion"/>'s bounds-checked accessors against a raw pointer into the same
/// mapping (the baseline). Each benchmark touches every 8-byte word of one page, <see cref="Words"/> accesses
/// per invocation, so the figures are per access.
/// </summary>
/// <remarks>BenchmarkDotNet needs the class public and not sealed. Each category ("Read", "Write") has its own
/// raw-pointer baseline, so the Ratio column reads as "times the cost of a plain load/store".</remarks>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public unsafe class MappedRegionBenchmarks
{
    /// <summary>Words in one 4 KiB page: accesses per benchmark invocation.</summary>
    public const int Words = 512;

    /// <summary>The shared memory object's name (with a GUID: never shared with anything else).</summary>
    private readonly string _name = $"ipb-bdn-region-{Guid.NewGuid():N}";

    /// <summary>The object mapped by <see cref="_region"/>.</summary>
    private SharedMemoryObject? _shm;

    /// <summary>The region under test.</summary>
    private MappedRegion? _region;

    /// <summary>The region's first byte, for the raw-pointer baseline.</summary>
    private long* _raw;

    /// <summary>Creates and maps one page of shared memory.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _shm = SharedMemoryObject.CreateNew(_name, Words * sizeof(long));
        _region = new MappedRegion(_shm);
        _raw = (long*)_region.Address;
    }

    /// <summary>Unmaps and removes the page.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _region?.Dispose();
        _shm?.Dispose();
        SharedMemoryObject.Remove(_name);
    }

    /// <summary>Baseline: a plain load through a pointer.</summary>
    /// <returns>The sum (so the loads are not removed).</returns>
    [Benchmark(Baseline = true, OperationsPerInvoke = Words)]
    [BenchmarkCategory("Read")]
    public long RawPointer_Read()
    {
        long* p = _raw;
        long sum = 0;
        for (int i = 0; i < Words; i++)
        {
            sum += p[i];
        }

        return sum;
    }

    /// <summary><see cref="MappedRegion.Read{T}(long)"/>: bounds check, then an unaligned load.</summary>
    /// <returns>The sum.</returns>
    [Benchmark(OperationsPerInvoke = Words)]
    [BenchmarkCategory("Read")]
    public long Region_Read()
    {
        var region = _region!;
        long sum = 0;
        for (int i = 0; i < Words; i++)
        {
            sum += region.Read<long>(i * sizeof(long));
        }

        return sum;
    }

    /// <summary>Baseline for writes: a plain store through a pointer.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Words)]
    [BenchmarkCategory("Write")]
    public void RawPointer_Write()
    {
        long* p = _raw;
        for (int i = 0; i < Words; i++)
        {
            p[i] = i;
        }
    }

    /// <summary><see cref="MappedRegion.Write{T}(long, in T)"/>: read-only check, bounds check, unaligned store.</summary>
    [Benchmark(OperationsPerInvoke = Words)]
    [BenchmarkCategory("Write")]
    public void Region_Write()
    {
        var region = _region!;
        for (int i = 0; i < Words; i++)
        {
            region.Write<long>(i * sizeof(long), i);
        }
    }

    /// <summary>
    /// <see cref="MappedRegion.GetSpan(long, int)"/> of one word, then a load from the span: the cost of getting
    /// a checked span per access (hoisting the span out of a loop pays it once).
    /// </summary>
    /// <returns>The sum.</returns>
    [Benchmark(OperationsPerInvoke = Words)]
    [BenchmarkCategory("Read")]
    public long Region_GetSpanPerAccess()
    {
        var region = _region!;
        long sum = 0;
        for (int i = 0; i < Words; i++)
        {
            sum += region.GetSpan(i * sizeof(long), sizeof(long))[0];
        }

        return sum;
    }

    /// <summary>One <see cref="MappedRegion.GetSpan{T}(long, int)"/> over the page, then span loads.</summary>
    /// <returns>The sum.</returns>
    [Benchmark(OperationsPerInvoke = Words)]
    [BenchmarkCategory("Read")]
    public long Region_GetSpanOnce()
    {
        Span<long> words = _region!.GetSpan<long>(0, Words);
        long sum = 0;
        for (int i = 0; i < words.Length; i++)
        {
            sum += words[i];
        }

        return sum;
    }
}
