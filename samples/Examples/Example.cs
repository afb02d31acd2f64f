namespace Examples;

/// <summary>One runnable example: its name on the command line, the Boost example it mirrors, what it shows, and its entry point.</summary>
internal sealed record Example(string Name, string Boost, string Summary, Func<string[], int> Run);
