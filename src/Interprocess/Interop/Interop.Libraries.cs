namespace Interprocess.Interop;

/// <summary>
/// The native libraries the platform layer binds to. Every P/Invoke of the library lives under this folder
/// (one function, or one small family, per file), so the rest of the code never sees a native call directly.
/// </summary>
internal static partial class Libc
{
    /// <summary>glibc; <c>libc</c> resolves to <c>libc.so.6</c> on Linux.</summary>
    internal const string Name = "libc";
}
