namespace Interprocess.Synchronization;

/// <summary>
/// <see cref="SpinWait"/> for a waiter whose partner is another process: the same shape (short pauses that grow,
/// then yields of the core alternating with pauses), but it spins whenever <see cref="Processors.SpinningHelps"/>,
/// where <see cref="SpinWait"/> only yields in a process that may run on one processor (see <see cref="Processors"/>).
/// </summary>
internal struct PeerSpinWait
{
    /// <summary>Spins before the first yield (as <see cref="SpinWait"/>).</summary>
    private const int YieldThreshold = 10;

    /// <summary>Spins before the first yield when <see cref="Processors.MayShareCore"/>: about 0.5 µs of pauses, which catch a peer on another core in a ping-pong.</summary>
    private const int SharedCoreYieldThreshold = 4;

    /// <summary>The longest pause, in <see cref="Thread.SpinWait(int)"/> iterations (normalized by the runtime to about 30 ns each; .NET's own limit measured 7 here).</summary>
    private const int MaxIterations = 7;

    private int _count;

    /// <summary>
    /// One step: a pause of 1, 2, 4, then 7 iterations; from the tenth step on, a yield every other step (from the
    /// fourth step on, when <see cref="Processors.MayShareCore"/>).
    /// </summary>
    internal void SpinOnce()
    {
        int yieldFrom = Processors.MayShareCore ? SharedCoreYieldThreshold : YieldThreshold;
        if (!Processors.SpinningHelps || (_count >= yieldFrom && ((_count - yieldFrom) & 1) == 0))
        {
            Thread.Yield();
        }
        else
        {
            Thread.SpinWait(_count < 3 ? 1 << _count : MaxIterations);
        }

        _count = _count == int.MaxValue ? YieldThreshold : _count + 1;
    }
}
