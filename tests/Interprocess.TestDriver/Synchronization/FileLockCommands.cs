using Interprocess.Synchronization;

namespace Interprocess.TestDriver.Synchronization;

/// <summary>Driver commands for the FileLock tests.</summary>
internal static class FileLockCommands
{
    /// <summary>filelock-hold PATH exclusive|sharable: locks, prints LOCKED, waits for a line, unlocks, prints UNLOCKED.</summary>
    [DriverCommand("filelock-hold")]
    public static int Hold(string[] args)
    {
        using var fileLock = new FileLock(args[0]);
        bool exclusive = args[1] == "exclusive";
        if (exclusive)
        {
            fileLock.Lock();
        }
        else
        {
            fileLock.LockSharable();
        }

        Console.WriteLine("LOCKED");
        Console.ReadLine();
        if (exclusive)
        {
            fileLock.Unlock();
        }
        else
        {
            fileLock.UnlockSharable();
        }

        Console.WriteLine("UNLOCKED");
        return 0;
    }

    /// <summary>filelock-try PATH exclusive|sharable: one try; prints ACQUIRED or BUSY.</summary>
    [DriverCommand("filelock-try")]
    public static int Try(string[] args)
    {
        using var fileLock = new FileLock(args[0]);
        bool ok = args[1] == "exclusive" ? fileLock.TryLock() : fileLock.TryLockSharable();
        Console.WriteLine(ok ? "ACQUIRED" : "BUSY");
        return 0;
    }

    /// <summary>filelock-wait PATH exclusive|sharable: prints WAITING, takes the lock with the blocking call, prints ACQUIRED.</summary>
    [DriverCommand("filelock-wait")]
    public static int Wait(string[] args)
    {
        using var fileLock = new FileLock(args[0]);
        Console.WriteLine("WAITING");
        if (args[1] == "exclusive")
        {
            fileLock.Lock();
        }
        else
        {
            fileLock.LockSharable();
        }

        Console.WriteLine("ACQUIRED");
        return 0;
    }
}
