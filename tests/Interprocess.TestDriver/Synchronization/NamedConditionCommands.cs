using System.Globalization;
using Interprocess.Memory;
using Interprocess.Synchronization;

namespace Interprocess.TestDriver.Synchronization;

/// <summary>Driver commands for the named condition, sharable mutex and upgradable mutex tests.</summary>
internal static class NamedConditionCommands
{
    /// <summary>Offset of the "slot full" flag (int) in the producer/consumer region.</summary>
    private const int FullOffset = 0;

    /// <summary>Offset of the slot's value (int) in the producer/consumer region.</summary>
    private const int ValueOffset = 4;

    /// <summary>
    /// ncond-produce KIND LOCK NOTEMPTY NOTFULL SHM N: puts 0..N-1 one at a time into a one-item slot in SHM
    /// (int full at 0, int value at 4), waiting on NOTFULL while it is full and notifying NOTEMPTY. KIND says which
    /// lock and condition: mutex (NamedMutex + NamedCondition), sharable (NamedSharableMutex's exclusive side +
    /// NamedConditionAny), recursive (NamedRecursiveMutex + NamedConditionAny). Prints DONE or TIMEOUT.
    /// </summary>
    [DriverCommand("ncond-produce")]
    public static int Produce(string[] args)
    {
        using var shm = SharedMemoryObject.OpenExisting(args[4]);
        using var region = new MappedRegion(shm);
        int n = int.Parse(args[5], CultureInfo.InvariantCulture);
        var timeout = TimeSpan.FromSeconds(20);
        bool IsNotFull() => region.Read<int>(FullOffset) == 0;

        if (args[0] == "mutex")
        {
            using var mutex = NamedMutex.OpenExisting(args[1]);
            using var notEmpty = NamedCondition.OpenExisting(args[2]);
            using var notFull = NamedCondition.OpenExisting(args[3]);
            for (int i = 0; i < n; i++)
            {
                mutex.Lock();
                bool ok = notFull.Wait(mutex, timeout, IsNotFull);
                Put(region, i, ok);
                notEmpty.NotifyOne();
                mutex.Unlock();
                if (!ok)
                {
                    Console.WriteLine("TIMEOUT");
                    return 1;
                }
            }
        }
        else
        {
            using IDisposable lockHandle = args[0] == "sharable"
                ? NamedSharableMutex.OpenExisting(args[1])
                : NamedRecursiveMutex.OpenExisting(args[1]);
            var lockable = (IExclusiveLockable)lockHandle;
            using var notEmpty = NamedConditionAny.OpenExisting(args[2]);
            using var notFull = NamedConditionAny.OpenExisting(args[3]);
            for (int i = 0; i < n; i++)
            {
                lockable.Lock();
                bool ok = notFull.Wait(lockable, timeout, IsNotFull);
                Put(region, i, ok);
                notEmpty.NotifyOne();
                lockable.Unlock();
                if (!ok)
                {
                    Console.WriteLine("TIMEOUT");
                    return 1;
                }
            }
        }

        Console.WriteLine("DONE");
        return 0;
    }

    /// <summary>
    /// ncond-wait-go MUTEX COND SHM: under MUTEX, adds one to the waiter count (int at 4 of SHM), then waits on COND
    /// (20 s at most) until the go flag (int at 0) is set. Prints WOKE, or TIMEOUT if the flag never came.
    /// </summary>
    [DriverCommand("ncond-wait-go")]
    public static int WaitGo(string[] args)
    {
        using var mutex = NamedMutex.OpenExisting(args[0]);
        using var cond = NamedCondition.OpenExisting(args[1]);
        using var shm = SharedMemoryObject.OpenExisting(args[2]);
        using var region = new MappedRegion(shm);
        mutex.Lock();
        region.GetRef<int>(4)++;
        bool woke = cond.Wait(mutex, TimeSpan.FromSeconds(20), () => region.Read<int>(0) != 0);
        mutex.Unlock();
        Console.WriteLine(woke ? "WOKE" : "TIMEOUT");
        return woke ? 0 : 1;
    }

    /// <summary>
    /// nrw-hold KIND NAME MODE: opens a NamedSharableMutex (KIND sharable) or NamedUpgradableMutex (KIND upgradable),
    /// locks it in MODE (shared, exclusive or upgradable), prints LOCKED, waits for a line, unlocks, prints UNLOCKED.
    /// </summary>
    [DriverCommand("nrw-hold")]
    public static int Hold(string[] args)
    {
        ISharableLockable rw = args[0] == "sharable" ? NamedSharableMutex.OpenExisting(args[1]) : NamedUpgradableMutex.OpenExisting(args[1]);
        using var handle = (IDisposable)rw;
        Action unlock;
        switch (args[2])
        {
            case "shared":
                rw.LockSharable();
                unlock = rw.UnlockSharable;
                break;
            case "exclusive":
                rw.Lock();
                unlock = rw.Unlock;
                break;
            default:
                var upgradable = (IUpgradableLockable)rw;
                upgradable.LockUpgradable();
                unlock = upgradable.UnlockUpgradable;
                break;
        }

        Console.WriteLine("LOCKED");
        Console.ReadLine();
        unlock();
        Console.WriteLine("UNLOCKED");
        return 0;
    }

    /// <summary>
    /// nupg-upgrade NAME: takes the upgradable lock of a NamedUpgradableMutex, prints UPGRADABLE, upgrades it
    /// (waiting for the readers inside), prints EXCLUSIVE, waits for a line, unlocks, prints UNLOCKED.
    /// </summary>
    [DriverCommand("nupg-upgrade")]
    public static int Upgrade(string[] args)
    {
        using var rw = NamedUpgradableMutex.OpenExisting(args[0]);
        rw.LockUpgradable();
        Console.WriteLine("UPGRADABLE");
        rw.UnlockUpgradableAndLock();
        Console.WriteLine("EXCLUSIVE");
        Console.ReadLine();
        rw.Unlock();
        Console.WriteLine("UNLOCKED");
        return 0;
    }

    private static void Put(MappedRegion region, int value, bool ok)
    {
        if (ok)
        {
            region.Write(ValueOffset, value);
            region.Write(FullOffset, 1);
        }
    }
}
