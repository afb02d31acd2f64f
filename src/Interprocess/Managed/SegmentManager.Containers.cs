using Interprocess.Synchronization;

namespace Interprocess.Managed;

/// <summary>The segment lock as the container allocators' pools use it.</summary>
public sealed unsafe partial class SegmentManager
{
    /// <summary>
    /// Takes the segment's lock for a pool operation of the container allocators (<c>Interprocess.Containers</c>):
    /// the pools shared by several containers are guarded by the segment's own robust lock, so that a pool that
    /// needs a new chunk can allocate it (the lock is recursive) and no lock order between two locks exists. A
    /// pool operation does not change the heap or the name index by itself (a chunk allocation inside it goes
    /// through <see cref="Allocate(long)"/>, which marks its own change), so optimistic finds are not disturbed.
    /// If the previous owner died, the heap and the index are repaired first, as for every operation; the
    /// pools detect their own interrupted operations (see <c>ContainerPools</c>).
    /// </summary>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    /// <exception cref="InterprocessException">The segment is corrupted beyond repair.</exception>
    internal void EnterPoolLock()
    {
        if (_detached | IsReadOnly)
        {
            ThrowEnter();
        }

        if (Header.SegmentLock.Acquire(Timeout.InfiniteTimeSpan) == LockStatus.AcquiredAbandoned)
        {
            RecoverOrRelease();
        }
    }

    /// <summary>Releases the lock taken by <see cref="EnterPoolLock"/>.</summary>
    internal void ExitPoolLock() => Header.SegmentLock.Unlock();
}
