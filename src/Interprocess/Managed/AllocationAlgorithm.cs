namespace Interprocess.Managed;

/// <summary>The allocation algorithm of a managed segment, chosen at creation and recorded in its header.</summary>
public enum AllocationAlgorithm
{
    /// <summary>
    /// Two-level segregated fit (TLSF): O(1) allocation and deallocation, immediate coalescing through
    /// boundary tags, 16-byte granularity, 16 bytes of overhead per block. The default.
    /// </summary>
    Tlsf = 1,

    /// <summary>
    /// Sequential fit: one free list in address order, first fit, the same boundary tags and coalescing.
    /// O(free blocks) per operation; address-ordered reuse keeps fragmentation low (Boost's <c>simple_seq_fit</c>).
    /// </summary>
    SequentialFit = 2,
}
