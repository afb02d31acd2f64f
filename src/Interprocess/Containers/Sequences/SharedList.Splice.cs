using Interprocess.Managed;

namespace Interprocess.Containers;

/// <summary>Moving nodes between lists without copying elements: Boost's <c>splice</c> and <c>merge</c>.</summary>
public unsafe partial struct SharedList<T>
{
    /// <summary>
    /// Moves every element of <paramref name="source"/> before <paramref name="before"/> (Boost's
    /// <c>splice(pos, x)</c>): the nodes are relinked, no element is copied, allocated or destroyed (a <c>ref</c> to
    /// an element stays valid). <paramref name="source"/> is left empty. Unlike Boost's iterators, a cursor holds its
    /// list, so cursors taken from <paramref name="source"/> no longer work (as for a removed node): take them again
    /// from this list.
    /// </summary>
    /// <remarks>
    /// Nodes can move only where they can later be freed: <paramref name="source"/> must be in the same segment and
    /// use the same allocator kind, and not a private pool (its nodes belong to that list's own pool and are freed
    /// with it). O(moved nodes): each moved node is re-tagged as a node of this list, so that a cursor or link check
    /// still tells the lists apart.
    /// </remarks>
    /// <param name="before">A node of this list, or a null cursor (<c>default</c>) for the end.</param>
    /// <param name="source">The list to take the elements from (this list itself: nothing changes).</param>
    /// <exception cref="ArgumentException"><paramref name="before"/> is not a node of this list; <paramref name="source"/> is in another segment, uses another allocator kind, or a private pool.</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">A list is corrupted.</exception>
    public readonly void Splice(SharedListNode<T> before, SharedList<T> source)
    {
        var hd = Write(out var m);
        var hs = SourceFor(source, hd, out bool same);
        long at = BeforeHandle(hd, m, before);
        if (same || hs->Head == 0)
        {
            return;
        }

        MoveRange(hd, hs, m, at, hs->Head, 0, same);
    }

    /// <summary>
    /// Moves the element at <paramref name="node"/> of <paramref name="source"/> before <paramref name="before"/>
    /// (Boost's <c>splice(pos, x, i)</c>); <paramref name="source"/> may be this list.
    /// </summary>
    /// <remarks>The same conditions as <see cref="Splice(SharedListNode{T}, SharedList{T})"/>; O(1).</remarks>
    /// <param name="before">A node of this list, or a null cursor for the end.</param>
    /// <param name="source">The list that holds <paramref name="node"/>.</param>
    /// <param name="node">The node to move.</param>
    /// <exception cref="ArgumentException">A cursor is not a node of its list; <paramref name="source"/> is in another segment, uses another allocator kind, or a private pool.</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">A list is corrupted.</exception>
    public readonly void Splice(SharedListNode<T> before, SharedList<T> source, SharedListNode<T> node)
    {
        var hd = Write(out var m);
        var hs = SourceFor(source, hd, out bool same);
        long at = BeforeHandle(hd, m, before);
        var n = source.CursorNode(hs, m, node);
        if (same && (at == node.NodeHandle || at == n->Next))
        {
            return; // already there
        }

        MoveRange(hd, hs, m, at, node.NodeHandle, n->Next, same);
    }

    /// <summary>
    /// Moves the elements of <paramref name="source"/> from <paramref name="first"/> up to, not including,
    /// <paramref name="last"/> before <paramref name="before"/> (Boost's <c>splice(pos, x, first, last)</c>);
    /// <paramref name="source"/> may be this list, when <paramref name="before"/> is not inside the range.
    /// </summary>
    /// <remarks>The same conditions as <see cref="Splice(SharedListNode{T}, SharedList{T})"/>; O(moved nodes).</remarks>
    /// <param name="before">A node of this list, or a null cursor for the end.</param>
    /// <param name="source">The list that holds the range.</param>
    /// <param name="first">The first node to move.</param>
    /// <param name="last">The node after the last one to move, or a null cursor for the end of <paramref name="source"/>.</param>
    /// <exception cref="ArgumentException">A cursor is not a node of its list; <paramref name="last"/> does not follow <paramref name="first"/>; <paramref name="before"/> is inside the range; <paramref name="source"/> is in another segment, uses another allocator kind, or a private pool.</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">A list is corrupted.</exception>
    public readonly void Splice(SharedListNode<T> before, SharedList<T> source, SharedListNode<T> first, SharedListNode<T> last)
    {
        var hd = Write(out var m);
        var hs = SourceFor(source, hd, out bool same);
        long at = BeforeHandle(hd, m, before);
        source.CursorNode(hs, m, first);
        long end = 0;
        if (!last.IsNull)
        {
            source.CursorNode(hs, m, last);
            end = last.NodeHandle;
        }

        if (first.NodeHandle == end || (same && (at == first.NodeHandle || at == end)))
        {
            return; // an empty range, or a range moved to where it is
        }

        MoveRange(hd, hs, m, at, first.NodeHandle, end, same);
    }

    /// <summary>
    /// Merges the sorted <paramref name="source"/> into this sorted list (Boost's <c>merge</c>), by
    /// <see cref="Comparer{T}.Default"/>: stable (of equal elements, this list's come first), O(n + m), no element is
    /// copied or allocated. <paramref name="source"/> is left empty.
    /// </summary>
    /// <remarks>The same conditions on <paramref name="source"/> as <see cref="Splice(SharedListNode{T}, SharedList{T})"/>.</remarks>
    /// <param name="source">The other sorted list (this list itself: nothing changes).</param>
    /// <exception cref="ArgumentException"><paramref name="source"/> is in another segment, uses another allocator kind, or a private pool.</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">A list is corrupted.</exception>
    public readonly void Merge(SharedList<T> source) => Merge(source, Comparer<T>.Default);

    /// <summary>Merges the sorted <paramref name="source"/> into this list, both sorted by <paramref name="comparer"/> (stable; see <see cref="Merge(SharedList{T})"/>).</summary>
    /// <param name="source">The other sorted list (this list itself: nothing changes).</param>
    /// <param name="comparer">The order both lists are sorted by (it must not throw: a merge is not undone).</param>
    /// <exception cref="ArgumentNullException"><paramref name="comparer"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="source"/> is in another segment, uses another allocator kind, or a private pool.</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">A list is corrupted.</exception>
    public readonly void Merge(SharedList<T> source, IComparer<T> comparer)
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
        for (long at = hs->Head; at != 0; at = ((ListNode<T>*)(b + at))->Next)
        {
            ((ListNode<T>*)(b + at))->Tag = hd->NodeTag;
        }

        long x = hd->Head, y = hs->Head, head = 0, tail = 0;
        while (x != 0 && y != 0)
        {
            var px = (ListNode<T>*)(b + x);
            var py = (ListNode<T>*)(b + y);
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

            var pt = (ListNode<T>*)(b + take);
            pt->Prev = tail;
            if (tail == 0)
            {
                head = take;
            }
            else
            {
                ((ListNode<T>*)(b + tail))->Next = take;
            }

            tail = take;
        }

        long rest = x != 0 ? x : y;
        long restTail = x != 0 ? hd->Tail : hs->Tail;
        ((ListNode<T>*)(b + rest))->Prev = tail;
        if (tail == 0)
        {
            head = rest;
        }
        else
        {
            ((ListNode<T>*)(b + tail))->Next = rest;
        }

        hd->Head = head;
        hd->Tail = restTail;
        hd->Count += hs->Count;
        hd->Version++;
        hs->Head = 0;
        hs->Tail = 0;
        hs->Count = 0;
        hs->Version++;
    }

    /// <summary>The source list's header, after checking that its nodes may move into this list.</summary>
    private readonly LinkedHeader* SourceFor(SharedList<T> source, LinkedHeader* hd, out bool same)
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
        CheckNodesCanMove(hd, hs, nameof(source));
        return hs;
    }

    /// <summary>Refuses moving nodes between lists whose allocators could not free each other's nodes.</summary>
    internal static void CheckNodesCanMove(LinkedHeader* hd, LinkedHeader* hs, string paramName)
    {
        int kind = hd->Allocator.Kind;
        if (kind != hs->Allocator.Kind)
        {
            throw new ArgumentException($"The lists use different allocators ({(AllocatorKind)kind}, {(AllocatorKind)hs->Allocator.Kind}): a node must go back to the allocator it came from, so nodes cannot move between them.", paramName);
        }

        if (kind is (int)AllocatorKind.PrivateNodePool or (int)AllocatorKind.PrivateAdaptivePool)
        {
            throw new ArgumentException("The lists use private pools: a node belongs to its list's own pool (freed with that list), so nodes cannot move to another list.", paramName);
        }
    }

    /// <summary>The handle of the node to insert before (0 = the end), checked.</summary>
    private readonly long BeforeHandle(LinkedHeader* hd, SegmentManager m, SharedListNode<T> before)
    {
        if (before.IsNull)
        {
            return 0;
        }

        CursorNode(hd, m, before);
        return before.NodeHandle;
    }

    /// <summary>
    /// Moves the nodes [<paramref name="first"/>, <paramref name="end"/>) of the list <paramref name="hs"/> before
    /// <paramref name="before"/> in <paramref name="hd"/> (which may be the same list). The range is walked and
    /// checked before anything changes.
    /// </summary>
    private static void MoveRange(LinkedHeader* hd, LinkedHeader* hs, SegmentManager m, long before, long first, long end, bool same)
    {
        long k = 0, last = 0;
        for (long at = first; at != end; k++)
        {
            if (at == 0)
            {
                throw new ArgumentException("The end of the range does not follow its first node in the source list.", "last");
            }

            CheckWalk(m, k, hs->Count);
            if (same && at == before)
            {
                throw new ArgumentException("The position is inside the range being moved.", "before");
            }

            last = at;
            at = NodeAt(hs, m, at)->Next;
        }

        byte* b = m.BasePointer;
        var pf = (ListNode<T>*)(b + first);
        var pl = (ListNode<T>*)(b + last);

        // Unlink [first, last] from the source.
        long prev = pf->Prev;
        if (prev == 0)
        {
            hs->Head = end;
        }
        else
        {
            NodeAt(hs, m, prev)->Next = end;
        }

        if (end == 0)
        {
            hs->Tail = prev;
        }
        else
        {
            NodeAt(hs, m, end)->Prev = prev;
        }

        hs->Count -= k;
        hs->Version++;

        if (!same)
        {
            for (long at = first; ; at = ((ListNode<T>*)(b + at))->Next)
            {
                ((ListNode<T>*)(b + at))->Tag = hd->NodeTag;
                if (at == last)
                {
                    break;
                }
            }
        }

        // Link it before `before` in the destination.
        long dprev = before == 0 ? hd->Tail : NodeAt(hd, m, before)->Prev;
        pf->Prev = dprev;
        pl->Next = before;
        if (dprev == 0)
        {
            hd->Head = first;
        }
        else
        {
            NodeAt(hd, m, dprev)->Next = first;
        }

        if (before == 0)
        {
            hd->Tail = last;
        }
        else
        {
            NodeAt(hd, m, before)->Prev = last;
        }

        hd->Count += k;
        hd->Version++;
    }
}
