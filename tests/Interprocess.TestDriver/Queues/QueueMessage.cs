using System.Buffers.Binary;

namespace Interprocess.TestDriver.Queues;

/// <summary>
/// The test messages of the queue tests: length and content are functions of (sequence, producer), so a
/// receiver checks every byte (a half-written or mixed-up message fails) and knows which message it got.
/// Layout: sequence (8 bytes), producer (4 bytes), then bytes derived from both. Some sequences have length 0
/// (checked by position in ordered queues) and some the maximum length.
/// </summary>
public static class QueueMessage
{
    /// <summary>The header: sequence and producer.</summary>
    public const int HeaderLength = 12;

    /// <summary>The length of message <paramref name="seq"/> for a queue of messages up to <paramref name="max"/> bytes.</summary>
    public static int LengthFor(long seq, int max, bool allowEmpty)
    {
        if (allowEmpty && seq % 53 == 7)
        {
            return 0;
        }

        if (seq % 101 == 3)
        {
            return max;
        }

        return HeaderLength + (int)((ulong)(seq * 2654435761L) % (ulong)(max - HeaderLength + 1));
    }

    /// <summary>Writes message (<paramref name="seq"/>, <paramref name="producer"/>) into <paramref name="m"/> (its whole length).</summary>
    public static void Fill(Span<byte> m, long seq, int producer)
    {
        if (m.Length == 0)
        {
            return;
        }

        BinaryPrimitives.WriteInt64LittleEndian(m, seq);
        BinaryPrimitives.WriteInt32LittleEndian(m[8..], producer);
        for (int i = HeaderLength; i < m.Length; i++)
        {
            m[i] = Byte(seq, producer, i);
        }
    }

    /// <summary>Checks a received message; returns its sequence and producer (-1, -1 for an empty message).</summary>
    /// <returns>Null if the message is intact, else what is wrong.</returns>
    public static string? Check(ReadOnlySpan<byte> m, int max, bool allowEmpty, out long seq, out int producer)
    {
        seq = -1;
        producer = -1;
        if (m.Length == 0)
        {
            return allowEmpty ? null : "empty message";
        }

        if (m.Length < HeaderLength)
        {
            return $"short message of {m.Length} bytes";
        }

        seq = BinaryPrimitives.ReadInt64LittleEndian(m);
        producer = BinaryPrimitives.ReadInt32LittleEndian(m[8..]);
        if (seq < 0 || m.Length != LengthFor(seq, max, allowEmpty))
        {
            return $"message {seq} of producer {producer} has length {m.Length}";
        }

        for (int i = HeaderLength; i < m.Length; i++)
        {
            if (m[i] != Byte(seq, producer, i))
            {
                return $"message {seq} of producer {producer}: byte {i} is {m[i]}, expected {Byte(seq, producer, i)}";
            }
        }

        return null;
    }

    private static byte Byte(long seq, int producer, int i) => (byte)((seq * 131) + (i * 7) + (producer * 17) + (i >> 8));
}
