namespace Interprocess.Memory;

/// <summary>Hints about how a mapped region will be used (<c>madvise</c>), as Boost's <c>mapped_region::advice_types</c>.</summary>
public enum MemoryAdvice
{
    /// <summary>No special treatment.</summary>
    Normal = 0,
    /// <summary>Pages will be accessed in random order: read-ahead is less useful.</summary>
    Random,
    /// <summary>Pages will be accessed in order: read ahead aggressively.</summary>
    Sequential,
    /// <summary>Pages will be needed soon: read them in now.</summary>
    WillNeed,
    /// <summary>
    /// Pages will not be needed soon. For shared mappings the contents are kept (the object holds them); for
    /// private (copy-on-write) mappings the private changes are dropped.
    /// </summary>
    DontNeed,
}
