using System.Diagnostics;

namespace Interprocess.Queues;

/// <summary>
/// How long one waiting side of a queue handle spins before it sleeps (<see cref="QueueWaiter.Wait"/>): adapted to
/// how long its waits recently took, so that a peer that answers quickly but not within the base spin (a peer
/// that was itself asleep and needed a wake-up) is waited for spinning next time, instead of both sides paying a
/// futex wake and a wake-up on every hand-off. Private to the handle (never in shared memory); a racy update by
/// two threads sharing a handle only misestimates the heuristic.
/// </summary>
/// <remarks>
/// The rule: a wait that outlasted its spin (it had to yield the core or sleep) and was satisfied <c>w</c> after it began sets the budget to <c>2w</c>
/// (between <see cref="QueueWaiter.SpinNanoseconds"/> and <see cref="QueueWaiter.MaxSpinNanoseconds"/>), since a
/// spin of that length would have caught it; a wait that took longer than the maximum (an idle peer) sets it
/// back to the base. A wait satisfied while spinning leaves it as it is. The default value is the base.
/// </remarks>
internal struct SpinBudget
{
    /// <summary>Stopwatch ticks of the base spin.</summary>
    internal static readonly long BaseTicks = Math.Max(1, QueueWaiter.SpinNanoseconds * Stopwatch.Frequency / 1_000_000_000);

    /// <summary>Stopwatch ticks of the longest spin.</summary>
    internal static readonly long MaxTicks = Math.Max(BaseTicks, QueueWaiter.MaxSpinNanoseconds * Stopwatch.Frequency / 1_000_000_000);

    /// <summary>The current budget in Stopwatch ticks; 0 = the base (the default value).</summary>
    private long _ticks;

    /// <summary>The spin to use now, in Stopwatch ticks.</summary>
    internal readonly long Ticks => _ticks == 0 ? BaseTicks : _ticks;

    /// <summary>Records a wait that outlasted its spin (it yielded or slept) and was satisfied <paramref name="waitedTicks"/> after it began.</summary>
    internal void AfterSpinFailed(long waitedTicks) =>
        _ticks = waitedTicks >= MaxTicks ? 0 : Math.Clamp(2 * waitedTicks, BaseTicks, MaxTicks);
}
