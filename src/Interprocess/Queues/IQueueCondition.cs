namespace Interprocess.Queues;

/// <summary>What a waiting side of a queue waits for (a struct, so the wait loop is specialized and inlined).</summary>
internal interface IQueueCondition
{
    /// <summary>
    /// Re-checks shared memory: true when the waiter can proceed (a message to read, room to write). Sets
    /// <paramref name="poll"/> when the check saw a slot claimed by another process, whose death no one would
    /// announce with a wake-up: the waiter then sleeps in slices and re-checks (the liveness poll).
    /// </summary>
    bool IsReady(ref bool poll);
}
