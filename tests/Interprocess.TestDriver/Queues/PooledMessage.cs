using System.Buffers.Binary;

namespace Interprocess.TestDriver.Queues;

/// <summary>
/// Large test messages whose every byte is a function of (producer, sequence), cheap enough to fill and check
/// at memory speed (the broadcast crash tests move messages of up to a megabyte, many times):
/// <code>
///   0  sequence  long
///   8  producer  int
///  12  length    int (the whole message's)
///  16  body      Pool[Offset(producer, sequence) ..][.. length - 16]
/// </code>
/// Pool is a fixed block of pseudo-random bytes, and the body's offset into it is a hash of (producer,
/// sequence), so two messages have unrelated bodies: a message mixed from two writes (a torn copy, a
/// half-written slot, a header over an older body) fails <see cref="Check"/>, and so does a truncated one.
/// </summary>
public static class PooledMessage
{
    /// <summary>The header: sequence, producer, length.</summary>
    public const int HeaderLength = 16;

    /// <summary>The largest message these helpers make.</summary>
    public const int MaxLength = 1 << 20;

    /// <summary>The pseudo-random bytes bodies are cut from (fixed seed: every process has the same pool).</summary>
    private static readonly byte[] s_pool = MakePool();

    /// <summary>Writes message (<paramref name="seq"/>, <paramref name="producer"/>) into <paramref name="m"/> (its whole length, at least <see cref="HeaderLength"/>).</summary>
    public static void Fill(Span<byte> m, long seq, int producer)
    {
        BinaryPrimitives.WriteInt64LittleEndian(m, seq);
        BinaryPrimitives.WriteInt32LittleEndian(m[8..], producer);
        BinaryPrimitives.WriteInt32LittleEndian(m[12..], m.Length);
        s_pool.AsSpan(Offset(seq, producer), m.Length - HeaderLength).CopyTo(m[HeaderLength..]);
    }

    /// <summary>Checks a received message and returns its sequence and producer.</summary>
    /// <returns>Null if the message is intact, else what is wrong with it.</returns>
    public static string? Check(ReadOnlySpan<byte> m, out long seq, out int producer)
    {
        seq = -1;
        producer = -1;
        if (m.Length < HeaderLength || m.Length > MaxLength)
        {
            return $"a message of {m.Length} bytes (they are {HeaderLength} to {MaxLength})";
        }

        seq = BinaryPrimitives.ReadInt64LittleEndian(m);
        producer = BinaryPrimitives.ReadInt32LittleEndian(m[8..]);
        int length = BinaryPrimitives.ReadInt32LittleEndian(m[12..]);
        if (seq < 0 || length != m.Length)
        {
            return $"message {seq} of producer {producer} is {m.Length} bytes long, its header says {length}";
        }

        var body = m[HeaderLength..];
        var expected = s_pool.AsSpan(Offset(seq, producer), body.Length);
        if (!body.SequenceEqual(expected))
        {
            int i = body.CommonPrefixLength(expected);
            return $"message {seq} of producer {producer} ({m.Length} bytes): byte {HeaderLength + i} is {body[i]}, expected {expected[i]} (a torn or half-written message)";
        }

        return null;
    }

    /// <summary>Where the body of (<paramref name="seq"/>, <paramref name="producer"/>) starts in the pool.</summary>
    private static int Offset(long seq, int producer)
    {
        ulong h = ((ulong)seq * 0x9E3779B97F4A7C15UL) ^ ((ulong)(uint)producer * 0xC2B2AE3D27D4EB4FUL);
        h ^= h >> 29;
        return (int)(h % (ulong)MaxLength);
    }

    private static byte[] MakePool()
    {
        var pool = new byte[2 * MaxLength];
        new Random(20261204).NextBytes(pool);
        return pool;
    }
}
