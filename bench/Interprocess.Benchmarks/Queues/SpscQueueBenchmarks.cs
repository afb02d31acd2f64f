using BenchmarkDotNet.Attributes;
using Interprocess.Queues;

namespace Interprocess.Benchmarks.Queues;

/// <summary>
/// The single-process cost of one <see cref="SpscQueue"/> message, uncontended: the software per message, without any
/// cross-core traffic (the part of W3 and W4 that is ours rather than the hardware's). The ring is the W3 ring
/// (1024 bytes), so records wrap and pad as they do there.
/// </summary>
/// <remarks>BenchmarkDotNet needs the class public and not sealed.</remarks>
public class SpscQueueBenchmarks
{
    /// <summary>Messages per invocation.</summary>
    public const int Messages = 1000;

    /// <summary>The queue's name (with a GUID: never shared with anything else).</summary>
    private readonly string _name = $"ipb-bdn-spsc-{Guid.NewGuid():N}";

    /// <summary>The queue under test.</summary>
    private SpscQueue? _queue;

    /// <summary>The message sent and the buffer received into.</summary>
    private byte[] _message = new byte[64], _buffer = new byte[64];

    /// <summary>Creates the queue.</summary>
    [GlobalSetup]
    public void Setup() => _queue = SpscQueue.CreateNew(_name, 1024, 64);

    /// <summary>Disposes and removes the queue.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _queue?.Dispose();
        SpscQueue.Remove(_name);
    }

    /// <summary>Send then Receive of 64 bytes (the calls W3 and W4 make).</summary>
    /// <returns>The last length received.</returns>
    [Benchmark(OperationsPerInvoke = Messages)]
    public int SendReceive()
    {
        var q = _queue!;
        int length = 0;
        for (int i = 0; i < Messages; i++)
        {
            q.Send(_message);
            length = q.Receive(_buffer);
        }

        return length;
    }

    /// <summary>TrySend then TryReceive of 64 bytes (no deadline).</summary>
    /// <returns>The last length received.</returns>
    [Benchmark(OperationsPerInvoke = Messages)]
    public int TrySendTryReceive()
    {
        var q = _queue!;
        int length = 0;
        for (int i = 0; i < Messages; i++)
        {
            q.TrySend(_message);
            q.TryReceive(_buffer, out length);
        }

        return length;
    }

    /// <summary>TrySend then TryReceive of 64 bytes with a one-second timeout each (the clock is read only when a call must wait: here never).</summary>
    /// <returns>The last length received.</returns>
    [Benchmark(OperationsPerInvoke = Messages)]
    public int TimedTrySendTryReceive()
    {
        var q = _queue!;
        var timeout = TimeSpan.FromSeconds(1);
        int length = 0;
        for (int i = 0; i < Messages; i++)
        {
            q.TrySend(_message, timeout);
            q.TryReceive(_buffer, out length, timeout);
        }

        return length;
    }

    /// <summary>Zero-copy: reserve, write the first 8 bytes, commit; peek, read them, release.</summary>
    /// <returns>The sum of what was read.</returns>
    [Benchmark(OperationsPerInvoke = Messages)]
    public long ReserveCommitPeekRelease()
    {
        var q = _queue!;
        long sum = 0;
        for (int i = 0; i < Messages; i++)
        {
            q.TryReserve(64, out Span<byte> room);
            room[0] = (byte)i;
            q.Commit();
            q.TryPeek(out ReadOnlySpan<byte> message);
            sum += message[0];
            q.Release();
        }

        return sum;
    }
}
