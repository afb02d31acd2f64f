namespace Interprocess.Tool;

/// <summary>One object found in the shared memory directory, classified by its header.</summary>
/// <param name="FileName">The file's name in the directory (<c>ipsync.x</c>, <c>sem.x</c>, <c>orders</c>).</param>
/// <param name="Name">The name the library's API takes (<c>x</c> for <c>ipsync.x</c> and <c>sem.x</c>).</param>
/// <param name="Path">The full path.</param>
/// <param name="Kind">The family.</param>
/// <param name="Type">The library type that opens it (<c>NamedMutex</c>), or <c>-</c>.</param>
/// <param name="Status">What the header says.</param>
/// <param name="Detail">Why it is corrupt, incomplete or unreadable; otherwise a short summary.</param>
/// <param name="Size">The file's size in bytes.</param>
/// <param name="Mode">The permission bits.</param>
/// <param name="OwnerUid">The owner's uid, or -1 when it could not be read.</param>
/// <param name="Modified">The modification time.</param>
internal sealed record ShmEntry(
    string FileName,
    string Name,
    string Path,
    ObjectKind Kind,
    string Type,
    ObjectStatus Status,
    string Detail,
    long Size,
    UnixFileMode Mode,
    int OwnerUid,
    DateTimeOffset Modified);
