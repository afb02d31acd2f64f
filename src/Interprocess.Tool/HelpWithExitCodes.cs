using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace Interprocess.Tool;

/// <summary>The standard help, followed by the exit codes (so every command's <c>--help</c> documents them).</summary>
internal sealed class HelpWithExitCodes(HelpAction inner) : SynchronousCommandLineAction
{
    public override int Invoke(ParseResult parseResult)
    {
        int rc = inner.Invoke(parseResult);
        parseResult.InvocationConfiguration.Output.WriteLine(ExitCodes.HelpText);
        return rc;
    }
}
