using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace Interprocess.Tests.Packaging;

/// <summary>
/// Packs src/Interprocess once (<c>dotnet pack --no-build</c>, the configuration the tests were built in) into a
/// temporary folder that serves as the package source of the packaging tests, and deletes it afterwards.
/// </summary>
public sealed class PackageFixture : IDisposable
{
    /// <summary>The package version that Directory.Build.props sets.</summary>
    internal const string Version = "0.1.0";

    /// <summary>How long one dotnet command may take before the test fails (a cold build on a busy 2-core machine is slow).</summary>
    internal static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(5);

    public PackageFixture()
    {
        Root = Directory.CreateTempSubdirectory("ipt-pkg-").FullName;
        Feed = Path.Combine(Root, "feed");
        string repository = FindRepositoryRoot();
        string configuration = typeof(Interprocess.Memory.MappedRegion).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var (code, output) = Dotnet(repository, "pack", Path.Combine(repository, "src", "Interprocess"), "--no-build", "-c", configuration, "-o", Feed);
        PackOutput = output;
        if (code != 0)
        {
            throw new InvalidOperationException($"dotnet pack failed ({code}):\n{output}");
        }

        Package = Path.Combine(Feed, $"Interprocess.{Version}.nupkg");
    }

    /// <summary>The temporary folder holding everything the packaging tests make.</summary>
    internal string Root { get; }

    /// <summary>The folder the package was packed into (the local package source).</summary>
    internal string Feed { get; }

    /// <summary>The path of the .nupkg.</summary>
    internal string Package { get; }

    /// <summary>What dotnet pack printed.</summary>
    internal string PackOutput { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>
    /// Runs <c>dotnet args...</c> in <paramref name="workingDirectory"/> and returns its exit code and its output
    /// (stdout and stderr). MSBuild's node reuse and the compiler server are off, so no process outlives the
    /// command holding the output pipes open; the MSBuild variables of the enclosing <c>dotnet test</c> are
    /// dropped so the child SDK finds its own.
    /// </summary>
    internal static (int ExitCode, string Output) Dotnet(string workingDirectory, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        foreach (string key in psi.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            psi.Environment.Remove(key);
        }

        psi.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        psi.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        psi.Environment["UseSharedCompilation"] = "false";
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";

        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start dotnet");
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(CommandTimeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return (-1, $"dotnet {string.Join(' ', args)} did not finish within {CommandTimeout}:\n{Text(output)}");
        }

        process.WaitForExit();   // drains the asynchronous readers
        return (process.ExitCode, Text(output));
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Interprocess.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Interprocess.slnx above {AppContext.BaseDirectory}.");
    }
}
