using Interprocess;
using Interprocess.Memory;
using Interprocess.Pointers;

namespace Examples;

/// <summary>
/// Boost's doc_offset_ptr.cpp: a linked list in shared memory whose links are offset pointers, so that it is
/// still a list in a process that maps the memory at another address.
/// </summary>
internal static class OffsetPtrExample
{
    public static readonly Example Info = new("offset-ptr", "doc_offset_ptr.cpp",
        "a linked list linked by OffsetPtr<T>, walked by a child that maps it at another address", Run);

    private struct ListNode
    {
        public OffsetPtr<ListNode> Next;
        public int Value;
    }

    private const int HeadOffset = 0;    // OffsetPtr<ListNode>: the first node
    private const int NodesOffset = 64;  // the nodes, in slots
    private const int Count = 10;

    private static unsafe int Run(string[] args)
    {
        if (args is ["child", var childName])
        {
            using var memory = SharedMemoryObject.OpenExisting(childName, AccessMode.ReadOnly);
            using var view = new MappedRegion(memory, AccessMode.ReadOnly);
            var values = new List<int>();
            ref readonly OffsetPtr<ListNode> link = ref view.GetReadOnlyRef<OffsetPtr<ListNode>>(HeadOffset);
            while (!link.IsNull && values.Count <= Count)
            {
                ref readonly ListNode node = ref link.GetReadOnlyRef(view);   // bounds-checked against the region
                values.Add(node.Value);
                link = ref node.Next;
            }

            Console.WriteLine($"  child: mapped at 0x{view.Address:x}; walked the list: {string.Join(' ', values)}");
            return values.SequenceEqual(Enumerable.Range(0, Count)) ? 0 : 1;
        }

        string name = $"example-offptr-{Guid.NewGuid():N}";
        try
        {
            using var shm = SharedMemoryObject.CreateNew(name, 4096);
            using var region = new MappedRegion(shm);

            // Link node slots 9, 8, ..., 0 in that order, so that list order is not memory order: value i sits in slot Count-1-i.
            ref OffsetPtr<ListNode> next = ref region.GetRef<OffsetPtr<ListNode>>(HeadOffset);
            for (int value = 0; value < Count; value++)
            {
                ref ListNode node = ref region.GetRef<ListNode>(NodesOffset + ((Count - 1 - value) * sizeof(ListNode)));
                node.Value = value;
                next.Set(ref node);      // stores (node address - address of 'next'): the same in every mapping
                next = ref node.Next;
            }

            next.SetNull();              // zeroed memory is not null: it points at itself
            Console.WriteLine($"parent: built a list of {Count} nodes at 0x{region.Address:x}");

            int code = Child.Run(Info.Name, name);
            if (code != 0)
            {
                return code;
            }

            Console.WriteLine("OK: the list links held at another address");
            return 0;
        }
        finally
        {
            SharedMemoryObject.Remove(name);
        }
    }
}
