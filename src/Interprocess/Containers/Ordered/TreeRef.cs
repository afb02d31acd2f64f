using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Interprocess.Containers;

/// <summary>
/// The operations the four tree containers share, on one container's handle: each public method of
/// <see cref="SharedMap{TKey,TValue}"/>, <see cref="SharedSet{T}"/>, <see cref="SharedMultiMap{TKey,TValue}"/>,
/// <see cref="SharedMultiSet{T}"/> and their comparer views is one call here. Every operation resolves the handle
/// first (<see cref="ContainerHandle.Resolve{THeader}"/>), so it validates everything before trusting a byte.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The mapped type (<see cref="NoValue"/> for sets).</typeparam>
internal readonly unsafe struct TreeRef<TKey, TValue>
    where TKey : unmanaged
    where TValue : unmanaged
{
    private readonly ContainerHandle _h;
    private readonly uint _magic;
    private readonly uint _typeCheck;
    private readonly bool _multi;

    /// <summary>The operations on the container <paramref name="h"/> of kind <paramref name="magic"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal TreeRef(in ContainerHandle h, uint magic, uint typeCheck, bool multi)
    {
        _h = h;
        _magic = magic;
        _typeCheck = typeCheck;
        _multi = multi;
    }

    /// <summary>Creates an empty container.</summary>
    internal static ContainerHandle Create(Managed.SegmentManager manager, uint magic, uint typeCheck, AllocatorKind allocator) =>
        RbTree<TKey, TValue>.Create(manager, magic, typeCheck, allocator);

    /// <summary>The tree, resolved for reading.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal RbTree<TKey, TValue> Read() => RbTree<TKey, TValue>.Open(_h, _magic, _typeCheck, write: false);

    /// <summary>The tree, resolved for writing (refuses a read-only segment).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal RbTree<TKey, TValue> Write() => RbTree<TKey, TValue>.Open(_h, _magic, _typeCheck, write: true);

    /// <summary>The number of elements.</summary>
    internal int Count
    {
        get
        {
            long n = Read().Header->Count;
            return (ulong)n <= int.MaxValue ? (int)n : ThrowBadCount(n);
        }
    }

    /// <summary>The node of the first element with <paramref name="key"/>, or 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal long FindNode<TCmp>(in RbTree<TKey, TValue> t, in TKey key, TCmp cmp)
        where TCmp : IComparer<TKey>
    {
        if (!_multi)
        {
            return t.Find(key, cmp);
        }

        long lb = t.LowerBound(key, cmp);
        return lb != 0 && cmp.Compare(key, t.At(lb)->Key) == 0 ? lb : 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool TryGetValue<TCmp>(in TKey key, TCmp cmp, out TValue value)
        where TCmp : IComparer<TKey>
    {
        var t = Read();
        long n = FindNode(t, key, cmp);
        if (n == 0)
        {
            value = default;
            return false;
        }

        value = t.At(n)->Value;
        return true;
    }

    internal bool TryGetKey<TCmp>(in TKey key, TCmp cmp, out TKey actual)
        where TCmp : IComparer<TKey>
    {
        var t = Read();
        long n = FindNode(t, key, cmp);
        if (n == 0)
        {
            actual = default;
            return false;
        }

        actual = t.At(n)->Key;
        return true;
    }

    internal bool Contains<TCmp>(in TKey key, TCmp cmp)
        where TCmp : IComparer<TKey>
    {
        var t = Read();
        return FindNode(t, key, cmp) != 0;
    }

    internal ref TValue GetValueRef<TCmp>(TKey key, TCmp cmp)
        where TCmp : IComparer<TKey>
    {
        var t = Read();
        long n = FindNode(t, key, cmp);
        if (n == 0)
        {
            ThrowKeyNotFound(key);
        }

        return ref t.At(n)->Value;
    }

    /// <summary>A reference to the value of the first element with <paramref name="key"/>, or a null reference.</summary>
    internal ref TValue GetValueRefOrNullRef<TCmp>(scoped in TKey key, TCmp cmp)
        where TCmp : IComparer<TKey>
    {
        var t = Read();
        long n = FindNode(t, key, cmp);
        if (n == 0)
        {
            return ref Unsafe.NullRef<TValue>();
        }

        return ref t.At(n)->Value;
    }

    internal ref TValue GetValueRefOrAddDefault<TCmp>(TKey key, TCmp cmp, out bool exists)
        where TCmp : IComparer<TKey>
    {
        var t = Write();
        long n = t.Insert(key, cmp, unique: true, out bool added);
        exists = !added;
        return ref t.At(n)->Value;
    }

    /// <summary>Adds unless the key is present (unique containers); always adds for multi containers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool TryAdd<TCmp>(in TKey key, in TValue value, TCmp cmp)
        where TCmp : IComparer<TKey>
    {
        var t = Write();
        long n = t.Insert(key, cmp, unique: !_multi, out bool added);
        if (added)
        {
            t.At(n)->Value = value;
        }

        return added;
    }

    /// <summary><see cref="TryAdd"/> starting from <paramref name="hint"/> (then pointing at the element added or found).</summary>
    internal bool TryAddHinted<TCmp>(in TKey key, in TValue value, TCmp cmp, ref OrderedInsertHint hint)
        where TCmp : IComparer<TKey>
    {
        var t = Write();
        long n = t.InsertHint(hint.For(_h, t.Header->Version), key, cmp, unique: !_multi, out bool added);
        if (added)
        {
            t.At(n)->Value = value;
        }

        hint.Container = _h;
        hint.Position = n;
        hint.Version = t.Header->Version;
        return added;
    }

    /// <summary>Sets the value of <paramref name="key"/>, adding it when absent (the old value is overwritten, not destroyed).</summary>
    internal void Set<TCmp>(in TKey key, in TValue value, TCmp cmp)
        where TCmp : IComparer<TKey>
    {
        var t = Write();
        long n = t.Insert(key, cmp, unique: true, out _);
        t.At(n)->Value = value;
    }

    /// <summary>Removes the first element with <paramref name="key"/>, destroying key and value.</summary>
    internal bool Remove<TCmp>(in TKey key, TCmp cmp)
        where TCmp : IComparer<TKey>
    {
        var t = Write();
        long n = FindNode(t, key, cmp);
        if (n == 0)
        {
            return false;
        }

        t.Erase(n, destroyKey: true, destroyValue: true);
        return true;
    }

    /// <summary>Removes the first element with <paramref name="key"/>, handing its value to the caller (not destroyed).</summary>
    internal bool Remove<TCmp>(in TKey key, TCmp cmp, out TValue value)
        where TCmp : IComparer<TKey>
    {
        var t = Write();
        long n = FindNode(t, key, cmp);
        if (n == 0)
        {
            value = default;
            return false;
        }

        value = t.At(n)->Value;
        t.Erase(n, destroyKey: true, destroyValue: false);
        return true;
    }

    /// <summary>Removes every element with <paramref name="key"/>; returns how many.</summary>
    internal int RemoveAll<TCmp>(in TKey key, TCmp cmp)
        where TCmp : IComparer<TKey>
    {
        var t = Write();
        long n = t.LowerBound(key, cmp);
        int removed = 0;
        while (n != 0 && cmp.Compare(key, t.At(n)->Key) == 0)
        {
            long next = t.Successor(n);
            t.Erase(n, destroyKey: true, destroyValue: true);
            removed++;
            n = next;
        }

        return removed;
    }

    /// <summary>How many elements have <paramref name="key"/>.</summary>
    internal int CountOf<TCmp>(in TKey key, TCmp cmp)
        where TCmp : IComparer<TKey>
    {
        var t = Read();
        if (!_multi)
        {
            return t.Find(key, cmp) != 0 ? 1 : 0;
        }

        long n = t.LowerBound(key, cmp);
        int count = 0;
        long limit = t.Header->Count;
        while (n != 0 && cmp.Compare(key, t.At(n)->Key) == 0)
        {
            if (++count > limit)
            {
                ThrowCycle(t);
            }

            n = t.Successor(n);
        }

        return count;
    }

    internal TreeSpan All(in RbTree<TKey, TValue> t) => new(t.Header->Leftmost, t.Header->Rightmost);

    /// <summary>Elements with <paramref name="from"/> ≤ key ≤ <paramref name="to"/>.</summary>
    internal TreeSpan Between<TCmp>(in RbTree<TKey, TValue> t, in TKey from, in TKey to, TCmp cmp)
        where TCmp : IComparer<TKey>
    {
        if (cmp.Compare(from, to) > 0)
        {
            throw new ArgumentException("The lower bound is greater than the upper bound.", nameof(from));
        }

        long first = t.LowerBound(from, cmp);
        if (first == 0 || cmp.Compare(t.At(first)->Key, to) > 0)
        {
            return TreeSpan.Empty;
        }

        return new TreeSpan(first, t.LastNotAbove(to, cmp));
    }

    /// <summary>Elements with key ≥ <paramref name="key"/>.</summary>
    internal TreeSpan FromLowerBound<TCmp>(in RbTree<TKey, TValue> t, in TKey key, TCmp cmp)
        where TCmp : IComparer<TKey>
    {
        long first = t.LowerBound(key, cmp);
        return first == 0 ? TreeSpan.Empty : new TreeSpan(first, t.Header->Rightmost);
    }

    /// <summary>Elements with key &gt; <paramref name="key"/>.</summary>
    internal TreeSpan FromUpperBound<TCmp>(in RbTree<TKey, TValue> t, in TKey key, TCmp cmp)
        where TCmp : IComparer<TKey>
    {
        long first = t.UpperBound(key, cmp);
        return first == 0 ? TreeSpan.Empty : new TreeSpan(first, t.Header->Rightmost);
    }

    /// <summary>Elements with key equal to <paramref name="key"/> (in insertion order for multi containers).</summary>
    internal TreeSpan Equal<TCmp>(in RbTree<TKey, TValue> t, in TKey key, TCmp cmp)
        where TCmp : IComparer<TKey>
    {
        long first = t.LowerBound(key, cmp);
        if (first == 0 || cmp.Compare(key, t.At(first)->Key) != 0)
        {
            return TreeSpan.Empty;
        }

        long upper = t.UpperBound(key, cmp);
        return new TreeSpan(first, upper == 0 ? t.Header->Rightmost : t.Predecessor(upper));
    }

    /// <summary>The smallest (or largest) node.</summary>
    /// <exception cref="InvalidOperationException">The container is empty.</exception>
    internal TreeNode<TKey, TValue>* End(in RbTree<TKey, TValue> t, bool max)
    {
        long n = max ? t.Header->Rightmost : t.Header->Leftmost;
        if (n == 0)
        {
            throw new InvalidOperationException("The container is empty.");
        }

        return t.At(n);
    }

    /// <summary>Destroys and frees every element.</summary>
    internal void Clear() => Write().Clear(destroy: true);

    /// <summary>Destroys every element, then the container; every handle to it becomes stale.</summary>
    internal void Destroy()
    {
        var t = Write();
        t.Clear(destroy: true);
        t.Header->Allocator.Release(t.Manager);
        _h.FreeHeader(&t.Header->Prefix, t.Manager);
    }

    internal void CheckInvariants<TCmp>(TCmp cmp)
        where TCmp : IComparer<TKey> => Read().CheckInvariants(cmp, unique: !_multi);

    [DoesNotReturn]
    internal static void ThrowKeyNotFound(in TKey key) =>
        throw new KeyNotFoundException($"The key '{key}' is not in the container.");

    [DoesNotReturn]
    private static int ThrowBadCount(long n) =>
        throw new InvalidOperationException($"The container's count is {n}, which is not a valid Int32 count (the container is corrupted or larger than Count can say).");

    [DoesNotReturn]
    private static void ThrowCycle(in RbTree<TKey, TValue> t) =>
        throw InterprocessException.Corrupted(t.Manager.Name, "an ordered container holds more equal keys than its count (a corrupted link makes a cycle).");
}
