using Interprocess.Memory;
using Interprocess.Synchronization;

namespace Interprocess.Tool;

/// <summary><c>interprocess remove NAME</c>: unlinks one object (processes that have it open keep it until they close it).</summary>
internal static class RemoveCommand
{
    public static int Run(string name, KindFilter filter, bool yes, TextReader input, bool interactive, TextWriter output, TextWriter error)
    {
        var matches = ShmDirectory.Find(name).Where(e => filter.Matches(e.Kind)).ToList();
        if (matches.Count == 0)
        {
            error.WriteLine($"interprocess: no {filter.Describe()} object named '{name}' in {ShmDirectory.Root} (try 'interprocess list').");
            return ExitCodes.NotFound;
        }

        if (matches.Count > 1)
        {
            error.WriteLine($"interprocess: '{name}' names {matches.Count} objects: {string.Join(", ", matches.Select(Label))}. Choose one with --kind.");
            return ExitCodes.Usage;
        }

        var e = matches[0];
        if (!yes)
        {
            if (!interactive)
            {
                error.WriteLine($"interprocess: not removing {Label(e)} without confirmation: pass --yes (the input is not a terminal).");
                return ExitCodes.Usage;
            }

            output.Write($"Remove {Label(e)}? [y/N] ");
            string? answer = input.ReadLine()?.Trim();
            if (answer is not ("y" or "Y" or "yes" or "YES" or "Yes"))
            {
                error.WriteLine("interprocess: not removed.");
                return ExitCodes.Usage;
            }
        }

        try
        {
            bool removed = e.FileName.StartsWith(ShmDirectory.SemaphorePrefix, StringComparison.Ordinal) && e.Kind == ObjectKind.Sync
                ? NamedSemaphore.Remove(e.Name)
                : SharedMemoryObject.Remove(e.FileName);
            if (!removed)
            {
                error.WriteLine($"interprocess: {Label(e)} was already gone.");
                return ExitCodes.NotFound;
            }
        }
        catch (Exception ex) when (ex is InterprocessException or ArgumentException)
        {
            error.WriteLine($"interprocess: could not remove {Label(e)}: {ex.Message}");
            return ExitCodes.Failed;
        }

        output.WriteLine($"removed {Label(e)}");
        return ExitCodes.Success;
    }

    private static string Label(ShmEntry e) =>
        $"{KindFilter.Name(e.Kind)}{(e.Type == "-" ? string.Empty : " " + e.Type)} '{e.Name}' ({e.Path})";
}
