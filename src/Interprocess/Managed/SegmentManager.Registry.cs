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
    /// The registry's "no last hit" entry: no segment, identity 0 and both header bounds 0, so the container fast
    /// path refuses every handle with it (a default handle, identity 0, passes the identity test but not the bound)
    /// without reading memory and without a null check.
    /// </summary>
    internal static readonly SegmentManager None = new();

    /// <summary>Creates <see cref="None"/>.</summary>
    private SegmentManager()
    {
        Name = "(no segment)";
        IsReadOnly = true;
        HeapLimit = 1L << 40;
        SmallElementLimit = SmallElementBound(HeapLimit);
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

    /// <summary>The largest element (bytes) that <see cref="SmallElementLimit"/> admits.</summary>
    internal const int MaxSmallElementSize = 64;

    /// <summary>
    /// A containers' fast path bound for an element of at most <see cref="MaxSmallElementSize"/> bytes at offset
    /// <c>s</c>: it lies in the heap part of the mapping when <c>(ulong)(s - HeapStart) &lt; (ulong)SmallElementLimit</c>
    /// (one compare with no arithmetic on the limit). Conservative: an element in the heap's last bytes fails it, and
    /// the caller then checks exactly on its slow path.
    /// </summary>
    internal readonly long SmallElementLimit;

    /// <summary>
    /// The container fast path's combined check for reads: a header handle <c>h</c> may be read without further
    /// checks when <c>(ulong)h &lt; ReadHeaderBound</c>: then <see cref="Interprocess.Containers.ContainerHandle.MaxHeaderSize"/>
    /// bytes at <c>h</c> lie in the mapping. 0 once detached, so nothing passes. This bound only makes the read
    /// safe; the header's random stamp then decides, and a mismatch runs the exact checks (alignment, heap bounds)
    /// before it is reported. A handle that fails goes to the registry's slow path, which checks exactly (a small
    /// header in the last bytes of the heap is accepted there).
    /// </summary>
    internal ulong ReadHeaderBound => _readHeaderBound;

    /// <summary>
    /// As <see cref="ReadHeaderBound"/> for an operation that writes: also 0 in a read-only segment, so the same
    /// single compare refuses writes there (the slow path then says which check failed).
    /// </summary>
    internal ulong WriteHeaderBound => _writeHeaderBound;

    /// <summary>The <see cref="SmallElementLimit"/> of a heap of <paramref name="heapLimit"/> bytes.</summary>
    private static long SmallElementBound(long heapLimit) => Math.Max(0, heapLimit - MaxSmallElementSize + 1);

    /// <summary>The <see cref="ReadHeaderBound"/> of an attached heap of <paramref name="heapLimit"/> bytes.</summary>
    private static ulong HeaderBound(long heapLimit) =>
        (ulong)Math.Max(0, SegmentHeader.HeapStart + heapLimit - Interprocess.Containers.ContainerHandle.MaxHeaderSize + 1);

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
