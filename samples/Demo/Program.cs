// Two processes share one piece of memory and talk through it.
//
//   dotnet run --project samples/Demo
//
// The first process creates a shared memory object, starts a second copy of this program, and the two take
// turns: each writes a line into the shared region and hands the turn over by bumping a sequence number.
// Neither process has the other's addresses: both find the memory by its name.
using System.Diagnostics;
using System.Runtime.Versioning;
using System.Text;
using Interprocess;
using Interprocess.Memory;

[assembly: SupportedOSPlatform("linux")]

const int SequenceOffset = 0;   // int: whose turn it is (odd: the child's, even: the parent's)
const int LengthOffset = 4;     // int: length of the message in bytes
const int TextOffset = 64;      // the message, UTF-8
const int Size = 4096;
const int Rounds = 5;

if (args.Length == 2 && args[0] == "--child")
{
    return RunChild(args[1]);
}

string name = $"interprocess-demo-{Guid.NewGuid():N}";
using var shm = SharedMemoryObject.CreateNew(name, Size);          // 0600: only this user can open it
try
{
    using var region = new MappedRegion(shm);
    Console.WriteLine($"[parent {Environment.ProcessId}] created shared memory '{name}' ({shm.Size} bytes, {shm.Permissions}), mapped at 0x{region.Address:x}");

    var self = Environment.ProcessPath!;
    var psi = new ProcessStartInfo(self) { UseShellExecute = false };
    if (Path.GetFileNameWithoutExtension(self) == "dotnet")
    {
        psi.ArgumentList.Add(System.Reflection.Assembly.GetEntryAssembly()!.Location);
    }

    psi.ArgumentList.Add("--child");
    psi.ArgumentList.Add(name);
    using var child = Process.Start(psi)!;

    for (int round = 0; round < Rounds; round++)
    {
        Send(region, 2 * round + 1, $"ping {round} from the parent (pid {Environment.ProcessId})");
        string reply = Receive(region, 2 * round + 2);
        Console.WriteLine($"[parent {Environment.ProcessId}] got: {reply}");
    }

    child.WaitForExit();
    Console.WriteLine(child.ExitCode == 0 ? "Done: two processes talked through shared memory." : $"The child failed ({child.ExitCode}).");
    return child.ExitCode;
}
finally
{
    SharedMemoryObject.Remove(name);
}

static int RunChild(string name)
{
    using var shm = SharedMemoryObject.OpenExisting(name);
    using var region = new MappedRegion(shm);
    Console.WriteLine($"[child  {Environment.ProcessId}] opened '{name}' by name, mapped at 0x{region.Address:x}");
    for (int round = 0; round < Rounds; round++)
    {
        string message = Receive(region, 2 * round + 1);
        Console.WriteLine($"[child  {Environment.ProcessId}] got: {message}");
        Send(region, 2 * round + 2, $"pong {round} from the child (pid {Environment.ProcessId}), {message.Length} chars received");
    }

    return 0;
}

// Writes the message, then publishes it: the Volatile.Write of the sequence number orders the text before it.
static void Send(MappedRegion region, int sequence, string text)
{
    int length = Encoding.UTF8.GetBytes(text, region.GetSpan(TextOffset, Size - TextOffset));
    region.Write(LengthOffset, length);
    Volatile.Write(ref region.GetRef<int>(SequenceOffset), sequence);
}

// Waits until the other side has published `sequence`, then reads the message.
static string Receive(MappedRegion region, int sequence)
{
    var deadline = Stopwatch.StartNew();
    var spin = new SpinWait();
    while (Volatile.Read(ref region.GetRef<int>(SequenceOffset)) != sequence)
    {
        if (deadline.Elapsed > TimeSpan.FromSeconds(30))
        {
            throw new TimeoutException("The other process did not answer.");
        }

        spin.SpinOnce();
    }

    int length = region.Read<int>(LengthOffset);
    return Encoding.UTF8.GetString(region.GetReadOnlySpan(TextOffset, length));
}
