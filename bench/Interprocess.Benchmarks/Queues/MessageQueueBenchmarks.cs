using BenchmarkDotNet.Attributes;
using Interprocess.Queues;

namespace Interprocess.Benchmarks.Queues;

/// <summary>
/// The single-process cost of one <see cref="MessageQueue"/> <c>Send</c> + <c>Receive</c> pair on a queue of
/// capacity 1024 (the W4 queue), uncontended: the lock, the index and the checks, without any cross-core traffic.
/// Compare with the same loop over Boost's <c>message_queue</c> compiled with g++ -O2 (docs/message-queue.md,
/// "Performance").
/// </summary>
/// <remarks>BenchmarkDotNet needs the class public and not sealed.</remarks>
public class MessageQueueBenchmarks
{
    /// <summary>Pairs per invocation.</summary>
    public const int Pairs = 1000;

    /// <summary>The queue's name (with a GUID: never shared with anything else).</summary>
    private readonly string _name = $"ipb-bdn-mq-{Guid.NewGuid():N}";

    /// <summary>The queue under test.</summary>
    private MessageQueue? _queue;

    /// <summary>The message sent and the buffer received into.</summary>
    private byte[] _message = [], _buffer = [];

    /// <summary>The message size in bytes.</summary>
    [Params(64, 4096)]
    public int Size { get; set; }

    /// <summary>Creates the queue.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _queue = MessageQueue.Create(_name, 1024, Size);
        _message = new byte[Size];
        _buffer = new byte[Size];
    }

    /// <summary>Disposes and removes the queue.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _queue?.Dispose();
        MessageQueue.Remove(_name);
    }

    /// <summary>Send then Receive, one message in the queue at a time.</summary>
    /// <returns>The last size received.</returns>
    [Benchmark(OperationsPerInvoke = Pairs)]
    public int SendReceive()
    {
        var q = _queue!;
        int size = 0;
        for (int i = 0; i < Pairs; i++)
        {
            q.Send(_message, 0);
            q.Receive(_buffer, out size, out _);
        }

        return size;
    }

    /// <summary>TrySend then TryReceive with a one-second timeout each (the clock is read only when a call must wait: here never).</summary>
    /// <returns>The last size received.</returns>
    [Benchmark(OperationsPerInvoke = Pairs)]
    public int TimedTrySendTryReceive()
    {
        var q = _queue!;
        var timeout = TimeSpan.FromSeconds(1);
        int size = 0;
        for (int i = 0; i < Pairs; i++)
        {
            q.TrySend(_message, 0, timeout);
            q.TryReceive(_buffer, out size, out _, timeout);
        }

        return size;
    }

    /// <summary>Sixteen sends then sixteen receives (an index with several entries).</summary>
    /// <returns>The last size received.</returns>
    [Benchmark(OperationsPerInvoke = Pairs)]
    public int SendReceive16()
    {
        var q = _queue!;
        int size = 0;
        for (int i = 0; i < Pairs; i += 16)
        {
            for (int j = 0; j < 16; j++)
            {
                q.Send(_message, 0);
            }

            for (int j = 0; j < 16; j++)
            {
                q.Receive(_buffer, out size, out _);
            }
        }

        return size;
    }
}
