using System.Globalization;
using Interprocess.Containers;
using Interprocess.Managed;
using Interprocess.Synchronization;

namespace Interprocess.TestDriver.Containers;

/// <summary>Driver commands for the hash container tests (the segment holds an InterprocessMutex named "lock").</summary>
internal static class HashCommands
{
    /// <summary>
    /// hash-child SEG: finds the map "map" (long -> long) and the set "set", prints "MAP count sum" and
    /// "SET count", then under the lock adds keys 1000..1099 (value 2*key), removes key 0, adds 1000 to the set
    /// and prints DONE.
    /// </summary>
    [DriverCommand("hash-child")]
    public static int Child(string[] args)
    {
        using var shm = ManagedSharedMemory.OpenExisting(args[0]);
        var m = shm.Manager;
        ref var mutex = ref m.Find<InterprocessMutex>("lock").Value;
        var map = SharedHashMap<long, long>.Find(m, "map");
        var set = SharedHashSet<long>.Find(m, "set");
        mutex.Lock();
        try
        {
            long sum = 0;
            foreach (var kv in map)
            {
                sum += kv.Value;
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"MAP {map.Count} {sum}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"SET {set.Count} {set.Contains(7)}"));
            for (long k = 1000; k < 1100; k++)
            {
                map[k] = 2 * k;
            }

            map.Remove(0);
            map.GetValueRef(1) = -1;
            set.Add(1000);
        }
        finally
        {
            mutex.Unlock();
        }

        Console.WriteLine("DONE");
        return 0;
    }

    /// <summary>hash-readonly SEG: opens the segment read-only, prints "READ count value-of-1", then tries to write and prints REFUSED.</summary>
    [DriverCommand("hash-readonly")]
    public static int ReadOnly(string[] args)
    {
        using var shm = ManagedSharedMemory.OpenReadOnly(args[0]);
        var map = SharedHashMap<long, long>.Find(shm.Manager, "map");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"READ {map.Count} {map[1]}"));
        try
        {
            map[5] = 5;
            Console.WriteLine("WROTE");
        }
        catch (NotSupportedException)
        {
            Console.WriteLine("REFUSED");
        }

        return 0;
    }
}
