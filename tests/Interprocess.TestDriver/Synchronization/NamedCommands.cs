using System.Globalization;
using Interprocess.Memory;
using Interprocess.Synchronization;

namespace Interprocess.TestDriver.Synchronization;

/// <summary>Driver commands for the named mutex, recursive mutex and semaphore tests.</summary>
internal static class NamedCommands
{
    /// <summary>named-mutex-hold NAME [recursive]: locks (twice if recursive), prints LOCKED, waits for a line, unlocks.</summary>
    [DriverCommand("named-mutex-hold")]
    public static int Hold(string[] args)
    {
        if (args.Length > 1 && args[1] == "recursive")
        {
            using var r = NamedRecursiveMutex.OpenExisting(args[0]);
            r.Lock();
            r.Lock();
            Console.WriteLine("LOCKED");
            Console.ReadLine();
            r.Unlock();
            r.Unlock();
        }
        else
        {
            using var m = NamedMutex.OpenExisting(args[0]);
            m.Lock();
            Console.WriteLine("LOCKED");
            Console.ReadLine();
            m.Unlock();
        }

        Console.WriteLine("UNLOCKED");
        return 0;
    }

    /// <summary>named-mutex-status NAME [recursive]: prints WAITING, locks with Acquire (20 s), prints the status, unlocks.</summary>
    [DriverCommand("named-mutex-status")]
    public static int Status(string[] args)
    {
        LockStatus status;
        Console.WriteLine("WAITING");
        if (args.Length > 1 && args[1] == "recursive")
        {
            using var r = NamedRecursiveMutex.OpenExisting(args[0]);
            status = r.Acquire(TimeSpan.FromSeconds(20));
            Console.WriteLine(status.ToString());
            if (status != LockStatus.NotAcquired)
            {
                r.Unlock();
            }
        }
        else
        {
            using var m = NamedMutex.OpenExisting(args[0]);
            status = m.Acquire(TimeSpan.FromSeconds(20));
            Console.WriteLine(status.ToString());
            if (status != LockStatus.NotAcquired)
            {
                m.Unlock();
            }
        }

        return 0;
    }

    /// <summary>
    /// named-race KIND NAME: waits for a line (so that all racers start together), then OpenOrCreate of a
    /// mutex, recursive mutex or semaphore; prints CREATED or OPENED, then uses the object once and prints OK.
    /// </summary>
    [DriverCommand("named-race")]
    public static int Race(string[] args)
    {
        string name = args[1];
        Console.WriteLine("READY");
        Console.ReadLine();
        switch (args[0])
        {
            case "mutex":
            {
                using var m = NamedMutex.OpenOrCreate(name);
                Console.WriteLine(m.Created ? "CREATED" : "OPENED");
                m.Lock();
                m.Unlock();
                break;
            }

            case "recursive":
            {
                using var m = NamedRecursiveMutex.OpenOrCreate(name);
                Console.WriteLine(m.Created ? "CREATED" : "OPENED");
                m.Lock();
                m.Unlock();
                break;
            }

            default:
            {
                using var s = NamedSemaphore.OpenOrCreate(name, 0);
                Console.WriteLine(s.Created ? "CREATED" : "OPENED");
                s.Post();
                break;
            }
        }

        Console.WriteLine("OK");
        return 0;
    }

    /// <summary>named-mutex-increment NAME SHM N: N times lock, counter (a long at offset 0 of SHM) ++, unlock. Prints READY, waits for a line, prints DONE.</summary>
    [DriverCommand("named-mutex-increment")]
    public static int Increment(string[] args)
    {
        using var mutex = NamedMutex.OpenExisting(args[0]);
        using var shm = SharedMemoryObject.OpenExisting(args[1]);
        using var region = new MappedRegion(shm);
        long n = long.Parse(args[2], CultureInfo.InvariantCulture);
        ref long counter = ref region.GetRef<long>(0);
        Console.WriteLine("READY");
        Console.ReadLine();
        for (long i = 0; i < n; i++)
        {
            mutex.Lock();
            counter++;
            mutex.Unlock();
        }

        Console.WriteLine("DONE");
        return 0;
    }

    /// <summary>named-sem-post NAME COUNT: posts COUNT times, prints DONE.</summary>
    [DriverCommand("named-sem-post")]
    public static int SemPost(string[] args)
    {
        using var sem = NamedSemaphore.OpenExisting(args[0]);
        int count = int.Parse(args[1], CultureInfo.InvariantCulture);
        for (int i = 0; i < count; i++)
        {
            sem.Post();
        }

        Console.WriteLine("DONE");
        return 0;
    }

    /// <summary>named-sem-pingpong PING PONG ROUNDS: ROUNDS times wait on PING (10 s at most) and post PONG. Prints READY, then DONE.</summary>
    [DriverCommand("named-sem-pingpong")]
    public static int SemPingPong(string[] args)
    {
        using var ping = NamedSemaphore.OpenExisting(args[0]);
        using var pong = NamedSemaphore.OpenExisting(args[1]);
        int rounds = int.Parse(args[2], CultureInfo.InvariantCulture);
        Console.WriteLine("READY");
        for (int i = 0; i < rounds; i++)
        {
            if (!ping.TryWait(TimeSpan.FromSeconds(10)))
            {
                Console.WriteLine("TIMEOUT");
                return 1;
            }

            pong.Post();
        }

        Console.WriteLine("DONE");
        return 0;
    }

    /// <summary>named-sem-block NAME: prints WAITING and waits on the semaphore with no limit (the test kills it).</summary>
    [DriverCommand("named-sem-block")]
    public static int SemBlock(string[] args)
    {
        using var sem = NamedSemaphore.OpenExisting(args[0]);
        Console.WriteLine("WAITING");
        sem.Wait();
        Console.WriteLine("TOOK");
        return 0;
    }
}
