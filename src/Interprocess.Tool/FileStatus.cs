using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Interprocess.Tool;

/// <summary>
/// <c>statx(2)</c> of a path without following a final symbolic link: type, mode, owner, size and modification
/// time without opening the file (opening a FIFO would block; a file the user may not read still has an owner).
/// statx's layout is the same on every Linux architecture, so no per-ABI struct is needed.
/// </summary>
internal static partial class FileStatus
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxBasicStats = 0x7FF;
    private const int StatxSize = 256;

    // struct statx offsets (linux/stat.h).
    private const int UidOffset = 20, ModeOffset = 28, SizeOffset = 40, MtimeOffset = 112;
    private const int TypeMask = 0xF000, TypeRegular = 0x8000, TypeDirectory = 0x4000;

    /// <summary>The status of <paramref name="path"/>, or null when it does not exist or cannot be stat'ed.</summary>
    public static Info? Get(string path)
    {
        var buffer = new byte[StatxSize];
        if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxBasicStats, buffer) != 0)
        {
            return null;
        }

        int mode = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(ModeOffset));
        long seconds = BinaryPrimitives.ReadInt64LittleEndian(buffer.AsSpan(MtimeOffset));
        uint nanoseconds = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(MtimeOffset + 8));
        return new Info(
            (mode & TypeMask) == TypeRegular,
            (mode & TypeMask) == TypeDirectory,
            (UnixFileMode)(mode & 0xFFF),
            (int)BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(UidOffset)),
            (long)BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(SizeOffset)),
            DateTimeOffset.FromUnixTimeSeconds(seconds).AddTicks(nanoseconds / 100));
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirfd, string path, int flags, uint mask, [Out] byte[] buffer);

    /// <summary>What <see cref="Get"/> found.</summary>
    /// <param name="IsRegular">A regular file.</param>
    /// <param name="IsDirectory">A directory.</param>
    /// <param name="Mode">Permission bits (with set-id and sticky bits).</param>
    /// <param name="Uid">The owner's user id.</param>
    /// <param name="Size">Bytes.</param>
    /// <param name="Modified">The modification time.</param>
    internal sealed record Info(bool IsRegular, bool IsDirectory, UnixFileMode Mode, int Uid, long Size, DateTimeOffset Modified);
}
