using BenchmarkDotNet.Attributes;
using Interprocess.Containers;
using Interprocess.Managed;
using Interprocess.Streams;

namespace Interprocess.Benchmarks.Streams;

/// <summary>
/// Write throughput of <see cref="VectorStream"/> (over a <see cref="SharedVector{T}"/> of bytes in a managed shared
/// memory segment) against <see cref="MemoryStream"/> (the baseline): each invocation writes <see cref="Total"/> bytes
/// in writes of <see cref="ChunkSize"/> bytes into an empty stream, growing it from nothing (the same doubling in
/// both), so the figures include growth.
/// </summary>
/// <remarks>BenchmarkDotNet needs the class public and not sealed.</remarks>
[MemoryDiagnoser]
public class VectorStreamBenchmarks
{
    /// <summary>Bytes written per invocation.</summary>
    public const int Total = 1 << 20;

    /// <summary>The segment's name (with a GUID: never shared with anything else).</summary>
    private readonly string _name = $"ipb-bdn-vstream-{Guid.NewGuid():N}";

    /// <summary>The segment the vectors live in.</summary>
    private ManagedSharedMemory? _segment;

    /// <summary>The bytes of one write.</summary>
    private byte[] _chunk = [];

    /// <summary>Bytes per write.</summary>
    [Params(1, 64, 4096)]
    public int ChunkSize { get; set; }

    /// <summary>Creates the segment (64 MiB: room for the vector's doublings) and the chunk.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _segment = ManagedSharedMemory.CreateNew(_name, 64L << 20);
        _chunk = new byte[ChunkSize];
        Random.Shared.NextBytes(_chunk);
    }

    /// <summary>Removes the segment.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _segment?.Dispose();
        ManagedSharedMemory.Remove(_name);
    }

    /// <summary>Baseline: a growable <see cref="MemoryStream"/>.</summary>
    /// <returns>The length written.</returns>
    [Benchmark(Baseline = true)]
    public long MemoryStream_Write()
    {
        using var stream = new MemoryStream();
        return Fill(stream);
    }

    /// <summary>A <see cref="VectorStream"/> over a fresh shared byte vector (destroyed after, inside the timing).</summary>
    /// <returns>The length written.</returns>
    [Benchmark]
    public long VectorStream_Write()
    {
        var vector = SharedVector<byte>.Create(_segment!.Manager);
        try
        {
            using var stream = new VectorStream(vector);
            return Fill(stream);
        }
        finally
        {
            vector.Destroy();
        }
    }

    private long Fill(Stream stream)
    {
        byte[] chunk = _chunk;
        if (chunk.Length == 1)
        {
            for (int i = 0; i < Total; i++)
            {
                stream.WriteByte(chunk[0]);
            }
        }
        else
        {
            for (int i = 0; i < Total; i += chunk.Length)
            {
                stream.Write(chunk);
            }
        }

        return stream.Length;
    }
}
