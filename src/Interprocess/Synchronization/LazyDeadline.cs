using System.Runtime.CompilerServices;

namespace Interprocess.Synchronization;

/// <summary>
/// A <see cref="Deadline"/> whose clock starts the first time it is asked for: a timed call that finds what it
/// wants at once (a free lock, room, a message) never reads the clock (a clock read costs about as much as the
/// uncontended operation itself). Owned by one call and passed down by reference, so that every wait of the call
/// counts against the same deadline.
/// </summary>
internal struct LazyDeadline
{
    private readonly TimeSpan _timeout;
    private Deadline _deadline;
    private bool _started;

    /// <summary>A deadline <paramref name="timeout"/> from its first use; the timeout is checked now.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    internal LazyDeadline(TimeSpan timeout, [CallerArgumentExpression(nameof(timeout))] string? paramName = null)
    {
        Deadline.ThrowIfInvalid(timeout, paramName);
        _timeout = timeout;
        _deadline = default;
        _started = false;
    }

    private LazyDeadline(Deadline started)
    {
        _timeout = default;
        _deadline = started;
        _started = true;
    }

    /// <summary>A deadline that never comes.</summary>
    internal static LazyDeadline Infinite => new(Deadline.Infinite);

    /// <summary>An already started deadline.</summary>
    internal static LazyDeadline From(Deadline deadline) => new(deadline);

    /// <summary>The deadline, started now if it was not yet.</summary>
    internal Deadline Value
    {
        get
        {
            if (!_started)
            {
                _deadline = Deadline.FromTimeout(_timeout);
                _started = true;
            }

            return _deadline;
        }
    }
}
