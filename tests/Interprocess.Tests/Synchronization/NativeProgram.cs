using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace Interprocess.Tests.Synchronization;

/// <summary>
/// A C or C++ program compiled by the test (gcc/g++ must be on the machine) and run as a real child process that
/// talks over stdin/stdout, like <see cref="Infrastructure.Driver"/>. Builds are cached per source text.
/// </summary>
internal sealed class NativeProgram : IDisposable
{
    private static readonly TimeSpan LineTimeout = TimeSpan.FromSeconds(30);
    private readonly Process _process;

    private NativeProgram(Process process) => _process = process;

    /// <summary>Compiles <paramref name="source"/> (C unless <paramref name="compiler"/> is g++) and returns the executable's path.</summary>
    public static string Build(string source, string compiler = "gcc", string extraArgs = "")
    {
        string hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(compiler + extraArgs + source)))[..16];
        string dir = Path.Combine(Path.GetTempPath(), "interprocess-tests-native");
        Directory.CreateDirectory(dir);
        string exe = Path.Combine(dir, "prog-" + hash);
        if (File.Exists(exe))
        {
            return exe;
        }

        string src = exe + (compiler == "g++" ? ".cpp" : ".c");
        File.WriteAllText(src, source);
        string tmp = exe + "." + Guid.NewGuid().ToString("N");
        var psi = new ProcessStartInfo(compiler)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (string a in $"-O1 -Wall -Werror -o {tmp} {src} {extraArgs} -pthread".Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            psi.ArgumentList.Add(a);
        }

        using var cc = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {compiler}");
        string err = cc.StandardError.ReadToEnd();
        cc.WaitForExit();
        if (cc.ExitCode != 0)
        {
            throw new Xunit.Sdk.XunitException($"{compiler} failed ({cc.ExitCode}):\n{err}");
        }

        File.Move(tmp, exe, overwrite: true);
        return exe;
    }

    /// <summary>Starts the executable with arguments.</summary>
    public static NativeProgram Start(string exe, params string[] args)
    {
        var psi = new ProcessStartInfo(exe)
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

        return new NativeProgram(Process.Start(psi) ?? throw new InvalidOperationException("could not start " + exe));
    }

    /// <summary>Reads the next line and checks it.</summary>
    public void Expect(string expected)
    {
        var task = _process.StandardOutput.ReadLineAsync();
        if (!task.Wait(LineTimeout))
        {
            throw new Xunit.Sdk.XunitException($"Timed out waiting for '{expected}' from {_process.StartInfo.FileName}.");
        }

        if (task.Result != expected)
        {
            throw new Xunit.Sdk.XunitException($"Expected '{expected}', got '{task.Result}'. stderr: {ReadStdErrIfExited()}");
        }
    }

    /// <summary>Sends one line to the program.</summary>
    public void Send(string line)
    {
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
    }

    /// <summary>Waits for the exit code.</summary>
    public int WaitForExit()
    {
        if (!_process.WaitForExit(LineTimeout))
        {
            _process.Kill();
            throw new Xunit.Sdk.XunitException($"{_process.StartInfo.FileName} did not exit in time.");
        }

        return _process.ExitCode;
    }

    /// <summary>SIGKILL and wait.</summary>
    public void Kill()
    {
        _process.Kill();
        _process.WaitForExit();
    }

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
        }

        _process.Dispose();
    }

    private string ReadStdErrIfExited() => _process.HasExited ? _process.StandardError.ReadToEnd() : "(still running)";
}
