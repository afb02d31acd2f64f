using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Interprocess.Managed;

namespace Interprocess.Containers;

/// <summary>
/// The sorted-array algorithms of <see cref="SharedFlatMap{TKey,TValue}"/> and <see cref="SharedFlatSet{T}"/>,
/// working in place on a <see cref="FlatHeader"/> and its block. A short-lived view made by each operation after
/// the handle was resolved and the header's block, count and capacity were checked against the mapping.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The mapped type (<see cref="NoValue"/> for sets: no value array).</typeparam>
internal readonly unsafe struct FlatStore<TKey, TValue>
    where TKey : unmanaged
    where TValue : unmanaged
{
    /// <summary>Whether there is a value array (false for sets).</summary>
    internal static readonly bool HasValues = typeof(TValue) != typeof(NoValue);

    /// <summary>The header, resolved and validated.</summary>
    internal readonly FlatHeader* Header;

    /// <summary>The segment's manager in this process.</summary>
    internal readonly SegmentManager Manager;

    private FlatStore(FlatHeader* header, SegmentManager manager)
    {
        Header = header;
        Manager = manager;
    }

    private static int ValueSize => HasValues ? sizeof(TValue) : 0;

    /// <summary>The number of elements (validated: 0 ≤ Count ≤ Capacity ≤ int.MaxValue).</summary>
    internal int Count => (int)Header->Count;

    /// <summary>The keys in use.</summary>
    internal Span<TKey> Keys => new((byte*)Manager.BasePointer + Header->Data, Count);

    /// <summary>The values in use (empty for sets).</summary>
    internal Span<TValue> Values => HasValues ? new((byte*)Manager.BasePointer + Header->Data + KeyBytes(Header->Capacity), Count) : default;

    /// <summary>Creates an empty flat container header.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An unknown allocator kind.</exception>
    /// <exception cref="InterprocessException">The segment is full.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    internal static ContainerHandle Create(SegmentManager manager, uint magic, uint typeCheck, AllocatorKind allocator)
    {
        var h = ContainerHandle.Create<FlatHeader>(manager, magic, typeCheck, out var p);
        try
        {
            p->Allocator.Initialize(allocator, 0);
        }
        catch
        {
            h.FreeHeader(&p->Prefix, manager);
            throw;
        }

        p->KeySize = sizeof(TKey);
        p->ValueSize = ValueSize;
        return h;
    }

    /// <summary>Resolves <paramref name="handle"/> and checks the header's sizes, block, count and capacity.</summary>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open here.</exception>
    /// <exception cref="InterprocessException">The header is corrupted.</exception>
    /// <exception cref="NotSupportedException"><paramref name="write"/> and the segment is read-only.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static FlatStore<TKey, TValue> Open(in ContainerHandle handle, uint magic, uint typeCheck, bool write)
    {
        SegmentManager m;
        var p = write
            ? handle.ResolveForWrite<FlatHeader>(magic, typeCheck, out m)
            : handle.Resolve<FlatHeader>(magic, typeCheck, out m);
        long cap = p->Capacity, count = p->Count;
        if (p->KeySize != sizeof(TKey) || p->ValueSize != ValueSize || (ulong)cap > int.MaxValue || (ulong)count > (ulong)cap
            || (cap != 0 && (ulong)(p->Data - SegmentHeader.HeapStart) > (ulong)(m.MappedSize - SegmentHeader.HeapStart - BlockBytes(cap))))
        {
            ThrowBadHeader(m, p);
        }

        return new FlatStore<TKey, TValue>(p, m);
    }

    /// <summary>The index of <paramref name="key"/>, or the bitwise complement of where it would go (as <see cref="Array.BinarySearch(Array, object)"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal int Search<TCmp>(in TKey key, TCmp cmp)
        where TCmp : IComparer<TKey>
    {
        var keys = Keys;
        int lo = 0, hi = keys.Length - 1;
        while (lo <= hi)
        {
            int mid = (int)((uint)(lo + hi) >> 1);
            int c = cmp.Compare(keys[mid], key);
            if (c == 0)
            {
                return mid;
            }

            if (c < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return ~lo;
    }

    /// <summary>The first index whose key is not less than <paramref name="key"/> (Count when none).</summary>
    internal int LowerBound<TCmp>(in TKey key, TCmp cmp)
        where TCmp : IComparer<TKey>
    {
        int i = Search(key, cmp);
        return i >= 0 ? i : ~i;
    }

    /// <summary>The first index whose key is greater than <paramref name="key"/> (Count when none).</summary>
    internal int UpperBound<TCmp>(in TKey key, TCmp cmp)
        where TCmp : IComparer<TKey>
    {
        int i = Search(key, cmp);
        return i >= 0 ? i + 1 : ~i;
    }

    /// <summary>Inserts <paramref name="key"/> (and a default value) at <paramref name="index"/>, growing the block if needed.</summary>
    /// <exception cref="InterprocessException">The segment is full.</exception>
    internal void InsertAt(int index, in TKey key)
    {
        var h = Header;
        int count = Count;
        if (count == h->Capacity)
        {
            if (count == Array.MaxLength)
            {
                throw new InvalidOperationException("The flat container holds the most elements a span can address.");
            }

            Reallocate((int)Math.Min(Array.MaxLength, Math.Max(4L, 2L * count)));
        }

        var keys = new Span<TKey>((byte*)Manager.BasePointer + h->Data, count + 1);
        keys[index..count].CopyTo(keys[(index + 1)..]);
        keys[index] = key;
        if (HasValues)
        {
            var values = new Span<TValue>((byte*)Manager.BasePointer + h->Data + KeyBytes(h->Capacity), count + 1);
            values[index..count].CopyTo(values[(index + 1)..]);
            values[index] = default;
        }

        h->Count = count + 1;
        h->Version++;
    }

    /// <summary>Removes the element at <paramref name="index"/>, destroying its key and value as asked.</summary>
    internal void RemoveAt(int index, bool destroyKey, bool destroyValue)
    {
        var h = Header;
        int count = Count;
        var keys = Keys;
        var values = Values;
        // The element leaves the array first, then is destroyed: a failure while destroying leaves a consistent array.
        TKey key = keys[index];
        TValue value = HasValues ? values[index] : default;
        keys[(index + 1)..].CopyTo(keys[index..]);
        if (HasValues)
        {
            values[(index + 1)..].CopyTo(values[index..]);
        }

        h->Count = count - 1;
        h->Version++;
        if (destroyKey)
        {
            SegmentOwned<TKey>.Destroy(ref key);
        }

        if (destroyValue)
        {
            SegmentOwned<TValue>.Destroy(ref value);
        }
    }

    /// <summary>Moves the elements to a block of <paramref name="capacity"/> (≥ Count) elements; 0 frees the block.</summary>
    /// <exception cref="InterprocessException">The segment is full (nothing changed).</exception>
    internal void Reallocate(int capacity)
    {
        var h = Header;
        int count = Count;
        long newData = 0;
        if (capacity > 0)
        {
            newData = h->Allocator.Allocate(Manager, BlockBytes(capacity));
            byte* b = Manager.BasePointer;
            Keys.CopyTo(new Span<TKey>(b + newData, capacity));
            if (HasValues)
            {
                Values.CopyTo(new Span<TValue>(b + newData + KeyBytes(capacity), capacity));
            }
        }

        long old = h->Data;
        long oldBytes = BlockBytes(h->Capacity);
        h->Data = newData;
        h->Capacity = capacity;
        h->Version++;
        if (old != 0)
        {
            h->Allocator.Deallocate(Manager, old, oldBytes);
        }
    }

    /// <summary>Destroys every element and empties the array (the block is kept).</summary>
    internal void Clear()
    {
        var h = Header;
        var keys = Keys;
        var values = Values;
        h->Count = 0;
        h->Version++;
        SegmentOwned<TKey>.DestroyAll(keys);
        if (HasValues)
        {
            SegmentOwned<TValue>.DestroyAll(values);
        }
    }

    /// <summary>Checks that the keys ascend strictly (tests, debugging).</summary>
    /// <exception cref="InvalidOperationException">They do not.</exception>
    internal void CheckInvariants<TCmp>(TCmp cmp)
        where TCmp : IComparer<TKey>
    {
        var keys = Keys;
        for (int i = 1; i < keys.Length; i++)
        {
            if (cmp.Compare(keys[i - 1], keys[i]) >= 0)
            {
                throw new InvalidOperationException($"Flat container invariant broken: keys at {i - 1} and {i} are not in strictly ascending order.");
            }
        }
    }

    /// <summary>Bytes of the key array of a block of <paramref name="capacity"/> elements (rounded up to 16 so the values are aligned).</summary>
    private static long KeyBytes(long capacity) => ((capacity * sizeof(TKey)) + 15) & ~15L;

    /// <summary>Bytes of a block of <paramref name="capacity"/> elements.</summary>
    private static long BlockBytes(long capacity) => KeyBytes(capacity) + (capacity * ValueSize);

    [DoesNotReturn]
    private static void ThrowBadHeader(SegmentManager m, FlatHeader* p) =>
        throw InterprocessException.Corrupted(m.Name, $"a flat container's header is inconsistent (key size {p->KeySize}, value size {p->ValueSize}, count {p->Count}, capacity {p->Capacity}, block {p->Data}): the container is corrupted.");
}
