using System.Runtime.CompilerServices;
using System.Text;
using Interprocess.Memory;
using Interprocess.Synchronization;

namespace Examples;

/// <summary>
/// Boost's doc_anonymous_mutexA.cpp / doc_anonymous_mutexB.cpp: a log of the last 10 lines in shared memory,
/// guarded by an <see cref="InterprocessMutex"/> that lives inside the shared struct. Both processes write 100 lines.
/// </summary>
internal static class AnonymousMutexExample
{
    public static readonly Example Info = new("anonymous-mutex", "doc_anonymous_mutexA.cpp + B (shared_memory_log)",
        "two processes write to a circular log guarded by an InterprocessMutex in shared memory", Run);

    /// <summary>The shared header (Boost's shared_memory_log); the lines follow it.</summary>
    private struct SharedLog
    {
        public InterprocessMutex Mutex;   // all-zero memory is an unlocked mutex
        public int CurrentLine;           // how many lines were written in all
    }

    private const int NumItems = 10, LineSize = 100, LinesPerProcess = 100;

    /// <summary>The lines start after the shared struct.</summary>
    private static readonly int LinesOffset = (Unsafe.SizeOf<SharedLog>() + 63) & ~63;

    private static int Run(string[] args)
    {
        if (args is ["child", var childName])
        {
            using var memory = SharedMemoryObject.OpenExisting(childName);
            using var view = new MappedRegion(memory);
            WriteLines(view, "process_b");
            Console.WriteLine($"  child: wrote {LinesPerProcess} lines");
            return 0;
        }

        string name = $"example-log-{Guid.NewGuid():N}";
        try
        {
            using var shm = SharedMemoryObject.CreateNew(name, LinesOffset + (NumItems * LineSize));
            using var region = new MappedRegion(shm);
            using var child = Child.Start(Info.Name, name);
            WriteLines(region, "process_a");
            Console.WriteLine($"parent: wrote {LinesPerProcess} lines");
            if (Child.WaitForExit(child) != 0)
            {
                return 1;
            }

            ref SharedLog log = ref region.GetRef<SharedLog>(0);
            using (new ScopedLock<InterprocessMutex>(ref log.Mutex))
            {
                Console.WriteLine($"parent: the log's last {NumItems} lines:");
                for (int i = log.CurrentLine - NumItems; i < log.CurrentLine; i++)
                {
                    Console.WriteLine("  " + Encoding.ASCII.GetString(region.GetReadOnlySpan(LinesOffset + ((i % NumItems) * LineSize), LineSize)).TrimEnd('\0'));
                }

                if (log.CurrentLine != 2 * LinesPerProcess)
                {
                    return 1;
                }

                Console.WriteLine($"OK: {log.CurrentLine} lines logged by two processes under one mutex");
            }

            return 0;
        }
        finally
        {
            SharedMemoryObject.Remove(name);
        }
    }

    private static void WriteLines(MappedRegion region, string who)
    {
        ref SharedLog log = ref region.GetRef<SharedLog>(0);
        for (int i = 0; i < LinesPerProcess; i++)
        {
            using var guard = new ScopedLock<InterprocessMutex>(ref log.Mutex);   // unlocks at the end of the iteration
            Span<byte> line = region.GetSpan(LinesOffset + ((log.CurrentLine % NumItems) * LineSize), LineSize);
            line.Clear();
            Encoding.ASCII.GetBytes($"{who}_{i}", line);
            log.CurrentLine++;
        }
    }
}
