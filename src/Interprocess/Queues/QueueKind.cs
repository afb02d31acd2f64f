namespace Interprocess.Queues;

/// <summary>Which fast queue a shared memory object holds (the <c>Kind</c> field of its header).</summary>
internal enum QueueKind
{
    /// <summary>Not a queue (never stored).</summary>
    None = 0,

    /// <summary><see cref="SpscQueue"/>: a byte ring of variable-size records.</summary>
    Spsc = 1,

    /// <summary><see cref="MpmcQueue"/>: a ring of fixed-size slots with per-slot state words.</summary>
    Mpmc = 2,

    /// <summary><see cref="BroadcastQueue"/>: a ring of fixed-size slots with per-slot seqlock sequences.</summary>
    Broadcast = 3,
}
