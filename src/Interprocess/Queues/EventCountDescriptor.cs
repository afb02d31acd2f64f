namespace Interprocess.Queues;

/// <summary>
/// The layout of an event count in a queue header (<see cref="QueueHeaderDescriptor.NotEmptyOffset"/>,
/// <see cref="QueueHeaderDescriptor.NotFullOffset"/>): the words <see cref="QueueWaiter"/> sleeps and wakes on.
/// All-zero is the valid initial state (no sleepers, sequence 0).
/// </summary>
internal static class EventCountDescriptor
{
    /// <summary>The futex word: incremented by every wake, so a sleeper whose snapshot is stale does not sleep.</summary>
    internal const int SequenceOffset = 0;

    /// <summary>Non-zero while some waiter may be asleep (or about to sleep); cleared by the waker that wakes them.</summary>
    internal const int SleepersOffset = 4;
}
