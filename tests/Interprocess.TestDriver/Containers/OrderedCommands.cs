using System.Globalization;
using Interprocess.Containers;
using Interprocess.Managed;
using Interprocess.Synchronization;

namespace Interprocess.TestDriver.Containers;

/// <summary>Driver commands for the ordered container tests (maps, sets, flat containers).</summary>
internal static class OrderedCommands
{
    /// <summary>
    /// ordered-read-mutate SEG: finds the mutex "lock", the map "map" (long→long), the multimap "multi" and the flat
    /// set "flat"; under the lock prints "SUM s COUNT n", then sets map[-1] = 42, removes key 0, adds (5, 500) to the
    /// multimap, adds 777 to the flat set and adds 9 to the nested set map[1] (a SharedMap&lt;long, SharedSet&lt;long&gt;&gt;
    /// named "nested"); prints DONE.
    /// </summary>
    [DriverCommand("ordered-read-mutate")]
    public static int ReadMutate(string[] args)
    {
        using var seg = ManagedSharedMemory.OpenExisting(args[0]);
        var m = seg.Manager;
        ref var mutex = ref m.Find<InterprocessMutex>("lock").Value;
        var map = SharedMap<long, long>.Find(m, "map");
        var multi = SharedMultiMap<long, long>.Find(m, "multi");
        var flat = SharedFlatSet<long>.Find(m, "flat");
        var nested = SharedMap<long, SharedSet<long>>.Find(m, "nested");
        mutex.Lock();
        try
        {
            long sum = 0;
            foreach (var kv in map)
            {
                sum += kv.Value;
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"SUM {sum} COUNT {map.Count}"));
            map[-1] = 42;
            map.Remove(0);
            multi.Add(5, 500);
            flat.Add(777);
            nested[1].Add(9);
        }
        finally
        {
            mutex.Unlock();
        }

        Console.WriteLine("DONE");
        return 0;
    }

    /// <summary>
    /// ordered-increment SEG N BASE: N times, under the mutex "lock": map "map"[7] += 1 through GetValueRef and
    /// map[BASE + i] = i. Prints READY first, waits for a GO line, prints DONE at the end.
    /// </summary>
    [DriverCommand("ordered-increment")]
    public static int Increment(string[] args)
    {
        using var seg = ManagedSharedMemory.OpenExisting(args[0]);
        var m = seg.Manager;
        int n = int.Parse(args[1], CultureInfo.InvariantCulture);
        long baseKey = long.Parse(args[2], CultureInfo.InvariantCulture);
        ref var mutex = ref m.Find<InterprocessMutex>("lock").Value;
        var map = SharedMap<long, long>.Find(m, "map");
        Console.WriteLine("READY");
        if (Console.ReadLine() != "GO")
        {
            return 1;
        }

        Run(ref mutex, map, n, baseKey);
        Console.WriteLine("DONE");
        return 0;
    }

    /// <summary>The increments of <see cref="Increment"/> (also run by the test process itself).</summary>
    internal static void Run(ref InterprocessMutex mutex, SharedMap<long, long> map, int n, long baseKey)
    {
        for (int i = 0; i < n; i++)
        {
            mutex.Lock();
            try
            {
                map.GetValueRef(7)++;
                map[baseKey + i] = i;
            }
            finally
            {
                mutex.Unlock();
            }
        }
    }
}
