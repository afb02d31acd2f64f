namespace Interprocess.Containers;

/// <summary>
/// A value that owns memory in a managed segment: every container handle, and any struct of yours that holds
/// containers. A container calls <see cref="Destroy"/> on each element it removes (<c>Remove</c>, <c>Clear</c>, its
/// own <c>Destroy</c>), so that nested containers give their memory back to the segment. Overwriting an element
/// (an indexer set) does not destroy the old value: the same container is often stored back after a change.
/// </summary>
public interface ISegmentOwned
{
    /// <summary>Gives back to the segment everything this value owns; afterwards, handles to it are stale.</summary>
    void Destroy();
}
