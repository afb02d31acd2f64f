using System.Runtime.ExceptionServices;

namespace Interprocess.Tests.Queues;

/// <summary>A background thread whose exception is rethrown by <see cref="Join"/> (tests here block, so no tasks).</summary>
internal sealed class Background
{
    private readonly Thread _thread;
    private Exception? _error;

    private Background(Action action)
    {
        _thread = new Thread(() =>
        {
            try
            {
                action();
            }
            catch (Exception e)
            {
                _error = e;
            }
        })
        { IsBackground = true };
    }

    public static Background Start(Action action)
    {
        var b = new Background(action);
        b._thread.Start();
        return b;
    }

    /// <summary>Waits for the thread (failing the test if it does not finish in time) and rethrows its exception.</summary>
    public void Join(TimeSpan timeout)
    {
        Assert.True(_thread.Join(timeout), "the background thread did not finish in time");
        if (_error is not null)
        {
            ExceptionDispatchInfo.Throw(_error);
        }
    }
}
