namespace Interprocess.TestDriver;

/// <summary>
/// Marks a <c>static int Name(string[] args)</c> method as a driver command, started by the tests as
/// <c>Interprocess.TestDriver &lt;name&gt; args...</c>. Commands talk to the test through stdin/stdout lines;
/// the exit code is the result (0 = success).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class DriverCommandAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}
