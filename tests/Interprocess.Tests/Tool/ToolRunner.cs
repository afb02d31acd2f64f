using System.Diagnostics;

namespace Interprocess.Tests.Tool;

/// <summary>Runs the 'interprocess' tool (Interprocess.Tool.dll next to the tests) as a real process.</summary>
internal static class ToolRunner
{
    /// <summary>The tool's dll, copied next to the test assembly by the project reference (as the test driver is).</summary>
    internal static string ToolPath { get; } = Path.Combine(AppContext.BaseDirectory, "Interprocess.Tool.dll");

    /// <summary>The benchmark harness's dll, copied next to the test assembly the same way.</summary>
    internal static string BenchPath { get; } = Path.Combine(AppContext.BaseDirectory, "Interprocess.Bench.dll");

    /// <summary>The result of one run.</summary>
    internal sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
    }

    /// <summary>Runs <c>dotnet Interprocess.Tool.dll args...</c> with stdin closed (not a terminal), within a generous deadline.</summary>
    public static Result Run(params string[] args) => Run(null, args);

    /// <summary>As <see cref="Run(string[])"/>, with extra environment variables.</summary>
    public static Result Run(Dictionary<string, string>? environment, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(ToolPath);
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (k, v) in environment ?? [])
        {
            psi.Environment[k] = v;
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start the tool");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            process.Kill(entireProcessTree: true);
            throw new Xunit.Sdk.XunitException($"interprocess {string.Join(' ', args)} did not exit within 120 s");
        }

        process.WaitForExit();
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }
}
