using System.Runtime.CompilerServices;
using Interprocess.Memory;
using Interprocess.Pointers;

namespace Interprocess.TestDriver.Pointers;

/// <summary>
/// A sorted doubly linked list of <see cref="ListNode"/>s in a mapped region, linked only by OffsetPtrs, used by
/// the tests and by the driver (the other process). Layout: a <see cref="SharedListHeader"/> at
/// <see cref="HeaderOffset"/>, then node slots from <see cref="NodesOffset"/>. Every pointer read is resolved with
/// the bounds-checked <c>GetRef(region)</c>/<c>GetReadOnlyRef(region)</c>, and walks stop after
/// <see cref="SharedListHeader.Count"/> steps, so a damaged list fails with an exception, not a crash or a hang.
/// </summary>
public static class SharedList
{
    /// <summary>"OFFPTRLS" in ASCII, little-endian.</summary>
    public const long Magic = 0x534C_5254_5046_464F;

    /// <summary>Where the header is.</summary>
    public const long HeaderOffset = 0;

    /// <summary>Where slot 0 is; a cache line after the header.</summary>
    public const long NodesOffset = 64;

    /// <summary>The region offset of node slot <paramref name="index"/>.</summary>
    public static unsafe long SlotOffset(long index) => NodesOffset + (index * sizeof(ListNode));

    /// <summary>Initializes an empty list over the whole region (zeroed memory is not an empty list: its pointers point to themselves).</summary>
    public static unsafe void Initialize(MappedRegion region)
    {
        ref SharedListHeader header = ref region.GetRef<SharedListHeader>(HeaderOffset);
        header.Capacity = (region.Size - NodesOffset) / sizeof(ListNode);
        header.Count = 0;
        header.Head.SetNull();
        header.Tail.SetNull();
        header.Magic = Magic;
    }

    /// <summary>The header, after checking the magic and that the slots in use fit the region.</summary>
    public static ref SharedListHeader Open(MappedRegion region)
    {
        ref SharedListHeader header = ref region.GetRef<SharedListHeader>(HeaderOffset);
        if (header.Magic != Magic || header.Count < 0 || header.Count > header.Capacity || SlotOffset(header.Capacity) > region.Size)
        {
            throw new InvalidDataException($"'{region.Name}' does not hold a shared list.");
        }

        return ref header;
    }

    /// <summary>Inserts <paramref name="value"/> before the first node with a larger value, in a new slot.</summary>
    public static void InsertSorted(MappedRegion region, long value)
    {
        ref SharedListHeader header = ref Open(region);
        if (header.Count == header.Capacity)
        {
            throw new InvalidOperationException("The shared list is full.");
        }

        ref ListNode node = ref region.GetRef<ListNode>(SlotOffset(header.Count));
        node.Value = value;
        header.Count++;

        // Find the first node with a larger value (none: append at the tail).
        ref ListNode at = ref Unsafe.NullRef<ListNode>();
        if (!header.Head.IsNull)
        {
            long steps = 0;
            for (ref ListNode n = ref header.Head.GetRef(region); ; n = ref n.Next.GetRef(region))
            {
                CheckSteps(ref steps, header.Count);
                if (n.Value > value)
                {
                    at = ref n;
                    break;
                }

                if (n.Next.IsNull)
                {
                    break;
                }
            }
        }

        if (Unsafe.IsNullRef(ref at))
        {
            // Append: node.Prev takes the tail's target (Assign recomputes the offset for node.Prev's place).
            node.Next.SetNull();
            node.Prev.Assign(in header.Tail);
            if (header.Tail.IsNull)
            {
                header.Head.Set(ref node);
            }
            else
            {
                header.Tail.GetRef(region).Next.Set(ref node);
            }

            header.Tail.Set(ref node);
            return;
        }

        node.Next.Set(ref at);
        node.Prev.Assign(in at.Prev);
        if (at.Prev.IsNull)
        {
            header.Head.Set(ref node);
        }
        else
        {
            at.Prev.GetRef(region).Next.Set(ref node);
        }

        at.Prev.Set(ref node);
    }

    /// <summary>The values from head to tail.</summary>
    public static List<long> Forward(MappedRegion region) => Walk(region, forward: true);

    /// <summary>The values from tail to head.</summary>
    public static List<long> Backward(MappedRegion region) => Walk(region, forward: false);

    private static List<long> Walk(MappedRegion region, bool forward)
    {
        ref readonly SharedListHeader header = ref Open(region);
        var values = new List<long>();
        ref readonly OffsetPtr<ListNode> link = ref forward ? ref header.Head : ref header.Tail;
        long steps = 0;
        while (!link.IsNull)
        {
            CheckSteps(ref steps, header.Count);
            ref readonly ListNode n = ref link.GetReadOnlyRef(region);
            values.Add(n.Value);
            link = ref forward ? ref n.Next : ref n.Prev;
        }

        return values;
    }

    private static void CheckSteps(ref long steps, long count)
    {
        if (++steps > count)
        {
            throw new InvalidDataException($"The shared list has a cycle: more than {count} steps.");
        }
    }
}
