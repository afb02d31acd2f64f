namespace Interprocess.Managed;

/// <summary>The result of <see cref="SegmentManager.AllocationCommand"/>.</summary>
/// <param name="Handle">The block to use from now on (0 when <see cref="Outcome"/> is <see cref="AllocationOutcome.Failed"/>).</param>
/// <param name="ReceivedSize">The usable bytes of that block (Boost's received size; for a failed command 0).</param>
/// <param name="Outcome">What was done.</param>
public readonly record struct AllocationResult(long Handle, long ReceivedSize, AllocationOutcome Outcome)
{
    /// <summary>True unless the command failed.</summary>
    public bool Succeeded => Outcome != AllocationOutcome.Failed;
}
