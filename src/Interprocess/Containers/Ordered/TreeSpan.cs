namespace Interprocess.Containers;

/// <summary>The first and last node (inclusive) of a range of an ordered container; both 0 when empty.</summary>
/// <param name="First">The first node.</param>
/// <param name="Last">The last node.</param>
internal readonly record struct TreeSpan(long First, long Last)
{
    /// <summary>The empty range.</summary>
    internal static TreeSpan Empty => default;
}
