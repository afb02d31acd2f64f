using System.Diagnostics;

namespace Examples;

/// <summary>Starts this program again as the second process of a two-process example.</summary>
internal static class Child
{
    /// <summary>How long an example waits for its child, or for the other process in any blocking call.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Starts <c>this-program example child args...</c>; the child writes to the same console.</summary>
    public static Process Start(string example, params string[] args)
    {
        string self = Environment.ProcessPath!;
        var psi = new ProcessStartInfo(self) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            psi.ArgumentList.Add(typeof(Child).Assembly.Location);   // started as "dotnet Examples.dll"
        }

        psi.ArgumentList.Add(example);
        psi.ArgumentList.Add("child");
        foreach (string arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        return Process.Start(psi) ?? throw new InvalidOperationException("could not start the child process");
    }

    /// <summary>Waits for the child (at most <see cref="Timeout"/>) and returns its exit code.</summary>
    public static int WaitForExit(Process child)
    {
        if (!child.WaitForExit(Timeout))
        {
            child.Kill();
            throw new TimeoutException($"The child process {child.Id} did not finish in time.");
        }

        return child.ExitCode;
    }

    /// <summary>Starts the child and waits for it.</summary>
    public static int Run(string example, params string[] args)
    {
        using var child = Start(example, args);
        return WaitForExit(child);
    }
}
