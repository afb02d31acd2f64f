namespace Interprocess.Tests.Infrastructure;

/// <summary>Names for shared objects: every test object carries a GUID so that tests never collide.</summary>
internal static class UniqueName
{
    /// <summary>A fresh name such as <c>ipt-shm-3f2c...</c>.</summary>
    public static string New(string kind = "obj") => $"ipt-{kind}-{Guid.NewGuid():N}";
}
