namespace Interprocess.Queues;

/// <summary>
/// A read-only snapshot of a <see cref="MessageQueue"/>'s shared state, taken by <see cref="MessageQueue.Inspect"/>
/// without the queue's lock (every field may change at once in a live queue).
/// </summary>
/// <param name="Name">The queue's name.</param>
/// <param name="ObjectSize">The size of the shared memory object in bytes.</param>
/// <param name="MaxMessages">The capacity in messages (Boost's <c>get_max_msg</c>).</param>
/// <param name="MaxMessageSize">The largest message in bytes (Boost's <c>get_max_msg_size</c>).</param>
/// <param name="Count">The messages in the queue (Boost's <c>get_num_msg</c>).</param>
/// <param name="BlockedSenders">Senders waiting for room (the header's counter, as Boost keeps it).</param>
/// <param name="BlockedReceivers">Receivers waiting for a message (the header's counter).</param>
/// <param name="LockOwnerThreadId">The kernel thread id holding the queue's mutex, 0 when it is free.</param>
/// <param name="LockOwnerDied">The mutex's last owner died holding it and nobody has recovered it yet.</param>
/// <param name="LockNotRecoverable">The mutex was left unrecoverable (a process unlocked it after an owner died without making it consistent, as Boost 1.81 does).</param>
public sealed record MessageQueueInfo(
    string Name,
    long ObjectSize,
    int MaxMessages,
    int MaxMessageSize,
    int Count,
    long BlockedSenders,
    long BlockedReceivers,
    int LockOwnerThreadId,
    bool LockOwnerDied,
    bool LockNotRecoverable);
