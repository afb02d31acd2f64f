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
/// The rule: a wait that had to sleep and was satisfied <c>w</c> after it began sets the budget to <c>2w</c>
/// (between <see cref="QueueWaiter.SpinNanoseconds"/> and <see cref="QueueWaiter.MaxSpinNanoseconds"/>), since a
/// spin of that length would have caught it; a wait that slept longer than the maximum (an idle peer) sets it
/// back to the base. A wait satisfied while yielding the core after its spin also sets it back to the base: the
/// peer was not running (descheduled, or waiting for this very core), and spinning longer would only have kept
/// it from running; on a loaded machine growing the spin then turns every hand-off into a spin of the whole
/// budget. A wait satisfied while spinning leaves the budget as it is. The default value is the base.
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

    /// <summary>Records a wait that slept and was satisfied <paramref name="waitedTicks"/> after it began.</summary>
    internal void AfterSleep(long waitedTicks) =>
        _ticks = waitedTicks >= MaxTicks ? 0 : Math.Clamp(2 * waitedTicks, BaseTicks, MaxTicks);

    /// <summary>Records a wait satisfied while yielding the core after its spin: back to the base.</summary>
    internal void AfterYield() => _ticks = 0;
}
