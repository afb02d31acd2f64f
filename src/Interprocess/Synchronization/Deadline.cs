using System.Runtime.CompilerServices;
using Interprocess.Interop;

namespace Interprocess.Synchronization;

/// <summary>
/// A point on the monotonic clock (CLOCK_MONOTONIC) by which a timed operation must finish. A change of the
/// wall clock never shortens or stretches it.
/// </summary>
internal readonly struct Deadline
{
    /// <summary>Monotonic nanoseconds at which the time is up; <see cref="long.MaxValue"/> for never.</summary>
    private readonly long _at;

    private Deadline(long at) => _at = at;

    /// <summary>A deadline that never comes.</summary>
    internal static Deadline Infinite => new(long.MaxValue);

    /// <summary>A deadline already passed (the timeout <see cref="TimeSpan.Zero"/>).</summary>
    internal static Deadline Passed => new(0);

    /// <summary>True for <see cref="Infinite"/>.</summary>
    internal bool IsInfinite => _at == long.MaxValue;

    /// <summary>
    /// The deadline <paramref name="timeout"/> from now. <see cref="Timeout.InfiniteTimeSpan"/> means no
    /// deadline; any other negative value is refused.
    /// </summary>
    internal static Deadline FromTimeout(TimeSpan timeout, [CallerArgumentExpression(nameof(timeout))] string? paramName = null)
    {
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            return Infinite;
        }

        ThrowIfInvalid(timeout, paramName);
        if (timeout == TimeSpan.Zero)
        {
            return Passed; // no clock read: a try-once call asks nothing of the clock
        }

        long ns = timeout.Ticks > long.MaxValue / 100 ? long.MaxValue / 2 : timeout.Ticks * 100;
        long now = Libc.MonotonicNanoseconds();
        return new Deadline(ns > long.MaxValue - now - 1 ? long.MaxValue - 1 : now + ns);
    }

    /// <summary>
    /// Refuses a negative timeout other than <see cref="Timeout.InfiniteTimeSpan"/>, without reading the clock: a
    /// timed call checks its argument first, tries its operation, and starts its deadline (<see cref="FromTimeout"/>,
    /// a clock read of about 35 ns) only when it has to wait.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    internal static void ThrowIfInvalid(TimeSpan timeout, [CallerArgumentExpression(nameof(timeout))] string? paramName = null)
    {
        if (timeout < TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(paramName, timeout, "A timeout must be zero or positive, or Timeout.InfiniteTimeSpan.");
        }
    }

    /// <summary>Nanoseconds left (0 when passed); -1 for an infinite deadline.</summary>
    internal long RemainingNanoseconds()
    {
        if (IsInfinite)
        {
            return -1;
        }

        long left = _at - Libc.MonotonicNanoseconds();
        return left > 0 ? left : 0;
    }

    /// <summary>True once the deadline has passed.</summary>
    internal bool HasPassed => !IsInfinite && Libc.MonotonicNanoseconds() >= _at;
}
