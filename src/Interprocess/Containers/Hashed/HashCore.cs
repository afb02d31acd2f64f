using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Interprocess.Managed;

namespace Interprocess.Containers;

/// <summary>
/// The table behind <see cref="SharedHashMap{TKey,TValue}"/> and <see cref="SharedHashSet{T}"/>: open addressing
/// with linear probing, kept in Robin Hood order (every cluster sorted by home slot), so a lookup stops as soon as
/// it meets a key that is closer to its home than the searched key would be, and a removal shifts the rest of the
/// cluster back by one (no tombstones).
/// </summary>
/// <remarks>
/// Keys and values live in the slot array itself: an insertion allocates nothing except when the table grows,
/// and a lookup touches one cache line in the common case. The array is reached through the header's handle,
/// validated against the mapping on every operation (one compare); probe loops are bounded by the capacity,
/// so a corrupted array gives wrong answers or an <see cref="InterprocessException"/>, never a fault or a hang.
/// A slot pointer returned by these methods is valid until the next insertion or removal.
/// </remarks>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
internal static unsafe class HashCore<TKey, TValue>
    where TKey : unmanaged
    where TValue : unmanaged
{
    /// <summary>The largest slot array (the home slot comes from 31 bits of hash).</summary>
    internal const long MaxCapacity = 1L << 30;

    /// <summary>The default growth threshold, in thousandths.</summary>
    internal const int DefaultMaxLoadPermille = 875;

    /// <summary>The smallest non-empty slot array.</summary>
    private const long MinCapacity = 16;

    /// <summary>Bytes per slot.</summary>
    internal static int SlotSize => sizeof(HashSlot<TKey, TValue>);

    /// <summary>Sets up a zeroed header.</summary>
    internal static void Initialize(HashHeader* h, AllocatorKind allocator, ulong hasherId)
    {
        h->Allocator.Initialize(allocator, 0);
        h->HasherId = hasherId;
        h->SlotSize = SlotSize;
    }

    /// <summary>The comparer the header asks for (null = the default hashing), checked against the slot layout.</summary>
    /// <exception cref="InvalidOperationException">The container uses a comparer that is not registered in this process.</exception>
    /// <exception cref="InterprocessException">The header is corrupted.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static IEqualityComparer<TKey>? Comparer(HashHeader* h, SegmentManager m)
    {
        if (h->SlotSize != SlotSize)
        {
            ThrowBadSlotSize(m, h->SlotSize);
        }

        ulong id = h->HasherId;
        return id == 0 ? null : SharedHashComparers.Resolve<TKey>(id);
    }

    /// <summary>Checks the slot layout and that the table uses the default hashing (what a lookup by text needs).</summary>
    /// <exception cref="InvalidOperationException">The table was created with a custom comparer.</exception>
    /// <exception cref="InterprocessException">The header is corrupted.</exception>
    internal static void RequireDefaultHashing(HashHeader* h, SegmentManager m)
    {
        if (h->SlotSize != SlotSize)
        {
            ThrowBadSlotSize(m, h->SlotSize);
        }

        if (h->HasherId != 0)
        {
            throw new InvalidOperationException("This hash container was created with a custom key comparer: a lookup by text hashes as SharedString does by default, so it cannot search it. Look up with a SharedString key instead.");
        }
    }

    /// <summary>The hash of a key, with the container's comparer or the default.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong Hash(in TKey key, IEqualityComparer<TKey>? cmp) =>
        cmp is null ? KeyHasher<TKey>.Hash(in key) : KeyHasher<TKey>.Mix((uint)cmp.GetHashCode(key));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Equal(in TKey a, in TKey b, IEqualityComparer<TKey>? cmp) =>
        cmp is null ? KeyHasher<TKey>.Equal(in a, in b) : cmp.Equals(a, b);

    /// <summary>The slot array after validation, or null when there is none yet.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static HashSlot<TKey, TValue>* Table(HashHeader* h, SegmentManager m, out ulong mask)
    {
        long cap = h->Capacity;
        long t = h->Table;
        if (cap == 0)
        {
            mask = 0;
            return null;
        }

        if ((cap & (cap - 1)) != 0 || (ulong)cap > MaxCapacity
            || (ulong)(t - SegmentHeader.HeapStart) > (ulong)(m.MappedSize - (cap * SlotSize) - SegmentHeader.HeapStart))
        {
            ThrowBadTable(m, t, cap);
        }

        mask = (ulong)cap - 1;
        return (HashSlot<TKey, TValue>*)(m.BasePointer + t);
    }

    /// <summary>The slot holding <paramref name="key"/>, or null.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static HashSlot<TKey, TValue>* Find(HashHeader* h, SegmentManager m, in TKey key, IEqualityComparer<TKey>? cmp)
    {
        var t = Table(h, m, out ulong mask);
        if (t == null)
        {
            return null;
        }

        uint meta = MetaOf(Hash(in key, cmp));
        ulong i = meta & mask;
        for (ulong dist = 0; dist <= mask; dist++)
        {
            var s = t + i;
            uint sm = s->Meta;
            if (sm == meta && Equal(in s->Key, in key, cmp))
            {
                return s;
            }

            if (sm == 0 || ((i - sm) & mask) < dist)
            {
                return null;
            }

            i = (i + 1) & mask;
        }

        return null;
    }

    /// <summary>
    /// The slot whose <see cref="SharedString"/> key holds exactly <paramref name="utf8"/>, or null: the lookup by
    /// text. Only for a table with the default hashing (the caller checked <see cref="HashHeader.HasherId"/>), where
    /// a SharedString key's hash is <see cref="SharedString.GetStableHashCode"/>.
    /// </summary>
    internal static HashSlot<TKey, TValue>* FindUtf8(HashHeader* h, SegmentManager m, ReadOnlySpan<byte> utf8)
    {
        var t = Table(h, m, out ulong mask);
        if (t == null || typeof(TKey) != typeof(SharedString))
        {
            return null;
        }

        uint meta = MetaOf(SharedString.StableHashOfUtf8(utf8));
        ulong i = meta & mask;
        for (ulong dist = 0; dist <= mask; dist++)
        {
            var s = t + i;
            uint sm = s->Meta;
            if (sm == meta && Utf8Probe.Matches(in Unsafe.As<TKey, SharedString>(ref s->Key), utf8))
            {
                return s;
            }

            if (sm == 0 || ((i - sm) & mask) < dist)
            {
                return null;
            }

            i = (i + 1) & mask;
        }

        return null;
    }

    /// <summary>
    /// The slot holding <paramref name="key"/>; when there is none, a new slot holding the key and a default value
    /// (growing the table first when it is at its load limit).
    /// </summary>
    /// <exception cref="InterprocessException">The segment is full, or the table is corrupted.</exception>
    /// <exception cref="InvalidOperationException">The table is at its largest capacity.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static HashSlot<TKey, TValue>* FindOrInsert(HashHeader* h, SegmentManager m, in TKey key, IEqualityComparer<TKey>? cmp, out bool found)
    {
        uint meta = MetaOf(Hash(in key, cmp));
        var t = Table(h, m, out ulong mask);
        if (t != null)
        {
            ulong i = meta & mask;
            for (ulong dist = 0; dist <= mask; dist++)
            {
                var s = t + i;
                uint sm = s->Meta;
                if (sm == meta && Equal(in s->Key, in key, cmp))
                {
                    found = true;
                    return s;
                }

                if (sm == 0 || ((i - sm) & mask) < dist)
                {
                    if (h->Count < Threshold(h, (long)mask + 1))
                    {
                        found = false;
                        return InsertAt(h, m, t, mask, i, meta, in key);
                    }

                    break;
                }

                i = (i + 1) & mask;
            }
        }

        found = false;
        return InsertNew(h, m, meta, in key);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static HashSlot<TKey, TValue>* InsertNew(HashHeader* h, SegmentManager m, uint meta, in TKey key)
    {
        Resize(h, m, h->Count + 1, grow: true);
        var t = Table(h, m, out ulong mask);
        return InsertAt(h, m, t, mask, ProbeEnd(t, mask, meta, m), meta, in key);
    }

    /// <summary>Where a new key with <paramref name="meta"/> goes: the first empty slot or slot closer to its home.</summary>
    private static ulong ProbeEnd(HashSlot<TKey, TValue>* t, ulong mask, uint meta, SegmentManager m)
    {
        ulong i = meta & mask;
        for (ulong dist = 0; dist <= mask; dist++)
        {
            uint sm = t[i].Meta;
            if (sm == 0 || ((i - sm) & mask) < dist)
            {
                return i;
            }

            i = (i + 1) & mask;
        }

        ThrowCorrupted(m, "its slot array has no empty slot");
        return 0;
    }

    /// <summary>Puts a new key at slot <paramref name="at"/>, shifting the rest of the cluster one slot on.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static HashSlot<TKey, TValue>* InsertAt(HashHeader* h, SegmentManager m, HashSlot<TKey, TValue>* t, ulong mask, ulong at, uint meta, in TKey key)
    {
        if (t[at].Meta != 0)
        {
            ShiftUp(t, mask, at, m);
        }

        var s = t + at;
        s->Key = key;
        s->Value = default;
        s->Meta = meta;
        h->Count++;
        h->Version++;
        return s;
    }

    /// <summary>Moves the cluster run that starts at <paramref name="at"/> one slot on (into the next empty slot).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ShiftUp(HashSlot<TKey, TValue>* t, ulong mask, ulong at, SegmentManager m)
    {
        ulong e = at;
        ulong n = 0;
        do
        {
            e = (e + 1) & mask;
            if (++n > mask)
            {
                ThrowCorrupted(m, "its slot array has no empty slot");
            }
        }
        while (t[e].Meta != 0);

        while (e != at)
        {
            ulong p = (e - 1) & mask;
            t[e] = t[p];
            e = p;
        }
    }

    /// <summary>Removes the key at slot <paramref name="s"/> (destroying the stored key and value when they own segment memory).</summary>
    internal static void RemoveSlot(HashHeader* h, SegmentManager m, HashSlot<TKey, TValue>* s)
    {
        var t = Table(h, m, out ulong mask);
        ulong i = (ulong)(s - t);
        SegmentOwned<TKey>.Destroy(ref s->Key);
        SegmentOwned<TValue>.Destroy(ref s->Value);
        for (ulong n = 0; n <= mask; n++)
        {
            ulong next = (i + 1) & mask;
            uint sm = t[next].Meta;
            if (sm == 0 || ((next - sm) & mask) == 0)
            {
                break;
            }

            t[i] = t[next];
            i = next;
        }

        t[i] = default;
        h->Count--;
        h->Version++;
    }

    /// <summary>Removes every key (destroying owned keys and values); keeps the slot array.</summary>
    internal static void Clear(HashHeader* h, SegmentManager m)
    {
        var t = Table(h, m, out ulong mask);
        if (t == null)
        {
            return;
        }

        if (SegmentOwned<TKey>.IsOwned || SegmentOwned<TValue>.IsOwned)
        {
            for (ulong i = 0; i <= mask; i++)
            {
                if (t[i].Meta != 0)
                {
                    SegmentOwned<TKey>.Destroy(ref t[i].Key);
                    SegmentOwned<TValue>.Destroy(ref t[i].Value);
                    t[i].Meta = 0;
                }
            }
        }

        NativeMemory.Clear(t, (nuint)((mask + 1) * (ulong)SlotSize));
        h->Count = 0;
        h->Version++;
    }

    /// <summary>Clears and frees the slot array (Destroy).</summary>
    internal static void Free(HashHeader* h, SegmentManager m)
    {
        Clear(h, m);
        if (h->Capacity != 0)
        {
            h->Allocator.Deallocate(m, h->Table, h->Capacity * SlotSize);
            h->Table = 0;
            h->Capacity = 0;
        }

        h->Allocator.Release(m);
    }

    /// <summary>The count the table may hold at capacity <paramref name="cap"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static long Threshold(HashHeader* h, long cap)
    {
        int p = h->MaxLoadPermille;
        return cap * (p == 0 ? DefaultMaxLoadPermille : p) / 1000;
    }

    /// <summary>
    /// Re-lays the table so that it holds <paramref name="count"/> keys within its load limit: the smallest power
    /// of two that does (at least double the old capacity when <paramref name="grow"/>), or 0 slots for 0 keys
    /// when shrinking.
    /// </summary>
    /// <exception cref="InterprocessException">The segment is full (the table is unchanged) or the table is corrupted.</exception>
    /// <exception cref="InvalidOperationException">The capacity would pass <see cref="MaxCapacity"/>.</exception>
    internal static void Resize(HashHeader* h, SegmentManager m, long count, bool grow)
    {
        var old = Table(h, m, out ulong oldMask);
        long oldCap = old == null ? 0 : (long)oldMask + 1;
        long cap = 0;
        if (count > 0 || grow)
        {
            cap = grow ? Math.Max(MinCapacity, oldCap * 2) : MinCapacity;
            while (Threshold(h, cap) < count)
            {
                cap *= 2;
                if (cap > MaxCapacity)
                {
                    throw new InvalidOperationException($"A shared hash table holds at most {Threshold(h, MaxCapacity)} keys at its load factor.");
                }
            }

            if (grow && cap < oldCap)
            {
                cap = oldCap;
            }
        }

        if (cap == oldCap)
        {
            return;
        }

        HashSlot<TKey, TValue>* t = null;
        long table = 0;
        if (cap != 0)
        {
            table = h->Allocator.Allocate(m, cap * SlotSize);
            t = (HashSlot<TKey, TValue>*)(m.BasePointer + table);
            NativeMemory.Clear(t, (nuint)(cap * SlotSize));
            ulong mask = (ulong)cap - 1;
            for (long j = 0; j < oldCap; j++)
            {
                uint meta = old[j].Meta;
                if (meta != 0)
                {
                    ulong at = ProbeEnd(t, mask, meta, m);
                    if (t[at].Meta != 0)
                    {
                        ShiftUp(t, mask, at, m);
                    }

                    t[at] = old[j];
                }
            }
        }

        long oldTable = h->Table;
        h->Table = table;
        h->Capacity = cap;
        h->Version++;
        if (oldCap != 0)
        {
            h->Allocator.Deallocate(m, oldTable, oldCap * SlotSize);
        }
    }

    /// <summary>The slot tag of a hash: its low 31 bits with bit 31 set (never 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint MetaOf(ulong hash) => (uint)hash | 0x8000_0000u;

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowBadSlotSize(SegmentManager m, int size) => ThrowCorrupted(m, $"its slot size is {size}, not {SlotSize}");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowBadTable(SegmentManager m, long table, long cap) =>
        ThrowCorrupted(m, $"its slot array ({table}, {cap} slots) is not inside the segment");

    [DoesNotReturn]
    internal static void ThrowCorrupted(SegmentManager m, string what) =>
        throw InterprocessException.Corrupted(m.Name, $"a shared hash table is corrupted: {what}.");
}
