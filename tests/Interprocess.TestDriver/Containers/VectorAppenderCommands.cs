using System.Globalization;
using Interprocess.Containers;
using Interprocess.Managed;
using Interprocess.Synchronization;

namespace Interprocess.TestDriver.Containers;

/// <summary>Driver commands for the SharedVector&lt;T&gt;.Appender tests (the mutex "lock" guards the SharedVector&lt;long&gt; "v").</summary>
internal static class VectorAppenderCommands
{
    /// <summary>The value appended at index <paramref name="i"/> by vector-appender-append and checked by vector-appender-check (never 0).</summary>
    public static long Value(long i) => (i * 7919) + 13;

    /// <summary>The value vector-appender-flood appends at index <paramref name="i"/> in round <paramref name="round"/> (1, 2, ...; never 0).</summary>
    public static long FloodValue(int round, long i) => ((long)round << 40) | i;

    /// <summary>
    /// vector-appender-append SEG N: under the mutex, appends <c>Value(Count)</c> .. through one appender until the
    /// vector has N more elements (the first half one by one, the rest with one AddRange); prints APPENDED &lt;count&gt;.
    /// </summary>
    [DriverCommand("vector-appender-append")]
    public static int Append(string[] args)
    {
        using var seg = ManagedSharedMemory.OpenExisting(args[0]);
        int n = int.Parse(args[1], CultureInfo.InvariantCulture);
        ref var mutex = ref seg.Manager.Find<InterprocessMutex>("lock").Value;
        var v = SharedVector<long>.Find(seg.Manager, "v");
        mutex.Lock();
        try
        {
            using var app = v.BeginAppend();
            int start = app.Count;
            for (int i = 0; i < n / 2; i++)
            {
                app.Add(Value(start + i));
            }

            var rest = new long[n - (n / 2)];
            for (int i = 0; i < rest.Length; i++)
            {
                rest[i] = Value(start + (n / 2) + i);
            }

            app.AddRange(rest);
            Console.WriteLine("APPENDED " + app.Count.ToString(CultureInfo.InvariantCulture));
        }
        finally
        {
            mutex.Unlock();
        }

        return 0;
    }

    /// <summary>vector-appender-check SEG: under the mutex, prints COUNT &lt;n&gt;, then OK if every element i is Value(i), else BAD &lt;i&gt; &lt;value&gt;.</summary>
    [DriverCommand("vector-appender-check")]
    public static int Check(string[] args)
    {
        using var seg = ManagedSharedMemory.OpenExisting(args[0]);
        ref var mutex = ref seg.Manager.Find<InterprocessMutex>("lock").Value;
        var v = SharedVector<long>.Find(seg.Manager, "v");
        mutex.Lock();
        try
        {
            var span = v.AsReadOnlySpan();
            Console.WriteLine("COUNT " + span.Length.ToString(CultureInfo.InvariantCulture));
            for (int i = 0; i < span.Length; i++)
            {
                if (span[i] != Value(i))
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"BAD {i} {span[i]}"));
                    return 0;
                }
            }

            Console.WriteLine("OK");
        }
        finally
        {
            mutex.Unlock();
        }

        return 0;
    }

    /// <summary>
    /// vector-appender-flood SEG LIMIT: locks the mutex, clears the vector and appends <c>FloodValue(round, i)</c> at
    /// every index i through one appender per round, until it is killed: in blocks of 32,768 elements, one block by
    /// Add one at a time, the next by one AddRange (so a kill lands in either). Prints APPENDING after the first
    /// 100,000 elements. A round ends at LIMIT elements: the appender is disposed, the vector cleared and its buffer
    /// freed (ShrinkToFit), so the next round grows from empty again, over memory that still holds the previous
    /// round's values.
    /// </summary>
    [DriverCommand("vector-appender-flood")]
    public static int Flood(string[] args)
    {
        using var seg = ManagedSharedMemory.OpenExisting(args[0]);
        int limit = int.Parse(args[1], CultureInfo.InvariantCulture);
        ref var mutex = ref seg.Manager.Find<InterprocessMutex>("lock").Value;
        var v = SharedVector<long>.Find(seg.Manager, "v");
        const int Block = 32_768;
        var block = new long[Block];
        mutex.Lock();
        v.Clear();
        bool announced = false;
        for (int round = 1; ; round++)
        {
            using (var app = v.BeginAppend())
            {
                for (int i = 0; i < limit; i += Block)
                {
                    int n = Math.Min(Block, limit - i);
                    if ((i / Block) % 2 == 0)
                    {
                        for (int j = 0; j < n; j++)
                        {
                            app.Add(FloodValue(round, i + j));
                        }
                    }
                    else
                    {
                        for (int j = 0; j < n; j++)
                        {
                            block[j] = FloodValue(round, i + j);
                        }

                        app.AddRange(block.AsSpan(0, n));
                    }

                    if (!announced && i >= 100_000)
                    {
                        Console.WriteLine("APPENDING");
                        announced = true;
                    }
                }
            }

            v.Clear();
            v.ShrinkToFit();
        }
    }
}
