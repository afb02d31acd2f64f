using System.Runtime.CompilerServices;

namespace Interprocess.Containers;

/// <summary>
/// The operations <see cref="SharedFlatMap{TKey,TValue}"/>, <see cref="SharedFlatSet{T}"/> and their comparer views
/// share, on one container's handle. Every operation resolves and validates the handle and header first.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The mapped type (<see cref="NoValue"/> for sets).</typeparam>
internal readonly unsafe struct FlatRef<TKey, TValue>
    where TKey : unmanaged
    where TValue : unmanaged
{
    private readonly ContainerHandle _h;
    private readonly uint _magic;
    private readonly uint _typeCheck;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal FlatRef(in ContainerHandle h, uint magic, uint typeCheck)
    {
        _h = h;
        _magic = magic;
        _typeCheck = typeCheck;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal FlatStore<TKey, TValue> Read() => FlatStore<TKey, TValue>.Open(_h, _magic, _typeCheck, write: false);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal FlatStore<TKey, TValue> Write() => FlatStore<TKey, TValue>.Open(_h, _magic, _typeCheck, write: true);

    internal bool TryGetValue<TCmp>(in TKey key, TCmp cmp, out TValue value)
        where TCmp : IComparer<TKey>
    {
        var s = Read();
        int i = s.Search(key, cmp);
        if (i < 0)
        {
            value = default;
            return false;
        }

        value = s.Values[i];
        return true;
    }

    internal bool TryGetKey<TCmp>(in TKey key, TCmp cmp, out TKey actual)
        where TCmp : IComparer<TKey>
    {
        var s = Read();
        int i = s.Search(key, cmp);
        if (i < 0)
        {
            actual = default;
            return false;
        }

        actual = s.Keys[i];
        return true;
    }

    internal int IndexOf<TCmp>(in TKey key, TCmp cmp)
        where TCmp : IComparer<TKey>
    {
        int i = Read().Search(key, cmp);
        return i >= 0 ? i : -1;
    }

    internal ref TValue GetValueRef<TCmp>(TKey key, TCmp cmp)
        where TCmp : IComparer<TKey>
    {
        var s = Read();
        int i = s.Search(key, cmp);
        if (i < 0)
        {
            TreeRef<TKey, TValue>.ThrowKeyNotFound(key);
        }

        return ref s.Values[i];
    }

    internal ref TValue GetValueRefOrAddDefault<TCmp>(TKey key, TCmp cmp, out bool exists)
        where TCmp : IComparer<TKey>
    {
        var s = Write();
        int i = s.Search(key, cmp);
        exists = i >= 0;
        if (!exists)
        {
            i = ~i;
            s.InsertAt(i, key);
        }

        return ref s.Values[i];
    }

    internal bool TryAdd<TCmp>(in TKey key, in TValue value, TCmp cmp)
        where TCmp : IComparer<TKey>
    {
        var s = Write();
        int i = s.Search(key, cmp);
        if (i >= 0)
        {
            return false;
        }

        i = ~i;
        s.InsertAt(i, key);
        if (FlatStore<TKey, TValue>.HasValues)
        {
            s.Values[i] = value;
        }

        return true;
    }

    /// <summary>
    /// <see cref="TryAdd"/> starting from <paramref name="hint"/>: when the key belongs right after the hinted index
    /// (the last key for a default or stale hint), no binary search is made.
    /// </summary>
    internal bool TryAddHinted<TCmp>(in TKey key, in TValue value, TCmp cmp, ref OrderedInsertHint hint)
        where TCmp : IComparer<TKey>
    {
        var s = Write();
        var keys = s.Keys;
        long p = hint.For(_h, s.Header->Version);
        int after = p > 0 && p <= keys.Length ? (int)p - 1 : keys.Length - 1; // the index the key may follow
        int i;
        if (after < 0)
        {
            i = ~0; // empty
        }
        else
        {
            int c = cmp.Compare(key, keys[after]);
            i = c > 0 && (after + 1 == keys.Length || cmp.Compare(key, keys[after + 1]) < 0) ? ~(after + 1)
                : c == 0 ? after
                : s.Search(key, cmp);
        }

        bool added = i < 0;
        if (added)
        {
            i = ~i;
            s.InsertAt(i, key);
            if (FlatStore<TKey, TValue>.HasValues)
            {
                s.Values[i] = value;
            }
        }

        hint.Container = _h;
        hint.Position = i + 1;
        hint.Version = s.Header->Version;
        return added;
    }

    internal void Set<TCmp>(in TKey key, in TValue value, TCmp cmp)
        where TCmp : IComparer<TKey>
    {
        var s = Write();
        int i = s.Search(key, cmp);
        if (i < 0)
        {
            i = ~i;
            s.InsertAt(i, key);
        }

        s.Values[i] = value;
    }

    internal bool Remove<TCmp>(in TKey key, TCmp cmp)
        where TCmp : IComparer<TKey>
    {
        var s = Write();
        int i = s.Search(key, cmp);
        if (i < 0)
        {
            return false;
        }

        s.RemoveAt(i, destroyKey: true, destroyValue: true);
        return true;
    }

    internal bool Remove<TCmp>(in TKey key, TCmp cmp, out TValue value)
        where TCmp : IComparer<TKey>
    {
        var s = Write();
        int i = s.Search(key, cmp);
        if (i < 0)
        {
            value = default;
            return false;
        }

        value = s.Values[i];
        s.RemoveAt(i, destroyKey: true, destroyValue: false);
        return true;
    }

    internal void RemoveAt(int index)
    {
        var s = Write();
        if ((uint)index >= (uint)s.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"The index must be in [0, {s.Count}).");
        }

        s.RemoveAt(index, destroyKey: true, destroyValue: true);
    }

    internal int LowerBound<TCmp>(in TKey key, TCmp cmp)
        where TCmp : IComparer<TKey> => Read().LowerBound(key, cmp);

    internal int UpperBound<TCmp>(in TKey key, TCmp cmp)
        where TCmp : IComparer<TKey> => Read().UpperBound(key, cmp);

    internal Range Between<TCmp>(in TKey from, in TKey to, TCmp cmp)
        where TCmp : IComparer<TKey>
    {
        if (cmp.Compare(from, to) > 0)
        {
            throw new ArgumentException("The lower bound is greater than the upper bound.", nameof(from));
        }

        var s = Read();
        return new Range(s.LowerBound(from, cmp), s.UpperBound(to, cmp));
    }

    internal void Reserve(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, Array.MaxLength);
        var s = Write();
        if (capacity > s.Header->Capacity)
        {
            s.Reallocate(capacity);
        }
    }

    internal void ShrinkToFit()
    {
        var s = Write();
        if (s.Header->Capacity != s.Count)
        {
            s.Reallocate(s.Count);
        }
    }

    internal void Clear() => Write().Clear();

    internal void Destroy()
    {
        var s = Write();
        s.Clear();
        s.Reallocate(0);
        s.Header->Allocator.Release(s.Manager);
        _h.FreeHeader(&s.Header->Prefix, s.Manager);
    }

    internal void CheckInvariants<TCmp>(TCmp cmp)
        where TCmp : IComparer<TKey> => Read().CheckInvariants(cmp);
}
