using System.Globalization;
using Interprocess.Containers;
using Interprocess.Managed;
using Interprocess.Synchronization;

namespace Interprocess.TestDriver.Containers;

/// <summary>Driver commands for the list, slist and deque tests (the segment holds an InterprocessMutex named "lock").</summary>
internal static class SequenceCommands
{
    /// <summary>
    /// seq-child SEG: finds "list" (SharedList&lt;long&gt;), "slist" (SharedSList&lt;long&gt;), "deque"
    /// (SharedDeque&lt;long&gt;) and "nested" (SharedDeque&lt;SharedList&lt;long&gt;&gt;), prints each as
    /// "NAME v1,v2,...", then under the lock: list sorted and AddFirst(-1), slist reversed, deque AddFirst(100)
    /// and RemoveLast, nested[0].AddLast(42) and a new list {7} added; prints DONE.
    /// </summary>
    [DriverCommand("seq-child")]
    public static int Child(string[] args)
    {
        using var shm = ManagedSharedMemory.OpenExisting(args[0]);
        var m = shm.Manager;
        ref var mutex = ref m.Find<InterprocessMutex>("lock").Value;
        var list = SharedList<long>.Find(m, "list");
        var slist = SharedSList<long>.Find(m, "slist");
        var deque = SharedDeque<long>.Find(m, "deque");
        var nested = SharedDeque<SharedList<long>>.Find(m, "nested");
        mutex.Lock();
        try
        {
            Console.WriteLine("list " + Join(list));
            Console.WriteLine("slist " + Join(slist));
            Console.WriteLine("deque " + Join(deque));
            Console.WriteLine("nested0 " + Join(nested[0]));
            list.Sort();
            list.AddFirst(-1);
            slist.Reverse();
            deque.AddFirst(100);
            deque.RemoveLast();
            nested[0].AddLast(42);
            var fresh = SharedList<long>.Create(m);
            fresh.AddLast(7);
            nested.AddLast(fresh);
        }
        finally
        {
            mutex.Unlock();
        }

        Console.WriteLine("DONE");
        return 0;
    }

    private static string Join(IEnumerable<long> values) => string.Join(",", values.Select(v => v.ToString(CultureInfo.InvariantCulture)));
}
