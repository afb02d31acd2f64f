namespace Interprocess.Queues;

/// <summary>
/// The shared layout of Boost 1.81's <c>boost::interprocess::message_queue</c> on Linux x86-64 with glibc
/// (<c>message_queue_t&lt;offset_ptr&lt;void&gt;&gt;</c>, <c>BOOST_INTERPROCESS_MSG_QUEUE_CIRCULAR_INDEX</c>
/// defined, as it is by default): every offset and size <see cref="MessageQueue"/> uses, in one place. Checked
/// against a C++ program compiled with Boost's headers by <c>MessageQueueTests</c>.
/// </summary>
/// <remarks>
/// <code>
/// [0,16)     managed_open_or_create_impl's header: uint32 state (0 uninitialized, 1 initializing,
///            2 initialized, 3 corrupted), then padding to max_align_t (16). Bytes [4,16) are never touched by
///            Boost; this library keeps there its waiters' event word at 4 (uint32, see MessageQueue.Waiting.cs)
///            and its insert journal at 8 (uint64, see MessageQueue.Recovery.cs).
/// [16,208)   mq_hdr_t:  +0 offset_ptr&lt;offset_ptr&lt;msg_hdr_t&gt;&gt; mp_index (always +192)
///                       +8 size_t m_max_num_msg, +16 size_t m_max_msg_size, +24 size_t m_cur_num_msg
///                       +32 pthread_mutex_t m_mutex (robust, process-shared)
///                       +72 pthread_cond_t m_cond_recv, +120 pthread_cond_t m_cond_send (process-shared)
///                       +168 size_t m_cur_first_msg, +176 m_blocked_senders, +184 m_blocked_receivers
/// [208, +max*8 rounded to 8)  the circular index: max offset_ptr&lt;msg_hdr_t&gt;, the stored messages sorted by
///            priority (lowest first) from m_cur_first_msg for m_cur_num_msg entries, wrapping around
/// then max message slots of (max_msg_size rounded up to 8) + 16 bytes: msg_hdr_t {size_t len; uint priority;}
///            followed by the data
/// </code>
/// An offset_ptr holds the distance from its own address to its target (1 means null).
/// </remarks>
internal static class MessageQueueLayout
{
    /// <summary>ManagedOpenOrCreateUserOffset: sizeof(uint32) rounded up to alignof(max_align_t).</summary>
    internal const int InitHeaderSize = 16;

    /// <summary>Offset of the initialization state word.</summary>
    internal const int StateOffset = 0;

    internal const uint StateUninitialized = 0;
    internal const uint StateInitializing = 1;
    internal const uint StateInitialized = 2;
    internal const uint StateCorrupted = 3;

    /// <summary>Offset, in the initialization header's padding, of this library's waiters' event word (uint32; Boost never touches it).</summary>
    internal const int EventWordOffset = 4;

    /// <summary>Offset, in the initialization header's padding, of this library's insert journal (uint64, 8-aligned; Boost never touches it).</summary>
    internal const int JournalOffset = 8;

    /// <summary>Offset of mq_hdr_t from the start of the object.</summary>
    internal const int Header = InitHeaderSize;

    // Offsets inside mq_hdr_t.
    internal const int IndexPointer = 0;
    internal const int MaxNumMsg = 8;
    internal const int MaxMsgSize = 16;
    internal const int CurNumMsg = 24;
    internal const int Mutex = 32;
    internal const int CondRecv = 72;
    internal const int CondSend = 120;
    internal const int CurFirstMsg = 168;
    internal const int BlockedSenders = 176;
    internal const int BlockedReceivers = 184;

    /// <summary>sizeof(mq_hdr_t), already a multiple of alignof(offset_ptr) = 8.</summary>
    internal const int HeaderSize = 192;

    /// <summary>sizeof(msg_hdr_t): size_t len, unsigned priority, padding.</summary>
    internal const int MessageHeaderSize = 16;

    internal const int MessageLength = 0;
    internal const int MessagePriority = 8;

    /// <summary>alignof(msg_hdr_t) and alignof(offset_ptr).</summary>
    internal const int Alignment = 8;

    /// <summary>Offset of the index from the start of the object.</summary>
    internal const int Index = Header + HeaderSize;

    /// <summary>The bytes one message slot takes: the maximum size rounded up to 8, plus its header.</summary>
    internal static long SlotSize(long maxMessageSize) => RoundUp(maxMessageSize) + MessageHeaderSize;

    /// <summary>Offset of the first message slot from the start of the object.</summary>
    internal static long Slots(long maxMessages) => Index + RoundUp(maxMessages * 8);

    /// <summary>Boost's get_mem_size: the size of the whole shared memory object; -1 if it overflows.</summary>
    internal static long TotalSize(long maxMessages, long maxMessageSize)
    {
        try
        {
            return checked(Slots(maxMessages) + (maxMessages * SlotSize(maxMessageSize)));
        }
        catch (OverflowException)
        {
            return -1;
        }
    }

    internal static long RoundUp(long value) => checked((value + (Alignment - 1)) & ~(long)(Alignment - 1));
}
