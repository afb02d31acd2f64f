using Interprocess.Managed;

namespace Interprocess.Containers;

/// <summary>Moving nodes between singly linked lists without copying elements (Boost's <c>splice_after</c>, <c>merge</c>), and <c>unique</c>.</summary>
public unsafe partial struct SharedSList<T>
{
    /// <summary>
    /// Moves every element of <paramref name="source"/> after <paramref name="position"/> (Boost's
    /// <c>splice_after(pos, x)</c>): nodes are relinked, none is copied, allocated or destroyed.
    /// <paramref name="source"/> is left empty.
    /// </summary>
    /// <remarks>
    /// As for <see cref="SharedList{T}.Splice(SharedListNode{T}, SharedList{T})"/>: <paramref name="source"/> must be
    /// in the same segment, with the same allocator kind, not a private pool; each moved node is re-tagged (O(moved)).
    /// </remarks>
    /// <param name="position">A node of this list, or a null cursor (<c>default</c>) for the front.</param>
    /// <param name="source">The list to take the elements from (this list itself: nothing changes).</param>
    /// <exception cref="ArgumentException"><paramref name="position"/> is not a node of this list; <paramref name="source"/> is in another segment, uses another allocator kind, or a private pool.</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">A list is corrupted.</exception>
    public readonly void SpliceAfter(SharedSListNode<T> position, SharedSList<T> source)
    {
        var hd = Write(out var m);
        var hs = SourceFor(source, hd, out bool same);
        long pos = PositionHandle(hd, m, position);
        if (same || hs->Head == 0)
        {
            return;
        }

        MoveAfter(hd, hs, m, pos, 0, hs->Tail, same);
    }

    /// <summary>
    /// Moves the element that follows <paramref name="previous"/> in <paramref name="source"/> (its first element
    /// for a null cursor) after <paramref name="position"/> (Boost's <c>splice_after(pos, x, prev)</c>); O(1).
    /// </summary>
    /// <param name="position">A node of this list, or a null cursor for the front.</param>
    /// <param name="source">The list that holds the element (may be this list).</param>
    /// <param name="previous">The node before the one to move, or a null cursor to move the first.</param>
    /// <exception cref="ArgumentException">A cursor is not a node of its list; nothing follows <paramref name="previous"/>; <paramref name="source"/> is in another segment, uses another allocator kind, or a private pool.</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">A list is corrupted.</exception>
    public readonly void SpliceAfter(SharedSListNode<T> position, SharedSList<T> source, SharedSListNode<T> previous)
    {
        var hd = Write(out var m);
        var hs = SourceFor(source, hd, out bool same);
        long pos = PositionHandle(hd, m, position);
        long prev = previous.IsNull ? 0 : SourceNode(source, hs, m, previous);
        long node = prev == 0 ? hs->Head : NodeAt(hs, m, prev)->Next;
        if (node == 0)
        {
            throw new ArgumentException("No element follows the given node in the source list.", nameof(previous));
        }

        if (same && (pos == prev || pos == node))
        {
            return; // already there
        }

        MoveAfter(hd, hs, m, pos, prev, node, same);
    }

    /// <summary>
    /// Moves the elements of <paramref name="source"/> after <paramref name="previous"/> (from its first element for
    /// a null cursor) through <paramref name="last"/> inclusive, after <paramref name="position"/> (Boost's
    /// <c>splice_after(pos, x, before_first, before_last)</c> with <paramref name="last"/> = the last node moved);
    /// O(moved).
    /// </summary>
    /// <param name="position">A node of this list, or a null cursor for the front (not inside the range when <paramref name="source"/> is this list).</param>
    /// <param name="source">The list that holds the range (may be this list).</param>
    /// <param name="previous">The node before the first one to move, or a null cursor to start at the first.</param>
    /// <param name="last">The last node to move.</param>
    /// <exception cref="ArgumentException">A cursor is not a node of its list; <paramref name="last"/> does not follow <paramref name="previous"/>; <paramref name="position"/> is inside the range; <paramref name="source"/> is in another segment, uses another allocator kind, or a private pool.</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">A list is corrupted.</exception>
    public readonly void SpliceAfter(SharedSListNode<T> position, SharedSList<T> source, SharedSListNode<T> previous, SharedSListNode<T> last)
    {
        var hd = Write(out var m);
        var hs = SourceFor(source, hd, out bool same);
        long pos = PositionHandle(hd, m, position);
        long prev = previous.IsNull ? 0 : SourceNode(source, hs, m, previous);
        long lastHandle = SourceNode(source, hs, m, last);
        if (same && pos == prev)
        {
            return; // already there
        }

        MoveAfter(hd, hs, m, pos, prev, lastHandle, same);
    }

    /// <summary>
    /// Merges the sorted <paramref name="source"/> into this sorted list by <see cref="Comparer{T}.Default"/>
    /// (Boost's <c>merge</c>): stable (of equal elements, this list's come first), O(n + m), nothing copied or
    /// allocated; <paramref name="source"/> is left empty. The same conditions on <paramref name="source"/> as
    /// <see cref="SpliceAfter(SharedSListNode{T}, SharedSList{T})"/>.
    /// </summary>
    /// <param name="source">The other sorted list (this list itself: nothing changes).</param>
    /// <exception cref="ArgumentException"><paramref name="source"/> is in another segment, uses another allocator kind, or a private pool.</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">A list is corrupted.</exception>
    public readonly void Merge(SharedSList<T> source) => Merge(source, Comparer<T>.Default);

    /// <summary>Merges the sorted <paramref name="source"/> into this list, both sorted by <paramref name="comparer"/> (stable; see <see cref="Merge(SharedSList{T})"/>).</summary>
    /// <param name="source">The other sorted list (this list itself: nothing changes).</param>
    /// <param name="comparer">The order both lists are sorted by (it must not throw: a merge is not undone).</param>
    /// <exception cref="ArgumentNullException"><paramref name="comparer"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="source"/> is in another segment, uses another allocator kind, or a private pool.</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">A list is corrupted.</exception>
    public readonly void Merge(SharedSList<T> source, IComparer<T> comparer)
    {
        ArgumentNullException.ThrowIfNull(comparer);
        var hd = Write(out var m);
        var hs = SourceFor(source, hd, out bool same);
        if (same || hs->Head == 0)
        {
            return;
        }

        ValidateAll(hd, m);
        ValidateAll(hs, m);
        byte* b = m.BasePointer;
        for (long at = hs->Head; at != 0; at = ((SListNode<T>*)(b + at))->Next)
        {
            ((SListNode<T>*)(b + at))->Tag = hd->NodeTag;
        }

        long x = hd->Head, y = hs->Head, head = 0, tail = 0;
        while (x != 0 && y != 0)
        {
            var px = (SListNode<T>*)(b + x);
            var py = (SListNode<T>*)(b + y);
            long take;
            if (comparer.Compare(py->Value, px->Value) < 0)
            {
                take = y;
                y = py->Next;
            }
            else
            {
                take = x;
                x = px->Next;
            }

            if (tail == 0)
            {
                head = take;
            }
            else
            {
                ((SListNode<T>*)(b + tail))->Next = take;
            }

            tail = take;
        }

        long rest = x != 0 ? x : y;
        if (tail == 0)
        {
            head = rest;
        }
        else
        {
            ((SListNode<T>*)(b + tail))->Next = rest;
        }

        hd->Tail = x != 0 ? hd->Tail : hs->Tail;
        hd->Head = head;
        hd->Count += hs->Count;
        hd->Version++;
        hs->Head = 0;
        hs->Tail = 0;
        hs->Count = 0;
        hs->Version++;
    }

    /// <summary>Removes consecutive duplicates (<see cref="EqualityComparer{T}.Default"/>), keeping the first of each run (Boost's <c>unique</c>).</summary>
    /// <returns>The number removed.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The list is corrupted.</exception>
    public readonly int Unique()
    {
        var h = Write(out var m);
        int removed = 0;
        long at = h->Head;
        for (long seen = 0, n = h->Count; at != 0; seen++)
        {
            CheckWalk(m, seen, n);
            var p = NodeAt(h, m, at);
            while (p->Next != 0 && EqualityComparer<T>.Default.Equals(NodeAt(h, m, p->Next)->Value, p->Value))
            {
                UnlinkAfter(h, m, at);
                removed++;
            }

            at = p->Next;
        }

        return removed;
    }

    /// <summary>The source list's header, after checking that its nodes may move into this list.</summary>
    private readonly LinkedHeader* SourceFor(SharedSList<T> source, LinkedHeader* hd, out bool same)
    {
        same = _h.SegmentId == source._h.SegmentId && _h.Header == source._h.Header && _h.Stamp == source._h.Stamp;
        if (same)
        {
            return hd;
        }

        if (!source.IsDefault && source._h.SegmentId != _h.SegmentId)
        {
            throw new ArgumentException("The source list is in another segment: nodes cannot move between segments (copy the elements instead).", nameof(source));
        }

        var hs = source.Write(out _);
        SharedList<T>.CheckNodesCanMove(hd, hs, nameof(source));
        return hs;
    }

    /// <summary>The handle of the node to insert after (0 = the front), checked.</summary>
    private readonly long PositionHandle(LinkedHeader* hd, SegmentManager m, SharedSListNode<T> position)
    {
        if (position.IsNull)
        {
            return 0;
        }

        CursorNode(hd, m, position);
        return position.NodeHandle;
    }

    private static long SourceNode(SharedSList<T> source, LinkedHeader* hs, SegmentManager m, SharedSListNode<T> node)
    {
        source.CursorNode(hs, m, node);
        return node.NodeHandle;
    }

    /// <summary>
    /// Moves the nodes after <paramref name="prev"/> (0 = from the head) through <paramref name="last"/> of the list
    /// <paramref name="hs"/> after <paramref name="pos"/> (0 = the front) of <paramref name="hd"/> (maybe the same
    /// list). The range is walked and checked before anything changes.
    /// </summary>
    private static void MoveAfter(LinkedHeader* hd, LinkedHeader* hs, SegmentManager m, long pos, long prev, long last, bool same)
    {
        long first = prev == 0 ? hs->Head : NodeAt(hs, m, prev)->Next;
        long k = 0;
        for (long at = first; ; k++)
        {
            if (at == 0)
            {
                throw new ArgumentException("The last node of the range does not follow its start in the source list.", nameof(last));
            }

            CheckWalk(m, k, hs->Count);
            if (same && at == pos)
            {
                throw new ArgumentException("The position is inside the range being moved.", "position");
            }

            if (at == last)
            {
                k++;
                break;
            }

            at = NodeAt(hs, m, at)->Next;
        }

        byte* b = m.BasePointer;
        var pl = (SListNode<T>*)(b + last);
        long after = pl->Next;
        if (prev == 0)
        {
            hs->Head = after;
        }
        else
        {
            ((SListNode<T>*)(b + prev))->Next = after;
        }

        if (after == 0)
        {
            hs->Tail = prev;
        }

        hs->Count -= k;
        hs->Version++;

        if (!same)
        {
            for (long at = first; ; at = ((SListNode<T>*)(b + at))->Next)
            {
                ((SListNode<T>*)(b + at))->Tag = hd->NodeTag;
                if (at == last)
                {
                    break;
                }
            }
        }

        if (pos == 0)
        {
            pl->Next = hd->Head;
            hd->Head = first;
        }
        else
        {
            var pp = NodeAt(hd, m, pos);
            pl->Next = pp->Next;
            pp->Next = first;
        }

        if (pl->Next == 0)
        {
            hd->Tail = last;
        }

        hd->Count += k;
        hd->Version++;
    }
}
