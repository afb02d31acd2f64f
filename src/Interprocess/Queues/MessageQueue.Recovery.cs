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
/// <para>A process killed while repairing (a second crash within the repair) is not covered.</para>
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

    /// <summary>Rebuilds the index after a sender died while shifting it (journal phase moving).</summary>
    private void Rebuild(bool front, long first0, long count0)
    {
        long max = _maxMessages;
        long start = front ? (first0 + max - 1) % max : first0;
        var seq = new List<long>((int)count0 + 1);
        long previous = -1;
        for (long j = 0; j <= count0; j++)
        {
            long slot = SlotAt((start + j) % max);
            if (slot != previous)
            {
                seq.Add(slot);
            }

            previous = slot;
        }

        // count0 + 1 distinct entries: the new message reached its place. count0: one entry doubled, the new
        // message's slot not linked; it is dropped (its sender had not returned).
        if (seq.Count < count0 || new HashSet<long>(seq).Count != seq.Count)
        {
            throw Corrupt("an interrupted insertion left an index that cannot be repaired");
        }

        for (int i = 1; i < seq.Count; i++)
        {
            if (*(uint*)(_base + seq[i - 1] + L.MessagePriority) > *(uint*)(_base + seq[i] + L.MessagePriority))
            {
                throw Corrupt("an interrupted insertion left the index out of priority order");
            }
        }

        // The repaired sequence goes where the insertion would have put it; the free slots fill the rest.
        long newFirst = front && seq.Count == count0 + 1 ? start : first0;
        var inSeq = new HashSet<long>(seq);
        long pos = 0;
        foreach (long slot in seq)
        {
            SetIndex((newFirst + pos++) % max, slot);
        }

        for (long k = 0; k < max; k++)
        {
            long slot = _slots + (k * _slotSize);
            if (!inSeq.Contains(slot))
            {
                SetIndex((newFirst + pos++) % max, slot);
            }
        }

        CurFirst = newFirst;
        CurNum = seq.Count;
    }
}
