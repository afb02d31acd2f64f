using System.Text;

namespace Interprocess.Managed;

/// <summary>Sanity checks and the repair run when a process died holding the segment's lock.</summary>
public sealed unsafe partial class SegmentManager
{
    /// <summary>
    /// Walks the heap, every free list, the name index and every object header, and reports whether all are
    /// consistent (Boost's <c>check_sanity</c>). Reads nothing without a bounds check, so a damaged segment
    /// gives false, never a crash.
    /// </summary>
    /// <returns>True when no problem was found.</returns>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public bool CheckSanity() => CheckSanity(out _);

    /// <summary>As <see cref="CheckSanity()"/>, describing every problem found.</summary>
    /// <param name="problems">One line per problem; empty when sane.</param>
    /// <returns>True when no problem was found.</returns>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public bool CheckSanity(out IReadOnlyList<string> problems)
    {
        var list = new List<string>();
        bool locked = false;
        try
        {
            locked = EnterRead();
            ref var h = ref Header;
            if (h.Magic == SegmentHeader.MagicValue && h.State == SegmentHeader.StateResizing)
            {
                ref var j = ref Journal(_base);
                list.Add($"header: an offline {j.OperationName} ({j.OldSize} -> {j.NewSize} bytes) by process {j.ResizerPid} is under way or was interrupted; Repair() or opening the segment again completes it");
            }
            else if (h.Magic != SegmentHeader.MagicValue || h.State != SegmentHeader.StateReady)
            {
                list.Add("header: the magic number or the state word is damaged");
            }

            if (h.OpInProgress != OpNone && !locked)
            {
                list.Add($"header: operation {h.OpInProgress} is in progress or was interrupted");
            }

            _heap.CheckSanity(list);
            if (list.Count == 0)
            {
                _index.CheckSanity(list);
                CheckObjects(list);
            }
        }
        catch (InterprocessException e)
        {
            list.Add(e.Message);
        }
        finally
        {
            ExitRead(locked);
        }

        problems = list;
        return list.Count == 0;
    }

    /// <summary>
    /// Checks the segment and rebuilds what can be derived (free lists, boundary flags, counters, the name
    /// index), frees blocks of objects left half-built or half-destroyed, and reports what it did. This is
    /// what every operation does by itself after a process died holding the lock; call it after
    /// <see cref="CheckSanity()"/> reported problems for another reason.
    /// </summary>
    /// <returns>A description of what was found and done.</returns>
    /// <exception cref="InterprocessException">The chain of heap blocks itself is broken; the segment cannot be repaired (<see cref="InterprocessErrorCode.Corrupted"/>).</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public string Repair()
    {
        Enter(Header.OpInProgress);
        try
        {
            return Rebuild(abandoned: false);
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Runs the recovery after an abandoned lock; releases the lock if the segment cannot be repaired.</summary>
    private void RecoverOrRelease()
    {
        try
        {
            Recover();
        }
        catch
        {
            Header.SegmentLock.Unlock();
            throw;
        }
    }

    /// <summary>The lock's previous owner died: repair what it may have left half-done.</summary>
    private void Recover() => Rebuild(abandoned: true);

    private string Rebuild(bool abandoned)
    {
        ref var h = ref Header;
        int interrupted = h.OpInProgress;
        var report = new StringBuilder();
        report.Append(abandoned ? "The previous owner of the segment lock died" : "Repair requested");
        report.Append(interrupted == OpNone ? " outside any operation of the segment manager." : $" during operation {OperationName(interrupted)}.");
        if (abandoned)
        {
            // The dead holder may have left a change open (Version odd). Keep optimistic readers out while the
            // repair runs: Version odd (a new value if it was even), fenced before the repair's stores.
            h.WriterDepth = 0;
            Interlocked.Exchange(ref h.Version, h.Version | 1);
        }

        if (Volatile.Read(ref h.State) == SegmentHeader.StateResizing)
        {
            // An offline resize ran while this process had the segment open, and was interrupted.
            report.Append(CompleteResizeForRepair());
        }

        var before = new List<string>();
        _heap.CheckSanity(before);

        // 1) the heap: everything but the chain of block sizes is recomputed.
        _heap.Rebuild();

        // 2) objects: complete ones are indexed again; half-built or half-destroyed ones are freed.
        var live = new List<(long Header, ObjectKind Kind, ulong Hash)>();
        var dead = new List<long>();
        _heap.ForEachObjectBlock(e =>
        {
            if (IsCompleteObject(e, out var kind, out ulong hash))
            {
                if (kind != ObjectKind.Anonymous)
                {
                    live.Add((e, kind, hash));
                }
            }
            else
            {
                dead.Add(e);
            }
        });
        foreach (long e in dead)
        {
            _heap.Deallocate(e);
        }

        _index.Rebuild(live);
        h.OpInProgress = OpNone;
        if (abandoned)
        {
            // Close the change (Version even, and new).
            Volatile.Write(ref h.Version, h.Version + 1);
        }

        if (abandoned)
        {
            Interlocked.Increment(ref h.Recoveries);
        }

        report.Append(before.Count == 0 ? " The heap was consistent." : $" The heap had {before.Count} problem(s) (first: {before[0]}); free lists rebuilt.");
        report.Append($" {dead.Count} incomplete object block(s) freed; the name index was rebuilt with {live.Count} object(s).");
        LastRecoveryReport = report.ToString();
        return LastRecoveryReport;
    }

    /// <summary>Whether the object block at <paramref name="e"/> holds a complete object whose name hash is right.</summary>
    private bool IsCompleteObject(long e, out ObjectKind kind, out ulong hash)
    {
        var header = (ObjectHeader*)(_base + e);
        kind = (ObjectKind)header->Kind;
        hash = 0;
        if (header->Magic != ObjectHeader.LiveMagic || kind is not (ObjectKind.Named or ObjectKind.Unique or ObjectKind.Anonymous))
        {
            return false;
        }

        try
        {
            CheckEntry(e);
        }
        catch (InterprocessException)
        {
            return false;
        }

        if (kind == ObjectKind.Anonymous)
        {
            return true;
        }

        hash = NameHash.Compute(new ReadOnlySpan<byte>((byte*)header + ObjectHeader.Size, header->NameLength), (ulong)kind);
        return hash == header->NameHash;
    }

    /// <summary>Every object block is a complete object, and every named or unique one is in the index.</summary>
    private void CheckObjects(List<string> problems)
    {
        _heap.ForEachObjectBlock(e =>
        {
            if (!IsCompleteObject(e, out var kind, out ulong hash))
            {
                problems.Add($"objects: the block at {e} holds an incomplete object (an interrupted construction or destruction)");
                return;
            }

            if (kind != ObjectKind.Anonymous)
            {
                var header = (ObjectHeader*)(_base + e);
                var name = new ReadOnlySpan<byte>((byte*)header + ObjectHeader.Size, header->NameLength);
                if (_index.Find(kind, name, hash) != e)
                {
                    problems.Add($"objects: '{Encoding.UTF8.GetString(name)}' ({kind}) at {e} is not in the name index");
                }
            }
        });
    }

    private static string OperationName(int op) => op switch
    {
        OpAllocate => "Allocate",
        OpDeallocate => "Deallocate",
        OpConstruct => "Construct",
        OpDestroy => "Destroy",
        OpReserve => "ReserveNamedObjects",
        OpZeroFree => "ZeroFreeMemory",
        _ => op.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
