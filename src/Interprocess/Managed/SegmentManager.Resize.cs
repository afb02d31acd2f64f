using Interprocess.Synchronization;

namespace Interprocess.Managed;

/// <summary>
/// Offline resizing (Grow / ShrinkToFit) through the resize journal, and the completion of an interrupted one:
/// see docs/managed-segments.md, "When a process crashes".
/// </summary>
/// <remarks>
/// <para>A resize claims the journal (its ResizerPid word), writes the journal (operation, old and new sizes and
/// heap ends, and the few heap words it will overwrite), and only then marks the header "resizing" (a release
/// store). From then on every step is idempotent and is the same code whether the resizer runs it or a process
/// completing an interrupted resize does (<see cref="RollResize"/>): so a process killed at any point leaves a
/// segment that the next opener rolls forward (the object has the new size) or back (it does not).</para>
/// </remarks>
public sealed unsafe partial class SegmentManager
{
    /// <summary>
    /// Test hook: called with the name of each step of an offline resize ("grow-journaled", "grow-truncated",
    /// "grow-end-sentinel", "grow-end-linked", "grow-heap-rebuilt", "grow-header-written", "shrink-journaled",
    /// "shrink-end-sentinel", "shrink-end-cut", "shrink-heap-rebuilt", "shrink-header-written", "shrink-truncated"),
    /// so that a test can stop a child there and kill it.
    /// </summary>
    internal static Action<string>? TestHookResizeStep { get; set; }

    /// <summary>Reports a step of an offline resize to the test hook.</summary>
    internal static void ResizeStep(string step) => TestHookResizeStep?.Invoke(step);

    private static ref ResizeJournal Journal(byte* segmentBase) => ref *(ResizeJournal*)(segmentBase + SegmentHeader.ResizeJournalOffset);

    /// <summary>
    /// Offline grow, step 1 (no other user): checks the new size, repairs the segment if a process died holding
    /// its lock, claims the journal, writes it and marks the segment "resizing". Nothing else changes. This
    /// manager is detached; the caller makes the memory <paramref name="newSize"/> bytes and calls
    /// <see cref="CompleteResize"/>.
    /// </summary>
    internal void BeginGrow(long newSize)
    {
        ThrowIfDetached();
        ValidateSize(newSize);
        ref var h = ref Header;
        long oldEnd = h.HeapEnd;
        long newEnd = newSize & ~15L;
        if (newSize <= h.SegmentSize || newEnd - oldEnd < 64)
        {
            throw new ArgumentOutOfRangeException(nameof(newSize), newSize, $"A segment grows by at least 64 bytes; '{Name}' is {h.SegmentSize} bytes.");
        }

        RepairIfAbandoned();
        _heap.SnapshotEnd(out long prevSize, out long sizeFlags);
        StartJournal(ResizeJournal.Grow, newSize, newEnd, 0, prevSize, sizeFlags);
        Detach();
        ResizeStep("grow-journaled");
    }

    /// <summary>
    /// Offline shrink, step 1 (no other user): finds the free block at the end of the heap and, when there is one
    /// to cut, journals the cut and marks the segment "resizing" (<paramref name="journaled"/>); the caller then
    /// calls <see cref="RollResize"/>, shrinks the object to the returned size, and calls <see cref="EndResize"/>.
    /// Without a block to cut, only the header's size is rounded down to the heap end (one store). This manager
    /// is detached.
    /// </summary>
    /// <returns>The new segment size.</returns>
    internal long BeginShrink(out bool journaled)
    {
        ThrowIfDetached();
        RepairIfAbandoned();
        ref var h = ref Header;
        long newEnd = _heap.PlanTrim(out long block, out long blockSizeFlags);
        journaled = newEnd != h.HeapEnd;
        if (!journaled)
        {
            // HeapEnd is SegmentSize rounded down to 16: either value of this one store is consistent.
            h.SegmentSize = h.HeapEnd;
        }
        else
        {
            StartJournal(ResizeJournal.Shrink, newEnd, newEnd, block, 0, blockSizeFlags);
        }

        Detach();
        if (journaled)
        {
            ResizeStep("shrink-journaled");
        }

        return newEnd;
    }

    /// <summary>
    /// Offline grow for memory that is already large enough (<see cref="ManagedHeapMemory"/>,
    /// <see cref="ManagedExternalBuffer"/>): the heap takes the new bytes as free memory. This manager is
    /// detached; use the returned one.
    /// </summary>
    internal SegmentManager GrowTo(long newSize, long mappedSize)
    {
        BeginGrow(newSize);
        CompleteResize(_base, mappedSize, Name);
        return new SegmentManager(_base, mappedSize, Name, readOnly: false);
    }

    /// <summary>Rolls the journaled resize forward (or back when the memory is too small for it) and marks the segment ready.</summary>
    internal static void CompleteResize(byte* segmentBase, long mappedSize, string name)
    {
        RollResize(segmentBase, mappedSize, name, preferBack: false);
        EndResize(segmentBase);
    }

    /// <summary>
    /// Brings the heap and the header to the journal's new sizes (forward), or back to the old ones: a grow goes
    /// back when the memory does not reach the new size (the object was not grown) or when
    /// <paramref name="preferBack"/>; a shrink goes back only when asked and the header still has the old size
    /// (so the object was not cut). Every step is idempotent; the state stays "resizing".
    /// </summary>
    /// <returns>True when it rolled forward.</returns>
    internal static bool RollResize(byte* segmentBase, long mappedSize, string name, bool preferBack)
    {
        ref var h = ref *(SegmentHeader*)segmentBase;
        ref var j = ref Journal(segmentBase);
        ValidateJournal(ref h, ref j, mappedSize, name);
        bool grow = j.Operation == ResizeJournal.Grow;
        bool forward = grow
            ? mappedSize >= j.NewSize && !preferBack
            : !(preferBack && h.SegmentSize == j.OldSize && mappedSize >= j.OldSize);
        var heap = CreateAlgorithm(segmentBase, h.Algorithm, h.HeapOffset, forward ? j.NewHeapEnd : j.OldHeapEnd, name);
        if (grow && forward)
        {
            heap.WriteGrownEnd(j.OldHeapEnd);
        }
        else if (grow)
        {
            heap.RestoreGrownEnd(j.SavedPrevSize, j.SavedSizeFlags);
        }
        else if (forward)
        {
            heap.WriteTrimmedEnd(j.Block);
        }
        else
        {
            heap.RestoreTrimmedEnd(j.Block, j.SavedSizeFlags);
        }

        // Free lists, boundary flags and counters from the chain of sizes (merging the new bytes with a free
        // last block); a kill in the middle leaves the chain whole, and this runs again.
        heap.Rebuild();
        ResizeStep(grow ? "grow-heap-rebuilt" : "shrink-heap-rebuilt");
        h.HeapEnd = forward ? j.NewHeapEnd : j.OldHeapEnd;
        h.SegmentSize = forward ? j.NewSize : j.OldSize;
        ResizeStep(grow ? "grow-header-written" : "shrink-header-written");
        return forward;
    }

    /// <summary>The resize is complete: the segment is ready again and the journal's claim is released.</summary>
    internal static void EndResize(byte* segmentBase)
    {
        ref var h = ref *(SegmentHeader*)segmentBase;
        ref var j = ref Journal(segmentBase);
        // Release: the heap and the header's sizes are visible before the state says ready.
        Volatile.Write(ref h.State, SegmentHeader.StateReady);
        j.Operation = 0;
        Volatile.Write(ref j.ResizerPid, 0);
    }

    /// <summary>
    /// An opener found the state "resizing": completes the resize when its process is gone (after claiming the
    /// journal). False when a live process is resizing (the caller waits); true when the state may have changed.
    /// </summary>
    private static bool TryCompleteInterruptedResize(byte* segmentBase, long mappedSize, string name, bool readOnly)
    {
        ref var h = ref *(SegmentHeader*)segmentBase;
        ref var j = ref Journal(segmentBase);
        int pid = Volatile.Read(ref j.ResizerPid);
        if (IsLiveOther(pid))
        {
            return false;
        }

        if (readOnly)
        {
            throw InterprocessException.Corrupted(name, $"an offline {j.OperationName} ({j.OldSize} -> {j.NewSize} bytes) by process {pid} was interrupted; open the segment for writing once to complete it.");
        }

        if (!TryClaim(ref j))
        {
            return false;
        }

        int me = Environment.ProcessId;
        try
        {
            // Another opener may have completed it between our reads (and released the claim we then took).
            if (Volatile.Read(ref h.State) == SegmentHeader.StateResizing)
            {
                CompleteResize(segmentBase, mappedSize, name);
                return true;
            }
        }
        catch
        {
            Interlocked.CompareExchange(ref j.ResizerPid, 0, me);
            throw;
        }

        Interlocked.CompareExchange(ref j.ResizerPid, 0, me);
        return true;
    }

    /// <summary>
    /// The repair path (<see cref="Repair"/>, or a dead lock owner's recovery) found the state "resizing": rolls
    /// the resize back when this manager's heap bounds are the old ones (so it keeps working), forward otherwise,
    /// and makes the algorithm and the index again if the bounds changed. Returns what it did, for the report.
    /// </summary>
    private string CompleteResizeForRepair()
    {
        ref var j = ref Journal(_base);
        int pid = Volatile.Read(ref j.ResizerPid);
        if (IsLiveOther(pid) || !TryClaim(ref j))
        {
            throw new InterprocessException(InterprocessErrorCode.Busy, $"The managed segment '{Name}' is being resized by process {pid} (an offline {j.OperationName}); repair it when that is done.");
        }

        string operation = j.OperationName;
        bool forward;
        try
        {
            forward = RollResize(_base, _mappedSize, Name, preferBack: j.OldHeapEnd == _heapEnd);
            EndResize(_base);
        }
        catch
        {
            Interlocked.CompareExchange(ref j.ResizerPid, 0, Environment.ProcessId);
            throw;
        }

        if (Header.HeapEnd != _heapEnd)
        {
            (_heap, _index, _heapEnd) = CreateStructures(_base, Name);
        }

        return $" An interrupted offline {operation} was rolled {(forward ? "forward" : "back")}.";
    }

    /// <summary>Claims the journal, writes it and marks the segment "resizing" (a release store, last).</summary>
    private void StartJournal(int operation, long newSize, long newHeapEnd, long block, long savedPrevSize, long savedSizeFlags)
    {
        ref var h = ref Header;
        ref var j = ref Journal(_base);
        if (!TryClaim(ref j))
        {
            throw new InterprocessException(InterprocessErrorCode.Busy, $"The managed segment '{Name}' is being resized by process {Volatile.Read(ref j.ResizerPid)}.");
        }

        j.OldSize = h.SegmentSize;
        j.NewSize = newSize;
        j.OldHeapEnd = h.HeapEnd;
        j.NewHeapEnd = newHeapEnd;
        j.Block = block;
        j.SavedPrevSize = savedPrevSize;
        j.SavedSizeFlags = savedSizeFlags;
        j.Operation = operation;
        // Release: the whole journal is visible before the state says "resizing"; nothing else has changed yet.
        Volatile.Write(ref h.State, SegmentHeader.StateResizing);
    }

    /// <summary>Takes the journal's claim word when it is free (0), held by a dead process, or by this one; false when a live process holds it.</summary>
    private static bool TryClaim(ref ResizeJournal j)
    {
        int me = Environment.ProcessId;
        while (true)
        {
            int pid = Volatile.Read(ref j.ResizerPid);
            if (pid == me)
            {
                return true;
            }

            if (IsLiveOther(pid))
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref j.ResizerPid, me, pid) == pid)
            {
                return true;
            }
        }
    }

    private static bool IsLiveOther(int pid) => pid > 0 && pid != Environment.ProcessId && RobustLock.ThreadExists(pid);

    /// <summary>Takes and releases the segment's lock, repairing the segment first if a process died holding it.</summary>
    private void RepairIfAbandoned()
    {
        ref var h = ref Header;
        if (h.SegmentLock.Acquire(Timeout.InfiniteTimeSpan) == LockStatus.AcquiredAbandoned)
        {
            RecoverOrRelease();
        }

        h.SegmentLock.Unlock();
    }

    /// <summary>Checks every journal field against the header and the mapping before anything is written.</summary>
    private static void ValidateJournal(ref SegmentHeader h, ref ResizeJournal j, long mappedSize, string name)
    {
        bool grow = j.Operation == ResizeJournal.Grow;
        string? problem = null;
        if (j.Operation is not (ResizeJournal.Grow or ResizeJournal.Shrink))
        {
            problem = $"its operation word is {j.Operation}";
        }
        else if (j.OldSize < SegmentHeader.MinimumSegmentSize || j.OldSize > SegmentHeader.MaximumSegmentSize
            || j.NewSize < SegmentHeader.MinimumSegmentSize || j.NewSize > SegmentHeader.MaximumSegmentSize
            || j.OldHeapEnd != (j.OldSize & ~15L) || j.NewHeapEnd != (j.NewSize & ~15L))
        {
            problem = $"sizes {j.OldSize} -> {j.NewSize} with heap ends {j.OldHeapEnd} -> {j.NewHeapEnd}";
        }
        else if (grow ? j.NewHeapEnd - j.OldHeapEnd < 64 : j.NewHeapEnd >= j.OldHeapEnd || j.NewSize != j.NewHeapEnd)
        {
            problem = $"a {j.OperationName} from {j.OldSize} to {j.NewSize} bytes";
        }
        else if (h.HeapOffset != SegmentHeader.HeapStart || (h.HeapEnd != j.OldHeapEnd && h.HeapEnd != j.NewHeapEnd) || (h.SegmentSize != j.OldSize && h.SegmentSize != j.NewSize))
        {
            problem = $"the header's sizes ({h.SegmentSize}, heap end {h.HeapEnd}) are neither the old nor the new ones";
        }
        else if (mappedSize < Math.Min(j.OldSize, j.NewSize))
        {
            problem = $"only {mappedSize} bytes are mapped (truncated)";
        }

        if (problem is not null)
        {
            throw InterprocessException.Corrupted(name, $"the segment's resize journal is damaged ({problem}); it cannot be completed.");
        }
    }
}
