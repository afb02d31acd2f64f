using System.Numerics;
using Interprocess.Queues;

namespace Interprocess.Bench.Workloads;

/// <summary>One face for <see cref="SpscQueue"/> and <see cref="MpmcQueue"/>, so W3 and W4 run the same code on both (the virtual call is outside the queues' own costs and the same for both).</summary>
internal abstract class FastQueue : IDisposable
{
    /// <summary>
    /// Creates a queue holding about <paramref name="messages"/> messages of <paramref name="size"/> bytes. The SPSC
    /// ring gets the anchors' byte capacity (their ring is <paramref name="messages"/> slots of <paramref name="size"/>
    /// bytes; with our 16-byte record headers it holds a few messages fewer): a ring twice as large, as before, does
    /// not fit the caches the anchors' ring fits (8 MiB instead of 4 MiB for 4 KiB messages).
    /// </summary>
    public static FastQueue Create(bool mpmc, string name, int messages, int size)
    {
        FastQueue.Remove(mpmc, name);
        return mpmc
            ? new Mpmc(MpmcQueue.CreateNew(name, messages, size))
            : new Spsc(SpscQueue.CreateNew(name, (long)BitOperations.RoundUpToPowerOf2((ulong)Math.Max(1024, messages * size)), size));
    }

    public static FastQueue Open(bool mpmc, string name) =>
        mpmc ? new Mpmc(MpmcQueue.OpenExisting(name)) : new Spsc(SpscQueue.OpenExisting(name));

    public static void Remove(bool mpmc, string name)
    {
        if (mpmc)
        {
            MpmcQueue.Remove(name);
        }
        else
        {
            SpscQueue.Remove(name);
        }
    }

    public abstract void Send(ReadOnlySpan<byte> message);

    public abstract int Receive(Span<byte> buffer);

    public abstract void Dispose();

    private sealed class Spsc(SpscQueue q) : FastQueue
    {
        public override void Send(ReadOnlySpan<byte> message) => q.Send(message);

        public override int Receive(Span<byte> buffer) => q.Receive(buffer);

        public override void Dispose() => q.Dispose();
    }

    private sealed class Mpmc(MpmcQueue q) : FastQueue
    {
        public override void Send(ReadOnlySpan<byte> message) => q.Send(message);

        public override int Receive(Span<byte> buffer) => q.Receive(buffer);

        public override void Dispose() => q.Dispose();
    }
}
