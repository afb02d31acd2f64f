using System.Globalization;
using Interprocess.Containers;
using Interprocess.Managed;
using Interprocess.Synchronization;

namespace Interprocess.TestDriver.Containers;

/// <summary>Driver commands for the SharedVector tests.</summary>
internal static class VectorCommands
{
    /// <summary>
    /// vector-mutate SEG: finds the mutex "lock" and the SharedVector&lt;long&gt; "v"; under the mutex prints
    /// SUM &lt;sum&gt;, doubles every element and adds 1000; prints DONE.
    /// </summary>
    [DriverCommand("vector-mutate")]
    public static int Mutate(string[] args)
    {
        using var seg = ManagedSharedMemory.OpenExisting(args[0]);
        ref var mutex = ref seg.Manager.Find<InterprocessMutex>("lock").Value;
        var v = SharedVector<long>.Find(seg.Manager, "v");
        mutex.Lock();
        try
        {
            long sum = 0;
            foreach (long x in v)
            {
                sum += x;
            }

            Console.WriteLine("SUM " + sum.ToString(CultureInfo.InvariantCulture));
            for (int i = 0; i < v.Count; i++)
            {
                v[i] *= 2;
            }

            v.Add(1000);
        }
        finally
        {
            mutex.Unlock();
        }

        Console.WriteLine("DONE");
        return 0;
    }

    /// <summary>
    /// vector-strings-create SEG N: creates the SharedVector&lt;SharedString&gt; "names" holding "name-0" .. "name-{N-1}"
    /// (every fifth one longer than the inline capacity); prints CREATED.
    /// </summary>
    [DriverCommand("vector-strings-create")]
    public static int CreateStrings(string[] args)
    {
        using var seg = ManagedSharedMemory.OpenExisting(args[0]);
        int n = int.Parse(args[1], CultureInfo.InvariantCulture);
        var v = SharedVector<SharedString>.Create(seg.Manager, "names");
        for (int i = 0; i < n; i++)
        {
            v.Add(SharedString.From(seg.Manager, Text(i)));
        }

        Console.WriteLine("CREATED");
        return 0;
    }

    /// <summary>The text of element <paramref name="i"/> in vector-strings-create.</summary>
    public static string Text(int i) => i % 5 == 0 ? $"name-{i}-" + new string('x', 40) : $"name-{i}";

    /// <summary>vector-read-only SEG: opens the segment read-only, prints COUNT n and the outcome of an Add (REFUSED or ADDED).</summary>
    [DriverCommand("vector-read-only")]
    public static int ReadOnly(string[] args)
    {
        using var seg = ManagedSharedMemory.OpenReadOnly(args[0]);
        var v = SharedVector<long>.Find(seg.Manager, "v");
        Console.WriteLine("COUNT " + v.Count.ToString(CultureInfo.InvariantCulture) + " FIRST " + v.Get(0).ToString(CultureInfo.InvariantCulture));
        try
        {
            v.Add(1);
            Console.WriteLine("ADDED");
        }
        catch (NotSupportedException)
        {
            Console.WriteLine("REFUSED");
        }

        return 0;
    }
}
