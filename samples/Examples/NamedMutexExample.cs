using Interprocess.Synchronization;

namespace Examples;

/// <summary>
/// Boost's doc_named_mutex.cpp: processes append to one file, each line under a named mutex so that no line is
/// interleaved with another process's. Here the parent and a child each write 10 lines, each in two pieces.
/// </summary>
internal static class NamedMutexExample
{
    public static readonly Example Info = new("named-mutex", "doc_named_mutex.cpp",
        "two processes append lines to one file under a named mutex", Run);

    private const int Lines = 10;

    private static int Run(string[] args)
    {
        if (args is ["child", var childMutex, var childPath])
        {
            WriteLines("child", childMutex, childPath);
            return 0;
        }

        string mutexName = $"example-mutex-{Guid.NewGuid():N}";
        string path = Path.Combine(Path.GetTempPath(), mutexName + ".txt");
        try
        {
            using (NamedMutex.CreateNew(mutexName))
            {
                using var child = Child.Start(Info.Name, mutexName, path);
                WriteLines("parent", mutexName, path);
                if (Child.WaitForExit(child) != 0)
                {
                    return 1;
                }
            }

            string[] lines = File.ReadAllLines(path);
            bool whole = lines.Length == 2 * Lines && lines.All(l => l.StartsWith("parent: line ", StringComparison.Ordinal) || l.StartsWith("child: line ", StringComparison.Ordinal));
            Console.WriteLine($"parent: the file has {lines.Length} lines; every one whole: {whole}");
            if (!whole)
            {
                return 1;
            }

            Console.WriteLine($"OK: {lines.Length} lines from two processes, none interleaved");
            return 0;
        }
        finally
        {
            NamedMutex.Remove(mutexName);
            File.Delete(path);
        }
    }

    private static void WriteLines(string who, string mutexName, string path)
    {
        using var mutex = NamedMutex.OpenExisting(mutexName);
        for (int i = 0; i < Lines; i++)
        {
            mutex.Lock();
            try
            {
                using var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
                using var writer = new StreamWriter(file);
                writer.Write($"{who}: line ");   // two writes, flushed separately: only the mutex keeps them together
                writer.Flush();
                writer.WriteLine($"{i} (pid {Environment.ProcessId})");
            }
            finally
            {
                mutex.Unlock();
            }
        }
    }
}
