using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Interprocess.Managed;

/// <summary>
/// The default name index: an open-addressing hash table with linear probing, allocated from the segment's
/// heap. A slot is one 64-bit word, <c>(top 16 bits of the hash) &lt;&lt; 48 | header offset</c>; 0 is empty and
/// 1 a deleted slot, so every change to the table is a single aligned store.
/// </summary>
/// <remarks>
/// <para><b>State</b> at <see cref="SegmentHeader.IndexStateOffset"/>:</para>
/// <code>
///  0 long Table       handle of the slot array (0 = none yet)
///  8 long Capacity    slots, a power of two
/// 16 long Live        slots holding an entry
/// 24 long Deleted     slots marked deleted
/// 32 long Named       entries of kind Named
/// 40 long Unique      entries of kind Unique
/// </code>
/// <para><b>Crashes.</b> An insert stores its slot last; a removal is the single store of the deleted mark; a
/// resize builds the new table off to the side and publishes it with one store of <c>Table</c> (then Capacity)
/// before freeing the old one. Recovery does not trust any of this: it rebuilds the table from the live object
/// headers found in the heap.</para>
/// </remarks>
internal sealed unsafe class HashNameIndex : INameIndex
{
    private const long Deleted = 1;
    private const long HandleMask = (1L << 48) - 1;
    private const long InitialCapacity = 64;

    private readonly byte* _base;
    private readonly long* _state;
    private readonly IMemoryAlgorithm _heap;
    private readonly long _heapStart;
    private readonly long _heapEnd;
    private readonly string _name;

    /// <summary>An index in the segment at <paramref name="segmentBase"/>, allocating its table from <paramref name="heap"/>.</summary>
    internal HashNameIndex(byte* segmentBase, IMemoryAlgorithm heap, long heapStart, long heapEnd, string name)
    {
        _base = segmentBase;
        _state = (long*)(segmentBase + SegmentHeader.IndexStateOffset);
        _heap = heap;
        _heapStart = heapStart;
        _heapEnd = heapEnd;
        _name = name;
    }

    private ref long Table => ref _state[0];

    private ref long Capacity => ref _state[1];

    private ref long Live => ref _state[2];

    private ref long DeletedCount => ref _state[3];

    private ref long NamedCount => ref _state[4];

    private ref long UniqueCount => ref _state[5];

    /// <inheritdoc />
    public long OwnBlocks => Table != 0 ? 1 : 0;

    /// <inheritdoc />
    public bool SupportsNames => true;

    /// <inheritdoc />
    public void Format() => new Span<byte>(_state, SegmentHeader.IndexStateSize).Clear();

    /// <inheritdoc />
    public void ValidateOnOpen() => SlotsChecked();

    /// <summary>The slot array after checking Table and Capacity against the heap.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long* SlotsChecked()
    {
        long table = Table, cap = Capacity;
        if (table == 0)
        {
            if (cap != 0)
            {
                ThrowCorrupted("the name index has a capacity but no table");
            }

            return null;
        }

        if (table < _heapStart || (table & 15) != 0 || cap <= 0 || (cap & (cap - 1)) != 0 || cap > (_heapEnd - table) / 8)
        {
            ThrowCorrupted($"the name index table ({table}, {cap} slots) does not fit the heap");
        }

        return (long*)(_base + table);
    }

    /// <inheritdoc />
    public long Find(ObjectKind kind, ReadOnlySpan<byte> name, ulong hash)
    {
        long* slots = SlotsChecked();
        if (slots == null)
        {
            return 0;
        }

        long mask = Capacity - 1;
        long tag = (long)(hash >> 48);
        long i = (long)hash & mask;
        for (long probes = 0; probes <= mask; probes++)
        {
            long slot = slots[i];
            if (slot == 0)
            {
                return 0;
            }

            if (slot != Deleted && (slot >>> 48) == tag)
            {
                long h = slot & HandleMask;
                if (Matches(h, kind, name, hash))
                {
                    return h;
                }
            }

            i = (i + 1) & mask;
        }

        return 0;
    }

    /// <summary>Whether the header at <paramref name="h"/> is the live entry (kind, name).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Matches(long h, ObjectKind kind, ReadOnlySpan<byte> name, ulong hash)
    {
        if (h < _heapStart || (h & 15) != 0 || h > _heapEnd - ObjectHeader.Size - name.Length)
        {
            ThrowCorrupted($"the name index points at {h}, outside the heap");
        }

        var header = (ObjectHeader*)(_base + h);
        return header->NameHash == hash && header->Kind == (byte)kind && header->NameLength == name.Length
            && header->Magic == ObjectHeader.LiveMagic
            && new ReadOnlySpan<byte>((byte*)header + ObjectHeader.Size, name.Length).SequenceEqual(name);
    }

    /// <inheritdoc />
    public bool Reserve(long count)
    {
        long cap = Capacity;
        long needed = Live + DeletedCount + count;
        if (cap != 0 && needed * 10 <= cap * 7)
        {
            return true;
        }

        long newCap = Math.Max(InitialCapacity, cap);
        while ((Live + count) * 10 > newCap * 5)
        {
            newCap *= 2;
        }

        return Resize(newCap);
    }

    /// <inheritdoc />
    public void ShrinkToFit()
    {
        long table = Table;
        if (table == 0)
        {
            return;
        }

        if (Live == 0)
        {
            SlotsChecked();
            // Unpublish the table (handle first: a reader that sees no table finds nothing), then free it.
            Table = 0;
            Capacity = 0;
            DeletedCount = 0;
            _heap.Deallocate(table);
            return;
        }

        long newCap = InitialCapacity;
        while (Live * 10 > newCap * 5)
        {
            newCap *= 2;
        }

        if (newCap < Capacity)
        {
            // A smaller table is allocated before the old one is freed; without room for it, nothing changes.
            Resize(newCap);
        }
    }

    /// <summary>Moves the live entries to a new table of <paramref name="newCap"/> slots.</summary>
    private bool Resize(long newCap)
    {
        long* old = SlotsChecked();
        long oldCap = Capacity;
        long bytes = newCap * 8;
        long table = _heap.Allocate(bytes, objectBlock: false);
        if (table == 0)
        {
            return false;
        }

        long* slots = (long*)(_base + table);
        new Span<long>(slots, checked((int)newCap)).Clear();
        long mask = newCap - 1;
        for (long j = 0; j < oldCap; j++)
        {
            long slot = old[j];
            if (slot == 0 || slot == Deleted)
            {
                continue;
            }

            long h = slot & HandleMask;
            if (h < _heapStart || (h & 15) != 0 || h > _heapEnd - ObjectHeader.Size)
            {
                ThrowCorrupted($"the name index points at {h}, outside the heap");
            }

            long i = (long)((ObjectHeader*)(_base + h))->NameHash & mask;
            while (slots[i] != 0)
            {
                i = (i + 1) & mask;
            }

            slots[i] = slot;
        }

        // Publish the new table, then its capacity: a crash in between is repaired by the rebuild.
        long oldTable = Table;
        Table = table;
        Capacity = newCap;
        DeletedCount = 0;
        if (oldTable != 0)
        {
            _heap.Deallocate(oldTable);
        }

        return true;
    }

    /// <inheritdoc />
    public void Insert(long header, ObjectKind kind, ulong hash)
    {
        long* slots = SlotsChecked();
        long mask = Capacity - 1;
        long i = (long)hash & mask;
        while (true)
        {
            long slot = slots[i];
            if (slot == 0 || slot == Deleted)
            {
                if (slot == Deleted)
                {
                    DeletedCount--;
                }

                Live++;
                if (kind == ObjectKind.Named)
                {
                    NamedCount++;
                }
                else
                {
                    UniqueCount++;
                }

                // The publishing store: the entry is complete before it.
                slots[i] = (long)((hash >> 48) << 48) | header;
                return;
            }

            i = (i + 1) & mask;
        }
    }

    /// <inheritdoc />
    public bool Remove(long header, ObjectKind kind, ulong hash)
    {
        long* slots = SlotsChecked();
        if (slots == null)
        {
            return false;
        }

        long mask = Capacity - 1;
        long want = (long)((hash >> 48) << 48) | header;
        long i = (long)hash & mask;
        for (long probes = 0; probes <= mask; probes++)
        {
            long slot = slots[i];
            if (slot == 0)
            {
                return false;
            }

            if (slot == want)
            {
                slots[i] = Deleted;
                Live--;
                DeletedCount++;
                if (kind == ObjectKind.Named)
                {
                    NamedCount--;
                }
                else
                {
                    UniqueCount--;
                }

                return true;
            }

            i = (i + 1) & mask;
        }

        return false;
    }

    /// <inheritdoc />
    public long Count(ObjectKind kind) => kind switch
    {
        ObjectKind.Named => NamedCount,
        ObjectKind.Unique => UniqueCount,
        _ => 0,
    };

    /// <inheritdoc />
    public List<long> Entries()
    {
        var list = new List<long>();
        long* slots = SlotsChecked();
        for (long j = 0; slots != null && j < Capacity; j++)
        {
            long slot = slots[j];
            if (slot != 0 && slot != Deleted)
            {
                list.Add(slot & HandleMask);
            }
        }

        return list;
    }

    /// <inheritdoc />
    public void CheckSanity(List<string> problems)
    {
        long* slots;
        try
        {
            slots = SlotsChecked();
        }
        catch (InterprocessException e)
        {
            problems.Add("index: " + e.Message);
            return;
        }

        if (slots != null && (!_heap.IsAllocated(Table, out _) || _heap.GetUsableSize(Table) < Capacity * 8))
        {
            problems.Add($"index: the table at {Table} is not an allocated block of {Capacity * 8} bytes");
            return;
        }

        long live = 0, deleted = 0, named = 0, unique = 0;
        long mask = Capacity - 1;
        for (long j = 0; slots != null && j < Capacity; j++)
        {
            long slot = slots[j];
            if (slot == 0)
            {
                continue;
            }

            if (slot == Deleted)
            {
                deleted++;
                continue;
            }

            live++;
            long h = slot & HandleMask;
            if (!_heap.IsAllocated(h, out bool objectBlock) || !objectBlock)
            {
                problems.Add($"index: slot {j} points at {h}, which is not an allocated object block");
                continue;
            }

            var header = (ObjectHeader*)(_base + h);
            if (header->Magic != ObjectHeader.LiveMagic)
            {
                problems.Add($"index: slot {j} points at {h}, which is not a live object");
                continue;
            }

            if ((header->NameHash >> 48) != ((ulong)slot >> 48))
            {
                problems.Add($"index: slot {j} has a hash tag that does not match its object's name");
            }

            // The slot must be reachable from its home slot without crossing an empty one.
            for (long k = (long)header->NameHash & mask; k != j; k = (k + 1) & mask)
            {
                if (slots[k] == 0)
                {
                    problems.Add($"index: slot {j} cannot be reached from its home slot");
                    break;
                }
            }

            if (header->Kind == (byte)ObjectKind.Named)
            {
                named++;
            }
            else if (header->Kind == (byte)ObjectKind.Unique)
            {
                unique++;
            }
            else
            {
                problems.Add($"index: slot {j} holds an object of kind {header->Kind}");
            }
        }

        if (live != Live || deleted != DeletedCount || named != NamedCount || unique != UniqueCount)
        {
            problems.Add($"index: counters (live {Live}, deleted {DeletedCount}, named {NamedCount}, unique {UniqueCount}) disagree with the table ({live}, {deleted}, {named}, {unique})");
        }
    }

    /// <inheritdoc />
    public void Rebuild(List<(long Header, ObjectKind Kind, ulong Hash)> headers)
    {
        long oldTable = Table, oldCap = Capacity;
        Format();
        if (oldTable != 0 && _heap.IsAllocated(oldTable, out bool objectBlock) && !objectBlock && _heap.GetUsableSize(oldTable) >= oldCap * 8)
        {
            _heap.Deallocate(oldTable);
        }

        if (headers.Count == 0)
        {
            return;
        }

        if (!Reserve(headers.Count))
        {
            ThrowCorrupted("no memory to rebuild the name index");
        }

        foreach (var (header, kind, hash) in headers)
        {
            Insert(header, kind, hash);
        }
    }

    [DoesNotReturn]
    private void ThrowCorrupted(string what) =>
        throw InterprocessException.Corrupted(_name, what + ". Run CheckSanity, or recreate the segment.");
}
