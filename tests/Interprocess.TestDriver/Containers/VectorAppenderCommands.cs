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
    /// every index i through one appender per round, until it is killed: 16,384 elements by Add one at a time, then
    /// 131,072 by one AddRange, and again (a kill lands in either; a count published ahead of an AddRange's copy
    /// would show, the copy being the longer window). Prints APPENDING after the first
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
        const int AddBlock = 16_384;
        const int RangeBlock = 131_072;
        var block = new long[RangeBlock];
        mutex.Lock();
        v.Clear();
        bool announced = false;
        for (int round = 1; ; round++)
        {
            using (var app = v.BeginAppend())
            {
                bool byAdd = true;
                for (int i = 0; i < limit; byAdd = !byAdd)
                {
                    int n = Math.Min(byAdd ? AddBlock : RangeBlock, limit - i);
                    if (byAdd)
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

                    i += n;

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
