using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Interprocess.Managed;

namespace Interprocess.Containers;

/// <summary>The bulk-append API of <see cref="SharedVector{T}"/>: <see cref="BeginAppend"/> and <see cref="Appender"/>.</summary>
public readonly unsafe partial struct SharedVector<T>
{
    /// <summary>
    /// Starts appending to the vector through an <see cref="Appender"/>, which validates the handle and the header
    /// once, here, and then keeps the header, the buffer, the count and the capacity in its own fields: its
    /// <see cref="Appender.Add"/> is <see cref="Add"/> without the per-call handle resolution.
    /// </summary>
    /// <returns>The appender; dispose it when done (<c>using var app = v.BeginAppend();</c>).</returns>
    /// <remarks>
    /// While an appender is in use, change the vector only through it: hold the lock that guards the vector for the
    /// appender's whole lifetime, as for any change. A change made any other way (another handle's
    /// <see cref="Add"/>, <see cref="Clear"/>, <see cref="Reserve"/>, <see cref="Destroy()"/>, another process) is
    /// detected by the appender's next call, which throws <see cref="InvalidOperationException"/> and writes nothing.
    /// </remarks>
    /// <exception cref="InvalidOperationException">A default or stale handle, or the segment is not open in this process.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The vector is corrupted.</exception>
    public Appender BeginAppend()
    {
        var h = Write(out var m);
        T* data = Data(h, m);
        return new Appender(m, h, data);
    }

    /// <summary>
    /// Appends to one <see cref="SharedVector{T}"/> faster than repeated <see cref="SharedVector{T}.Add"/>: the
    /// vector is validated once, by <see cref="BeginAppend"/>, and the appender keeps what it needs (the header and
    /// buffer addresses, the count, the capacity) in its fields, which the JIT keeps in registers in a loop.
    /// </summary>
    /// <remarks>
    /// <para><b>Each element is published.</b> <see cref="Add"/> writes the element, then stores the new count into
    /// the vector's header, every call: a reader in another process (under the lock), and a process that opens the
    /// segment after this one was killed, see a vector whose <see cref="SharedVector{T}.Count"/> elements are all
    /// elements that were appended, in order. There is nothing to flush; <see cref="Dispose"/> only ends the
    /// appender.</para>
    /// <para><b>The rule: while an appender is in use, change the vector only through it.</b> Hold the lock that
    /// guards the vector (an <see cref="Synchronization.InterprocessMutex"/>) for the appender's lifetime. Nothing the
    /// appender cached is trusted blindly: every <see cref="Add"/> also checks (a few loads and predicted branches,
    /// off the dependency chain of the count) that the segment is still open in this process, and that the header's
    /// stamp, count, capacity and buffer are still the ones it cached. A vector changed behind its back (another
    /// handle's <c>Add</c>, <c>Clear</c>, <c>Reserve</c>, <c>Destroy</c>, another process) makes the call throw
    /// <see cref="InvalidOperationException"/> before anything is written; a disposed segment (unmapped: a write
    /// would crash the process) makes it throw <see cref="ObjectDisposedException"/>. These checks do not make
    /// concurrent use safe: a change racing with an <c>Add</c> on another thread or in another process is a data
    /// race, as it is for every container operation.</para>
    /// <para>A <c>ref struct</c>: it lives on the stack, for the duration of one method, and is not copied into
    /// fields. Do not copy it (two copies would each believe they own the count; the second to write detects the
    /// first's change and throws).</para>
    /// </remarks>
    /// <example>
    /// <code>
    /// // process A: appends under the vector's lock
    /// using var shm = ManagedSharedMemory.OpenOrCreate("ticks", 256 &lt;&lt; 20);
    /// ref var mutex = ref shm.Manager.FindOrConstruct("ticks-lock", new InterprocessMutex()).Value;
    /// var ticks = SharedVector&lt;long&gt;.FindOrCreate(shm.Manager, "ticks");
    /// mutex.Lock();
    /// try
    /// {
    ///     using var app = ticks.BeginAppend();
    ///     foreach (long t in source)
    ///     {
    ///         app.Add(t);      // element first, then the count: always a consistent vector
    ///     }
    /// }
    /// finally
    /// {
    ///     mutex.Unlock();
    /// }
    ///
    /// // process B: reads under the same lock
    /// using var shm = ManagedSharedMemory.OpenExisting("ticks");
    /// ref var mutex = ref shm.Manager.Find&lt;InterprocessMutex&gt;("ticks-lock").Value;
    /// var ticks = SharedVector&lt;long&gt;.Find(shm.Manager, "ticks");
    /// mutex.Lock();
    /// long last = ticks.Count &gt; 0 ? ticks.Get(ticks.Count - 1) : 0;
    /// mutex.Unlock();
    /// </code>
    /// </example>
    public ref struct Appender
    {
        /// <summary>The segment's manager in this process; null in a default appender. Its detached flag is checked by every call.</summary>
        private readonly SegmentManager? _manager;

        /// <summary>The vector's header (validated by <see cref="BeginAppend"/>); null in a default or disposed appender.</summary>
        private VectorHeader* _header;

        /// <summary>The header's stamp when the appender was begun (a destroyed or replaced vector has another one).</summary>
        private readonly ulong _stamp;

        /// <summary>The buffer's address: <see cref="_capacity"/> elements checked to lie in the mapping.</summary>
        private T* _data;

        /// <summary>The buffer's handle as stored in the header (0: none).</summary>
        private long _dataHandle;

        /// <summary>
        /// The header's <see cref="VectorHeader.CountAndCapacity"/> as this appender last stored (or found) it: the
        /// count in the low half, so adding 1 adds one element (the count stays below the capacity, no carry).
        /// </summary>
        private ulong _countAndCapacity;

        /// <summary>The capacity (the high half of <see cref="_countAndCapacity"/>, kept apart for the room check); 0 in a default or disposed appender, which sends every call to the slow path.</summary>
        private int _capacity;

        internal Appender(SegmentManager manager, VectorHeader* header, T* data)
        {
            _manager = manager;
            _header = header;
            _stamp = header->Prefix.Stamp;
            _data = data;
            _dataHandle = header->Data;
            _capacity = header->Capacity;
            _countAndCapacity = VectorHeader.Pack(header->Count, _capacity);
        }

        /// <summary>The number of elements in the vector (the count this appender last stored or found).</summary>
        /// <exception cref="InvalidOperationException">A default appender (not obtained from <see cref="BeginAppend"/>).</exception>
        /// <exception cref="ObjectDisposedException">The appender was disposed.</exception>
        public readonly int Count
        {
            get
            {
                ThrowIfNotUsable();
                return (int)_countAndCapacity;
            }
        }

        /// <summary>
        /// Adds an element at the end of the vector (as <see cref="SharedVector{T}.Add"/>, growing the same way): the
        /// element is written, then the new count is stored into the header.
        /// </summary>
        /// <param name="item">The element.</param>
        /// <exception cref="InvalidOperationException">The vector was changed other than through this appender (nothing was written); a default appender.</exception>
        /// <exception cref="ObjectDisposedException">The appender, or the vector's segment, was disposed (nothing was written).</exception>
        /// <exception cref="InterprocessException">The segment is full or the vector holds <see cref="Array.MaxLength"/> elements (nothing was written; the appender stays usable), or the vector is corrupted.</exception>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Add(T item)
        {
            ulong cc = _countAndCapacity;
            VectorHeader* h = _header;
            // The checks, each a compare and a predicted branch, none on the dependency chain of the count (which is
            // carried in a register): room in the cached buffer (registers; capacity 0 in a default or disposed
            // appender); the segment still mapped (checked before the header is read: a disposed segment is
            // unmapped); the header's count and capacity (one 8-byte load, forwarded from the previous call's store),
            // stamp (not destroyed or replaced) and buffer as cached (not changed through another handle).
            if ((uint)cc < (uint)_capacity
                && !_manager!.IsDetached
                && h->CountAndCapacity == cc
                && h->Prefix.Stamp == _stamp
                && h->Data == _dataHandle)
            {
                _data[(uint)cc] = item;
                cc++;
                // Release: publishes the element stored above before the count that covers it (for readers in other
                // processes, and for whoever opens the segment after this process was killed). The capacity half is
                // the value just checked.
                Volatile.Write(ref h->CountAndCapacity, cc);
                _countAndCapacity = cc;
                return;
            }

            // The fields go by value and come back in a separate struct: the appender local never has its address
            // taken, so the JIT keeps its fields in registers.
            var r = AddSlow(_manager, h, _stamp, _dataHandle, cc, item);
            _data = r.Data;
            _dataHandle = r.DataHandle;
            _countAndCapacity = r.CountAndCapacity;
            _capacity = r.Capacity;
        }

        /// <summary>Adds every element of <paramref name="items"/> at the end of the vector, growing once; the count is stored after all the elements.</summary>
        /// <param name="items">The elements (may be a span of this very vector).</param>
        /// <exception cref="InvalidOperationException">The vector was changed other than through this appender (nothing was written); a default appender.</exception>
        /// <exception cref="ObjectDisposedException">The appender, or the vector's segment, was disposed (nothing was written).</exception>
        /// <exception cref="InterprocessException">The segment is full or the vector would exceed <see cref="Array.MaxLength"/> elements (nothing was written; the appender stays usable), or the vector is corrupted.</exception>
        public void AddRange(ReadOnlySpan<T> items)
        {
            var h = Validate();
            if (items.IsEmpty)
            {
                return;
            }

            int count = (int)_countAndCapacity;
            long needed = (long)count + items.Length;
            if (needed > Array.MaxLength)
            {
                throw new InterprocessException(InterprocessErrorCode.OutOfMemory, $"A vector cannot hold more than {Array.MaxLength} elements.");
            }

            if (needed > _capacity)
            {
                if (_data != null && Overlaps(items, _data, _capacity))
                {
                    // The source is this vector: copy it out before the buffer moves.
                    items = items.ToArray();
                }

                Grow(h, _manager!, (int)needed);
                var r = State(h, _manager!);
                _data = r.Data;
                _dataHandle = r.DataHandle;
                _capacity = r.Capacity;
            }

            items.CopyTo(new Span<T>(_data + count, items.Length));
            // Release: publishes the elements copied above before the count that covers them (the capacity half is
            // the header's, checked by Validate or just set by Grow).
            ulong cc = VectorHeader.Pack((int)needed, _capacity);
            Volatile.Write(ref h->CountAndCapacity, cc);
            _countAndCapacity = cc;
        }

        /// <summary>Ends the appender: every later call throws <see cref="ObjectDisposedException"/>. The vector is left as the last call stored it (nothing is pending).</summary>
        public void Dispose()
        {
            _header = null;
            _data = null;
            _dataHandle = 0;
            _countAndCapacity = 0;
            _capacity = 0;
        }

        /// <summary>
        /// <see cref="Add"/>'s slow path: the buffer is full, or a check failed. Takes the fields by value and returns
        /// the new ones, so that the caller's appender never has its address taken.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static BufferState AddSlow(SegmentManager? m, VectorHeader* h, ulong stamp, long dataHandle, ulong countAndCapacity, T item)
        {
            Validate(m, h, stamp, dataHandle, countAndCapacity);
            // The header is as cached, so the count equals the capacity (else the fast path would have run): grow
            // with the vector's own code, which writes the element and then the count.
            AddGrow(h, m!, item);
            return State(h, m!);
        }

        /// <summary>The header, after <see cref="Validate(SegmentManager?, VectorHeader*, ulong, long, ulong)"/> of the cached fields.</summary>
        /// <exception cref="InvalidOperationException">A default appender; the vector was changed other than through this appender.</exception>
        /// <exception cref="ObjectDisposedException">The appender, or the segment, was disposed.</exception>
        private readonly VectorHeader* Validate()
        {
            Validate(_manager, _header, _stamp, _dataHandle, _countAndCapacity);
            return _header;
        }

        /// <summary>
        /// Checks that the appender is usable (<paramref name="h"/> not null), that the segment is still mapped, and
        /// then that the header is as the appender cached it. Reads the header only when the segment is mapped.
        /// </summary>
        /// <exception cref="InvalidOperationException">A default appender; the vector was changed other than through this appender.</exception>
        /// <exception cref="ObjectDisposedException">The appender, or the segment, was disposed.</exception>
        private static void Validate(SegmentManager? m, VectorHeader* h, ulong stamp, long dataHandle, ulong countAndCapacity)
        {
            if (h == null)
            {
                ThrowNotUsable(m);
            }

            if (m!.IsDetached)
            {
                throw new ObjectDisposedException(m.Name, $"The managed segment '{m.Name}' was disposed while a vector appender was in use; nothing was written.");
            }

            if (h->Prefix.Stamp != stamp)
            {
                throw Changed("it was destroyed: its handles are stale");
            }

            if (h->CountAndCapacity != countAndCapacity || h->Data != dataHandle)
            {
                throw Changed($"count {(int)countAndCapacity} -> {h->Count}, capacity {(int)(countAndCapacity >> 32)} -> {h->Capacity}, buffer {dataHandle} -> {h->Data}");
            }
        }

        /// <summary>The buffer fields as the header has them now (after the vector's own code changed them), the buffer checked.</summary>
        private static BufferState State(VectorHeader* h, SegmentManager m) =>
            new(Data(h, m), h->Data, h->CountAndCapacity, h->Capacity);

        private readonly void ThrowIfNotUsable()
        {
            if (_header == null)
            {
                ThrowNotUsable(_manager);
            }
        }

        [DoesNotReturn]
        private static void ThrowNotUsable(SegmentManager? m)
        {
            if (m is null)
            {
                throw new InvalidOperationException("This appender is a default value: obtain one from SharedVector<T>.BeginAppend().");
            }

            throw new ObjectDisposedException(nameof(Appender), "The vector appender was disposed: call BeginAppend() again to append more.");
        }

        private static InvalidOperationException Changed(string what) =>
            new($"The vector was changed behind the appender's back ({what}); nothing was written. While an appender is in use, change the vector only through it (hold the vector's lock for the appender's lifetime), then call BeginAppend() again.");

        /// <summary>What <see cref="AddSlow"/> hands back: the buffer fields after growth (a separate struct, so that the appender's own address is never taken).</summary>
        private readonly struct BufferState(T* data, long dataHandle, ulong countAndCapacity, int capacity)
        {
            internal readonly T* Data = data;
            internal readonly long DataHandle = dataHandle;
            internal readonly ulong CountAndCapacity = countAndCapacity;
            internal readonly int Capacity = capacity;
        }
    }
}
