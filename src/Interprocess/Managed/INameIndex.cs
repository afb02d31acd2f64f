namespace Interprocess.Managed;

/// <summary>
/// The index from (kind, name) to object headers in a managed segment. Values are object header offsets
/// (handles). Callers hold the segment lock. Implementations validate every offset they read.
/// </summary>
internal interface INameIndex
{
    /// <summary>False for the null index: named and unique objects are refused.</summary>
    bool SupportsNames { get; }

    /// <summary>Lays out an empty index (creation only).</summary>
    void Format();

    /// <summary>Checks the index state on open; throws Corrupted when it is not usable.</summary>
    void ValidateOnOpen();

    /// <summary>The header of the live object of that kind and name, or 0.</summary>
    long Find(ObjectKind kind, ReadOnlySpan<byte> name, ulong hash);

    /// <summary>Makes room for <paramref name="count"/> more entries; false when the segment has no memory for it.</summary>
    bool Reserve(long count);

    /// <summary>Adds an entry known to be absent (after <see cref="Reserve"/>); the publishing store is last.</summary>
    void Insert(long header, ObjectKind kind, ulong hash);

    /// <summary>Removes an entry; false if it was not there.</summary>
    bool Remove(long header, ObjectKind kind, ulong hash);

    /// <summary>How many entries of a kind.</summary>
    long Count(ObjectKind kind);

    /// <summary>Every entry's header.</summary>
    List<long> Entries();

    /// <summary>Describes each inconsistency found.</summary>
    void CheckSanity(List<string> problems);

    /// <summary>Replaces the index by one holding exactly <paramref name="headers"/> (recovery).</summary>
    void Rebuild(List<(long Header, ObjectKind Kind, ulong Hash)> headers);

    /// <summary>Gives back index memory not needed for the entries it holds (Boost's <c>shrink_to_fit_indexes</c>); never needs memory it cannot get.</summary>
    void ShrinkToFit();

    /// <summary>Allocator blocks the index itself owns (for "all memory deallocated").</summary>
    long OwnBlocks { get; }
}
