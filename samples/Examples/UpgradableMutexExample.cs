using System.Runtime.CompilerServices;
using System.Text;
using Interprocess.Memory;
using Interprocess.Synchronization;

namespace Examples;

/// <summary>
/// Boost's doc_upgradable_mutexA.cpp / doc_upgradable_mutexB.cpp (shared_data): lines in shared memory guarded
/// by an <see cref="InterprocessUpgradableMutex"/>. Both processes write 100 lines under exclusive locks; then
/// the parent reads under a sharable lock, and finally takes an upgradable lock, checks, and upgrades it to write.
/// </summary>
internal static class UpgradableMutexExample
{
    public static readonly Example Info = new("upgradable-mutex", "doc_upgradable_mutexA.cpp + B (shared_data)",
        "exclusive, sharable and upgradable locks of an InterprocessUpgradableMutex across processes", Run);

    private struct SharedData
    {
        public InterprocessUpgradableMutex Mutex;
        public int CurrentLine;
    }

    private const int NumItems = 300, LineSize = 32, LinesPerProcess = 100;

    /// <summary>The lines start after the shared struct (the mutex keeps a table of its readers: it is larger than a word).</summary>
    private static readonly int LinesOffset = (Unsafe.SizeOf<SharedData>() + 63) & ~63;

    private static int Run(string[] args)
    {
        if (args is ["child", var childName])
        {
            using var memory = SharedMemoryObject.OpenExisting(childName);
            using var view = new MappedRegion(memory);
            WriteLines(view, "process_b");
            Console.WriteLine($"  child: wrote {LinesPerProcess} lines under exclusive locks");
            return 0;
        }

        string name = $"example-upgradable-{Guid.NewGuid():N}";
        try
        {
            using var shm = SharedMemoryObject.CreateNew(name, LinesOffset + (NumItems * LineSize));
            using var region = new MappedRegion(shm);
            using var child = Child.Start(Info.Name, name);
            WriteLines(region, "process_a");
            if (Child.WaitForExit(child) != 0)
            {
                return 1;
            }

            ref SharedData data = ref region.GetRef<SharedData>(0);
            using (new SharableLock<InterprocessUpgradableMutex>(ref data.Mutex))   // readers share the lock
            {
                int fromB = 0;
                for (int i = 0; i < data.CurrentLine; i++)
                {
                    fromB += Line(region, i).StartsWith("process_b", StringComparison.Ordinal) ? 1 : 0;
                }

                Console.WriteLine($"parent: read {data.CurrentLine} lines under a sharable lock, {fromB} from the child");
            }

            using (var upgradable = new UpgradableLock<InterprocessUpgradableMutex>(ref data.Mutex))
            {
                // An upgradable lock reads alongside readers and is the only one that may become exclusive.
                if (data.CurrentLine == 2 * LinesPerProcess)
                {
                    using var exclusive = upgradable.Upgrade();   // waits for the readers to leave
                    Encoding.ASCII.GetBytes("checked by process_a", region.GetSpan(LinesOffset + (data.CurrentLine * LineSize), LineSize));
                    data.CurrentLine++;
                }
            }

            Console.WriteLine($"parent: after the upgrade the last line is '{Line(region, data.CurrentLine - 1)}'");
            if (data.CurrentLine != (2 * LinesPerProcess) + 1)
            {
                return 1;
            }

            Console.WriteLine($"OK: {data.CurrentLine} lines; written exclusively, read shared, appended after an upgrade");
            return 0;
        }
        finally
        {
            SharedMemoryObject.Remove(name);
        }
    }

    private static void WriteLines(MappedRegion region, string who)
    {
        ref SharedData data = ref region.GetRef<SharedData>(0);
        for (int i = 0; i < LinesPerProcess; i++)
        {
            using var guard = new ScopedLock<InterprocessUpgradableMutex>(ref data.Mutex);
            Encoding.ASCII.GetBytes($"{who}_{i}", region.GetSpan(LinesOffset + (data.CurrentLine * LineSize), LineSize));
            data.CurrentLine++;
        }
    }

    private static string Line(MappedRegion region, int i) =>
        Encoding.ASCII.GetString(region.GetReadOnlySpan(LinesOffset + (i * LineSize), LineSize)).TrimEnd('\0');
}
