namespace Interprocess.Tool;

/// <summary>The tool's exit codes (documented in <c>--help</c> and docs/tool.md).</summary>
internal static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Success = 0;

    /// <summary>Bad arguments: unknown command or option, bad value, ambiguous name, remove not confirmed.</summary>
    public const int Usage = 1;

    /// <summary>No object by that name.</summary>
    public const int NotFound = 2;

    /// <summary>The object is damaged, incomplete or unreadable, or the operation failed (permission, I/O, benchmark).</summary>
    public const int Failed = 3;

    /// <summary>The exit-code section every <c>--help</c> ends with.</summary>
    public const string HelpText =
        """
        Exit codes:
          0  success
          1  bad arguments (the usage is printed), an ambiguous name, or a removal not confirmed
          2  no object by that name
          3  the object is damaged, incomplete or unreadable, or the operation failed (permission, I/O, benchmark)
        """;
}
