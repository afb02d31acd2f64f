using System.Diagnostics;
using System.Globalization;
using Interprocess.Memory;
using Interprocess.Synchronization;

namespace Interprocess.TestDriver.Synchronization;

/// <summary>
/// Driver commands for the semaphore and condition tests.
/// Semaphore layout: semaphore A at 0, semaphore B at 16, a long value at 64.
/// Condition layout: see <see cref="CondLayout"/>.
/// </summary>
internal static class SemaphoreConditionCommands
{
    private static int Int(string s) => int.Parse(s, CultureInfo.InvariantCulture);

    /// <summary>sem-wait SHM OFFSET N: prints READY, takes N units from the semaphore at OFFSET, prints DONE.</summary>
    [DriverCommand("sem-wait")]
    public static int SemWait(string[] args)
    {
        using var shm = SharedMemoryObject.OpenExisting(args[0]);
        using var region = new MappedRegion(shm);
        ref var sem = ref region.GetRef<InterprocessSemaphore>(Int(args[1]));
        int n = Int(args[2]);
        Console.WriteLine("READY");
        for (int i = 0; i < n; i++)
        {
            sem.Wait();
        }

        Console.WriteLine("DONE");
        return 0;
    }

    /// <summary>sem-post SHM OFFSET N: waits for a line, posts N units one at a time, prints DONE.</summary>
    [DriverCommand("sem-post")]
    public static int SemPost(string[] args)
    {
        using var shm = SharedMemoryObject.OpenExisting(args[0]);
        using var region = new MappedRegion(shm);
        ref var sem = ref region.GetRef<InterprocessSemaphore>(Int(args[1]));
        int n = Int(args[2]);
        Console.WriteLine("READY");
        Console.ReadLine();
        for (int i = 0; i < n; i++)
        {
            sem.Post();
        }

        Console.WriteLine("DONE");
        return 0;
    }

    /// <summary>
    /// sem-pong SHM N: the other half of a ping-pong: N times wait A, check value == 2i+1, write 2i+2, post B.
    /// Prints READY, then DONE, or BAD i value on a value out of order.
    /// </summary>
    [DriverCommand("sem-pong")]
    public static int SemPong(string[] args)
    {
        using var shm = SharedMemoryObject.OpenExisting(args[0]);
        using var region = new MappedRegion(shm);
        ref var a = ref region.GetRef<InterprocessSemaphore>(0);
        ref var b = ref region.GetRef<InterprocessSemaphore>(16);
        ref long value = ref region.GetRef<long>(64);
        int n = Int(args[1]);
        Console.WriteLine("READY");
        for (int i = 0; i < n; i++)
        {
            a.Wait();
            long v = value;
            if (v != (2L * i) + 1)
            {
                Console.WriteLine($"BAD {i} {v}");
                return 1;
            }

            value = (2L * i) + 2;
            b.Post();
        }

        Console.WriteLine("DONE");
        return 0;
    }

    /// <summary>The condition tests' layout.</summary>
    internal static class CondLayout
    {
        /// <summary>An <see cref="InterprocessMutex"/>.</summary>
        internal const int Mutex = 0;
        /// <summary>The condition (plain or any) waiters wait on / consumers wait on (not empty).</summary>
        internal const int Condition = 64;
        /// <summary>A second condition: producers wait on it (not full).</summary>
        internal const int NotFull = 80;
        /// <summary>int: a flag or a count of tickets.</summary>
        internal const int Flag = 128;
        /// <summary>int: items in the ring.</summary>
        internal const int Count = 132;
        /// <summary>int: the ring's read index.</summary>
        internal const int Head = 136;
        /// <summary>The ring: <see cref="Capacity"/> longs.</summary>
        internal const int Ring = 256;
        /// <summary>The ring's capacity.</summary>
        internal const int Capacity = 4;
    }

    /// <summary>
    /// cond-wait SHM [any]: locks the mutex, prints LOCKED, waits on the condition until Flag (a ticket count)
    /// is above 0, takes a ticket, prints WOKE, unlocks.
    /// </summary>
    [DriverCommand("cond-wait")]
    public static int CondWait(string[] args)
    {
        using var shm = SharedMemoryObject.OpenExisting(args[0]);
        using var region = new MappedRegion(shm);
        bool any = args.Length > 1 && args[1] == "any";
        ref var mutex = ref region.GetRef<InterprocessMutex>(CondLayout.Mutex);
        mutex.Lock();
        Console.WriteLine("LOCKED");
        Func<bool> hasTicket = () => region.Read<int>(CondLayout.Flag) > 0;
        if (any)
        {
            region.GetRef<InterprocessConditionAny>(CondLayout.Condition).Wait(ref mutex, hasTicket);
        }
        else
        {
            region.GetRef<InterprocessCondition>(CondLayout.Condition).Wait(ref mutex, hasTicket);
        }

        region.GetRef<int>(CondLayout.Flag)--;
        Console.WriteLine("WOKE");
        mutex.Unlock();
        return 0;
    }

    /// <summary>
    /// cond-notify-and-hold SHM: locks the mutex, sets Flag to 1, notifies all, prints NOTIFIED and keeps the
    /// mutex until killed.
    /// </summary>
    [DriverCommand("cond-notify-and-hold")]
    public static int CondNotifyAndHold(string[] args)
    {
        using var shm = SharedMemoryObject.OpenExisting(args[0]);
        using var region = new MappedRegion(shm);
        ref var mutex = ref region.GetRef<InterprocessMutex>(CondLayout.Mutex);
        mutex.Lock();
        region.Write(CondLayout.Flag, 1);
        region.GetRef<InterprocessCondition>(CondLayout.Condition).NotifyAll();
        Console.WriteLine("NOTIFIED");
        Console.ReadLine();
        return 0;
    }

    /// <summary>
    /// cond-produce SHM N [any]: puts 1..N into the bounded ring, waiting on NotFull when full and notifying
    /// the consumer condition. Prints READY (after a line), then DONE.
    /// </summary>
    [DriverCommand("cond-produce")]
    public static int CondProduce(string[] args)
    {
        using var shm = SharedMemoryObject.OpenExisting(args[0]);
        using var region = new MappedRegion(shm);
        int n = Int(args[1]);
        bool any = args.Length > 2 && args[2] == "any";
        ref var mutex = ref region.GetRef<InterprocessMutex>(CondLayout.Mutex);
        Func<bool> notFull = () => region.Read<int>(CondLayout.Count) < CondLayout.Capacity;
        Console.WriteLine("READY");
        Console.ReadLine();
        for (int i = 1; i <= n; i++)
        {
            mutex.Lock();
            if (any)
            {
                region.GetRef<InterprocessConditionAny>(CondLayout.NotFull).Wait(ref mutex, notFull);
            }
            else
            {
                region.GetRef<InterprocessCondition>(CondLayout.NotFull).Wait(ref mutex, notFull);
            }

            int count = region.Read<int>(CondLayout.Count);
            int tail = (region.Read<int>(CondLayout.Head) + count) % CondLayout.Capacity;
            region.Write(CondLayout.Ring + (tail * 8), (long)i);
            region.Write(CondLayout.Count, count + 1);
            if (any)
            {
                region.GetRef<InterprocessConditionAny>(CondLayout.Condition).NotifyOne();
            }
            else
            {
                region.GetRef<InterprocessCondition>(CondLayout.Condition).NotifyOne();
            }

            mutex.Unlock();
        }

        Console.WriteLine("DONE");
        return 0;
    }

    /// <summary>
    /// cond-consume SHM N [any]: takes N values from the ring, checking they come as 1..N in order. Prints READY,
    /// then DONE, or BAD expected got.
    /// </summary>
    [DriverCommand("cond-consume")]
    public static int CondConsume(string[] args)
    {
        using var shm = SharedMemoryObject.OpenExisting(args[0]);
        using var region = new MappedRegion(shm);
        int n = Int(args[1]);
        bool any = args.Length > 2 && args[2] == "any";
        ref var mutex = ref region.GetRef<InterprocessMutex>(CondLayout.Mutex);
        Func<bool> notEmpty = () => region.Read<int>(CondLayout.Count) > 0;
        Console.WriteLine("READY");
        for (int i = 1; i <= n; i++)
        {
            mutex.Lock();
            if (any)
            {
                region.GetRef<InterprocessConditionAny>(CondLayout.Condition).Wait(ref mutex, notEmpty);
            }
            else
            {
                region.GetRef<InterprocessCondition>(CondLayout.Condition).Wait(ref mutex, notEmpty);
            }

            int head = region.Read<int>(CondLayout.Head);
            long v = region.Read<long>(CondLayout.Ring + (head * 8));
            region.Write(CondLayout.Head, (head + 1) % CondLayout.Capacity);
            region.Write(CondLayout.Count, region.Read<int>(CondLayout.Count) - 1);
            if (any)
            {
                region.GetRef<InterprocessConditionAny>(CondLayout.NotFull).NotifyOne();
            }
            else
            {
                region.GetRef<InterprocessCondition>(CondLayout.NotFull).NotifyOne();
            }

            mutex.Unlock();
            if (v != i)
            {
                Console.WriteLine($"BAD {i} {v}");
                return 1;
            }
        }

        Console.WriteLine("DONE");
        return 0;
    }

    /// <summary>
    /// sem-bench N: a manual measurement (not used by tests): creates the memory, starts sem-pong in a child
    /// process and prints the mean round trip of N ping-pongs in ns (after N/10 warm-up round trips).
    /// </summary>
    [DriverCommand("sem-bench")]
    public static int SemBench(string[] args)
    {
        string name = "ipt-sembench-" + Guid.NewGuid().ToString("N");
        int n = Int(args[0]);
        int warm = n / 10;
        using var shm = SharedMemoryObject.CreateNew(name, 4096);
        try
        {
            using var region = new MappedRegion(shm);
            region.GetRef<InterprocessSemaphore>(0).Initialize(0);
            region.GetRef<InterprocessSemaphore>(16).Initialize(0);
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
            psi.ArgumentList.Add(typeof(SemaphoreConditionCommands).Assembly.Location);
            psi.ArgumentList.Add("sem-pong");
            psi.ArgumentList.Add(name);
            psi.ArgumentList.Add((n + warm).ToString(CultureInfo.InvariantCulture));
            using var child = Process.Start(psi)!;
            _ = child.StandardOutput.ReadLine();
            ref var a = ref region.GetRef<InterprocessSemaphore>(0);
            ref var b = ref region.GetRef<InterprocessSemaphore>(16);
            ref long value = ref region.GetRef<long>(64);
            var sw = new Stopwatch();
            for (int i = 0; i < n + warm; i++)
            {
                if (i == warm)
                {
                    sw.Start();
                }

                value = (2L * i) + 1;
                a.Post();
                b.Wait();
            }

            sw.Stop();
            Console.WriteLine("rtt_ns " + ((double)sw.Elapsed.Ticks * 100 / n).ToString("F0", CultureInfo.InvariantCulture));
            Console.WriteLine(child.StandardOutput.ReadLine());
            child.WaitForExit();
        }
        finally
        {
            SharedMemoryObject.Remove(name);
        }

        return 0;
    }
}
