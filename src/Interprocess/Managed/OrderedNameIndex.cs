using System.Diagnostics.CodeAnalysis;

namespace Interprocess.Managed;

/// <summary>
/// The ordered name index: a two-level B+-tree of object header offsets kept in name order (kind, then the
/// UTF-8 bytes compared as unsigned bytes, then length), allocated from the segment's heap. Lookups are two
/// binary searches (O(log n) name comparisons, as Boost's <c>iset_index</c>); changes move at most one chunk
/// and one top-array's worth of 8-byte offsets. Enumeration is in name order.
/// </summary>
/// <remarks>
/// <para><b>State</b> at <see cref="SegmentHeader.IndexStateOffset"/>:</para>
/// <code>
///  0 long Top         handle of the top array: TopCapacity chunk handles, ordered
///  8 long TopCount    chunks in use
/// 16 long TopCapacity
/// 24 long Named, 32 long Unique
/// 40 long Spare       a free chunk kept by Reserve, so an insert never needs memory (0 = none)
/// </code>
/// <para>A chunk is <c>long Count</c> then <see cref="ChunkCapacity"/> header offsets in name order. Recovery
/// rebuilds the whole index from the live object headers in the heap.</para>
/// </remarks>
internal sealed unsafe class OrderedNameIndex : INameIndex
{
    /// <summary>Offsets per chunk.</summary>
    private const int ChunkCapacity = 128;
    private const long ChunkBytes = 8 + (ChunkCapacity * 8);

    private readonly byte* _base;
    private readonly long* _state;
    private readonly IMemoryAlgorithm _heap;
    private readonly long _heapStart;
    private readonly long _heapEnd;
    private readonly string _name;

    /// <summary>An index in the segment at <paramref name="segmentBase"/>, allocating from <paramref name="heap"/>.</summary>
    internal OrderedNameIndex(byte* segmentBase, IMemoryAlgorithm heap, long heapStart, long heapEnd, string name)
    {
        _base = segmentBase;
        _state = (long*)(segmentBase + SegmentHeader.IndexStateOffset);
        _heap = heap;
        _heapStart = heapStart;
        _heapEnd = heapEnd;
        _name = name;
    }

    private ref long Top => ref _state[0];

    private ref long TopCount => ref _state[1];

    private ref long TopCapacity => ref _state[2];

    private ref long NamedCount => ref _state[3];

    private ref long UniqueCount => ref _state[4];

    private ref long Spare => ref _state[5];

    /// <inheritdoc />
    public bool SupportsNames => true;

    /// <inheritdoc />
    public long OwnBlocks => (Top != 0 ? 1 : 0) + TopCount + (Spare != 0 ? 1 : 0);

    /// <inheritdoc />
    public void Format() => new Span<byte>(_state, SegmentHeader.IndexStateSize).Clear();

    /// <inheritdoc />
    public void ValidateOnOpen() => TopChecked();

    /// <summary>The top array after checking Top, TopCount and TopCapacity against the heap.</summary>
    private long* TopChecked()
    {
        long top = Top, count = TopCount, cap = TopCapacity;
        if (top == 0)
        {
            if (count != 0)
            {
                ThrowCorrupted("the ordered index has chunks but no top array");
            }

            return null;
        }

        if (top < _heapStart || (top & 15) != 0 || cap <= 0 || cap > (_heapEnd - top) / 8 || count < 0 || count > cap)
        {
            ThrowCorrupted($"the ordered index's top array ({top}, {count}/{cap}) does not fit the heap");
        }

        return (long*)(_base + top);
    }

    /// <summary>The chunk at <paramref name="handle"/> after a bounds check.</summary>
    private long* Chunk(long handle)
    {
        if (handle < _heapStart || (handle & 15) != 0 || handle > _heapEnd - ChunkBytes)
        {
            ThrowCorrupted($"the ordered index points at a chunk at {handle}, outside the heap");
        }

        long* chunk = (long*)(_base + handle);
        if ((ulong)chunk[0] > ChunkCapacity)
        {
            ThrowCorrupted($"the ordered index chunk at {handle} has a bad count {chunk[0]}");
        }

        return chunk;
    }

    /// <summary>Compares the object at <paramref name="h"/> with the key (kind, name): negative when the object sorts first.</summary>
    private int CompareEntry(long h, ObjectKind kind, ReadOnlySpan<byte> name)
    {
        if (h < _heapStart || (h & 15) != 0 || h > _heapEnd - ObjectHeader.Size)
        {
            ThrowCorrupted($"the ordered index points at {h}, outside the heap");
        }

        var header = (ObjectHeader*)(_base + h);
        if (header->Kind != (byte)kind)
        {
            return header->Kind.CompareTo((byte)kind);
        }

        int length = header->NameLength;
        if (h > _heapEnd - ObjectHeader.Size - length)
        {
            ThrowCorrupted($"the name of the object at {h} runs past the heap");
        }

        return new ReadOnlySpan<byte>((byte*)header + ObjectHeader.Size, length).SequenceCompareTo(name);
    }

    /// <summary>The chunk that holds (or would hold) the key: the last whose first entry is not after it (0 when the key sorts first).</summary>
    private long FindChunk(long* top, long count, ObjectKind kind, ReadOnlySpan<byte> name)
    {
        long lo = 0, hi = count - 1;
        while (lo < hi)
        {
            long mid = (lo + hi + 1) / 2;
            long* chunk = Chunk(top[mid]);
            if (chunk[0] == 0 || CompareEntry(chunk[1], kind, name) <= 0)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return lo;
    }

    /// <summary>The position of the key in <paramref name="chunk"/>: found (true) or where it would go.</summary>
    private bool FindInChunk(long* chunk, ObjectKind kind, ReadOnlySpan<byte> name, out long position)
    {
        long lo = 0, hi = chunk[0];
        while (lo < hi)
        {
            long mid = (lo + hi) / 2;
            int c = CompareEntry(chunk[1 + mid], kind, name);
            if (c == 0)
            {
                position = mid;
                return true;
            }

            if (c < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        position = lo;
        return false;
    }

    /// <inheritdoc />
    public long Find(ObjectKind kind, ReadOnlySpan<byte> name, ulong hash)
    {
        long* top = TopChecked();
        long count = TopCount;
        if (top == null || count == 0)
        {
            return 0;
        }

        long* chunk = Chunk(top[FindChunk(top, count, kind, name)]);
        if (!FindInChunk(chunk, kind, name, out long position))
        {
            return 0;
        }

        long h = chunk[1 + position];
        return ((ObjectHeader*)(_base + h))->Magic == ObjectHeader.LiveMagic ? h : 0;
    }

    /// <inheritdoc />
    public bool Reserve(long count)
    {
        // One insert needs at most one new chunk (the spare) and one more top slot; count inserts need
        // at most count / (ChunkCapacity / 2) + 1 more top slots.
        long needTop = TopCount + 1 + (count / (ChunkCapacity / 2)) + 1;
        if (Top == 0 || TopCapacity < needTop)
        {
            long newCap = Math.Max(16, Math.Max(needTop, TopCapacity * 2));
            long top = _heap.Allocate(newCap * 8, objectBlock: false);
            if (top == 0)
            {
                return false;
            }

            long* old = TopChecked();
            long n = TopCount;
            if (old != null)
            {
                Buffer.MemoryCopy(old, _base + top, newCap * 8, n * 8);
            }

            long oldTop = Top;
            // Publish the new array (then its capacity); the old one is freed after.
            Top = top;
            TopCapacity = newCap;
            if (oldTop != 0)
            {
                _heap.Deallocate(oldTop);
            }
        }

        if (Spare == 0)
        {
            long spare = _heap.Allocate(ChunkBytes, objectBlock: false);
            if (spare == 0)
            {
                return false;
            }

            *(long*)(_base + spare) = 0;
            Spare = spare;
        }

        return true;
    }

    /// <inheritdoc />
    public void Insert(long header, ObjectKind kind, ulong hash)
    {
        var h = (ObjectHeader*)(_base + header);
        var name = new ReadOnlySpan<byte>((byte*)h + ObjectHeader.Size, h->NameLength);
        long* top = TopChecked();
        if (TopCount == 0)
        {
            top[0] = TakeSpare();
            TopCount = 1;
        }

        long ci = FindChunk(top, TopCount, kind, name);
        long* chunk = Chunk(top[ci]);
        FindInChunk(chunk, kind, name, out long position);
        if (chunk[0] == ChunkCapacity)
        {
            // Split: the upper half moves to the spare chunk, which goes into the top array after this one.
            long rightHandle = TakeSpare();
            long* right = Chunk(rightHandle);
            const int Half = ChunkCapacity / 2;
            Buffer.MemoryCopy(chunk + 1 + Half, right + 1, ChunkCapacity * 8, Half * 8);
            right[0] = Half;
            chunk[0] = Half;
            long n = TopCount;
            if (n >= TopCapacity)
            {
                ThrowCorrupted("the ordered index's top array is full (Reserve was not called)");
            }

            Buffer.MemoryCopy(top + ci + 1, top + ci + 2, (TopCapacity - ci - 2) * 8, (n - ci - 1) * 8);
            top[ci + 1] = rightHandle;
            TopCount = n + 1;
            if (position > Half)
            {
                chunk = right;
                position -= Half;
            }
        }

        long k = chunk[0];
        Buffer.MemoryCopy(chunk + 1 + position, chunk + 2 + position, (ChunkCapacity - position - 1) * 8, (k - position) * 8);
        chunk[1 + position] = header;
        chunk[0] = k + 1;
        if (kind == ObjectKind.Named)
        {
            NamedCount++;
        }
        else
        {
            UniqueCount++;
        }
    }

    private long TakeSpare()
    {
        long spare = Spare;
        if (spare == 0)
        {
            ThrowCorrupted("the ordered index has no spare chunk (Reserve was not called)");
        }

        Spare = 0;
        return spare;
    }

    /// <inheritdoc />
    public bool Remove(long header, ObjectKind kind, ulong hash)
    {
        long* top = TopChecked();
        if (top == null || TopCount == 0)
        {
            return false;
        }

        var h = (ObjectHeader*)(_base + header);
        var name = new ReadOnlySpan<byte>((byte*)h + ObjectHeader.Size, h->NameLength);
        long ci = FindChunk(top, TopCount, kind, name);
        long* chunk = Chunk(top[ci]);
        if (!FindInChunk(chunk, kind, name, out long position) || chunk[1 + position] != header)
        {
            return false;
        }

        long k = chunk[0];
        Buffer.MemoryCopy(chunk + 2 + position, chunk + 1 + position, (ChunkCapacity - position) * 8, (k - position - 1) * 8);
        chunk[0] = k - 1;
        if (kind == ObjectKind.Named)
        {
            NamedCount--;
        }
        else
        {
            UniqueCount--;
        }

        if (k - 1 == 0)
        {
            long n = TopCount;
            long empty = top[ci];
            Buffer.MemoryCopy(top + ci + 1, top + ci, (TopCapacity - ci) * 8, (n - ci - 1) * 8);
            TopCount = n - 1;
            if (Spare == 0)
            {
                Spare = empty;
            }
            else
            {
                _heap.Deallocate(empty);
            }
        }

        return true;
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
        long* top = TopChecked();
        for (long i = 0; top != null && i < TopCount; i++)
        {
            long* chunk = Chunk(top[i]);
            for (long j = 0; j < chunk[0]; j++)
            {
                list.Add(chunk[1 + j]);
            }
        }

        return list;
    }

    /// <inheritdoc />
    public void CheckSanity(List<string> problems)
    {
        long* top;
        try
        {
            top = TopChecked();
            if (top != null && (!_heap.IsAllocated(Top, out bool o) || o || _heap.GetUsableSize(Top) < TopCapacity * 8))
            {
                problems.Add($"index: the top array at {Top} is not an allocated block of {TopCapacity * 8} bytes");
                return;
            }

            long named = 0, unique = 0;
            long prev = 0;
            for (long i = 0; top != null && i < TopCount; i++)
            {
                if (!_heap.IsAllocated(top[i], out bool objectBlock) || objectBlock || _heap.GetUsableSize(top[i]) < ChunkBytes)
                {
                    problems.Add($"index: chunk {i} at {top[i]} is not an allocated block");
                    return;
                }

                long* chunk = Chunk(top[i]);
                if (chunk[0] == 0)
                {
                    problems.Add($"index: chunk {i} is empty");
                }

                for (long j = 0; j < chunk[0]; j++)
                {
                    long h = chunk[1 + j];
                    if (!_heap.IsAllocated(h, out bool isObject) || !isObject || ((ObjectHeader*)(_base + h))->Magic != ObjectHeader.LiveMagic)
                    {
                        problems.Add($"index: chunk {i} entry {j} points at {h}, which is not a live object");
                        continue;
                    }

                    var header = (ObjectHeader*)(_base + h);
                    if (header->Kind == (byte)ObjectKind.Named)
                    {
                        named++;
                    }
                    else
                    {
                        unique++;
                    }

                    if (prev != 0)
                    {
                        var kind = (ObjectKind)header->Kind;
                        var name = new ReadOnlySpan<byte>((byte*)header + ObjectHeader.Size, header->NameLength);
                        if (CompareEntry(prev, kind, name) >= 0)
                        {
                            problems.Add($"index: the object at {h} is out of name order");
                        }
                    }

                    prev = h;
                }
            }

            if (named != NamedCount || unique != UniqueCount)
            {
                problems.Add($"index: counters (named {NamedCount}, unique {UniqueCount}) disagree with the tree ({named}, {unique})");
            }
        }
        catch (InterprocessException e)
        {
            problems.Add("index: " + e.Message);
        }
    }

    /// <inheritdoc />
    public void ShrinkToFit()
    {
        // Empty: give back the top array, the chunks and the spare. With entries, the chunks are as full as
        // the tree keeps them (at least half), so only the spare chunk is returned; Reserve takes a new one.
        if (Count(ObjectKind.Named) + Count(ObjectKind.Unique) == 0)
        {
            Rebuild([]);
            return;
        }

        long spare = Spare;
        if (spare != 0 && _heap.IsAllocated(spare, out bool objectBlock) && !objectBlock)
        {
            Spare = 0;
            _heap.Deallocate(spare);
        }
    }

    /// <inheritdoc />
    public void Rebuild(List<(long Header, ObjectKind Kind, ulong Hash)> headers)
    {
        // Free what the old index owned when it is recognisably ours; leak it otherwise.
        var owned = new List<long>();
        try
        {
            long* top = TopChecked();
            for (long i = 0; top != null && i < TopCount; i++)
            {
                owned.Add(top[i]);
            }

            owned.Add(Top);
            owned.Add(Spare);
        }
        catch (InterprocessException)
        {
        }

        Format();
        foreach (long block in owned)
        {
            if (block != 0 && _heap.IsAllocated(block, out bool objectBlock) && !objectBlock)
            {
                _heap.Deallocate(block);
            }
        }

        headers.Sort((a, b) =>
        {
            var nb = new ReadOnlySpan<byte>((byte*)(_base + b.Header) + ObjectHeader.Size, ((ObjectHeader*)(_base + b.Header))->NameLength);
            return CompareEntry(a.Header, b.Kind, nb);
        });
        foreach (var (header, kind, hash) in headers)
        {
            if (!Reserve(1))
            {
                ThrowCorrupted("no memory to rebuild the name index");
            }

            Insert(header, kind, hash);
        }
    }

    [DoesNotReturn]
    private void ThrowCorrupted(string what) =>
        throw InterprocessException.Corrupted(_name, what + ". Run CheckSanity, or recreate the segment.");
}
