using Interprocess.Memory;

namespace Interprocess.Queues;

/// <content>Creating, opening and removing the shared memory object of a <see cref="SpscQueue"/>.</content>
public sealed partial class SpscQueue
{
    /// <summary>Creates a new queue; fails if an object with that name exists.</summary>
    /// <param name="name">The queue's name: a shared memory object name (no '/', no NUL, not "." or "..", at most 255 bytes of UTF-8).</param>
    /// <param name="capacity">The ring's size in bytes: a power of two from 64 bytes to 1 GiB. Each message takes 16 bytes of header plus its length rounded up to 16, and a reservation needs 16 bytes more than its record.</param>
    /// <param name="maxMessageSize">The largest message, in bytes: at most half the capacity less 16.</param>
    /// <param name="permissions">The permissions of the new object; owner-only when null.</param>
    /// <returns>A handle that can produce and consume.</returns>
    /// <exception cref="ArgumentException">The name breaks a naming rule.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The capacity is not a power of two in range, or the maximum message size is negative or too large for it.</exception>
    /// <exception cref="InterprocessException">An object with that name exists (<see cref="InterprocessErrorCode.AlreadyExists"/>), or the OS refused.</exception>
    public static SpscQueue CreateNew(string name, long capacity, int maxMessageSize, Permissions? permissions = null)
    {
        QueueLimits.ThrowIfInvalid(QueueKind.Spsc, capacity, maxMessageSize, SpscQueueDescriptor.RecordAlignment);
        return new SpscQueue(QueueMapping.Create(name, QueueKind.Spsc, capacity, maxMessageSize, SpscQueueDescriptor.RecordAlignment, permissions, openIfExists: false));
    }

    /// <summary>Opens an existing queue, validating its header before anything else is read.</summary>
    /// <param name="name">The queue's name.</param>
    /// <returns>A handle that can produce and consume.</returns>
    /// <exception cref="ArgumentException">The name breaks a naming rule.</exception>
    /// <exception cref="InterprocessException">No such object (<see cref="InterprocessErrorCode.NotFound"/>); the object is not an SPSC queue, another kind of queue, of another layout version (an SPSC queue of layout version 1 or 2, made by an older version of this library, is refused with a message naming both versions), or damaged (<see cref="InterprocessErrorCode.Corrupted"/>); or the OS refused.</exception>
    public static SpscQueue OpenExisting(string name) => new(QueueMapping.Open(name, QueueKind.Spsc));

    /// <summary>Opens the queue if it exists (its sizes must then match), or creates it; <see cref="Created"/> tells which.</summary>
    /// <param name="name">The queue's name.</param>
    /// <param name="capacity">The ring's size in bytes (see <see cref="CreateNew"/>).</param>
    /// <param name="maxMessageSize">The largest message, in bytes.</param>
    /// <param name="permissions">The permissions if this call creates the object; owner-only when null.</param>
    /// <returns>A handle that can produce and consume.</returns>
    /// <exception cref="ArgumentException">The name breaks a naming rule.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The sizes are invalid (see <see cref="CreateNew"/>).</exception>
    /// <exception cref="InterprocessException">The existing object has other sizes (<see cref="InterprocessErrorCode.InvalidArgument"/>), is not an SPSC queue or is damaged (<see cref="InterprocessErrorCode.Corrupted"/>), or the OS refused.</exception>
    public static SpscQueue OpenOrCreate(string name, long capacity, int maxMessageSize, Permissions? permissions = null)
    {
        QueueLimits.ThrowIfInvalid(QueueKind.Spsc, capacity, maxMessageSize, SpscQueueDescriptor.RecordAlignment);
        return new SpscQueue(QueueMapping.Create(name, QueueKind.Spsc, capacity, maxMessageSize, SpscQueueDescriptor.RecordAlignment, permissions, openIfExists: true));
    }

    /// <summary>Removes the queue's name; processes that have it open keep using it until they dispose their handles.</summary>
    /// <param name="name">The queue's name.</param>
    /// <returns>True if an object was removed; false if there was none.</returns>
    /// <exception cref="ArgumentException">The name breaks a naming rule.</exception>
    /// <exception cref="InterprocessException">The OS refused.</exception>
    public static bool Remove(string name) => SharedMemoryObject.Remove(name);
}
