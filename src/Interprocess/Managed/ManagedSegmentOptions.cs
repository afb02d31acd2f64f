namespace Interprocess.Managed;

/// <summary>
/// The choices made when a managed segment is created. They are recorded in the segment's header, and every
/// process that opens the segment uses them (an opener does not pass options).
/// </summary>
public sealed record ManagedSegmentOptions
{
    /// <summary>The defaults: <see cref="AllocationAlgorithm.Tlsf"/> and <see cref="NameIndexKind.Hash"/>.</summary>
    public static ManagedSegmentOptions Default { get; } = new();

    /// <summary>The allocation algorithm; <see cref="AllocationAlgorithm.Tlsf"/> by default.</summary>
    public AllocationAlgorithm Algorithm { get; init; } = AllocationAlgorithm.Tlsf;

    /// <summary>The name index; <see cref="NameIndexKind.Hash"/> by default.</summary>
    public NameIndexKind Index { get; init; } = NameIndexKind.Hash;

    /// <summary>Checks the values (an enum can hold anything).</summary>
    internal void Validate()
    {
        if (!Enum.IsDefined(Algorithm))
        {
            throw new ArgumentException($"{Algorithm} is not an allocation algorithm.", nameof(Algorithm));
        }

        if (!Enum.IsDefined(Index))
        {
            throw new ArgumentException($"{Index} is not a name index kind.", nameof(Index));
        }
    }
}
