using System.Globalization;
using Interprocess.Memory;
using Interprocess.Synchronization;

namespace Interprocess.TestDriver.Synchronization;

/// <summary>Driver commands for the mutex tests. The shared layout: an InterprocessMutex at offset 0, a long counter at 64.</summary>
internal static class MutexCommands
{
    /// <summary>mutex-hold SHM [recursive]: locks the mutex, prints LOCKED, then waits for a line and unlocks (or is killed).</summary>
    [DriverCommand("mutex-hold")]
    public static int Hold(string[] args)
    {
        using var shm = SharedMemoryObject.OpenExisting(args[0]);
        using var region = new MappedRegion(shm);
        bool recursive = args.Length > 1 && args[1] == "recursive";
        if (recursive)
        {
            ref var m = ref region.GetRef<InterprocessRecursiveMutex>(0);
            m.Lock();
            m.Lock();
        }
        else
        {
            region.GetRef<InterprocessMutex>(0).Lock();
        }

        // Half of an update: the test checks it can tell the data may be inconsistent.
        region.Write(64, -1L);
        Console.WriteLine("LOCKED");
        Console.ReadLine();
        if (recursive)
        {
            region.GetRef<InterprocessRecursiveMutex>(0).Unlock();
            region.GetRef<InterprocessRecursiveMutex>(0).Unlock();
        }
        else
        {
            region.GetRef<InterprocessMutex>(0).Unlock();
        }

        Console.WriteLine("UNLOCKED");
        return 0;
    }

    /// <summary>mutex-increment SHM N: N times lock, counter++, unlock. Prints DONE.</summary>
    [DriverCommand("mutex-increment")]
    public static int Increment(string[] args)
    {
        using var shm = SharedMemoryObject.OpenExisting(args[0]);
        using var region = new MappedRegion(shm);
        long n = long.Parse(args[1], CultureInfo.InvariantCulture);
        ref var mutex = ref region.GetRef<InterprocessMutex>(0);
        ref long counter = ref region.GetRef<long>(64);
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

    /// <summary>mutex-lock-status SHM: locks with Acquire and prints the status, then unlocks.</summary>
    [DriverCommand("mutex-lock-status")]
    public static int LockStatusCommand(string[] args)
    {
        using var shm = SharedMemoryObject.OpenExisting(args[0]);
        using var region = new MappedRegion(shm);
        ref var mutex = ref region.GetRef<InterprocessMutex>(0);
        var status = mutex.Acquire(TimeSpan.FromSeconds(20));
        Console.WriteLine(status.ToString());
        if (status != LockStatus.NotAcquired)
        {
            mutex.Unlock();
        }

        return 0;
    }
}
