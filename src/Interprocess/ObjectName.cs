using System.Text;

namespace Interprocess;

/// <summary>
/// The rules every name of a named object follows, so that no name can reach outside the namespace it
/// belongs to (<c>/dev/shm</c>, the semaphore namespace, ...).
/// </summary>
internal static class ObjectName
{
    /// <summary>NAME_MAX on Linux: the longest file name, in bytes.</summary>
    internal const int NameMax = 255;

    /// <summary>
    /// Throws <see cref="ArgumentException"/> naming the rule <paramref name="name"/> breaks: empty, '/',
    /// NUL, "." or "..", or longer than <paramref name="maxBytes"/> bytes of UTF-8.
    /// </summary>
    /// <param name="name">The name the caller gave.</param>
    /// <param name="maxBytes">The longest name the namespace allows, in bytes of UTF-8.</param>
    /// <param name="paramName">The parameter name for the exception.</param>
    internal static void Validate(string name, int maxBytes = NameMax, string paramName = "name")
    {
        ArgumentNullException.ThrowIfNull(name, paramName);
        if (name.Length == 0)
        {
            throw new ArgumentException("The name must not be empty.", paramName);
        }

        if (name.Contains('/'))
        {
            throw new ArgumentException($"The name '{name}' must not contain '/': names are single components, not paths.", paramName);
        }

        if (name.Contains('\0'))
        {
            throw new ArgumentException("The name must not contain a NUL character.", paramName);
        }

        if (name is "." or "..")
        {
            throw new ArgumentException($"The name must not be '{name}'.", paramName);
        }

        int bytes = Encoding.UTF8.GetByteCount(name);
        if (bytes > maxBytes)
        {
            throw new ArgumentException(
                $"The name is {bytes} bytes long in UTF-8; the longest name allowed here is {maxBytes} bytes.", paramName);
        }
    }
}
