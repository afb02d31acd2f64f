using L = Interprocess.Queues.MessageQueueLayout;

namespace Interprocess.Queues;

/// <summary>
/// Repair after a process died holding the queue's lock.
/// </summary>
/// <remarks>
/// <para>What a dead lock owner can leave behind, and why it is repairable:</para>
/// <list type="bullet">
/// <item>A receiver commits with one store (the count, after the copy out): killed before it, the message is
/// still queued for the next receiver; killed after it, the message was taken. The slot's header may not be
/// cleared yet; recovery clears the headers of all free slots.</item>
/// <item>A sender of this library writes the whole message into a free slot first, then shifts the index
/// entries under a journal kept in the spare bytes 8..16 of the initialization header: one 64-bit word written
/// with one store (bits 0-30 the first position and 31-61 the count before the insertion, 62-63 the phase).
/// Armed: at most the first copy of the shift was made, over the free position's entry (outside the used
/// range); recovery restores first and count and, if that copy was made (one slot is then referenced twice and
/// the free slot not at all), puts the free slot back there: the new message is dropped. Moving (back or
/// front): the window the shift touches holds the old sequence with one entry doubled (the new message's slot
/// not yet linked), or the old sequence with the new message at its final place; recovery rebuilds the index
/// from it (the new message, complete, stays if it reached its place) and writes back first and count.</item>
/// <item>A Boost C++ sender links the slot into the index and counts it before it copies the data (see
/// message_queue.hpp, do_send: queue_free_msg, then memcpy), so a C++ sender killed in the copy leaves a
/// half-written message in the queue, and Boost itself, on EOWNERDEAD, marks the mutex unrecoverable instead of
/// recovering. Those cases are outside our guarantee.</item>
/// </list>
/// <para>Every store of a repair leaves a state the same repair handles (the journal is cleared last), so a process
/// killed while repairing leaves the repair to the next locker.</para>
/// </remarks>
public sealed unsafe partial class MessageQueue
{
    /// <summary>Journal phases (bits 62-63 of the journal word); 0 with the whole word 0 means no insertion in progress.</summary>
    private const ulong JournalArmed = 1, JournalMovingBack = 2, JournalMovingFront = 3;

    private const int JournalPhaseShift = 62, JournalCountShift = 31;
    private const ulong JournalFieldMask = 0x7FFF_FFFF;

    /// <summary>
    /// Writes the journal with one 8-byte store. The process that writes it is the one whose crash it describes:
    /// a crash leaves its stores in program order (x86-64 is TSO and the memory outlives the process), so the
    /// journal never describes a state older or newer than the index stores around it.
    /// </summary>
    private void WriteJournal(ulong phase, long first, long count) =>
        Volatile.Write(ref *(ulong*)(_base + L.JournalOffset), (phase << JournalPhaseShift) | ((ulong)count << JournalCountShift) | (ulong)first);

    private void ClearJournal() => Volatile.Write(ref *(ulong*)(_base + L.JournalOffset), 0UL);

    /// <summary>Called with the lock held, after pthread_mutex_consistent, when the previous owner died holding it.</summary>
    private void Recover()
    {
        ulong journal = *(ulong*)(_base + L.JournalOffset);
        if (journal != 0)
        {
            ulong phase = journal >> JournalPhaseShift;
            long first0 = (long)(journal & JournalFieldMask), count0 = (long)((journal >> JournalCountShift) & JournalFieldMask);
            if (phase == 0 || first0 >= _maxMessages || count0 >= _maxMessages)
            {
                throw Corrupt($"its insert journal holds {journal:x16} for {_maxMessages} messages");
            }

            if (phase == JournalArmed)
            {
                Disarm(first0, count0);
            }
            else
            {
                Rebuild(phase == JournalMovingFront, first0, count0);
            }

            ClearJournal();
        }

        ValidateState(repairFreeSlots: true);

        // Whoever slept while the dead process held the lock, or waited for a wake-up it was about to send,
        // re-checks now.
        WakeAllWaiters();
    }

    /// <summary>
    /// An insertion died armed: restores first and count; if the shift's first copy was made (one slot referenced
    /// twice, one not at all), puts the unreferenced slot (the new message's) back at the copy's place, which is
    /// the one of the two outside the used range.
    /// </summary>
    private void Disarm(long first0, long count0)
    {
        long max = _maxMessages;
        CurFirst = first0;
        CurNum = count0;
        var positionOf = new long[max];
        Array.Fill(positionOf, -1L);
        long doubled = -1, doubledSlot = -1;
        for (long i = 0; i < max; i++)
        {
            long k = (SlotAt(i) - _slots) / _slotSize;
            if (positionOf[k] >= 0)
            {
                if (doubled >= 0)
                {
                    throw Corrupt("an interrupted insertion left more than one slot referenced twice");
                }

                // Of the two positions, the one outside the used range [first0, first0 + count0) is the copy.
                long a = positionOf[k], b = i;
                doubled = (a - first0 + max) % max < count0 ? b : a;
                doubledSlot = k;
            }

            positionOf[k] = i;
        }

        if (doubled < 0)
        {
            return;
        }

        long missing = Array.IndexOf(positionOf, -1L);
        if (missing < 0 || (doubled - first0 + max) % max < count0)
        {
            throw Corrupt($"an interrupted insertion left slot {doubledSlot} referenced twice inside the used range");
        }

        SetIndex(doubled, _slots + (missing * _slotSize));
    }

    /// <summary>
    /// Finishes the insertion of a sender that died while shifting the index (journal phase moving). The window
    /// the shift touches holds either the old sequence with the new message at its place (nothing to do but
    /// first and count), or the old sequence with one adjacent entry doubled and the new message's slot
    /// referenced nowhere: the shift is then continued from the doubled entry to the new message's place, which
    /// is recomputed from its priority as the insertion computed it (lower_bound). Every store leaves one of
    /// these two states, so a repair that is itself killed is finished by the next one.
    /// </summary>
    private void Rebuild(bool front, long first0, long count0)
    {
        long max = _maxMessages;
        long start = front ? (first0 + max - 1) % max : first0;
        long W(long j) => (start + j) % max;

        // Which slot is referenced twice (it must be two neighbours in the window) and which not at all.
        var positionOf = new long[max];
        Array.Fill(positionOf, -1L);
        long dupLow = -1;
        for (long i = 0; i < max; i++)
        {
            long k = (SlotAt(i) - _slots) / _slotSize;
            if (positionOf[k] >= 0)
            {
                long a = (positionOf[k] - start + max) % max, b = (i - start + max) % max;
                long low = Math.Min(a, b);
                if (dupLow >= 0 || Math.Abs(a - b) != 1 || low + 1 > count0)
                {
                    throw Corrupt("an interrupted insertion left an index that cannot be repaired");
                }

                dupLow = low;
            }

            positionOf[k] = i;
        }

        if (dupLow >= 0)
        {
            long missing = Array.IndexOf(positionOf, -1L);
            long freeSlot = _slots + (missing * _slotSize);
            uint priority = *(uint*)(_base + freeSlot + L.MessagePriority);

            // The old sequence, in order: the window without the doubled entry's second copy.
            long OldAt(long n) => SlotAt(W(n < dupLow + 1 ? n : n + 1));
            long lo = 0, hi = count0;
            while (lo < hi)
            {
                long mid = (lo + hi) >>> 1;
                if (*(uint*)(_base + OldAt(mid) + L.MessagePriority) < priority)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }

            long p = lo;
            if (front)
            {
                // Shifted towards the front: entries 0..dupLow done; continue up to p-1.
                if (dupLow > p - 1)
                {
                    throw Corrupt("an interrupted insertion's shift went past its place");
                }

                for (long j = dupLow + 1; j < p; j++)
                {
                    SetIndex(W(j), SlotAt(W(j + 1)));
                }
            }
            else
            {
                // Shifted towards the back: entries dupLow+1..count0 done; continue down to p+1.
                if (dupLow < p)
                {
                    throw Corrupt("an interrupted insertion's shift went past its place");
                }

                for (long j = dupLow; j > p; j--)
                {
                    SetIndex(W(j), SlotAt(W(j - 1)));
                }
            }

            SetIndex(W(p), freeSlot);
        }

        for (long j = 1; j <= count0; j++)
        {
            if (*(uint*)(_base + SlotAt(W(j - 1)) + L.MessagePriority) > *(uint*)(_base + SlotAt(W(j)) + L.MessagePriority))
            {
                throw Corrupt("an interrupted insertion left the index out of priority order");
            }
        }

        CurFirst = start;
        CurNum = count0 + 1;
    }
}
