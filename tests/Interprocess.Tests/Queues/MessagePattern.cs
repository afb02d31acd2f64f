using System.Buffers.Binary;

namespace Interprocess.Tests.Queues;

/// <summary>
/// The test messages (the same pattern as the driver's MessageQueueCommands and the C++ mqtool): message i is
/// the uint32 i followed by (i % 7) bytes of (i &amp; 0xff), so that every receiver can check what it got.
/// </summary>
internal static class MessagePattern
{
    public static int Write(uint id, Span<byte> buffer)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, id);
        int extra = (int)(id % 7);
        buffer.Slice(4, extra).Fill((byte)id);
        return 4 + extra;
    }

    public static uint Check(ReadOnlySpan<byte> message)
    {
        uint id = BinaryPrimitives.ReadUInt32LittleEndian(message);
        Assert.True(message.Length == 4 + (int)(id % 7) && !message[4..].ContainsAnyExcept((byte)id), $"message {id} is damaged ({message.Length} bytes)");
        return id;
    }
}
