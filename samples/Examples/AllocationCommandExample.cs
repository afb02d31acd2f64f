using System.Runtime.InteropServices;
using Interprocess.Managed;

namespace Examples;

/// <summary>
/// Boost's doc_managed_allocation_command.cpp: <see cref="SegmentManager.AllocationCommand"/> allocates a buffer of
/// "at least this, preferably that", expands it forward in place, shrinks it in place, and (beyond Boost's example)
/// expands a buffer backward into the free block before it, moving the data down itself.
/// </summary>
internal static class AllocationCommandExample
{
    public static readonly Example Info = new("allocation-command", "doc_managed_allocation_command.cpp",
        "allocate with a minimum and a preferred size, expand forward and backward in place, shrink in place", Run);

    private static int Run(string[] args)
    {
        string name = $"example-command-{Guid.NewGuid():N}";
        try
        {
            using var segment = ManagedSharedMemory.CreateNew(name, 10_000 * sizeof(long));
            var manager = segment.Manager;

            // At least 100 longs, 1000 if there is room.
            const long MinBytes = 100 * sizeof(long);
            var first = manager.AllocationCommand(AllocationType.AllocateNew, MinBytes, 1000 * sizeof(long));
            long handle = first.Handle;
            long freeAfterAllocation = manager.GetFreeMemory();
            Console.WriteLine($"allocate: {first.Outcome}, {first.ReceivedSize} bytes (asked for at least {MinBytes}, preferably {1000 * sizeof(long)})");
            Fill(manager, handle, 0, first.ReceivedSize / sizeof(long));

            // Triple it in place, accepting no less than double. Nothing else allocates, so the free memory after
            // the block is there to take: the block does not move.
            var expanded = manager.AllocationCommand(AllocationType.ExpandForward, first.ReceivedSize * 2, first.ReceivedSize * 3, handle);
            long freeAfterExpansion = manager.GetFreeMemory();
            Console.WriteLine($"expand forward: {expanded.Outcome}, {expanded.ReceivedSize} bytes, same handle: {expanded.Handle == handle}, free {freeAfterAllocation} -> {freeAfterExpansion}");
            bool oldDataKept = Check(manager, handle, first.ReceivedSize / sizeof(long));
            Fill(manager, handle, first.ReceivedSize / sizeof(long), expanded.ReceivedSize / sizeof(long));

            // Shrink to about the minimum: keep at least MinBytes, end with at most twice that.
            var shrunk = manager.AllocationCommand(AllocationType.ShrinkInPlace, MinBytes * 2, MinBytes, handle);
            long freeAfterShrinking = manager.GetFreeMemory();
            Console.WriteLine($"shrink in place: {shrunk.Outcome}, {shrunk.ReceivedSize} bytes, free {freeAfterExpansion} -> {freeAfterShrinking}");
            bool keptAfterShrink = Check(manager, handle, shrunk.ReceivedSize / sizeof(long));
            manager.Deallocate(handle);

            // Backward: a buffer with a free block before it (and a guard after it, so forward is not enough).
            long before = manager.Allocate(4096);
            long buffer = manager.Allocate(MinBytes);
            long guard = manager.Allocate(64);
            Fill(manager, buffer, 0, MinBytes / sizeof(long));
            manager.Deallocate(before);
            var backward = manager.AllocationCommand(
                AllocationType.ExpandForward | AllocationType.ExpandBackward, MinBytes * 4, MinBytes * 4, buffer, backwardsMultiple: sizeof(long));
            Console.WriteLine($"expand backward: {backward.Outcome}, {backward.ReceivedSize} bytes, the block now starts {buffer - backward.Handle} bytes earlier");

            // The data is still at the old handle, inside the bigger block: move it down to the block's start.
            manager.GetSpan(buffer, (int)MinBytes).CopyTo(manager.GetSpan(backward.Handle, (int)MinBytes));
            bool moved = Check(manager, backward.Handle, MinBytes / sizeof(long));
            Console.WriteLine($"after moving the data to the new start, values 0..{(MinBytes / sizeof(long)) - 1} in order: {moved}");
            manager.Deallocate(backward.Handle);
            manager.Deallocate(guard);

            bool ok = first.ReceivedSize >= MinBytes
                && expanded.Handle == handle && expanded.ReceivedSize >= first.ReceivedSize * 2 && freeAfterExpansion < freeAfterAllocation && oldDataKept
                && shrunk.Handle == handle && shrunk.ReceivedSize >= MinBytes && shrunk.ReceivedSize <= MinBytes * 2 && freeAfterShrinking > freeAfterExpansion && keptAfterShrink
                && backward.Outcome == AllocationOutcome.ExpandedBackward && backward.Handle < buffer && backward.ReceivedSize >= MinBytes * 4 && moved
                && manager.AllMemoryDeallocated();
            if (!ok)
            {
                return 1;
            }

            Console.WriteLine("OK: the buffer was allocated, expanded forward and backward, and shrunk in place");
            return 0;
        }
        finally
        {
            ManagedSharedMemory.Remove(name);
        }
    }

    /// <summary>Writes value i into the i-th long of the block, for i in [from, to).</summary>
    private static void Fill(SegmentManager manager, long handle, long from, long to)
    {
        var longs = MemoryMarshal.Cast<byte, long>(manager.GetSpan(handle, (int)(to * sizeof(long))));
        for (long i = from; i < to; i++)
        {
            longs[(int)i] = i;
        }
    }

    /// <summary>Whether the first <paramref name="count"/> longs of the block are 0, 1, 2 ...</summary>
    private static bool Check(SegmentManager manager, long handle, long count)
    {
        var longs = MemoryMarshal.Cast<byte, long>(manager.GetSpan(handle, (int)(count * sizeof(long))));
        for (int i = 0; i < longs.Length; i++)
        {
            if (longs[i] != i)
            {
                return false;
            }
        }

        return true;
    }
}
