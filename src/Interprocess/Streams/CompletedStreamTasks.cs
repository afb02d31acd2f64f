namespace Interprocess.Streams;

/// <summary>
/// The asynchronous members of the streams over shared memory, done synchronously: the bytes are already in
/// memory, so each call copies and returns a completed task. A canceled token gives a canceled task, and an
/// exception is carried in the task, as <see cref="Stream"/>'s contract asks.
/// </summary>
internal static class CompletedStreamTasks
{
    public static Task Flush(Stream stream, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        try
        {
            stream.Flush();
            return Task.CompletedTask;
        }
        catch (Exception e)
        {
            return Task.FromException(e);
        }
    }

    public static ValueTask<int> Read(Stream stream, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<int>(cancellationToken);
        }

        try
        {
            return new ValueTask<int>(stream.Read(buffer.Span));
        }
        catch (Exception e)
        {
            return ValueTask.FromException<int>(e);
        }
    }

    public static ValueTask Write(Stream stream, ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        try
        {
            stream.Write(buffer.Span);
            return ValueTask.CompletedTask;
        }
        catch (Exception e)
        {
            return ValueTask.FromException(e);
        }
    }
}
