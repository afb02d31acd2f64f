namespace Interprocess.Managed;

/// <summary>The name index of a managed segment, chosen at creation and recorded in its header.</summary>
public enum NameIndexKind
{
    /// <summary>An open-addressing hash table in the segment (linear probing, 16 bits of hash kept in each slot). The default.</summary>
    Hash = 1,

    /// <summary>
    /// An ordered index (a two-level B+-tree in the segment, like Boost's <c>iset_index</c> in purpose): lookups
    /// in O(log n) name comparisons, enumeration in name order.
    /// </summary>
    Ordered = 2,

    /// <summary>No index (Boost's <c>null_index</c>): only raw memory and anonymous objects; named and unique objects are refused.</summary>
    None = 3,
}
