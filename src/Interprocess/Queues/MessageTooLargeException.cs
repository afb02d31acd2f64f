namespace Interprocess.Queues;

/// <summary>
/// Thrown by <see cref="MessageQueue"/>'s receive methods when the buffer given is smaller than the message
/// at the head of the queue. The message stays in the queue: receive it again with a buffer of at least
/// <see cref="RequiredSize"/> bytes.
/// </summary>
public sealed class MessageTooLargeException : InterprocessException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="requiredSize">The size of the waiting message in bytes.</param>
    /// <param name="bufferSize">The size of the buffer that was given.</param>
    public MessageTooLargeException(int requiredSize, int bufferSize)
        : base(InterprocessErrorCode.Size,
            $"The next message is {requiredSize} bytes but the receive buffer holds only {bufferSize}; the message stays in the queue. Receive it with a buffer of at least {requiredSize} bytes.")
    {
        RequiredSize = requiredSize;
        BufferSize = bufferSize;
    }

    /// <summary>Creates the exception with a message only.</summary>
    /// <param name="message">The message.</param>
    public MessageTooLargeException(string message)
        : base(InterprocessErrorCode.Size, message)
    {
    }

    /// <summary>Creates the exception with a default message.</summary>
    public MessageTooLargeException()
        : this("The receive buffer is smaller than the next message; the message stays in the queue.")
    {
    }

    /// <summary>The size in bytes of the message that did not fit: the smallest buffer that will receive it.</summary>
    public int RequiredSize { get; }

    /// <summary>The size in bytes of the buffer that was too small.</summary>
    public int BufferSize { get; }
}
