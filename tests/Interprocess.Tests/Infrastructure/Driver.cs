using System.Diagnostics;

namespace Interprocess.Tests.Infrastructure;

/// <summary>
/// A child process running Interprocess.TestDriver: "the other process" of a cross-process test. Lines go
/// to its stdin and come back from its stdout; Kill sends SIGKILL. Every wait has a deadline, so a broken
/// child fails the test instead of hanging it.
/// </summary>
internal sealed class Driver : IDisposable
{
    /// <summary>How long any single wait on a child may take before the test fails.</summary>
    internal static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly List<string> _stderr = [];

    private Driver(Process process)
    {
        _process = process;
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_stderr)
                {
                    _stderr.Add(e.Data);
                }
            }
        };
        _process.BeginErrorReadLine();
    }

    /// <summary>The child's process id.</summary>
    public int Pid => _process.Id;

    /// <summary>The path of the driver next to the test assembly.</summary>
    internal static string DriverPath { get; } = Path.Combine(AppContext.BaseDirectory, "Interprocess.TestDriver.dll");

    /// <summary>Starts <c>Interprocess.TestDriver command args...</c>.</summary>
    public static Driver Start(string command, params string[] args) => StartOnCpu(null, command, args);

    /// <summary>
    /// Starts the driver allowed to run on CPU <paramref name="cpu"/> only (<c>taskset -c</c>), from its first
    /// instruction: .NET then counts one processor, as in a process that a deployment pins to its own core. A null
    /// <paramref name="cpu"/> starts it unpinned, as <see cref="Start(string, string[])"/>.
    /// </summary>
    public static Driver StartOnCpu(int? cpu, string command, params string[] args)
    {
        var psi = new ProcessStartInfo(cpu is null ? "dotnet" : "taskset")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (cpu is not null)
        {
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add(cpu.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
            psi.ArgumentList.Add("dotnet");
        }

        psi.ArgumentList.Add(DriverPath);
        psi.ArgumentList.Add(command);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        // Child processes start faster without tiered-compilation warm-up noise mattering; keep defaults otherwise.
        psi.Environment["DOTNET_TieredPGO"] = "0";
        return new Driver(Process.Start(psi) ?? throw new InvalidOperationException("could not start the test driver"));
    }

    /// <summary>Starts a native program (a compiled C or C++ helper) with the same stdin/stdout protocol as the driver.</summary>
    public static Driver StartExecutable(string path, params string[] args)
    {
        var psi = new ProcessStartInfo(path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        return new Driver(Process.Start(psi) ?? throw new InvalidOperationException($"could not start {path}"));
    }

    /// <summary>Runs a command to completion and returns its exit code and output lines.</summary>
    public static (int ExitCode, List<string> Lines) Run(string command, params string[] args)
    {
        using var d = Start(command, args);
        var lines = new List<string>();
        while (d.TryReadLine(out var line))
        {
            lines.Add(line);
        }

        int code = d.WaitForExit();
        return (code, lines);
    }

    /// <summary>Sends one line to the child's stdin.</summary>
    public void Send(string line)
    {
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
    }

    /// <summary>Reads the next stdout line; fails the test if none comes within the timeout.</summary>
    public string ReadLine(TimeSpan? timeout = null)
    {
        if (!TryReadLine(out var line, timeout))
        {
            throw new Xunit.Sdk.XunitException($"The driver (pid {Pid}) ended or stayed silent without sending a line. stderr:\n{StdErr}");
        }

        return line;
    }

    /// <summary>Reads lines until one equals <paramref name="expected"/>; fails on anything else.</summary>
    public void Expect(string expected, TimeSpan? timeout = null)
    {
        string line = ReadLine(timeout);
        if (line != expected)
        {
            throw new Xunit.Sdk.XunitException($"Expected '{expected}' from the driver, got '{line}'. stderr:\n{StdErr}");
        }
    }

    /// <summary>Reads the next line; false at end of output.</summary>
    public bool TryReadLine(out string line, TimeSpan? timeout = null)
    {
        var task = _process.StandardOutput.ReadLineAsync();
        if (!task.Wait(timeout ?? DefaultTimeout))
        {
            throw new Xunit.Sdk.XunitException($"Timed out waiting for a line from the driver (pid {Pid}). stderr:\n{StdErr}");
        }

        line = task.Result!;
        return task.Result is not null;
    }

    /// <summary>Waits for the child to exit and returns its exit code.</summary>
    public int WaitForExit(TimeSpan? timeout = null)
    {
        if (!_process.WaitForExit(timeout ?? DefaultTimeout))
        {
            _process.Kill(entireProcessTree: true);
            throw new Xunit.Sdk.XunitException($"The driver (pid {Pid}) did not exit in time. stderr:\n{StdErr}");
        }

        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>Kills the child with SIGKILL and waits until it is gone.</summary>
    public void Kill()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    /// <summary>What the child wrote to stderr so far.</summary>
    public string StdErr
    {
        get
        {
            lock (_stderr)
            {
                return string.Join('\n', _stderr);
            }
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }
}
