using System.Globalization;
using Interprocess.Memory;
using Interprocess.Synchronization;

namespace Interprocess.TestDriver.Synchronization;

/// <summary>
/// Driver commands for the sharable and upgradable mutex tests. The shared layout: the mutex at offset 0
/// (an <see cref="InterprocessUpgradableMutex"/>, or an <see cref="InterprocessSharableMutex"/> when the
/// command is given "sharable"), two longs A and B at 512 and 520 that writers keep equal, a long count of
/// writes at 528.
/// </summary>
internal static class SharableCommands
{
    /// <summary>
    /// sharable-hold SHM MODE [sharable]: MODE is exclusive, sharable or upgradable. Prints WAITING, takes the lock,
    /// (exclusive: writes A = -1, half an update), prints the LockStatus, waits for a line, unlocks, prints UNLOCKED.
    /// </summary>
    [DriverCommand("sharable-hold")]
    public static int Hold(string[] args)
    {
        using var shm = SharedMemoryObject.OpenExisting(args[0]);
        using var region = new MappedRegion(shm);
        string mode = args[1];
        bool sharableType = args.Length > 2 && args[2] == "sharable";
        Console.WriteLine("WAITING");
        LockStatus status = Take(region, mode, sharableType);
        if (mode == "exclusive")
        {
            region.Write(512, -1L);
        }

        Console.WriteLine(status.ToString());
        Console.ReadLine();
        Release(region, mode, sharableType);
        Console.WriteLine("UNLOCKED");
        return 0;
    }

    /// <summary>
    /// sharable-stress SHM N [sharable]: N iterations; every fourth one writes (A++, B++, writes++ under the
    /// exclusive lock), the others read and check A == B under a sharable lock. Prints READY, waits for a line,
    /// then prints "DONE violations".
    /// </summary>
    [DriverCommand("sharable-stress")]
    public static int Stress(string[] args)
    {
        using var shm = SharedMemoryObject.OpenExisting(args[0]);
        using var region = new MappedRegion(shm);
        int n = int.Parse(args[1], CultureInfo.InvariantCulture);
        bool sharableType = args.Length > 2 && args[2] == "sharable";
        Console.WriteLine("READY");
        Console.ReadLine();
        int violations = 0;
        for (int i = 0; i < n; i++)
        {
            bool write = (i & 3) == 0;
            Take(region, write ? "exclusive" : "sharable", sharableType);
            ref long a = ref region.GetRef<long>(512);
            ref long b = ref region.GetRef<long>(520);
            if (write)
            {
                a++;
                Thread.SpinWait(20);
                b++;
                region.GetRef<long>(528)++;
            }
            else if (Volatile.Read(ref a) != Volatile.Read(ref b))
            {
                violations++;
            }

            Release(region, write ? "exclusive" : "sharable", sharableType);
        }

        Console.WriteLine($"DONE {violations}");
        return 0;
    }

    private static LockStatus Take(MappedRegion region, string mode, bool sharableType)
    {
        if (sharableType)
        {
            ref var m = ref region.GetRef<InterprocessSharableMutex>(0);
            return mode switch
            {
                "exclusive" => m.Acquire(Timeout.InfiniteTimeSpan),
                "sharable" => m.AcquireSharable(Timeout.InfiniteTimeSpan),
                _ => throw new ArgumentException(mode),
            };
        }

        ref var u = ref region.GetRef<InterprocessUpgradableMutex>(0);
        return mode switch
        {
            "exclusive" => u.Acquire(Timeout.InfiniteTimeSpan),
            "sharable" => u.AcquireSharable(Timeout.InfiniteTimeSpan),
            "upgradable" => u.AcquireUpgradable(Timeout.InfiniteTimeSpan),
            _ => throw new ArgumentException(mode),
        };
    }

    private static void Release(MappedRegion region, string mode, bool sharableType)
    {
        if (sharableType)
        {
            ref var m = ref region.GetRef<InterprocessSharableMutex>(0);
            if (mode == "exclusive")
            {
                m.Unlock();
            }
            else
            {
                m.UnlockSharable();
            }

            return;
        }

        ref var u = ref region.GetRef<InterprocessUpgradableMutex>(0);
        switch (mode)
        {
            case "exclusive": u.Unlock(); break;
            case "sharable": u.UnlockSharable(); break;
            default: u.UnlockUpgradable(); break;
        }
    }
}
