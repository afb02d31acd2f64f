using System.Diagnostics;

namespace Interprocess.Tests.Samples;

public sealed class SamplesTests
{
    [Fact]
    public async Task Demo_TwoProcessesTalkThroughSharedMemory_AndCleanUp()
    {
        string demo = Path.Combine(AppContext.BaseDirectory, "Demo.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(demo);
        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        string output = await process.StandardOutput.ReadToEndAsync(deadline.Token);
        await process.WaitForExitAsync(deadline.Token);
        Assert.True(process.ExitCode == 0, $"exit code {process.ExitCode}\n{output}\n{await stderr}");

        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.StartsWith("[child", StringComparison.Ordinal) && l.Contains("got: ping 4 from the parent", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("[parent", StringComparison.Ordinal) && l.Contains("got: pong 4 from the child", StringComparison.Ordinal));
        Assert.Equal("Done: two processes talked through shared memory.", lines[^1]);

        // The demo removes its object: nothing of it is left in /dev/shm.
        string name = lines[0].Split('\'')[1];
        Assert.StartsWith("interprocess-demo-", name, StringComparison.Ordinal);
        Assert.False(File.Exists("/dev/shm/" + name));
    }
}
