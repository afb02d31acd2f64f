namespace Interprocess;

/// <summary>
/// How an object is opened or a region mapped (Boost's <c>mode_t</c>).
/// </summary>
public enum AccessMode
{
    /// <summary>Read only. A read-only mapping never hands out writable memory.</summary>
    ReadOnly = 0,
    /// <summary>Read and write; writes are seen by every process that maps the object.</summary>
    ReadWrite = 1,
    /// <summary>
    /// Mapping only: readable and writable, but writes stay private to this mapping (copy-on-write) and never
    /// reach the object or other processes. The object may be opened read-only.
    /// </summary>
    CopyOnWrite = 2,
    /// <summary>Mapping only: a private read-only mapping (later writes by others may or may not be seen).</summary>
    ReadPrivate = 3,
}
