using Interprocess.Synchronization;

namespace Examples;

/// <summary>
/// Boost's doc_file_lock.cpp: a <see cref="FileLock"/> on an existing file, taken exclusively (blocking) and then
/// with a try. Here a child process joins in: while the parent holds the exclusive lock the child's tries fail and its
/// blocking lock waits; when the parent has written its line and unlocks, the child gets the lock and appends its
/// own. Then both hold sharable locks at once.
/// </summary>
internal static class FileLockExample
{
    public static readonly Example Info = new("file-lock", "doc_file_lock.cpp",
        "exclusive, try and sharable FileLocks on one file, taken by two processes in turn", Run);

    private static int Run(string[] args)
    {
        if (args is ["child", var childPath])
        {
            using var fileLock = new FileLock(childPath);
            bool triedExclusive = fileLock.TryLock();
            bool triedSharable = fileLock.TryLockSharable();
            Console.WriteLine($"  child: while the parent holds the lock: TryLock {triedExclusive}, TryLockSharable {triedSharable}");
            File.WriteAllText(childPath + ".tried", "");        // tell the parent the tries are done
            if (triedExclusive || triedSharable)
            {
                return 1;
            }

            fileLock.Lock();                                     // waits until the parent unlocks
            try
            {
                File.AppendAllText(childPath, "child: appended after the parent unlocked\n");
            }
            finally
            {
                fileLock.Unlock();
            }

            Console.WriteLine("  child: got the exclusive lock, appended a line, unlocked");
            fileLock.LockSharable();
            Console.WriteLine($"  child: holding a sharable lock, the file has {File.ReadAllLines(childPath).Length} lines");
            fileLock.UnlockSharable();
            return 0;
        }

        string path = Path.Combine(Path.GetTempPath(), $"example-file-lock-{Guid.NewGuid():N}");
        try
        {
            File.WriteAllText(path, "");                        // a file lock needs an existing file
            using var fileLock = new FileLock(path);

            // Boost's example: an exclusive lock, released; then a try, which succeeds since no one holds it.
            fileLock.Lock();
            fileLock.Unlock();
            bool tried = fileLock.TryLock();
            Console.WriteLine($"parent: exclusive lock taken and released; TryLock with no one holding it: {tried}");
            if (!tried)
            {
                return 1;
            }

            // Keep it while a child tries, then write and let the child in.
            using var child = Child.Start(Info.Name, path);
            var deadline = DateTime.UtcNow + Child.Timeout;
            while (!File.Exists(path + ".tried") && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(10);
            }

            File.AppendAllText(path, "parent: written under the exclusive lock\n");
            fileLock.Unlock();
            Console.WriteLine("parent: wrote a line and unlocked");
            if (Child.WaitForExit(child) != 0)
            {
                return 1;
            }

            fileLock.LockSharable();
            string[] lines = File.ReadAllLines(path);
            bool otherSharableToo;
            using (var second = new FileLock(path))             // another owner: a sharable lock is shared
            {
                bool exclusiveRefused = !second.TryLock();
                otherSharableToo = second.TryLockSharable();
                Console.WriteLine($"parent: holding a sharable lock, another FileLock: TryLockSharable {otherSharableToo}, TryLock refused {exclusiveRefused}");
                otherSharableToo &= exclusiveRefused;
            }

            fileLock.UnlockSharable();
            Console.WriteLine($"parent: the file, in order: {string.Join(" | ", lines)}");
            if (lines.Length != 2 || !lines[0].StartsWith("parent:", StringComparison.Ordinal) || !lines[1].StartsWith("child:", StringComparison.Ordinal) || !otherSharableToo)
            {
                return 1;
            }

            Console.WriteLine("OK: the file lock kept the two processes' writes in turn");
            return 0;
        }
        finally
        {
            File.Delete(path);
            File.Delete(path + ".tried");
        }
    }
}
