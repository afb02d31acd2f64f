using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using Interprocess.Interop;
using Interprocess.Memory;
using Interprocess.Synchronization;
using L = Interprocess.Queues.MessageQueueLayout;

namespace Interprocess.Queues;

/// <summary>
/// A named queue of messages between processes, with priorities: Boost.Interprocess's <c>message_queue</c>,
/// wire-compatible with it on Linux x86-64 with glibc. A C++ process using Boost 1.81 and a .NET process using
/// this class exchange messages through one queue, whichever of them created it.
/// </summary>
/// <remarks>
/// <para>The queue holds at most <see cref="MaxMessages"/> messages of at most <see cref="MaxMessageSize"/> bytes
/// each, all allocated when it is created. A message with a higher priority is received first; messages of the
/// same priority are received in the order they were sent. Sending to a full queue waits (or fails, for the
/// <c>TrySend</c> forms) until a message is received; receiving from an empty queue waits until one is sent.</para>
/// <para>The queue lives in a shared memory object named <c>/dev/shm/&lt;name&gt;</c>, laid out exactly as Boost's:
/// a robust, process-shared glibc <c>pthread_mutex_t</c> and two process-shared <c>pthread_cond_t</c> inside the
/// object (used through P/Invoke), a circular index of offset pointers sorted by priority, and the message
/// slots. It persists until <see cref="Remove(string)"/> is called.</para>
/// <para>Crashes: a process killed while holding the queue's lock (in the middle of a send or receive) leaves
/// the lock to the next locker, which repairs the queue: a message whose send had not returned is delivered
/// whole or not at all, and every message whose send returned is delivered exactly once. See docs/message-queue.md.
/// Timeouts are measured on the monotonic clock.</para>
/// <para>An instance may be used by many threads at once. <see cref="Dispose"/> must not run while another
/// thread of the process is inside a call on the same instance.</para>
/// </remarks>
/// <example>
/// One process creates the queue and sends:
/// <code>
/// using var queue = MessageQueue.Create("orders", maxMessages: 100, maxMessageSize: 256);
/// queue.Send("buy 10"u8, priority: 1);
/// </code>
/// another (C# with this class, or C++ with <c>boost::interprocess::message_queue(open_only, "orders")</c>) receives:
/// <code>
/// using var queue = MessageQueue.Open("orders");
/// var buffer = new byte[queue.MaxMessageSize];
/// queue.Receive(buffer, out int size, out uint priority);
/// </code>
/// and, when no one needs it any more, <c>MessageQueue.Remove("orders")</c>.
/// </example>
public sealed unsafe partial class MessageQueue : IDisposable
{
    /// <summary>How long an opener waits for a creator to finish initializing the object before calling it corrupted.</summary>
    private static readonly TimeSpan s_initializeTimeout = TimeSpan.FromSeconds(2);

    /// <summary>The longest single sleep waiting for the mutex (see <see cref="Lock(Deadline)"/>): bounds the delay of a lost wake-up.</summary>
    private const long LockSliceNs = 20_000_000;

    /// <summary>How long a locker spins on a busy lock before it sleeps (see <see cref="Lock(Deadline)"/>).</summary>
    private const long LockSpinNanoseconds = 20_000;

    /// <summary>
    /// The most pauses between two looks at a busy lock word (see <see cref="LockSlow"/>): the wait between looks
    /// doubles from one pause up to this many (about 1.7 µs at the 26 ns a pause takes on the machines measured).
    /// </summary>
    private const int LockBackoffMaxPauses = 64;

    /// <summary>Checks (one pause each) between two reads of the clock while a waiter spins on the count (MessageQueue.Waiting.cs).</summary>
    private const int SpinChecksPerClockRead = 16;

    /// <summary>Stopwatch ticks of the lock spin.</summary>
    private static readonly long s_lockSpinTicks = Math.Max(1, LockSpinNanoseconds * Stopwatch.Frequency / 1_000_000_000);

    /// <summary>The shared memory object.</summary>
    private readonly SharedMemoryObject _shm;

    /// <summary>The mapping of the whole object.</summary>
    private readonly MappedRegion _region;

    /// <summary>The address of the object's first byte in this process.</summary>
    private readonly byte* _base;

    /// <summary>The size of the mapping, for bounds checks.</summary>
    private readonly long _size;

    /// <summary>m_max_num_msg, validated on open; the header's field is const in Boost.</summary>
    private readonly long _maxMessages;

    /// <summary>m_max_msg_size, validated on open.</summary>
    private readonly long _maxMessageSize;

    /// <summary>Offset of the first message slot, and the size of one.</summary>
    private readonly long _slots, _slotSize;

    /// <summary>
    /// <see cref="_slotSize"/> is 2^<see cref="_slotShift"/> × an odd number whose inverse modulo 2^64 is
    /// <see cref="_slotInverse"/>: the index entries are checked and turned into slot numbers with one shift
    /// and one multiplication instead of two 64-bit divisions (see <see cref="SlotNumber"/>).
    /// </summary>
    private readonly int _slotShift;

    /// <summary>The inverse modulo 2^64 of the odd part of <see cref="_slotSize"/>.</summary>
    private readonly ulong _slotInverse;

    private MessageQueue(SharedMemoryObject shm, MappedRegion region, bool created)
    {
        _shm = shm;
        _region = region;
        _base = (byte*)region.Address;
        _size = region.Size;
        Created = created;
        Name = shm.Name;
        _maxMessages = (long)ReadU64(L.Header + L.MaxNumMsg);
        _maxMessageSize = (long)ReadU64(L.Header + L.MaxMsgSize);
        _slots = L.Slots(_maxMessages);
        _slotSize = L.SlotSize(_maxMessageSize);
        _slotShift = BitOperations.TrailingZeroCount(_slotSize);
        _slotInverse = InverseOfOdd((ulong)_slotSize >> _slotShift);
    }

    /// <summary>The inverse of an odd number modulo 2^64 (Newton's iteration: each step doubles the correct low bits).</summary>
    private static ulong InverseOfOdd(ulong d)
    {
        ulong x = d; // correct to 3 bits: d * d == 1 (mod 8) for every odd d
        for (int i = 0; i < 5; i++)
        {
            x *= 2 - (d * x);
        }

        return x;
    }

    /// <summary>The queue's name.</summary>
    public string Name { get; }

    /// <summary>True when this handle created the queue; false when it opened an existing one.</summary>
    public bool Created { get; }

    /// <summary>The most messages the queue holds.</summary>
    public int MaxMessages => (int)_maxMessages;

    /// <summary>The largest message, in bytes.</summary>
    public int MaxMessageSize => (int)_maxMessageSize;

    /// <summary>The number of messages in the queue now (a snapshot: other processes may change it at once).</summary>
    /// <exception cref="ObjectDisposedException">The queue was disposed.</exception>
    public int Count
    {
        get
        {
            ThrowIfDisposed();
            long n = (long)Volatile.Read(ref *(ulong*)(_base + L.Header + L.CurNumMsg));
            return (int)Math.Clamp(n, 0, _maxMessages);
        }
    }

    /// <summary>Creates a new queue; fails if an object with that name exists (Boost's <c>create_only</c>).</summary>
    /// <param name="name">The name (the rules of <see cref="SharedMemoryObject"/>: no '/', at most 255 bytes).</param>
    /// <param name="maxMessages">The capacity in messages, at least 1.</param>
    /// <param name="maxMessageSize">The largest message in bytes, 0 or more.</param>
    /// <param name="permissions">The permissions of the object; owner-only (0600) when null.</param>
    /// <returns>The queue; <see cref="Created"/> is true.</returns>
    /// <exception cref="ArgumentException">The name breaks a naming rule.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is out of range, or the object would exceed 2^62 bytes.</exception>
    /// <exception cref="InterprocessException">The object exists (<see cref="InterprocessErrorCode.AlreadyExists"/>) or the OS refused.</exception>
    public static MessageQueue Create(string name, int maxMessages, int maxMessageSize, Permissions? permissions = null)
    {
        long size = ValidateSizes(name, maxMessages, maxMessageSize);
        var shm = SharedMemoryObject.CreateNew(name, size, AccessMode.ReadWrite, permissions);
        return InitializeCreated(shm, maxMessages, maxMessageSize);
    }

    /// <summary>Opens an existing queue (Boost's <c>open_only</c>), created by this library or by C++ Boost.</summary>
    /// <param name="name">The queue's name.</param>
    /// <returns>The queue; <see cref="Created"/> is false.</returns>
    /// <exception cref="ArgumentException">The name breaks a naming rule.</exception>
    /// <exception cref="InterprocessException">No such object (<see cref="InterprocessErrorCode.NotFound"/>); the
    /// object is not a message queue or is damaged (<see cref="InterprocessErrorCode.Corrupted"/>); or the OS refused.</exception>
    public static MessageQueue Open(string name)
    {
        ObjectName.Validate(name);
        var shm = SharedMemoryObject.OpenExisting(name);
        return OpenExisting(shm);
    }

    /// <summary>
    /// Opens the queue if it exists, or creates it (Boost's <c>open_or_create</c>); <see cref="Created"/> says
    /// which. An existing queue keeps its own sizes, which may differ from those given.
    /// </summary>
    /// <param name="name">The queue's name.</param>
    /// <param name="maxMessages">The capacity if this call creates the queue, at least 1.</param>
    /// <param name="maxMessageSize">The largest message if this call creates the queue.</param>
    /// <param name="permissions">The permissions if this call creates the queue; owner-only (0600) when null.</param>
    /// <returns>The queue.</returns>
    /// <exception cref="ArgumentException">The name breaks a naming rule.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is out of range.</exception>
    /// <exception cref="InterprocessException">The existing object is not a message queue or is damaged
    /// (<see cref="InterprocessErrorCode.Corrupted"/>), or the OS refused.</exception>
    public static MessageQueue OpenOrCreate(string name, int maxMessages, int maxMessageSize, Permissions? permissions = null)
    {
        long size = ValidateSizes(name, maxMessages, maxMessageSize);
        var shm = SharedMemoryObject.OpenOrCreate(name, size, AccessMode.ReadWrite, permissions);
        return shm.Created ? InitializeCreated(shm, maxMessages, maxMessageSize) : OpenExisting(shm);
    }

    /// <summary>Removes the queue's name; processes that have it open keep using it until they dispose it.</summary>
    /// <param name="name">The queue's name.</param>
    /// <returns>True if a queue was removed; false if there was none.</returns>
    /// <exception cref="ArgumentException">The name breaks a naming rule.</exception>
    /// <exception cref="InterprocessException">The OS refused.</exception>
    public static bool Remove(string name) => SharedMemoryObject.Remove(name);

    /// <summary>Sends a message, waiting while the queue is full.</summary>
    /// <param name="message">The message, at most <see cref="MaxMessageSize"/> bytes.</param>
    /// <param name="priority">Its priority: higher is received first.</param>
    /// <param name="cancellationToken">Ends the wait (the message is then not sent).</param>
    /// <exception cref="ArgumentException">The message is larger than <see cref="MaxMessageSize"/>; nothing is sent.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled while waiting; nothing was sent.</exception>
    /// <exception cref="InterprocessException">The queue is damaged (<see cref="InterprocessErrorCode.Corrupted"/>) or its
    /// lock unrecoverable (<see cref="InterprocessErrorCode.NotRecoverable"/>).</exception>
    /// <exception cref="ObjectDisposedException">The queue was disposed.</exception>
    public void Send(ReadOnlySpan<byte> message, uint priority, CancellationToken cancellationToken = default) =>
        DoSend(message, priority, LazyDeadline.Infinite, blocking: true, cancellationToken);

    /// <summary>Sends a message if the queue is not full, without waiting.</summary>
    /// <param name="message">The message, at most <see cref="MaxMessageSize"/> bytes.</param>
    /// <param name="priority">Its priority.</param>
    /// <returns>True if sent; false if the queue was full.</returns>
    /// <exception cref="ArgumentException">The message is larger than <see cref="MaxMessageSize"/>.</exception>
    /// <exception cref="InterprocessException">The queue is damaged or its lock unrecoverable.</exception>
    /// <exception cref="ObjectDisposedException">The queue was disposed.</exception>
    public bool TrySend(ReadOnlySpan<byte> message, uint priority) =>
        DoSend(message, priority, LazyDeadline.Infinite, blocking: false, default);

    /// <summary>Sends a message, waiting at most <paramref name="timeout"/> while the queue is full.</summary>
    /// <param name="message">The message, at most <see cref="MaxMessageSize"/> bytes.</param>
    /// <param name="priority">Its priority.</param>
    /// <param name="timeout">How long to wait (monotonic clock); <see cref="TimeSpan.Zero"/> not to wait (as the overload
    /// without a timeout: the queue's lock is still taken, so a call never fails only because another process held
    /// it for a moment); <see cref="Timeout.InfiniteTimeSpan"/> for ever.</param>
    /// <param name="cancellationToken">Ends the wait (not consulted when <paramref name="timeout"/> is zero).</param>
    /// <returns>True if sent; false if the queue stayed full for the whole timeout.</returns>
    /// <exception cref="ArgumentException">The message is larger than <see cref="MaxMessageSize"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative (other than infinite).</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled while waiting; nothing was sent.</exception>
    /// <exception cref="InterprocessException">The queue is damaged or its lock unrecoverable.</exception>
    /// <exception cref="ObjectDisposedException">The queue was disposed.</exception>
    public bool TrySend(ReadOnlySpan<byte> message, uint priority, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        timeout == TimeSpan.Zero
            ? TrySend(message, priority)
            : DoSend(message, priority, new LazyDeadline(timeout), blocking: true, cancellationToken);

    /// <summary>Sends the bytes of an unmanaged value as one message.</summary>
    /// <typeparam name="T">An unmanaged type no larger than <see cref="MaxMessageSize"/>.</typeparam>
    /// <param name="value">The value.</param>
    /// <param name="priority">Its priority.</param>
    /// <param name="cancellationToken">Ends the wait while the queue is full.</param>
    /// <exception cref="ArgumentException">sizeof(T) is larger than <see cref="MaxMessageSize"/>.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled while waiting.</exception>
    /// <exception cref="InterprocessException">The queue is damaged or its lock unrecoverable.</exception>
    /// <exception cref="ObjectDisposedException">The queue was disposed.</exception>
    public void Send<T>(in T value, uint priority, CancellationToken cancellationToken = default)
        where T : unmanaged =>
        Send(MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in value)), priority, cancellationToken);

    /// <summary>Sends the bytes of an unmanaged value as one message, waiting at most <paramref name="timeout"/> while the queue is full.</summary>
    /// <typeparam name="T">An unmanaged type no larger than <see cref="MaxMessageSize"/>.</typeparam>
    /// <param name="value">The value.</param>
    /// <param name="priority">Its priority.</param>
    /// <param name="timeout">How long to wait for room (monotonic clock); <see cref="TimeSpan.Zero"/> not to wait;
    /// <see cref="Timeout.InfiniteTimeSpan"/> for ever.</param>
    /// <param name="cancellationToken">Ends the wait (not consulted when <paramref name="timeout"/> is zero).</param>
    /// <returns>True if sent; false if the queue stayed full for the whole timeout.</returns>
    /// <exception cref="ArgumentException">sizeof(T) is larger than <see cref="MaxMessageSize"/>; nothing is sent.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative (other than infinite).</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled while waiting; nothing was sent.</exception>
    /// <exception cref="InterprocessException">The queue is damaged or its lock unrecoverable.</exception>
    /// <exception cref="ObjectDisposedException">The queue was disposed.</exception>
    public bool TrySend<T>(in T value, uint priority, TimeSpan timeout, CancellationToken cancellationToken = default)
        where T : unmanaged =>
        TrySend(MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in value)), priority, timeout, cancellationToken);

    /// <summary>Receives the message with the highest priority, waiting while the queue is empty.</summary>
    /// <param name="buffer">Where the message is copied; it must hold the message (not necessarily <see cref="MaxMessageSize"/>).</param>
    /// <param name="size">The message's size in bytes.</param>
    /// <param name="priority">The message's priority.</param>
    /// <param name="cancellationToken">Ends the wait.</param>
    /// <exception cref="MessageTooLargeException">The buffer is smaller than the message, which stays in the queue.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled while waiting.</exception>
    /// <exception cref="InterprocessException">The queue is damaged or its lock unrecoverable.</exception>
    /// <exception cref="ObjectDisposedException">The queue was disposed.</exception>
    public void Receive(Span<byte> buffer, out int size, out uint priority, CancellationToken cancellationToken = default) =>
        DoReceive(buffer, -1, out size, out priority, LazyDeadline.Infinite, blocking: true, cancellationToken);

    /// <summary>Receives the message with the highest priority if there is one, without waiting.</summary>
    /// <param name="buffer">Where the message is copied.</param>
    /// <param name="size">The message's size, or 0.</param>
    /// <param name="priority">The message's priority, or 0.</param>
    /// <returns>True if a message was received; false if the queue was empty.</returns>
    /// <exception cref="MessageTooLargeException">The buffer is smaller than the message, which stays in the queue.</exception>
    /// <exception cref="InterprocessException">The queue is damaged or its lock unrecoverable.</exception>
    /// <exception cref="ObjectDisposedException">The queue was disposed.</exception>
    public bool TryReceive(Span<byte> buffer, out int size, out uint priority) =>
        DoReceive(buffer, -1, out size, out priority, LazyDeadline.Infinite, blocking: false, default);

    /// <summary>Receives the message with the highest priority, waiting at most <paramref name="timeout"/>.</summary>
    /// <param name="buffer">Where the message is copied.</param>
    /// <param name="size">The message's size, or 0.</param>
    /// <param name="priority">The message's priority, or 0.</param>
    /// <param name="timeout">How long to wait (monotonic clock); <see cref="TimeSpan.Zero"/> not to wait (as the overload
    /// without a timeout: the queue's lock is still taken, so a call never fails only because another process held
    /// it for a moment); <see cref="Timeout.InfiniteTimeSpan"/> for ever.</param>
    /// <param name="cancellationToken">Ends the wait (not consulted when <paramref name="timeout"/> is zero).</param>
    /// <returns>True if a message was received; false if the queue stayed empty for the whole timeout.</returns>
    /// <exception cref="MessageTooLargeException">The buffer is smaller than the message, which stays in the queue.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative (other than infinite).</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled while waiting.</exception>
    /// <exception cref="InterprocessException">The queue is damaged or its lock unrecoverable.</exception>
    /// <exception cref="ObjectDisposedException">The queue was disposed.</exception>
    public bool TryReceive(Span<byte> buffer, out int size, out uint priority, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        timeout == TimeSpan.Zero
            ? TryReceive(buffer, out size, out priority)
            : DoReceive(buffer, -1, out size, out priority, new LazyDeadline(timeout), blocking: true, cancellationToken);

    /// <summary>Receives a message holding exactly the bytes of an unmanaged value.</summary>
    /// <typeparam name="T">An unmanaged type.</typeparam>
    /// <param name="value">The value received.</param>
    /// <param name="priority">The message's priority.</param>
    /// <param name="cancellationToken">Ends the wait.</param>
    /// <exception cref="InterprocessException">The next message is not sizeof(T) bytes long
    /// (<see cref="InterprocessErrorCode.Size"/>; it stays in the queue), or the queue is damaged.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled while waiting.</exception>
    /// <exception cref="ObjectDisposedException">The queue was disposed.</exception>
    public void Receive<T>(out T value, out uint priority, CancellationToken cancellationToken = default)
        where T : unmanaged
    {
        value = default;
        DoReceive(MemoryMarshal.AsBytes(new Span<T>(ref value)), sizeof(T), out _, out priority, LazyDeadline.Infinite, blocking: true, cancellationToken);
    }

    /// <summary>Receives a message holding exactly the bytes of an unmanaged value, waiting at most <paramref name="timeout"/>.</summary>
    /// <typeparam name="T">An unmanaged type.</typeparam>
    /// <param name="value">The value received, or default.</param>
    /// <param name="priority">The message's priority, or 0.</param>
    /// <param name="timeout">How long to wait; <see cref="TimeSpan.Zero"/> not to wait (the lock is still taken, as above).</param>
    /// <param name="cancellationToken">Ends the wait (not consulted when <paramref name="timeout"/> is zero).</param>
    /// <returns>True if a value was received.</returns>
    /// <exception cref="InterprocessException">The next message is not sizeof(T) bytes long (it stays in the queue), or the queue is damaged.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative (other than infinite).</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled while waiting.</exception>
    /// <exception cref="ObjectDisposedException">The queue was disposed.</exception>
    public bool TryReceive<T>(out T value, out uint priority, TimeSpan timeout, CancellationToken cancellationToken = default)
        where T : unmanaged
    {
        value = default;
        var bytes = MemoryMarshal.AsBytes(new Span<T>(ref value));
        return timeout == TimeSpan.Zero
            ? DoReceive(bytes, sizeof(T), out _, out priority, LazyDeadline.Infinite, blocking: false, default)
            : DoReceive(bytes, sizeof(T), out _, out priority, new LazyDeadline(timeout), blocking: true, cancellationToken);
    }

    /// <summary>Unmaps the queue and closes this handle (idempotent). The queue lives on until removed.</summary>
    public void Dispose()
    {
        _region.Dispose();
        _shm.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => $"MessageQueue '{Name}' ({_maxMessages} × {_maxMessageSize} B)";

    // ---- send and receive ------------------------------------------------------------------------------------

    private bool DoSend(ReadOnlySpan<byte> message, uint priority, LazyDeadline deadline, bool blocking, CancellationToken ct)
    {
        ThrowIfDisposed();
        if (message.Length > _maxMessageSize)
        {
            ThrowMessageTooLarge(message.Length);
        }

        if (!Lock(ref deadline))
        {
            return false;
        }

        bool held = true, notifyBoost, wake;
        try
        {
            long count = CurNum;
            if (count == _maxMessages)
            {
                if (!blocking || !WaitWhile(full: true, deadline.Value, ct, ref held))
                {
                    return false;
                }

                count = CurNum;
            }

            // Boost's rule, decided under the lock: a Boost receiver counted itself before it released the lock
            // to sleep in the condition, so it cannot miss the signal sent after the unlock.
            notifyBoost = BlockedReceivers != 0;
            Insert(message, priority, count);

            // Our receivers sleep on the event word (see MessageQueue.Waiting.cs).
            wake = ClaimWake(ReceiverWaiting);
        }
        finally
        {
            if (held)
            {
                Unlock();
            }
        }

        if (wake)
        {
            Wake(ReceiverWaiting);
        }

        if (notifyBoost)
        {
            Signal(L.CondRecv);
        }

        return true;
    }

    private bool DoReceive(Span<byte> buffer, int exactSize, out int size, out uint priority, LazyDeadline deadline, bool blocking, CancellationToken ct)
    {
        ThrowIfDisposed();
        size = 0;
        priority = 0;
        if (!Lock(ref deadline))
        {
            return false;
        }

        bool held = true, notifyBoost, wake;
        try
        {
            long count = CurNum;
            if (count == 0)
            {
                if (!blocking || !WaitWhile(full: false, deadline.Value, ct, ref held))
                {
                    return false;
                }

                count = CurNum;
            }

            long slot = SlotAt(Wrap(CurFirst + count - 1));
            byte* msg = _base + slot;
            ulong len = *(ulong*)(msg + L.MessageLength);
            if (len > (ulong)_maxMessageSize)
            {
                ThrowLengthCorrupt(len);
            }

            if (exactSize >= 0 && (long)len != exactSize)
            {
                ThrowWrongSize((long)len, exactSize);
            }

            if ((long)len > buffer.Length)
            {
                ThrowBufferTooSmall((int)len, buffer.Length);
            }

            notifyBoost = BlockedSenders != 0;
            new ReadOnlySpan<byte>(msg + L.MessageHeaderSize, (int)len).CopyTo(buffer);
            size = (int)len;
            priority = *(uint*)(msg + L.MessagePriority);

            // The commit: one store. A receiver killed before it leaves the message in the queue for another.
            CurNum = count - 1;

            // Boost's senders assert that a free slot is zeroed; done after the commit, and redone by recovery.
            *(ulong*)(msg + L.MessageLength) = 0;
            *(uint*)(msg + L.MessagePriority) = 0;
            wake = ClaimWake(SenderWaiting);
        }
        finally
        {
            if (held)
            {
                Unlock();
            }
        }

        if (wake)
        {
            Wake(SenderWaiting);
        }

        if (notifyBoost)
        {
            Signal(L.CondSend);
        }

        return true;
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowMessageTooLarge(int length) => throw new ArgumentException(
        $"The message is {length} bytes; the largest message queue '{Name}' takes is {_maxMessageSize} bytes. Nothing was sent.",
        "message");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowLengthCorrupt(ulong len) =>
        throw Corrupt($"the message at the head of the queue claims {len} bytes, more than the queue's maximum of {_maxMessageSize}");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowWrongSize(long len, int exactSize) => throw new InterprocessException(InterprocessErrorCode.Size,
        $"The next message of queue '{Name}' is {len} bytes, not the {exactSize} bytes of the type asked for; it stays in the queue.")
    { ObjectName = Name };

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowBufferTooSmall(int len, int bufferLength) => throw new MessageTooLargeException(len, bufferLength);

    /// <summary>
    /// Puts a message into the free slot that Boost's insertion would use and links it into the index at its
    /// priority's place. The data and the slot's header are written first; then the index is shifted under a
    /// journal so that a process killed in the middle leaves a state <see cref="Recover"/> can repair. The two
    /// insertions that shift nothing (the cases of a queue whose messages all have one priority) take fewer
    /// stores: an append commits with the count alone and needs no journal; a prepend arms the journal around
    /// its two stores (first, count) and writes no "moving" phase.
    /// </summary>
    private void Insert(ReadOnlySpan<byte> message, uint priority, long count)
    {
        long max = _maxMessages, first = CurFirst;
        long p = InsertPosition(priority, count, first);

        // Boost's choice of direction: prepend, append, or shift the shorter side.
        bool front = p == 0 || (p != count && p < count / 2);
        long freePos = front ? (first == 0 ? max - 1 : first - 1) : Wrap(first + count);
        long freeSlot = SlotAt(freePos);
        byte* msg = _base + freeSlot;

        // 1. The message, complete, in a slot no reader looks at.
        message.CopyTo(new Span<byte>(msg + L.MessageHeaderSize, message.Length));
        *(ulong*)(msg + L.MessageLength) = (ulong)message.Length;
        *(uint*)(msg + L.MessagePriority) = priority;

        if (p == count && !front)
        {
            // An append: the free position's entry already points at the slot and lies at the message's place
            // (first + count), so the count is the one store that links it. Killed before it, the slot is still
            // free (Recover clears its header); after it, the message is in. No journal.
            CurNum = count + 1;
            return;
        }

        // 2. The journal (one 8-byte store): the index's first and count before this insertion, phase armed.
        WriteJournal(JournalArmed, first, count);

        if (p == 0)
        {
            // A prepend: the free position's entry (first - 1) already points at the slot and is the message's
            // place; first and count are two stores, which the armed journal makes one: killed between them
            // (or before the clear), Recover restores both and the message, whose Send had not returned, is
            // dropped.
            CurFirst = freePos;
            CurNum = count + 1;
            ClearJournal();
            return;
        }

        // 3. The index shift (each store copies one offset pointer), the free slot's pointer at its place, then
        //    first (front only) and count. The first copy overwrites the free position's entry (outside the used
        //    range) while the journal is still armed, so that a "moving" journal always means "the free slot's
        //    entry is gone from the window, or is at its final place" (see Recover). From the first copy until
        //    the journal is cleared a crash is repaired by Recover.
        if (front)
        {
            SetIndex(freePos, SlotAt(first));
            WriteJournal(JournalMovingFront, first, count);
            for (long j = 1; j < p; j++)
            {
                SetIndex(Wrap(freePos + j), SlotAt(Wrap(first + j)));
            }

            SetIndex(Wrap(freePos + p), freeSlot);
            CurFirst = freePos;
        }
        else
        {
            SetIndex(freePos, SlotAt(Wrap(first + count - 1)));
            WriteJournal(JournalMovingBack, first, count);
            for (long i = count - 1; i > p; i--)
            {
                SetIndex(Wrap(first + i), SlotAt(Wrap(first + i - 1)));
            }

            SetIndex(Wrap(first + p), freeSlot);
        }

        CurNum = count + 1;

        // 4. Done: clear the journal.
        ClearJournal();
    }

    /// <summary>Boost's queue_free_msg position: the logical index (0 = lowest priority) where the message goes.</summary>
    private long InsertPosition(uint priority, long count, long first)
    {
        if (count == 0 || priority <= PriorityAt(first))
        {
            return 0;
        }

        if (priority > PriorityAt(Wrap(first + count - 1)))
        {
            return count;
        }

        // lower_bound: the first stored message whose priority is not below the new one.
        long lo = 0, hi = count;
        while (lo < hi)
        {
            long mid = (lo + hi) >>> 1;
            if (PriorityAt(Wrap(first + mid)) < priority)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private uint PriorityAt(long position) => *(uint*)(_base + SlotAt(position) + L.MessagePriority);

    // ---- the lock and the conditions -------------------------------------------------------------------------

    /// <summary>Takes the queue's mutex (by <paramref name="deadline"/>); repairs the queue if its owner died.</summary>
    /// <remarks>
    /// <para>A trylock first (no system call, no GC transition); if the lock is busy, a spin of at most
    /// <see cref="LockSpinNanoseconds"/> looking at the lock word with exponential backoff (the lock is held
    /// for one copy of a message, so the holder on another core usually releases it within that time, and the
    /// sleep and the wake-up of a futex wait, tens of microseconds here, are saved on both sides); then sleeps
    /// in glibc.</para>
    /// <para>The backoff is what makes a sender and a receiver that run flat out on two cores fast (W4): the
    /// holder releases the lock and takes it again for its next message within tens of nanoseconds; a waiter
    /// that looks at the word after every pause takes its cache line away from the holder each time and wins
    /// the lock after a single message of the other side, so that every message pays the transfer of the
    /// header's lines between the cores. Looking less and less often (1, 2, 4 … <see cref="LockBackoffMaxPauses"/>
    /// pauses) lets the holder run a stretch of messages with the lines in its cache before the waiter gets in:
    /// on the 2-vCPU VMs measured, 64-byte W4 went from 1.6 M to 4.5-7 M messages/s (docs/message-queue.md).</para>
    /// <para>Never sleeps in glibc for longer than <see cref="LockSliceNs"/> at a time. glibc's robust mutex can
    /// lose a wake-up when a process dies: an unlocker killed between its release of the lock word and its
    /// FUTEX_WAKE (or a woken waiter killed before it re-takes the lock) is covered by the kernel's robust-list
    /// "pending op" wake only while the word is still unowned; if another thread takes the lock in between, the
    /// kernel wakes no one, and that thread, having taken the word from 0, does not carry FUTEX_WAITERS, so its
    /// unlock wakes no one either. A sleeper in an untimed pthread_mutex_lock then sleeps for ever with the lock
    /// free. A timed lock re-examines the word at the end of each slice and takes the free lock.</para>
    /// </remarks>
    /// <returns>False if the deadline passed first.</returns>
    private bool Lock(Deadline deadline)
    {
        var started = LazyDeadline.From(deadline);
        return Lock(ref started);
    }

    /// <summary>As <see cref="Lock(Deadline)"/>; the deadline's clock starts only if the lock is busy.</summary>
    private bool Lock(ref LazyDeadline deadline)
    {
        void* mutex = _base + L.Header + L.Mutex;
        int rc = Libc.PThreadMutexTryLockNoTransition(mutex);
        if (rc == (int)Errno.EBUSY)
        {
            rc = LockSlow(mutex, deadline.Value);
            if (rc == (int)Errno.ETIMEDOUT)
            {
                return false;
            }
        }

        if (rc == 0)
        {
            return true;
        }

        if (rc == (int)Errno.EOWNERDEAD)
        {
            Libc.PThreadMutexConsistent(mutex);
            try
            {
                Recover();
            }
            catch
            {
                Unlock();
                throw;
            }

            return true;
        }

        if (rc == (int)Errno.ENOTRECOVERABLE)
        {
            throw new InterprocessException(InterprocessErrorCode.NotRecoverable,
                $"The lock of message queue '{Name}' is not recoverable: its owner died and the process that found it " +
                "dead (a C++ process using Boost, which does not recover) marked it so. Remove and recreate the queue.")
            { ObjectName = Name };
        }

        throw InterprocessException.FromErrno(rc, "pthread_mutex_lock", Name);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private int LockSlow(void* mutex, Deadline deadline)
    {
        if (Processors.SpinningHelps)
        {
            // glibc's __lock word: the owner's tid in bits 0-29 (0 when free, or when the owner died: then the
            // trylock takes it with EOWNERDEAD).
            ref int word = ref *(int*)mutex;
            long spin = s_lockSpinTicks, remaining = deadline.RemainingNanoseconds();
            if (remaining >= 0 && remaining < LockSpinNanoseconds)
            {
                // A timed lock spins no longer than its timeout.
                spin = remaining * Stopwatch.Frequency / 1_000_000_000;
            }

            long until = Stopwatch.GetTimestamp() + spin;
            int pauses = 1;
            do
            {
                for (int k = 0; k < pauses; k++)
                {
                    X86Base.Pause();
                }

                pauses = Math.Min(pauses * 2, LockBackoffMaxPauses);
                if ((Volatile.Read(ref word) & FutexTidMask) == 0)
                {
                    int rc = Libc.PThreadMutexTryLockNoTransition(mutex);
                    if (rc != (int)Errno.EBUSY)
                    {
                        return rc;
                    }
                }

                Processors.BetweenSpins();
            }
            while (Stopwatch.GetTimestamp() < until);
        }

        while (true)
        {
            long remaining = deadline.RemainingNanoseconds();
            if (remaining == 0)
            {
                return (int)Errno.ETIMEDOUT;
            }

            long slice = remaining < 0 ? LockSliceNs : Math.Min(remaining, LockSliceNs);
            Timespec abs = AbsoluteMonotonic(slice);
            int rc = Libc.PThreadMutexClockLock(mutex, Clock.CLOCK_MONOTONIC, &abs);
            if (rc != (int)Errno.ETIMEDOUT)
            {
                return rc;
            }

            rc = Libc.PThreadMutexTryLockNoTransition(mutex);
            if (rc != (int)Errno.EBUSY)
            {
                return rc;
            }
        }
    }

    private void Unlock() => Libc.PThreadMutexUnlock(_base + L.Header + L.Mutex);

    private void Signal(int cond)
    {
        int rc = Libc.PThreadCondSignal(_base + L.Header + cond);
        if (rc != 0)
        {
            throw InterprocessException.FromErrno(rc, "pthread_cond_signal", Name);
        }
    }

    private static Timespec AbsoluteMonotonic(long relativeNs)
    {
        long now = Libc.MonotonicNanoseconds();
        long at = relativeNs > long.MaxValue - now ? long.MaxValue : now + relativeNs;
        return new Timespec { tv_sec = at / 1_000_000_000, tv_nsec = at % 1_000_000_000 };
    }

    // ---- header fields and the index -------------------------------------------------------------------------
    // Read and written only with the mutex held, which orders them; plain accesses suffice. The getters check
    // what they read and throw through helpers that are never inlined, so that the checks inline as a compare
    // and a branch.

    private long CurNum
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            ulong n = ReadU64(L.Header + L.CurNumMsg);
            if (n > (ulong)_maxMessages)
            {
                ThrowCountCorrupt(n);
            }

            return (long)n;
        }

        set => *(ulong*)(_base + L.Header + L.CurNumMsg) = (ulong)value;
    }

    private long CurFirst
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            ulong f = ReadU64(L.Header + L.CurFirstMsg);
            if (f >= (ulong)_maxMessages)
            {
                ThrowFirstCorrupt(f);
            }

            return (long)f;
        }

        set => *(ulong*)(_base + L.Header + L.CurFirstMsg) = (ulong)value;
    }

    private ulong BlockedSenders => ReadU64(L.Header + L.BlockedSenders);

    private ulong BlockedReceivers => ReadU64(L.Header + L.BlockedReceivers);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong ReadU64(long offset) => *(ulong*)(_base + offset);

    /// <summary>A circular position from a sum below 2 × <see cref="_maxMessages"/> (first + an index below the count): no division.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long Wrap(long position) => position >= _maxMessages ? position - _maxMessages : position;

    /// <summary>The object offset of the message slot the index entry at <paramref name="position"/> points to, bounds-checked.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long SlotAt(long position)
    {
        ulong k = SlotNumber(position);
        if (k >= (ulong)_maxMessages)
        {
            ThrowEntryCorrupt(position);
        }

        return _slots + ((long)k * _slotSize);
    }

    /// <summary>As <see cref="SlotAt"/>, returning -1 for an entry that does not point at a slot.</summary>
    private long TrySlotAt(long position)
    {
        ulong k = SlotNumber(position);
        return k < (ulong)_maxMessages ? _slots + ((long)k * _slotSize) : -1;
    }

    /// <summary>
    /// The number of the slot the index entry at <paramref name="position"/> points to, or a value of at least
    /// <see cref="_maxMessages"/> when it points anywhere but at the start of a slot. With rel the target's
    /// distance from the first slot (negative ones wrap to above 2^63) and _slotSize = 2^s × d, d odd: rel is
    /// a multiple of _slotSize iff its low s bits are 0 and rel >> s is a multiple of d; multiplying by d's
    /// inverse modulo 2^64 maps the multiples of d (m × d ↦ m) onto [0, 2^64 / d), and every other number above
    /// that range, which starts beyond 2^32 > _maxMessages since d &lt; 2^32. So one compare of the product with
    /// _maxMessages checks the alignment and the range, and the product is the quotient.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong SlotNumber(long position)
    {
        long entry = L.Index + (position * 8);
        ulong rel = (ulong)(entry + (long)ReadU64(entry) - _slots);
        if ((rel & ((1UL << _slotShift) - 1)) != 0)
        {
            return ulong.MaxValue;
        }

        return (rel >> _slotShift) * _slotInverse;
    }

    /// <summary>Stores an offset_ptr to the slot at <paramref name="slot"/> in the index entry at <paramref name="position"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void SetIndex(long position, long slot)
    {
        long entry = L.Index + (position * 8);
        *(long*)(_base + entry) = slot - entry;
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowCountCorrupt(ulong n) => throw Corrupt($"it claims to hold {n} messages but has room for {_maxMessages}");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowFirstCorrupt(ulong f) => throw Corrupt($"its index starts at position {f} of {_maxMessages}");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowEntryCorrupt(long position) => throw Corrupt($"index entry {position} does not point at a message slot");

    private InterprocessException Corrupt(string what) =>
        InterprocessException.Corrupted(Name, $"message queue is damaged: {what}.");

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ThrowIfDisposed() => _ = _region.Address;
}
