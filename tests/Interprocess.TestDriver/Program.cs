using System.Reflection;

namespace Interprocess.TestDriver;

/// <summary>
/// Entry point: finds the command named by the first argument among the methods marked
/// <see cref="DriverCommandAttribute"/> (each area of the library keeps its commands in a file of its own)
/// and runs it with the remaining arguments.
/// </summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        var commands = typeof(Program).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic))
            .Select(m => (Method: m, Attr: m.GetCustomAttribute<DriverCommandAttribute>()))
            .Where(x => x.Attr is not null)
            .ToDictionary(x => x.Attr!.Name, x => x.Method, StringComparer.Ordinal);

        if (args.Length == 0 || !commands.TryGetValue(args[0], out var method))
        {
            Console.Error.WriteLine($"usage: Interprocess.TestDriver <command> [args...]; commands: {string.Join(", ", commands.Keys.Order())}");
            return 64;
        }

        try
        {
            return (int)method.Invoke(null, [args[1..]])!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            Console.Error.WriteLine(e.InnerException);
            Console.Out.WriteLine("EXCEPTION " + e.InnerException.GetType().Name + ": " + e.InnerException.Message.ReplaceLineEndings(" "));
            return 70;
        }
    }
}
