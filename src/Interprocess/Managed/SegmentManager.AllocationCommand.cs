namespace Interprocess.Managed;

/// <summary>Boost's <c>allocation_command</c>: expand forward or backward, shrink, or allocate anew, in one locked step.</summary>
public sealed unsafe partial class SegmentManager
{
    private const AllocationType ExpandFlags = AllocationType.ExpandForward | AllocationType.ExpandBackward;
    private const AllocationType ShrinkFlags = AllocationType.ShrinkInPlace | AllocationType.TryShrinkInPlace;
    private const AllocationType AllFlags = AllocationType.AllocateNew | ExpandFlags | ShrinkFlags | AllocationType.NoThrow | AllocationType.ZeroMemory;

    /// <summary>
    /// Expands a block in place (forward into a free successor, backward into a free predecessor), shrinks it,
    /// or allocates a new one, as <paramref name="command"/> allows, under one acquisition of the segment lock
    /// (Boost's <c>allocation_command</c>, sizes in bytes).
    /// </summary>
    /// <remarks>
    /// <para><b>Growing</b> (<see cref="AllocationType.AllocateNew"/>, <see cref="AllocationType.ExpandForward"/>,
    /// <see cref="AllocationType.ExpandBackward"/>), the order Boost uses: (1) if <paramref name="reuseHandle"/> is
    /// given and already holds <paramref name="preferredSize"/> bytes, it is returned as it is; otherwise the
    /// allowed expansions are tried for <paramref name="preferredSize"/> (forward first; backward, after taking
    /// all of a free successor when forward is allowed too); (2) a new block of <paramref name="preferredSize"/>
    /// bytes, else of <paramref name="limitSize"/> bytes; (3) the expansions again for <paramref name="limitSize"/>.
    /// The block received holds at least <paramref name="limitSize"/> bytes (see <see cref="AllocationResult.ReceivedSize"/>).</para>
    /// <para><b>Backward expansion does not move your data</b> (as in Boost): when the outcome is
    /// <see cref="AllocationOutcome.ExpandedBackward"/>, the block starts at the returned handle, lower than
    /// <paramref name="reuseHandle"/>, and the old bytes are still at <paramref name="reuseHandle"/> (now inside the
    /// block). Move them with an overlapping copy (<see cref="Span{T}.CopyTo(Span{T})"/> handles the overlap)
    /// or build around them, as a vector inserting at the front would. The distance moved back is a multiple of
    /// <paramref name="backwardsMultiple"/> (the element size), so elements stay aligned to their old positions.</para>
    /// <para>After <see cref="AllocationOutcome.NewBlock"/> the reused block is untouched: copy what you need and
    /// <see cref="Deallocate(long)"/> it.</para>
    /// <para><b>Shrinking</b> (<see cref="AllocationType.ShrinkInPlace"/>, or <see cref="AllocationType.TryShrinkInPlace"/>
    /// to only ask): the block keeps at least <paramref name="preferredSize"/> bytes and must end up with at most
    /// <paramref name="limitSize"/> (a tail smaller than a minimal block cannot be given back); otherwise the
    /// command fails and nothing changes.</para>
    /// </remarks>
    /// <param name="command">What may be done (combine flags).</param>
    /// <param name="limitSize">Growing: the least usable size that helps. Shrinking: the most usable size acceptable.</param>
    /// <param name="preferredSize">Growing: the size wanted (at least <paramref name="limitSize"/>). Shrinking: the size to keep (at most <paramref name="limitSize"/>).</param>
    /// <param name="reuseHandle">The block to expand or shrink (a raw block from the Allocate methods); 0 for none (then only <see cref="AllocationType.AllocateNew"/> can succeed).</param>
    /// <param name="backwardsMultiple">Backward expansion moves the start back by a multiple of this many bytes (Boost's <c>sizeof_object</c>).</param>
    /// <returns>The block to use, its usable size and what was done.</returns>
    /// <exception cref="ArgumentException"><paramref name="command"/> has unknown flags, mixes shrinking with growing, or asks for
    /// nothing; a shrink or an expansion-only command has no <paramref name="reuseHandle"/>; or <paramref name="reuseHandle"/>
    /// is not an allocated raw block.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, <paramref name="limitSize"/> and
    /// <paramref name="preferredSize"/> are in the wrong order, or <paramref name="backwardsMultiple"/> is not positive.</exception>
    /// <exception cref="InterprocessException">The command could not be satisfied and <see cref="AllocationType.NoThrow"/> was not given
    /// (<see cref="InterprocessErrorCode.OutOfMemory"/>); or the heap is corrupted (<see cref="InterprocessErrorCode.Corrupted"/>).</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public AllocationResult AllocationCommand(AllocationType command, long limitSize, long preferredSize, long reuseHandle = 0, int backwardsMultiple = 1)
    {
        ValidateCommand(command, limitSize, preferredSize, reuseHandle, backwardsMultiple);
        AllocationResult result;
        Enter(OpAllocate);
        try
        {
            if (reuseHandle != 0)
            {
                CheckRawBlock(reuseHandle);
            }

            result = (command & ShrinkFlags) != 0
                ? Shrink(command, limitSize, preferredSize, reuseHandle)
                : Grow(command, limitSize, preferredSize, reuseHandle, backwardsMultiple);
        }
        finally
        {
            Exit();
        }

        if (!result.Succeeded && (command & AllocationType.NoThrow) == 0)
        {
            ThrowCommandFailed(command, limitSize, preferredSize);
        }

        return result;
    }

    private static void ValidateCommand(AllocationType command, long limitSize, long preferredSize, long reuseHandle, int backwardsMultiple)
    {
        if ((command & ~AllFlags) != 0)
        {
            throw new ArgumentException($"Unknown allocation flags 0x{(int)(command & ~AllFlags):x}.", nameof(command));
        }

        bool shrink = (command & ShrinkFlags) != 0;
        bool grow = (command & (AllocationType.AllocateNew | ExpandFlags)) != 0;
        if (shrink == grow)
        {
            throw new ArgumentException(
                shrink ? "A command either shrinks or grows (allocates or expands), not both." : "The command asks for nothing: give AllocateNew, ExpandForward, ExpandBackward, ShrinkInPlace or TryShrinkInPlace.",
                nameof(command));
        }

        if (shrink && (command & ShrinkFlags) == ShrinkFlags)
        {
            throw new ArgumentException("Give ShrinkInPlace or TryShrinkInPlace, not both.", nameof(command));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(limitSize);
        ArgumentOutOfRangeException.ThrowIfNegative(preferredSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(backwardsMultiple);
        ArgumentOutOfRangeException.ThrowIfNegative(reuseHandle);
        if (shrink ? preferredSize > limitSize : limitSize > preferredSize)
        {
            throw new ArgumentOutOfRangeException(
                nameof(preferredSize),
                preferredSize,
                shrink ? $"Shrinking keeps the preferred size, which cannot exceed the limit (the largest acceptable size, {limitSize})." : $"Growing asks for the preferred size, which cannot be below the limit (the least useful size, {limitSize}).");
        }

        if (reuseHandle == 0 && (shrink || (command & AllocationType.AllocateNew) == 0))
        {
            throw new ArgumentException("Shrinking or expanding without AllocateNew needs the handle of the block to reuse.", nameof(reuseHandle));
        }
    }

    private AllocationResult Shrink(AllocationType command, long maxSize, long keepSize, long handle)
    {
        long after = _heap.ShrunkSize(handle, keepSize);
        if (after < 0 || after > maxSize)
        {
            return default;
        }

        if ((command & AllocationType.ShrinkInPlace) != 0)
        {
            after = _heap.ShrinkInPlace(handle, keepSize);
        }

        return new AllocationResult(handle, after, AllocationOutcome.SameBlock);
    }

    private AllocationResult Grow(AllocationType command, long limitSize, long preferredSize, long reuse, int backwardsMultiple)
    {
        bool expand = reuse != 0 && (command & ExpandFlags) != 0;
        long oldSize = reuse != 0 ? _heap.GetUsableSize(reuse) : 0;
        if (expand)
        {
            if (oldSize >= preferredSize)
            {
                return new AllocationResult(reuse, oldSize, AllocationOutcome.SameBlock);
            }

            var expanded = Expand(command, preferredSize, preferredSize, reuse, backwardsMultiple, oldSize);
            if (expanded.Succeeded)
            {
                return expanded;
            }
        }

        if ((command & AllocationType.AllocateNew) != 0)
        {
            long h = _heap.Allocate(preferredSize, objectBlock: false);
            if (h == 0 && limitSize < preferredSize)
            {
                h = _heap.Allocate(limitSize, objectBlock: false);
            }

            if (h != 0)
            {
                long received = _heap.GetUsableSize(h);
                if ((command & AllocationType.ZeroMemory) != 0)
                {
                    ClearBytes(h, received);
                }

                return new AllocationResult(h, received, AllocationOutcome.NewBlock);
            }
        }

        if (expand)
        {
            if (oldSize >= limitSize)
            {
                return new AllocationResult(reuse, oldSize, AllocationOutcome.SameBlock);
            }

            return Expand(command, limitSize, preferredSize, reuse, backwardsMultiple, oldSize);
        }

        return default;
    }

    /// <summary>The allowed expansions of <paramref name="reuse"/> to at least <paramref name="minSize"/>: forward, then backward.</summary>
    private AllocationResult Expand(AllocationType command, long minSize, long preferredSize, long reuse, int backwardsMultiple, long oldSize)
    {
        bool zero = (command & AllocationType.ZeroMemory) != 0;
        bool forward = (command & AllocationType.ExpandForward) != 0;
        if (forward)
        {
            long size = _heap.ExpandInPlace(reuse, minSize, preferredSize);
            if (size >= 0)
            {
                if (zero)
                {
                    ClearBytes(reuse + oldSize, size - oldSize);
                }

                return new AllocationResult(reuse, size, AllocationOutcome.SameBlock);
            }
        }

        if ((command & AllocationType.ExpandBackward) != 0)
        {
            long h = _heap.ExpandBackward(reuse, minSize, preferredSize, backwardsMultiple, forward);
            if (h != 0)
            {
                long size = _heap.GetUsableSize(h);
                if (zero)
                {
                    ClearBytes(h, reuse - h);
                    ClearBytes(reuse + oldSize, h + size - (reuse + oldSize));
                }

                return new AllocationResult(h, size, AllocationOutcome.ExpandedBackward);
            }
        }

        return default;
    }

    private void ClearBytes(long handle, long length)
    {
        while (length > 0)
        {
            int chunk = (int)Math.Min(length, 1 << 30);
            new Span<byte>(_base + handle, chunk).Clear();
            handle += chunk;
            length -= chunk;
        }
    }

    private void ThrowCommandFailed(AllocationType command, long limitSize, long preferredSize) => throw new InterprocessException(
        InterprocessErrorCode.OutOfMemory,
        $"The managed segment '{Name}' cannot satisfy {command} (limit {limitSize} bytes, preferred {preferredSize}; {GetFreeMemory()} bytes free in all).") { ObjectName = Name };
}
