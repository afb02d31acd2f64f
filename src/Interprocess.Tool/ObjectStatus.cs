namespace Interprocess.Tool;

/// <summary>What the header of an object says about its state.</summary>
internal enum ObjectStatus
{
    /// <summary>The header is complete and consistent.</summary>
    Ok,

    /// <summary>The creator has not finished (or died while) creating it.</summary>
    Incomplete,

    /// <summary>The header is damaged, truncated or inconsistent with the file.</summary>
    Corrupt,

    /// <summary>The file could not be read (permission) or is not a regular file.</summary>
    Unreadable,
}
