using Interprocess.Memory;

namespace Interprocess.Queues;

/// <content>Creating, opening and removing the shared memory object of a <see cref="BroadcastQueue"/>.</content>
public sealed partial class BroadcastQueue
{
    /// <summary>Creates a new queue; fails if an object with that name exists.</summary>
    /// <param name="name">The queue's name: a shared memory object name (no '/', no NUL, not "." or "..", at most 255 bytes of UTF-8).</param>
    /// <param name="capacity">The number of slots (messages the queue holds): a power of two from 2 to 2^24.</param>
    /// <param name="maxMessageSize">The largest message, in bytes (0 to 16 MiB); every slot takes 16 bytes plus this, rounded up to 8.</param>
    /// <param name="permissions">The permissions of the new object; owner-only when null.</param>
    /// <returns>A handle that can publish, and receive from the newest message on.</returns>
    /// <exception cref="ArgumentException">The name breaks a naming rule.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The capacity is not a power of two in range, or the maximum message size is negative or too large.</exception>
    /// <exception cref="InterprocessException">An object with that name exists (<see cref="InterprocessErrorCode.AlreadyExists"/>), or the OS refused.</exception>
    public static BroadcastQueue CreateNew(string name, long capacity, int maxMessageSize, Permissions? permissions = null)
    {
        QueueLimits.ThrowIfInvalid(QueueKind.Broadcast, capacity, maxMessageSize, QueueLimits.SlotSize(maxMessageSize));
        return new BroadcastQueue(QueueMapping.Create(name, QueueKind.Broadcast, capacity, maxMessageSize, QueueLimits.SlotSize(maxMessageSize), permissions, openIfExists: false));
    }

    /// <summary>Opens an existing queue, validating its header before anything else is read.</summary>
    /// <param name="name">The queue's name.</param>
    /// <returns>A handle that can publish, and receive from the newest message on.</returns>
    /// <exception cref="ArgumentException">The name breaks a naming rule.</exception>
    /// <exception cref="InterprocessException">No such object (<see cref="InterprocessErrorCode.NotFound"/>); the object is not a broadcast queue, another kind of queue, of another layout version, or damaged (<see cref="InterprocessErrorCode.Corrupted"/>); or the OS refused.</exception>
    public static BroadcastQueue OpenExisting(string name) => new(QueueMapping.Open(name, QueueKind.Broadcast));

    /// <summary>Opens the queue if it exists (its sizes must then match), or creates it; <see cref="Created"/> tells which.</summary>
    /// <param name="name">The queue's name.</param>
    /// <param name="capacity">The number of slots (see <see cref="CreateNew"/>).</param>
    /// <param name="maxMessageSize">The largest message, in bytes.</param>
    /// <param name="permissions">The permissions if this call creates the object; owner-only when null.</param>
    /// <returns>A handle that can publish, and receive from the newest message on.</returns>
    /// <exception cref="ArgumentException">The name breaks a naming rule.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The sizes are invalid (see <see cref="CreateNew"/>).</exception>
    /// <exception cref="InterprocessException">The existing object has other sizes (<see cref="InterprocessErrorCode.InvalidArgument"/>), is not a broadcast queue or is damaged (<see cref="InterprocessErrorCode.Corrupted"/>), or the OS refused.</exception>
    public static BroadcastQueue OpenOrCreate(string name, long capacity, int maxMessageSize, Permissions? permissions = null)
    {
        QueueLimits.ThrowIfInvalid(QueueKind.Broadcast, capacity, maxMessageSize, QueueLimits.SlotSize(maxMessageSize));
        return new BroadcastQueue(QueueMapping.Create(name, QueueKind.Broadcast, capacity, maxMessageSize, QueueLimits.SlotSize(maxMessageSize), permissions, openIfExists: true));
    }

    /// <summary>Removes the queue's name; processes that have it open keep using it until they dispose their handles.</summary>
    /// <param name="name">The queue's name.</param>
    /// <returns>True if an object was removed; false if there was none.</returns>
    /// <exception cref="ArgumentException">The name breaks a naming rule.</exception>
    /// <exception cref="InterprocessException">The OS refused.</exception>
    public static bool Remove(string name) => SharedMemoryObject.Remove(name);
}
