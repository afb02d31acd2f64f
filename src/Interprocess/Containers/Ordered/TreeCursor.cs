using System.Diagnostics.CodeAnalysis;

namespace Interprocess.Containers;

/// <summary>
/// The walking part of every ordered enumerator: the nodes from <c>first</c> to <c>last</c> (inclusive) in key
/// order, or backwards. It keeps handles, not addresses, resolves the container again at every step and checks its
/// version, so a change of the container during enumeration throws <see cref="InvalidOperationException"/> (as a
/// .NET collection does) instead of following a freed node.
/// </summary>
internal unsafe struct TreeCursor<TKey, TValue>
    where TKey : unmanaged
    where TValue : unmanaged
{
    /// <summary>The container.</summary>
    private readonly ContainerHandle _h;

    /// <summary>The container's kind.</summary>
    private readonly uint _magic;

    /// <summary>The container's type check.</summary>
    private readonly uint _typeCheck;

    /// <summary>The last node to visit (the first one when reversed).</summary>
    private readonly long _last;

    /// <summary>The container's version when the walk began.</summary>
    private readonly long _version;

    /// <summary>Walk backwards.</summary>
    private readonly bool _reverse;

    /// <summary>The next node to visit, or 0 when done.</summary>
    private long _next;

    /// <summary>How many more nodes the container can hold (a corrupted cycle stops here).</summary>
    private long _remaining;

    /// <summary>A cursor over the nodes from <paramref name="first"/> to <paramref name="last"/>; empty when <paramref name="first"/> is 0.</summary>
    internal TreeCursor(in ContainerHandle h, uint magic, uint typeCheck, long first, long last, long version, long count, bool reverse)
    {
        _h = h;
        _magic = magic;
        _typeCheck = typeCheck;
        _reverse = reverse;
        _next = reverse ? last : first;
        _last = reverse ? first : last;
        _version = version;
        _remaining = count;
    }

    /// <summary>Steps to the next node.</summary>
    /// <exception cref="InvalidOperationException">The container changed or was destroyed since the walk began.</exception>
    /// <exception cref="InterprocessException">A link is corrupted.</exception>
    internal bool MoveNext(out TreeNode<TKey, TValue>* node)
    {
        long cur = _next;
        if (cur == 0)
        {
            node = null;
            return false;
        }

        var t = RbTree<TKey, TValue>.Open(_h, _magic, _typeCheck, write: false);
        if (t.Header->Version != _version)
        {
            ThrowModified();
        }

        if (--_remaining < 0)
        {
            throw InterprocessException.Corrupted(t.Manager.Name, "an ordered container's enumeration visited more nodes than its count (a corrupted link makes a cycle).");
        }

        node = t.At(cur);
        _next = cur == _last ? 0 : _reverse ? t.Predecessor(cur) : t.Successor(cur);
        return true;
    }

    [DoesNotReturn]
    private static void ThrowModified() =>
        throw new InvalidOperationException("The container was changed during the enumeration (or destroyed): the enumeration cannot continue.");
}
