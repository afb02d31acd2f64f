using System.Security.Cryptography;

namespace Interprocess.Managed;

/// <summary>The segment's identity and its place in this process's registry of open segments.</summary>
public sealed unsafe partial class SegmentManager
{
    /// <summary>
    /// The segment's identity: a random, non-zero number chosen when the segment was created, the same in every
    /// process that maps it. Container handles (<see cref="Interprocess.Containers"/>) name their segment by it.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public ulong SegmentId
    {
        get
        {
            ThrowIfDetached();
            return Header.SegmentId;
        }
    }

    /// <summary>The base address, unchecked (containers resolve through the registry, which drops detached managers).</summary>
    internal byte* BasePointer => _base;

    /// <summary>The mapped size, unchecked.</summary>
    internal long MappedSize => _mappedSize;

    /// <summary>Whether the manager was detached (its memory may be gone).</summary>
    internal bool IsDetached => _detached;

    /// <summary>The identity read once when the manager was registered.</summary>
    internal ulong RegisteredId { get; private set; }

    /// <summary>Whether this mapping is private to the process (copy-on-write, heap memory, an external buffer).</summary>
    internal bool IsPrivateMapping { get; private set; }

    /// <summary>
    /// Makes the segment findable by its identity in this process (containers need it). Called by the segment
    /// types once the manager is theirs; <see cref="Detach"/> undoes it.
    /// </summary>
    /// <param name="privateMapping">The memory is this process's own copy, not shared with others.</param>
    internal void Register(bool privateMapping)
    {
        RegisteredId = Header.SegmentId;
        IsPrivateMapping = privateMapping;
        SegmentRegistry.Register(this);
    }

    /// <summary>A random non-zero identity for a new segment.</summary>
    private static ulong NewSegmentId()
    {
        ulong id;
        do
        {
            id = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(sizeof(ulong)));
        }
        while (id == 0);
        return id;
    }
}
