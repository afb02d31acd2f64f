using System.Diagnostics;

namespace Interprocess.Bench.Infrastructure;

/// <summary>
/// The parent's side of a two-process workload: this same executable started again as
/// <c>--child &lt;workload&gt; &lt;system&gt; args...</c>, with control lines over the child's stdin and stdout (never on a timed
/// path). The child's stderr is inherited, so its diagnostics reach the parent's stderr.
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    /// <summary>The running child.</summary>
    private readonly Process _process;

    /// <summary>Starts the child side of <paramref name="workload"/> with extra arguments.</summary>
    public ChildProcess(Workloads.IWorkload workload, params string[] args)
    {
        string system = workload.System;
        string exe = Environment.ProcessPath ?? throw new InvalidOperationException("The path of this executable is unknown.");
        var psi = new ProcessStartInfo
        {
            FileName = exe,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };

        // Started as "dotnet Interprocess.Bench.dll": pass the assembly again.
        if (Path.GetFileNameWithoutExtension(exe) == "dotnet")
        {
            psi.ArgumentList.Add(typeof(ChildProcess).Assembly.Location);
        }

        psi.ArgumentList.Add("--child");
        psi.ArgumentList.Add(workload.Workload);
        psi.ArgumentList.Add(system);
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        _process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start the child for {system}.");
        _process.StandardInput.AutoFlush = true;
    }

    /// <summary>Sends one control line.</summary>
    public void Send(string line) => _process.StandardInput.WriteLine(line);

    /// <summary>Receives one control line; throws if the child closed its stdout (it died or exited).</summary>
    public string Recv() => _process.StandardOutput.ReadLine() ?? throw new IOException("The child closed its stdout.");

    /// <summary>Closes the child's stdin, waits for it to exit and returns its exit code.</summary>
    public int WaitExit()
    {
        _process.StandardInput.Close();
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>Kills the child if it is still running (a parent that failed must not leave a spinning child behind).</summary>
    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit();
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
    }
}
