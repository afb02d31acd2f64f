using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Interprocess.Managed;

namespace Interprocess.Containers;

/// <summary>
/// The red-black tree algorithms of the ordered containers, working in place on a <see cref="TreeHeader"/> and its
/// <see cref="TreeNode{TKey,TValue}"/>s in a segment. A short-lived view made by each operation after the
/// container's handle was resolved; never stored.
/// </summary>
/// <remarks>
/// <para>Every link read from the segment goes through <see cref="At"/>, which checks with one unsigned compare
/// that a whole node at that handle lies inside the mapping, so a corrupted link gives
/// <see cref="InterprocessException"/> (<see cref="InterprocessErrorCode.Corrupted"/>), never an access violation.
/// Every loop that follows links is bounded (by <see cref="MaxDepth"/>, or by the node count for walks), so a
/// corrupted cycle gives the same exception instead of a hang.</para>
/// <para>Methods that search are generic over the comparer type: with <see cref="DefaultKeyComparer{T}"/> the
/// JIT specializes them and inlines the comparison for primitive keys.</para>
/// <para>Algorithms: CLRS insertion and deletion fix-ups, deletion as in the SGI/libstdc++ tree (the successor is
/// relinked in place of a node with two children, so nodes never move and references to the values of other
/// nodes stay valid). Equal keys (multi containers) go to the upper bound, which keeps them in insertion order.</para>
/// </remarks>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The mapped type (<see cref="NoValue"/> for sets).</typeparam>
internal readonly unsafe struct RbTree<TKey, TValue>
    where TKey : unmanaged
    where TValue : unmanaged
{
    /// <summary>
    /// The deepest descent accepted: a red-black tree of n nodes is at most 2·log2(n+1) deep, so 128 covers any
    /// tree that fits in an address space; deeper means a corrupted (cyclic) link.
    /// </summary>
    internal const int MaxDepth = 128;

    /// <summary>The segment base in this process.</summary>
    private readonly byte* _base;

    /// <summary>The largest valid node handle minus <see cref="SegmentHeader.HeapStart"/> (for the one-compare check).</summary>
    private readonly ulong _span;

    /// <summary>The header, resolved and validated by the caller.</summary>
    internal readonly TreeHeader* Header;

    /// <summary>The segment's manager in this process.</summary>
    internal readonly SegmentManager Manager;

    /// <summary>A view of the tree whose validated header is <paramref name="header"/>.</summary>
    internal RbTree(TreeHeader* header, SegmentManager manager)
    {
        _base = manager.BasePointer;
        _span = (ulong)(manager.MappedSize - NodeSize - SegmentHeader.HeapStart);
        Header = header;
        Manager = manager;
    }

    /// <summary>Bytes in one node.</summary>
    internal static int NodeSize => sizeof(TreeNode<TKey, TValue>);

    /// <summary>Creates an empty tree header (the caller names it or hands it out).</summary>
    /// <exception cref="ArgumentOutOfRangeException">An unknown allocator kind.</exception>
    /// <exception cref="InterprocessException">The segment is full.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    internal static ContainerHandle Create(SegmentManager manager, uint magic, uint typeCheck, AllocatorKind allocator)
    {
        var h = ContainerHandle.Create<TreeHeader>(manager, magic, typeCheck, out var p);
        try
        {
            p->Allocator.Initialize(allocator, NodeSize);
        }
        catch
        {
            h.FreeHeader(&p->Prefix, manager);
            throw;
        }

        p->NodeSize = NodeSize;
        return h;
    }

    /// <summary>Resolves <paramref name="handle"/> (for reading or writing) and checks the node size.</summary>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open here.</exception>
    /// <exception cref="InterprocessException">The header is corrupted.</exception>
    /// <exception cref="NotSupportedException"><paramref name="write"/> and the segment is read-only.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static RbTree<TKey, TValue> Open(in ContainerHandle handle, uint magic, uint typeCheck, bool write)
    {
        SegmentManager m;
        var p = write
            ? handle.ResolveForWrite<TreeHeader>(magic, typeCheck, out m)
            : handle.Resolve<TreeHeader>(magic, typeCheck, out m);
        if (p->NodeSize != NodeSize)
        {
            ThrowBadHeader(m, p->NodeSize);
        }

        return new RbTree<TKey, TValue>(p, m);
    }

    /// <summary>The node at <paramref name="handle"/>, after checking that it lies inside the mapping.</summary>
    /// <exception cref="InterprocessException">The handle is outside the segment (a corrupted link).</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal TreeNode<TKey, TValue>* At(long handle)
    {
        if ((ulong)(handle - SegmentHeader.HeapStart) > _span)
        {
            ThrowBadLink(handle);
        }

        return (TreeNode<TKey, TValue>*)(_base + handle);
    }

    /// <summary>The node with a key equal to <paramref name="key"/> (the first one for multi trees: use <see cref="LowerBound"/> there), or 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal long Find<TCmp>(in TKey key, TCmp cmp)
        where TCmp : IComparer<TKey>
    {
        long cur = Header->Root;
        int depth = 0;
        while (cur != 0)
        {
            var n = At(cur);
            int c = cmp.Compare(key, n->Key);
            if (c == 0)
            {
                return cur;
            }

            cur = c < 0 ? n->Left : n->Right;
            if (++depth > MaxDepth)
            {
                ThrowTooDeep();
            }
        }

        return 0;
    }

    /// <summary>The first node whose key is not less than <paramref name="key"/>, or 0.</summary>
    internal long LowerBound<TCmp>(in TKey key, TCmp cmp)
        where TCmp : IComparer<TKey>
    {
        long cur = Header->Root, result = 0;
        int depth = 0;
        while (cur != 0)
        {
            var n = At(cur);
            if (cmp.Compare(n->Key, key) < 0)
            {
                cur = n->Right;
            }
            else
            {
                result = cur;
                cur = n->Left;
            }

            if (++depth > MaxDepth)
            {
                ThrowTooDeep();
            }
        }

        return result;
    }

    /// <summary>The first node whose key is greater than <paramref name="key"/>, or 0.</summary>
    internal long UpperBound<TCmp>(in TKey key, TCmp cmp)
        where TCmp : IComparer<TKey>
    {
        long cur = Header->Root, result = 0;
        int depth = 0;
        while (cur != 0)
        {
            var n = At(cur);
            if (cmp.Compare(key, n->Key) < 0)
            {
                result = cur;
                cur = n->Left;
            }
            else
            {
                cur = n->Right;
            }

            if (++depth > MaxDepth)
            {
                ThrowTooDeep();
            }
        }

        return result;
    }

    /// <summary>The last node whose key is not greater than <paramref name="key"/>, or 0.</summary>
    internal long LastNotAbove<TCmp>(in TKey key, TCmp cmp)
        where TCmp : IComparer<TKey>
    {
        long upper = UpperBound(key, cmp);
        return upper == 0 ? Header->Rightmost : Predecessor(upper);
    }

    /// <summary>
    /// Inserts a node with <paramref name="key"/> and a default value (the caller writes the value), or, for a
    /// unique tree that already has the key, returns that node.
    /// </summary>
    /// <param name="key">The key.</param>
    /// <param name="cmp">The ordering.</param>
    /// <param name="unique">Refuse equal keys (map, set) or put them after their equals (multimap, multiset).</param>
    /// <param name="added">Whether a node was added.</param>
    /// <returns>The handle of the new (or existing) node.</returns>
    /// <exception cref="InterprocessException">The segment is full, or a link is corrupted.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal long Insert<TCmp>(in TKey key, TCmp cmp, bool unique, out bool added)
        where TCmp : IComparer<TKey>
    {
        var h = Header;
        long parent = 0, cur = h->Root;
        int c = 0, depth = 0;
        while (cur != 0)
        {
            var n = At(cur);
            c = cmp.Compare(key, n->Key);
            if (c == 0)
            {
                if (unique)
                {
                    added = false;
                    return cur;
                }

                c = 1;
            }

            parent = cur;
            cur = c < 0 ? n->Left : n->Right;
            if (++depth > MaxDepth)
            {
                ThrowTooDeep();
            }
        }

        added = true;
        return Link(key, parent, c);
    }

    /// <summary>
    /// <see cref="Insert"/> with a position hint (Boost's <c>insert(hint, v)</c>): when <paramref name="key"/>
    /// belongs right after the node <paramref name="after"/> (0: at the end, after the largest key), the node is linked
    /// there with two comparisons and no descent (plus the rebalancing, amortized O(1)); otherwise this is a normal
    /// insertion, O(log n). A multi tree takes the hint only where a normal insertion would put the key (after its
    /// equals), so equal keys stay in insertion order whatever the hint.
    /// </summary>
    /// <param name="after">A node of this tree (the caller proved it is one), or 0.</param>
    /// <param name="key">The key.</param>
    /// <param name="cmp">The ordering.</param>
    /// <param name="unique">Refuse equal keys.</param>
    /// <param name="added">Whether a node was added.</param>
    /// <returns>The handle of the new (or, for a unique tree, existing) node.</returns>
    /// <exception cref="InterprocessException">The segment is full, or a link is corrupted.</exception>
    internal long InsertHint<TCmp>(long after, in TKey key, TCmp cmp, bool unique, out bool added)
        where TCmp : IComparer<TKey>
    {
        var h = Header;
        long prev = after == 0 ? h->Rightmost : after;
        if (prev == 0)
        {
            added = true;
            return Link(key, 0, -1); // an empty tree
        }

        int c = cmp.Compare(key, At(prev)->Key);
        if (c == 0 && unique)
        {
            added = false;
            return prev;
        }

        if (c > 0 || (c == 0 && !unique))
        {
            // prev < key (or prev == key, multi): it goes right after prev if it is less than prev's successor.
            long next = prev == h->Rightmost ? 0 : Successor(prev);
            if (next == 0 || cmp.Compare(key, At(next)->Key) < 0)
            {
                added = true;
                // Adjacent nodes: prev has no right child, or next has no left child.
                return At(prev)->Right == 0 ? Link(key, prev, 1) : Link(key, next, -1);
            }
        }

        return Insert(key, cmp, unique, out added);
    }

    /// <summary>Allocates a node and links it as the <paramref name="side"/> (&lt; 0 left) child of <paramref name="parent"/>, then rebalances.</summary>
    private long Link(in TKey key, long parent, int side)
    {
        var h = Header;
        long x = h->Allocator.Allocate(Manager, NodeSize);
        var xn = At(x);
        xn->Left = 0;
        xn->Right = 0;
        xn->ParentColor = parent | TreeNode<TKey, TValue>.Red;
        xn->Key = key;
        xn->Value = default;
        if (parent == 0)
        {
            h->Root = x;
            h->Leftmost = x;
            h->Rightmost = x;
        }
        else if (side < 0)
        {
            At(parent)->Left = x;
            if (parent == h->Leftmost)
            {
                h->Leftmost = x;
            }
        }
        else
        {
            At(parent)->Right = x;
            if (parent == h->Rightmost)
            {
                h->Rightmost = x;
            }
        }

        InsertFixup(x, xn);
        h->Count++;
        h->Version++;
        return x;
    }

    /// <summary>Unlinks node <paramref name="z"/>, rebalances, then destroys its key and value (as asked) and frees it.</summary>
    /// <exception cref="InterprocessException">A link is corrupted.</exception>
    internal void Erase(long z, bool destroyKey, bool destroyValue)
    {
        var h = Header;
        var zn = At(z);
        long zl = zn->Left, zr = zn->Right;
        long y = z, x, xParent;
        var yn = zn;
        if (zl == 0)
        {
            x = zr;
        }
        else if (zr == 0)
        {
            x = zl;
        }
        else
        {
            y = zr;
            yn = At(y);
            int depth = 0;
            while (yn->Left != 0)
            {
                y = yn->Left;
                yn = At(y);
                if (++depth > MaxDepth)
                {
                    ThrowTooDeep();
                }
            }

            x = yn->Right;
        }

        bool removedRed;
        if (y != z)
        {
            // z has two children and y (its successor, no left child) takes z's place, links and color.
            SetParent(At(zl), y);
            yn->Left = zl;
            if (y != zr)
            {
                xParent = yn->Parent;
                if (x != 0)
                {
                    SetParent(At(x), xParent);
                }

                At(xParent)->Left = x;
                yn->Right = zr;
                SetParent(At(zr), y);
            }
            else
            {
                xParent = y;
            }

            ReplaceChild(zn->Parent, z, y);
            removedRed = yn->IsRed;
            yn->ParentColor = zn->ParentColor;
        }
        else
        {
            xParent = zn->Parent;
            if (x != 0)
            {
                SetParent(At(x), xParent);
            }

            ReplaceChild(xParent, z, x);
            if (h->Leftmost == z)
            {
                h->Leftmost = zr == 0 ? xParent : MinOf(x);
            }

            if (h->Rightmost == z)
            {
                h->Rightmost = zl == 0 ? xParent : MaxOf(x);
            }

            removedRed = zn->IsRed;
        }

        if (!removedRed)
        {
            EraseFixup(x, xParent);
        }

        h->Count--;
        h->Version++;
        try
        {
            if (destroyKey)
            {
                SegmentOwned<TKey>.Destroy(ref zn->Key);
            }

            if (destroyValue)
            {
                SegmentOwned<TValue>.Destroy(ref zn->Value);
            }
        }
        finally
        {
            h->Allocator.Deallocate(Manager, z, NodeSize);
        }
    }

    /// <summary>
    /// Empties the tree: the header is reset first (so a failure half-way leaves an empty tree and leaked nodes,
    /// never a tree with freed nodes), then every node is destroyed (when <paramref name="destroy"/>) and freed
    /// without recursion (right rotations flatten the tree as it is consumed).
    /// </summary>
    /// <exception cref="InterprocessException">A link is corrupted.</exception>
    internal void Clear(bool destroy)
    {
        var h = Header;
        long cur = h->Root;
        long limit = (2 * Math.Max(h->Count, 0)) + MaxDepth;
        h->Root = 0;
        h->Leftmost = 0;
        h->Rightmost = 0;
        h->Count = 0;
        h->Version++;
        long steps = 0;
        while (cur != 0)
        {
            if (++steps > limit)
            {
                ThrowCycle();
            }

            var n = At(cur);
            long l = n->Left;
            if (l != 0)
            {
                // Rotate right: l goes up, cur becomes its right child; the tree keeps its in-order content.
                var ln = At(l);
                n->Left = ln->Right;
                ln->Right = cur;
                cur = l;
                continue;
            }

            long next = n->Right;
            try
            {
                if (destroy)
                {
                    SegmentOwned<TKey>.Destroy(ref n->Key);
                    SegmentOwned<TValue>.Destroy(ref n->Value);
                }
            }
            finally
            {
                h->Allocator.Deallocate(Manager, cur, NodeSize);
            }

            cur = next;
        }
    }

    /// <summary>The in-order successor of <paramref name="x"/>, or 0.</summary>
    internal long Successor(long x)
    {
        var xn = At(x);
        if (xn->Right != 0)
        {
            return MinOf(xn->Right);
        }

        long p = xn->Parent;
        int depth = 0;
        while (p != 0)
        {
            var pn = At(p);
            if (pn->Right != x)
            {
                return p;
            }

            x = p;
            p = pn->Parent;
            if (++depth > MaxDepth)
            {
                ThrowTooDeep();
            }
        }

        return 0;
    }

    /// <summary>The in-order predecessor of <paramref name="x"/>, or 0.</summary>
    internal long Predecessor(long x)
    {
        var xn = At(x);
        if (xn->Left != 0)
        {
            return MaxOf(xn->Left);
        }

        long p = xn->Parent;
        int depth = 0;
        while (p != 0)
        {
            var pn = At(p);
            if (pn->Left != x)
            {
                return p;
            }

            x = p;
            p = pn->Parent;
            if (++depth > MaxDepth)
            {
                ThrowTooDeep();
            }
        }

        return 0;
    }

    /// <summary>
    /// Checks every invariant: links agree (child's parent is the node), in-order keys ascend (strictly when
    /// <paramref name="unique"/>), no red node has a red child, every path has the same number of black nodes, the
    /// root is black, and Count, Leftmost and Rightmost are right. For tests and debugging.
    /// </summary>
    /// <exception cref="InvalidOperationException">An invariant does not hold (the message says which).</exception>
    internal void CheckInvariants<TCmp>(TCmp cmp, bool unique)
        where TCmp : IComparer<TKey>
    {
        var h = Header;
        if (h->Root == 0)
        {
            Require(h->Count == 0 && h->Leftmost == 0 && h->Rightmost == 0, "an empty tree has a count or ends");
            return;
        }

        var root = At(h->Root);
        Require(root->Parent == 0, "the root has a parent");
        Require(!root->IsRed, "the root is red");
        long count = 0;
        bool hasPrev = false;
        TKey prev = default;
        long first = 0, last = 0;
        CheckNode(h->Root, 0, cmp, unique, ref count, ref hasPrev, ref prev, ref first, ref last);
        Require(count == h->Count, $"Count is {h->Count} but the tree holds {count} nodes");
        Require(first == h->Leftmost, "Leftmost is not the smallest node");
        Require(last == h->Rightmost, "Rightmost is not the largest node");
    }

    private int CheckNode<TCmp>(long x, int depth, TCmp cmp, bool unique, ref long count, ref bool hasPrev, ref TKey prev, ref long first, ref long last)
        where TCmp : IComparer<TKey>
    {
        Require(depth <= MaxDepth, "the tree is too deep (a cycle?)");
        var n = At(x);
        int leftBlack = 1;
        if (n->Left != 0)
        {
            var l = At(n->Left);
            Require(l->Parent == x, "a left child's parent link is wrong");
            Require(!(n->IsRed && l->IsRed), "a red node has a red child");
            leftBlack = CheckNode(n->Left, depth + 1, cmp, unique, ref count, ref hasPrev, ref prev, ref first, ref last);
        }

        if (hasPrev)
        {
            int c = cmp.Compare(prev, n->Key);
            Require(unique ? c < 0 : c <= 0, "keys are out of order");
        }
        else
        {
            first = x;
        }

        hasPrev = true;
        prev = n->Key;
        last = x;
        count++;
        int rightBlack = 1;
        if (n->Right != 0)
        {
            var r = At(n->Right);
            Require(r->Parent == x, "a right child's parent link is wrong");
            Require(!(n->IsRed && r->IsRed), "a red node has a red child");
            rightBlack = CheckNode(n->Right, depth + 1, cmp, unique, ref count, ref hasPrev, ref prev, ref first, ref last);
        }

        Require(leftBlack == rightBlack, "black heights differ");
        return leftBlack + (n->IsRed ? 0 : 1);
    }

    private static void Require(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException("Tree invariant broken: " + what + ".");
        }
    }

    private long MinOf(long x)
    {
        var n = At(x);
        int depth = 0;
        while (n->Left != 0)
        {
            x = n->Left;
            n = At(x);
            if (++depth > MaxDepth)
            {
                ThrowTooDeep();
            }
        }

        return x;
    }

    private long MaxOf(long x)
    {
        var n = At(x);
        int depth = 0;
        while (n->Right != 0)
        {
            x = n->Right;
            n = At(x);
            if (++depth > MaxDepth)
            {
                ThrowTooDeep();
            }
        }

        return x;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SetParent(TreeNode<TKey, TValue>* n, long parent) =>
        n->ParentColor = parent | (n->ParentColor & TreeNode<TKey, TValue>.Red);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SetRed(TreeNode<TKey, TValue>* n) => n->ParentColor |= TreeNode<TKey, TValue>.Red;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SetBlack(TreeNode<TKey, TValue>* n) => n->ParentColor &= ~TreeNode<TKey, TValue>.Red;

    /// <summary>Makes <paramref name="newChild"/> take <paramref name="oldChild"/>'s place under <paramref name="parent"/> (or as the root).</summary>
    private void ReplaceChild(long parent, long oldChild, long newChild)
    {
        if (parent == 0)
        {
            Header->Root = newChild;
            return;
        }

        var pn = At(parent);
        if (pn->Left == oldChild)
        {
            pn->Left = newChild;
        }
        else
        {
            pn->Right = newChild;
        }
    }

    private void RotateLeft(long x, TreeNode<TKey, TValue>* xn)
    {
        long y = xn->Right;
        var yn = At(y);
        long yl = yn->Left;
        xn->Right = yl;
        if (yl != 0)
        {
            SetParent(At(yl), x);
        }

        long xp = xn->Parent;
        SetParent(yn, xp);
        ReplaceChild(xp, x, y);
        yn->Left = x;
        SetParent(xn, y);
    }

    private void RotateRight(long x, TreeNode<TKey, TValue>* xn)
    {
        long y = xn->Left;
        var yn = At(y);
        long yr = yn->Right;
        xn->Left = yr;
        if (yr != 0)
        {
            SetParent(At(yr), x);
        }

        long xp = xn->Parent;
        SetParent(yn, xp);
        ReplaceChild(xp, x, y);
        yn->Right = x;
        SetParent(xn, y);
    }

    private void InsertFixup(long x, TreeNode<TKey, TValue>* xn)
    {
        int guard = 0;
        while (true)
        {
            long p = xn->Parent;
            if (p == 0)
            {
                break;
            }

            var pn = At(p);
            if (!pn->IsRed)
            {
                break;
            }

            // p is red, so it is not the root: g exists (At throws on a corrupted 0).
            long g = pn->Parent;
            var gn = At(g);
            if (p == gn->Left)
            {
                long u = gn->Right;
                if (u != 0 && At(u)->IsRed)
                {
                    SetBlack(pn);
                    SetBlack(At(u));
                    SetRed(gn);
                    x = g;
                    xn = gn;
                }
                else
                {
                    if (x == pn->Right)
                    {
                        RotateLeft(p, pn);
                        (x, p) = (p, x);
                        var tn = xn;
                        xn = pn;
                        pn = tn;
                    }

                    SetBlack(pn);
                    SetRed(gn);
                    RotateRight(g, gn);
                    break;
                }
            }
            else
            {
                long u = gn->Left;
                if (u != 0 && At(u)->IsRed)
                {
                    SetBlack(pn);
                    SetBlack(At(u));
                    SetRed(gn);
                    x = g;
                    xn = gn;
                }
                else
                {
                    if (x == pn->Left)
                    {
                        RotateRight(p, pn);
                        (x, p) = (p, x);
                        var tn = xn;
                        xn = pn;
                        pn = tn;
                    }

                    SetBlack(pn);
                    SetRed(gn);
                    RotateLeft(g, gn);
                    break;
                }
            }

            if (++guard > MaxDepth)
            {
                ThrowTooDeep();
            }
        }

        SetBlack(At(Header->Root));
    }

    private void EraseFixup(long x, long xParent)
    {
        int guard = 0;
        while (x != Header->Root && (x == 0 || !At(x)->IsRed))
        {
            var xpn = At(xParent);
            if (x == xpn->Left)
            {
                long w = xpn->Right;
                var wn = At(w);
                if (wn->IsRed)
                {
                    SetBlack(wn);
                    SetRed(xpn);
                    RotateLeft(xParent, xpn);
                    w = xpn->Right;
                    wn = At(w);
                }

                long wl = wn->Left, wr = wn->Right;
                bool wlBlack = wl == 0 || !At(wl)->IsRed;
                bool wrBlack = wr == 0 || !At(wr)->IsRed;
                if (wlBlack && wrBlack)
                {
                    SetRed(wn);
                    x = xParent;
                    xParent = xpn->Parent;
                }
                else
                {
                    if (wrBlack)
                    {
                        SetBlack(At(wl));
                        SetRed(wn);
                        RotateRight(w, wn);
                        w = xpn->Right;
                        wn = At(w);
                    }

                    wn->ParentColor = (wn->ParentColor & ~TreeNode<TKey, TValue>.Red) | (xpn->ParentColor & TreeNode<TKey, TValue>.Red);
                    SetBlack(xpn);
                    if (wn->Right != 0)
                    {
                        SetBlack(At(wn->Right));
                    }

                    RotateLeft(xParent, xpn);
                    x = Header->Root;
                    break;
                }
            }
            else
            {
                long w = xpn->Left;
                var wn = At(w);
                if (wn->IsRed)
                {
                    SetBlack(wn);
                    SetRed(xpn);
                    RotateRight(xParent, xpn);
                    w = xpn->Left;
                    wn = At(w);
                }

                long wl = wn->Left, wr = wn->Right;
                bool wlBlack = wl == 0 || !At(wl)->IsRed;
                bool wrBlack = wr == 0 || !At(wr)->IsRed;
                if (wlBlack && wrBlack)
                {
                    SetRed(wn);
                    x = xParent;
                    xParent = xpn->Parent;
                }
                else
                {
                    if (wlBlack)
                    {
                        SetBlack(At(wr));
                        SetRed(wn);
                        RotateLeft(w, wn);
                        w = xpn->Left;
                        wn = At(w);
                    }

                    wn->ParentColor = (wn->ParentColor & ~TreeNode<TKey, TValue>.Red) | (xpn->ParentColor & TreeNode<TKey, TValue>.Red);
                    SetBlack(xpn);
                    if (wn->Left != 0)
                    {
                        SetBlack(At(wn->Left));
                    }

                    RotateRight(xParent, xpn);
                    x = Header->Root;
                    break;
                }
            }

            if (++guard > MaxDepth)
            {
                ThrowTooDeep();
            }
        }

        if (x != 0)
        {
            SetBlack(At(x));
        }
    }

    [DoesNotReturn]
    private void ThrowBadLink(long handle) =>
        throw InterprocessException.Corrupted(Manager.Name, $"an ordered container's node link is {handle}, which is not a node position in the segment (the container is corrupted).");

    [DoesNotReturn]
    private void ThrowTooDeep() =>
        throw InterprocessException.Corrupted(Manager.Name, $"an ordered container's tree is deeper than {MaxDepth} levels (a corrupted link makes a cycle).");

    [DoesNotReturn]
    private void ThrowCycle() =>
        throw InterprocessException.Corrupted(Manager.Name, "an ordered container holds more nodes than its count says (a corrupted link makes a cycle).");

    [DoesNotReturn]
    private static void ThrowBadHeader(SegmentManager manager, int nodeSize) =>
        throw InterprocessException.Corrupted(manager.Name, $"an ordered container's header records node size {nodeSize}, not {NodeSize} (the header is corrupted).");
}
