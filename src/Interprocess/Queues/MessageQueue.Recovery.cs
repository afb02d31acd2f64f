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
/// entries under a journal kept in the 12 spare bytes of the initialization header (tag with phase and
/// direction, the first position and count before the insertion). Phase 1 (armed): nothing in the index moved,
/// the new message is dropped. Phase 2 (moving): the index window the shift touches holds the old sequence with
/// at most one entry doubled and possibly the new message; recovery rebuilds the index from it (the new message,
/// complete, stays if it reached the index) and writes back first and count.</item>
/// <item>A Boost C++ sender links the slot into the index and counts it before it copies the data (see
/// message_queue.hpp, do_send: queue_free_msg, then memcpy), so a C++ sender killed in the copy leaves a
/// half-written message in the queue, and Boost itself, on EOWNERDEAD, marks the mutex unrecoverable instead of
/// recovering. Those cases are outside our guarantee.</item>
/// </list>
/// <para>A process killed while repairing (a second crash within the repair) is not covered.</para>
/// </remarks>
public sealed unsafe partial class MessageQueue
{
    private const uint JournalMagic = 0x4D510000; // "MQ"
    private const uint JournalPhaseArmed = 1, JournalPhaseMoving = 2;

    private void WriteJournal(long first, long count, bool front, uint phase)
    {
        *(uint*)(_base + L.JournalFirstOffset) = (uint)first;
        *(uint*)(_base + L.JournalCountOffset) = (uint)count;

        // Same process, same thread: a crash leaves the stores in program order (x86-64 is TSO and the memory
        // outlives the process), so the tag is never seen before the values it describes.
        SetJournalPhase(front, phase);
    }

    private void SetJournalPhase(bool front, uint phase) =>
        Volatile.Write(ref *(uint*)(_base + L.JournalTagOffset), JournalMagic | (phase << 8) | (front ? 1u : 0u));

    private void ClearJournal() => Volatile.Write(ref *(uint*)(_base + L.JournalTagOffset), 0u);

    /// <summary>Called with the lock held, after pthread_mutex_consistent, when the previous owner died holding it.</summary>
    private void Recover()
    {
        uint tag = *(uint*)(_base + L.JournalTagOffset);
        if (tag != 0)
        {
            if ((tag & 0xFFFF0000) != JournalMagic)
            {
                throw Corrupt($"its insert journal holds {tag:x8}");
            }

            long first0 = *(uint*)(_base + L.JournalFirstOffset), count0 = *(uint*)(_base + L.JournalCountOffset);
            if (first0 >= _maxMessages || count0 >= _maxMessages)
            {
                throw Corrupt($"its insert journal holds first {first0}, count {count0} for {_maxMessages} messages");
            }

            uint phase = (tag >> 8) & 0xFF;
            bool front = (tag & 1) != 0;
            if (phase == JournalPhaseArmed)
            {
                CurFirst = first0;
                CurNum = count0;
            }
            else if (phase == JournalPhaseMoving)
            {
                Rebuild(front, first0, count0);
            }
            else
            {
                throw Corrupt($"its insert journal has phase {phase}");
            }

            ClearJournal();
        }

        ValidateState(repairFreeSlots: true);
    }

    /// <summary>Rebuilds the index after a sender died while shifting it.</summary>
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
