namespace Interprocess.Managed;

/// <summary>The null index: holds nothing, for segments that need only raw memory and anonymous objects.</summary>
internal sealed class NullNameIndex : INameIndex
{
    /// <inheritdoc />
    public bool SupportsNames => false;

    /// <inheritdoc />
    public long OwnBlocks => 0;

    /// <inheritdoc />
    public void ShrinkToFit()
    {
    }

    /// <inheritdoc />
    public void Format()
    {
    }

    /// <inheritdoc />
    public void ValidateOnOpen()
    {
    }

    /// <inheritdoc />
    public long Find(ObjectKind kind, ReadOnlySpan<byte> name, ulong hash) => 0;

    /// <inheritdoc />
    public bool Reserve(long count) => count == 0;

    /// <inheritdoc />
    public void Insert(long header, ObjectKind kind, ulong hash) =>
        throw new InvalidOperationException("The null index holds no entries.");

    /// <inheritdoc />
    public bool Remove(long header, ObjectKind kind, ulong hash) => false;

    /// <inheritdoc />
    public long Count(ObjectKind kind) => 0;

    /// <inheritdoc />
    public List<long> Entries() => [];

    /// <inheritdoc />
    public void CheckSanity(List<string> problems)
    {
    }

    /// <inheritdoc />
    public void Rebuild(List<(long Header, ObjectKind Kind, ulong Hash)> headers)
    {
    }
}
