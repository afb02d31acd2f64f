using System.Buffers.Binary;
using System.Text;
using Interprocess.Managed;
using Interprocess.Queues;
using Interprocess.Synchronization;

namespace Interprocess.Tool;

/// <summary>
/// Finds and classifies what the library keeps in <c>/dev/shm</c> by reading each object's first bytes with
/// <c>read(2)</c> (never a mapping, so a truncated file cannot fault), and trusting none of them: every field is
/// range-checked, and what does not fit a known layout is reported as corrupt or as a plain object.
/// </summary>
/// <remarks>
/// The layouts recognized are the library's documented file formats (docs/managed-segments.md,
/// docs/fast-queues.md, docs/message-queue.md, docs/named-objects.md): the magic words and field offsets below
/// are those documents' tables.
/// </remarks>
internal static class ShmDirectory
{
    /// <summary>Where POSIX shared memory objects live on Linux (what <c>shm_open</c> uses).</summary>
    public const string Root = "/dev/shm";

    /// <summary>The file-name prefix of the shared-memory-backed named synchronization objects.</summary>
    public const string SyncPrefix = "ipsync.";

    /// <summary>glibc's file-name prefix of POSIX named semaphores.</summary>
    public const string SemaphorePrefix = "sem.";

    /// <summary>sizeof(sem_t) on x86-64 glibc.</summary>
    private const int SemaphoreSize = 32;

    /// <summary>How much of each file is read to classify it (the largest fixed header: a fast queue's).</summary>
    private const int ProbeLength = 512;

    // The layouts' constants are the library's own (the tool sees its internals), so the two cannot disagree.

    // Managed segment header (docs/managed-segments.md).
    private static readonly string SegmentMagic = MagicText(SegmentHeader.MagicValue);
    private const int SegmentStateReady = SegmentHeader.StateReady, SegmentStateInitializing = SegmentHeader.StateInitializing, SegmentStateResizing = SegmentHeader.StateResizing;
    private const int SegmentHeaderSize = SegmentHeader.Size, SegmentFixedFields = 64;
    private const long SegmentMinimumSize = SegmentHeader.MinimumSegmentSize;

    // The resize journal: the header's last 64 bytes, read while the state says "resizing".
    private const int ResizeJournalOffset = SegmentHeader.ResizeJournalOffset, ResizeJournalSize = ResizeJournal.Size;

    // Fast queue header (docs/fast-queues.md).
    private static readonly string FastQueueMagic = MagicText((ulong)QueueHeaderDescriptor.Magic);
    private const int FastQueueHeaderSize = QueueHeaderDescriptor.DataOffset;

    // Named synchronization object header (docs/named-objects.md).
    private const int SyncHeaderSize = NamedObjectHeader.Size;

    /// <summary>The tags of the named kinds and the type each one is.</summary>
    private static readonly Dictionary<string, NamedKind> s_syncTags =
        NamedKind.All.ToDictionary(k => k.Tag, StringComparer.Ordinal);

    /// <summary>A little-endian magic word as its eight ASCII characters.</summary>
    private static string MagicText(ulong magic)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, magic);
        return Encoding.ASCII.GetString(bytes);
    }

    /// <summary>Every object in the directory, classified, sorted by file name.</summary>
    public static List<ShmEntry> Scan()
    {
        var result = new List<ShmEntry>();
        IEnumerable<string> paths;
        try
        {
            paths = Directory.EnumerateFileSystemEntries(Root);
        }
        catch (DirectoryNotFoundException)
        {
            return result;
        }

        foreach (string path in paths)
        {
            result.Add(Classify(path));
        }

        result.Sort((a, b) => string.CompareOrdinal(a.FileName, b.FileName));
        return result;
    }

    /// <summary>The objects a user-given name refers to: the file itself, <c>ipsync.NAME</c> and <c>sem.NAME</c>.</summary>
    public static List<ShmEntry> Find(string name)
    {
        var result = new List<ShmEntry>();
        if (name.Length == 0 || name.Contains('/') || name.Contains('\0') || name is "." or "..")
        {
            return result;
        }

        foreach (string fileName in new[] { name, SyncPrefix + name, SemaphorePrefix + name })
        {
            string path = Path.Combine(Root, fileName);
            if (FileStatus.Get(path) is not null && !result.Exists(e => e.Path == path))
            {
                result.Add(Classify(path));
            }
        }

        return result;
    }

    /// <summary>Classifies one file; never throws for what the file contains.</summary>
    public static ShmEntry Classify(string path)
    {
        string fileName = Path.GetFileName(path);
        string name = fileName.StartsWith(SyncPrefix, StringComparison.Ordinal) && fileName.Length > SyncPrefix.Length
            ? fileName[SyncPrefix.Length..]
            : fileName.StartsWith(SemaphorePrefix, StringComparison.Ordinal) && fileName.Length > SemaphorePrefix.Length
                ? fileName[SemaphorePrefix.Length..]
                : fileName;
        var st = FileStatus.Get(path);
        if (st is null || !st.IsRegular)
        {
            return new ShmEntry(fileName, fileName, path, ObjectKind.Unknown, "-", ObjectStatus.Unreadable,
                st is null ? "vanished or cannot be examined" : st.IsDirectory ? "a directory" : "not a regular file",
                st?.Size ?? 0, st?.Mode ?? default, st?.Uid ?? -1, st?.Modified ?? default);
        }

        long size = st.Size;
        UnixFileMode mode = st.Mode;
        int uid = st.Uid;
        DateTimeOffset modified = st.Modified;
        byte[] head;
        try
        {
            head = ReadHead(path);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            return new ShmEntry(fileName, name, path, ObjectKind.Unknown, "-", ObjectStatus.Unreadable, "cannot be read: " + e.Message, size, mode, uid, modified);
        }

        byte[] journal = [];
        if (IsResizingSegment(head))
        {
            try
            {
                journal = ReadAt(path, ResizeJournalOffset, ResizeJournalSize);
            }
            catch (Exception e) when (e is UnauthorizedAccessException or IOException)
            {
                return new ShmEntry(fileName, name, path, ObjectKind.Unknown, "-", ObjectStatus.Unreadable, "cannot be read: " + e.Message, size, mode, uid, modified);
            }
        }

        var (kind, type, status, detail) = ClassifyContent(fileName, head, size, journal);
        return new ShmEntry(fileName, kind == ObjectKind.Sync ? name : fileName, path, kind, type, status, detail, size, mode, uid, modified);
    }

    /// <summary>The kind, type, status and a detail for a file of <paramref name="size"/> bytes starting with <paramref name="head"/>.</summary>
    /// <param name="fileName">The file's name in the directory.</param>
    /// <param name="head">Its first bytes.</param>
    /// <param name="size">Its size.</param>
    /// <param name="journal">A managed segment's resize journal, read when its state word says "resizing".</param>
    internal static (ObjectKind Kind, string Type, ObjectStatus Status, string Detail) ClassifyContent(string fileName, ReadOnlySpan<byte> head, long size, ReadOnlySpan<byte> journal = default)
    {
        if (fileName.StartsWith(SemaphorePrefix, StringComparison.Ordinal))
        {
            if (size < SemaphoreSize)
            {
                return (ObjectKind.Sync, "NamedSemaphore", ObjectStatus.Corrupt, $"{size} bytes, shorter than a sem_t ({SemaphoreSize})");
            }

            ulong data = BinaryPrimitives.ReadUInt64LittleEndian(head);
            return (ObjectKind.Sync, "NamedSemaphore", ObjectStatus.Ok, $"count {data & 0xFFFFFFFF}");
        }

        if (fileName.StartsWith(SyncPrefix, StringComparison.Ordinal))
        {
            return ClassifySync(head, size);
        }

        string magic = head.Length >= 8 ? Printable(head[..8]) : string.Empty;
        if (magic == SegmentMagic)
        {
            return ClassifySegment(head, size, journal);
        }

        if (magic == FastQueueMagic)
        {
            return ClassifyFastQueue(head, size);
        }

        if (LooksLikeMessageQueue(head, size, out var mq))
        {
            return mq;
        }

        return (ObjectKind.Shm, "-", ObjectStatus.Ok, size == 0 ? "empty" : "no library header (a plain shared memory object)");
    }

    private static (ObjectKind, string, ObjectStatus, string) ClassifySync(ReadOnlySpan<byte> head, long size)
    {
        const ObjectKind K = ObjectKind.Sync;
        if (size == 0)
        {
            return (K, "-", ObjectStatus.Incomplete, "empty: being created, or its creator died");
        }

        if (size < SyncHeaderSize || head.Length < SyncHeaderSize)
        {
            return (K, "-", ObjectStatus.Corrupt, $"{size} bytes, shorter than the {SyncHeaderSize}-byte header");
        }

        ulong magic = BinaryPrimitives.ReadUInt64LittleEndian(head);
        int version = BinaryPrimitives.ReadInt32LittleEndian(head[8..]);
        int payload = BinaryPrimitives.ReadInt32LittleEndian(head[12..]);
        int state = BinaryPrimitives.ReadInt32LittleEndian(head[16..]);
        int creator = BinaryPrimitives.ReadInt32LittleEndian(head[20..]);
        if (magic == 0)
        {
            return (K, "-", ObjectStatus.Incomplete, "no kind tag yet: being created, or its creator died");
        }

        string tag = Printable(head[..8]);
        if (!s_syncTags.TryGetValue(tag, out NamedKind? namedKind))
        {
            return (K, "-", ObjectStatus.Corrupt, $"unknown kind tag {Describe(head[..8])}");
        }

        string type = namedKind.TypeName;
        if (version != namedKind.Version)
        {
            return (K, type, ObjectStatus.Corrupt, $"layout version {version}, expected {namedKind.Version}");
        }

        if (payload <= 0 || payload > 1 << 20 || size < SyncHeaderSize + (long)payload)
        {
            return (K, type, ObjectStatus.Corrupt, $"payload of {payload} bytes in an object of {size} bytes");
        }

        if (state != 1)
        {
            return (K, type, ObjectStatus.Incomplete, $"state {state}: being created by pid {creator}, or its creator died");
        }

        return (K, type, ObjectStatus.Ok, $"created by pid {creator}");
    }

    /// <summary>Whether <paramref name="head"/> is a managed segment's header whose state says "resizing" (its journal is then read too).</summary>
    private static bool IsResizingSegment(ReadOnlySpan<byte> head) =>
        head.Length >= SegmentFixedFields && Printable(head[..8]) == SegmentMagic && BinaryPrimitives.ReadInt32LittleEndian(head[8..]) == SegmentStateResizing;

    /// <summary>
    /// A managed segment, judged as the library's opener judges it: the recorded size may be smaller than the object
    /// (an interrupted or rolled-back Grow leaves that; the segment opens), never larger; a resize that is under
    /// way or was interrupted is reported from the resize journal.
    /// </summary>
    private static (ObjectKind, string, ObjectStatus, string) ClassifySegment(ReadOnlySpan<byte> head, long size, ReadOnlySpan<byte> journal)
    {
        const ObjectKind K = ObjectKind.Segment;
        const string T = "ManagedSharedMemory";
        if (head.Length < SegmentFixedFields)
        {
            return (K, T, ObjectStatus.Corrupt, $"truncated: {size} bytes");
        }

        int state = BinaryPrimitives.ReadInt32LittleEndian(head[8..]);
        int creator = BinaryPrimitives.ReadInt32LittleEndian(head[12..]);
        int version = BinaryPrimitives.ReadInt32LittleEndian(head[16..]);
        int headerSize = BinaryPrimitives.ReadInt32LittleEndian(head[20..]);
        long segmentSize = BinaryPrimitives.ReadInt64LittleEndian(head[24..]);
        int algorithm = BinaryPrimitives.ReadInt32LittleEndian(head[32..]);
        int index = BinaryPrimitives.ReadInt32LittleEndian(head[36..]);
        if (state == SegmentStateInitializing || state == 0)
        {
            return (K, T, ObjectStatus.Incomplete, $"being initialized by pid {creator}, or its creator died");
        }

        if (state == SegmentStateResizing)
        {
            return ClassifyResize(journal, size);
        }

        if (state != SegmentStateReady)
        {
            return (K, T, ObjectStatus.Corrupt, $"state word 0x{state:x8}");
        }

        if (version != SegmentHeader.CurrentLayoutVersion || headerSize != SegmentHeaderSize)
        {
            return (K, T, ObjectStatus.Corrupt, $"layout version {version} / header size {headerSize}, expected {SegmentHeader.CurrentLayoutVersion} / {SegmentHeaderSize}");
        }

        if (segmentSize < SegmentMinimumSize || segmentSize > size)
        {
            return (K, T, ObjectStatus.Corrupt, $"the header says {segmentSize} bytes, the object has {size}");
        }

        string? alg = algorithm switch { 1 => "TLSF", 2 => "sequential fit", _ => null };
        string? idx = index switch { 1 => "hash index", 2 => "ordered index", 3 => "no index", _ => null };
        if (alg is null || idx is null)
        {
            return (K, T, ObjectStatus.Corrupt, $"algorithm {algorithm} / index kind {index}");
        }

        // The library opens a segment whose object is larger than its recorded size (and uses the recorded size).
        string larger = segmentSize < size ? $"; file larger than segment (interrupted grow?): the segment is {segmentSize} bytes" : string.Empty;
        return (K, T, ObjectStatus.Ok, $"{alg}, {idx}{larger}");
    }

    /// <summary>A segment whose state says "resizing": what its journal records, and whether its resizer lives.</summary>
    private static (ObjectKind, string, ObjectStatus, string) ClassifyResize(ReadOnlySpan<byte> journal, long size)
    {
        const ObjectKind K = ObjectKind.Segment;
        const string T = "ManagedSharedMemory";
        if (journal.Length < ResizeJournalSize)
        {
            return (K, T, ObjectStatus.Corrupt, $"being resized, but the object ({size} bytes) is too short to hold the resize journal");
        }

        int operation = BinaryPrimitives.ReadInt32LittleEndian(journal);
        int pid = BinaryPrimitives.ReadInt32LittleEndian(journal[4..]);
        long oldSize = BinaryPrimitives.ReadInt64LittleEndian(journal[8..]);
        long newSize = BinaryPrimitives.ReadInt64LittleEndian(journal[16..]);
        string? name = operation switch { 1 => "Grow", 2 => "ShrinkToFit", _ => null };
        if (name is null || oldSize < SegmentMinimumSize || newSize < SegmentMinimumSize)
        {
            return (K, T, ObjectStatus.Corrupt, $"being resized, but the resize journal is damaged (operation {operation}, {oldSize} -> {newSize} bytes)");
        }

        string what = $"offline {name} ({oldSize} -> {newSize} bytes) by pid {pid}";
        return Interprocess.Tool.Describe.ProcessAlive(pid)
            ? (K, T, ObjectStatus.Incomplete, $"being resized: an {what}")
            : (K, T, ObjectStatus.Incomplete, $"an interrupted {what}: the next read-write open completes it (or rolls it back)");
    }

    private static (ObjectKind, string, ObjectStatus, string) ClassifyFastQueue(ReadOnlySpan<byte> head, long size)
    {
        const ObjectKind K = ObjectKind.Queue;
        if (size < FastQueueHeaderSize || head.Length < FastQueueHeaderSize)
        {
            return (K, "-", ObjectStatus.Corrupt, $"{size} bytes, shorter than the {FastQueueHeaderSize}-byte queue header");
        }

        int version = BinaryPrimitives.ReadInt32LittleEndian(head[8..]);
        int kind = BinaryPrimitives.ReadInt32LittleEndian(head[12..]);
        long capacity = BinaryPrimitives.ReadInt64LittleEndian(head[24..]);
        int maxMessage = BinaryPrimitives.ReadInt32LittleEndian(head[32..]);
        long total = BinaryPrimitives.ReadInt64LittleEndian(head[40..]);
        string? type = (QueueKind)kind switch
        {
            QueueKind.Spsc => nameof(SpscQueue),
            QueueKind.Mpmc => nameof(MpmcQueue),
            QueueKind.Broadcast => nameof(BroadcastQueue),
            _ => null,
        };
        if (type is null)
        {
            return (K, "-", ObjectStatus.Corrupt, $"unknown queue kind {kind}");
        }

        int expected = QueueHeaderDescriptor.LayoutVersionOf((QueueKind)kind);
        if (version != expected)
        {
            return (K, type, ObjectStatus.Corrupt, version > 0 && version < expected
                ? $"layout version {version} (an older library's), this tool reads {expected}"
                : $"layout version {version}, expected {expected}");
        }

        if (total < FastQueueHeaderSize || total > size)
        {
            return (K, type, ObjectStatus.Corrupt, $"the header says {total} bytes, the object has {size}");
        }

        string unit = (QueueKind)kind == QueueKind.Spsc ? "bytes" : "slots";
        return (K, type, ObjectStatus.Ok, $"capacity {capacity} {unit}, messages up to {maxMessage} bytes");
    }

    /// <summary>
    /// Boost 1.81's message_queue has no magic word; it is recognized by its layout: a state word 0..3, the index
    /// pointer at 16 equal to +192, sane sizes whose total fits in the object (docs/message-queue.md).
    /// </summary>
    private static bool LooksLikeMessageQueue(ReadOnlySpan<byte> head, long size, out (ObjectKind, string, ObjectStatus, string) result)
    {
        result = default;
        const int Index = MessageQueueLayout.Index;
        if (head.Length < Index || size < Index)
        {
            return false;
        }

        uint state = BinaryPrimitives.ReadUInt32LittleEndian(head);
        long indexPointer = BinaryPrimitives.ReadInt64LittleEndian(head[16..]);
        ulong max = BinaryPrimitives.ReadUInt64LittleEndian(head[24..]);
        ulong msgSize = BinaryPrimitives.ReadUInt64LittleEndian(head[32..]);
        ulong count = BinaryPrimitives.ReadUInt64LittleEndian(head[40..]);
        if (state > MessageQueueLayout.StateCorrupted || indexPointer != MessageQueueLayout.HeaderSize || max < 1 || max > int.MaxValue || msgSize > int.MaxValue)
        {
            return false;
        }

        long total = MessageQueueLayout.TotalSize((long)max, (long)msgSize);
        if (total < 0 || total > size)
        {
            result = (ObjectKind.Queue, "MessageQueue", ObjectStatus.Corrupt, $"{max} messages of {msgSize} bytes need {total} bytes, the object has {size}");
        }
        else if (state != MessageQueueLayout.StateInitialized)
        {
            result = (ObjectKind.Queue, "MessageQueue", state == MessageQueueLayout.StateCorrupted ? ObjectStatus.Corrupt : ObjectStatus.Incomplete,
                state == MessageQueueLayout.StateCorrupted ? "its creator marked it corrupted" : "being initialized, or its creator died");
        }
        else if (count > max)
        {
            result = (ObjectKind.Queue, "MessageQueue", ObjectStatus.Corrupt, $"{count} messages in a queue of {max}");
        }
        else
        {
            result = (ObjectKind.Queue, "MessageQueue", ObjectStatus.Ok, $"{count}/{max} messages of up to {msgSize} bytes");
        }

        return true;
    }

    private static byte[] ReadHead(string path) => ReadAt(path, 0, ProbeLength);

    /// <summary>Up to <paramref name="length"/> bytes at <paramref name="offset"/> (fewer at the end of the file), with read(2).</summary>
    private static byte[] ReadAt(string path, long offset, int length)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var buffer = new byte[length];
        int total = 0;
        while (total < buffer.Length)
        {
            int n = RandomAccess.Read(handle, buffer.AsSpan(total), offset + total);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return buffer[..total];
    }

    private static string Printable(ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes)
        {
            if (b is < 0x20 or > 0x7E)
            {
                return string.Empty;
            }
        }

        return Encoding.ASCII.GetString(bytes);
    }

    private static string Describe(ReadOnlySpan<byte> bytes)
    {
        string text = Printable(bytes);
        return text.Length > 0 ? "\"" + text + "\"" : "bytes " + Convert.ToHexString(bytes);
    }
}
