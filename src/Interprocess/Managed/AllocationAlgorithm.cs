namespace Interprocess.Managed;

/// <summary>The allocation algorithm of a managed segment, chosen at creation and recorded in its header.</summary>
public enum AllocationAlgorithm
{
    /// <summary>
    /// Two-level segregated fit (TLSF): O(1) allocation and deallocation, immediate coalescing through
    /// boundary tags, 16-byte granularity, 16 bytes of overhead per block. The default.
    /// </summary>
    Tlsf = 1,
}
