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

    /// <summary>
    /// The registry's "no last hit" entry: no segment, identity 0, both masks all ones and a heap limit of 2^40, so
    /// the container fast path refuses every handle with it (a default handle, identity 0, passes the identity and
    /// mask tests but not the bounds test) without reading memory and without a null check.
    /// </summary>
    internal static readonly SegmentManager None = new();

    /// <summary>Creates <see cref="None"/>.</summary>
    private SegmentManager()
    {
        Name = "(no segment)";
        IsReadOnly = true;
        HeapLimit = 1L << 40;
        _readMask = -1;
        _writeMask = -1;
        _detached = true;
        _heap = null!;
        _index = null!;
    }

    /// <summary>The base address, unchecked (containers resolve through the registry, which drops detached managers).</summary>
    internal byte* BasePointer => _base;

    /// <summary>The mapped size, unchecked.</summary>
    internal long MappedSize => _mappedSize;

    /// <summary>
    /// <see cref="MappedSize"/> - <see cref="SegmentHeader.HeapStart"/>: a block of <c>n</c> bytes at handle <c>h</c>
    /// lies in the heap part of the mapping when <c>(ulong)(h - HeapStart) &lt;= (ulong)(HeapLimit - n)</c>.
    /// </summary>
    internal readonly long HeapLimit;

    /// <summary>
    /// The container fast path's combined check for reads: a header handle <c>h</c> is acceptable only when
    /// <c>(h &amp; ReadMask) == 0</c>. 7 (8-byte alignment) while attached; all ones once detached, so one test
    /// refuses a misaligned handle and every handle to a detached manager (0 passes the test but is below the heap).
    /// </summary>
    internal long ReadMask => _readMask;

    /// <summary>
    /// As <see cref="ReadMask"/> for an operation that writes: also all ones in a read-only segment, so the same
    /// single test refuses writes there (the slow path then says which check failed).
    /// </summary>
    internal long WriteMask => _writeMask;

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
