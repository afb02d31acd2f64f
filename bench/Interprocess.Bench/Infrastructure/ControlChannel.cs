namespace Interprocess.Bench.Infrastructure;

/// <summary>The child's side of the control channel: its own stdin and stdout.</summary>
internal static class ControlChannel
{
    /// <summary>The next line from the parent; <c>"q"</c> (quit) when the parent closed the channel.</summary>
    public static string Recv() => Console.In.ReadLine() ?? "q";

    /// <summary>Sends one line to the parent.</summary>
    public static void Send(string line)
    {
        Console.Out.Write(line + "\n");
        Console.Out.Flush();
    }
}
