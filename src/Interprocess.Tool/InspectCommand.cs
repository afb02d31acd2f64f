using System.Buffers.Binary;
using System.Globalization;
using Interprocess.Managed;
using Interprocess.Memory;
using Interprocess.Queues;
using Interprocess.Synchronization;

namespace Interprocess.Tool;

/// <summary>
/// <c>interprocess inspect NAME</c>: everything the tool can tell about one object, read through read-only
/// handles (ManagedSharedMemory.OpenReadOnly, MessageQueue.Inspect, FastQueueInfo.Inspect, a read-only
/// MappedRegion for named locks); nothing is locked or written.
/// </summary>
internal static class InspectCommand
{
    private const int SyncHeaderSize = 64;

    public static int Run(string name, KindFilter filter, TextWriter output, TextWriter error)
    {
        var matches = ShmDirectory.Find(name).Where(e => filter.Matches(e.Kind)).ToList();
        if (matches.Count == 0)
        {
            error.WriteLine($"interprocess: no {filter.Describe()} object named '{name}' in {ShmDirectory.Root} (try 'interprocess list').");
            return ExitCodes.NotFound;
        }

        int rc = ExitCodes.Success;
        for (int i = 0; i < matches.Count; i++)
        {
            if (i > 0)
            {
                output.WriteLine();
            }

            rc = Math.Max(rc, InspectOne(matches[i], output));
        }

        return rc;
    }

    private static int InspectOne(ShmEntry e, TextWriter o)
    {
        Line(o, "name", e.Name);
        Line(o, "file", e.Path);
        Line(o, "kind", e.Type == "-" ? KindFilter.Name(e.Kind) : $"{KindFilter.Name(e.Kind)} ({e.Type})");
        Line(o, "size", Describe.Bytes(e.Size));
        Line(o, "permissions", $"{Describe.ModeString(e.Mode)} ({Describe.ModeOctal(e.Mode)})");
        Line(o, "owner", e.OwnerUid < 0 ? "?" : $"{Describe.User(e.OwnerUid)} (uid {e.OwnerUid})");
        Line(o, "modified", Describe.Time(e.Modified));
        Line(o, "status", ListCommand.StatusText(e));
        if (e.Status != ObjectStatus.Ok)
        {
            return ExitCodes.Failed;
        }

        try
        {
            return e.Kind switch
            {
                ObjectKind.Segment => Segment(e, o),
                ObjectKind.Queue when e.Type == "MessageQueue" => MessageQueueState(e, o),
                ObjectKind.Queue => FastQueue(e, o),
                ObjectKind.Sync when e.Type == "NamedSemaphore" => Semaphore(e, o),
                ObjectKind.Sync => Sync(e, o),
                _ => ExitCodes.Success,
            };
        }
        catch (InterprocessException ex)
        {
            Line(o, "error", ex.Message);
            return ex.ErrorCode == InterprocessErrorCode.NotFound ? ExitCodes.NotFound : ExitCodes.Failed;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            Line(o, "error", ex.Message);
            return ExitCodes.Failed;
        }
    }

    private static int Segment(ShmEntry e, TextWriter o)
    {
        using var segment = ManagedSharedMemory.OpenReadOnly(e.FileName, TimeSpan.FromMilliseconds(200));
        var m = segment.Manager;
        Line(o, "segment size", Describe.Bytes(m.Size));
        Line(o, "free memory", Describe.Bytes(m.GetFreeMemory()));
        Line(o, "algorithm", m.Algorithm.ToString());
        Line(o, "name index", m.IndexKind.ToString());
        Line(o, "recoveries", m.Recoveries.ToString(CultureInfo.InvariantCulture));
        IReadOnlyList<SegmentObjectInfo> named = m.IndexKind == NameIndexKind.None ? [] : m.GetNamedObjects();
        IReadOnlyList<SegmentObjectInfo> unique = m.IndexKind == NameIndexKind.None ? [] : m.GetUniqueObjects();
        Objects(o, "named objects", named);
        Objects(o, "unique objects", unique);
        bool sane = m.CheckSanity(out var problems);
        Line(o, "sanity", sane ? "ok" : $"{problems.Count} problem(s)");
        foreach (string p in problems)
        {
            o.WriteLine("  - " + p);
        }

        return sane ? ExitCodes.Success : ExitCodes.Failed;
    }

    private static void Objects(TextWriter o, string title, IReadOnlyList<SegmentObjectInfo> objects)
    {
        Line(o, title, objects.Count.ToString(CultureInfo.InvariantCulture));
        if (objects.Count == 0)
        {
            return;
        }

        var table = new TextTable("NAME", "TYPE", "ELEMENT", "COUNT", "BYTES", "HANDLE").AlignRight(2, 3, 4, 5);
        foreach (var x in objects.OrderBy(x => x.Name, StringComparer.Ordinal))
        {
            table.Add(x.Name, x.TypeName, x.ElementSize.ToString(CultureInfo.InvariantCulture), x.Count.ToString(CultureInfo.InvariantCulture),
                (x.ElementSize * x.Count).ToString(CultureInfo.InvariantCulture), x.Handle.ToString(CultureInfo.InvariantCulture));
        }

        table.Write(o, "  ");
    }

    private static int MessageQueueState(ShmEntry e, TextWriter o)
    {
        var q = MessageQueue.Inspect(e.FileName);
        Line(o, "layout", "Boost 1.81 message_queue");
        Line(o, "capacity", $"{q.MaxMessages} messages");
        Line(o, "max message size", $"{q.MaxMessageSize} bytes");
        Line(o, "depth", $"{q.Count} messages");
        Line(o, "blocked senders", q.BlockedSenders.ToString(CultureInfo.InvariantCulture));
        Line(o, "blocked receivers", q.BlockedReceivers.ToString(CultureInfo.InvariantCulture));
        Line(o, "lock", q.LockNotRecoverable ? "not recoverable (an owner died and was never made consistent)" : LockText(q.LockOwnerThreadId, q.LockOwnerDied));
        return ExitCodes.Success;
    }

    private static int FastQueue(ShmEntry e, TextWriter o)
    {
        var q = FastQueueInfo.Inspect(e.FileName);
        bool spsc = q.QueueType == nameof(SpscQueue);
        Line(o, "capacity", spsc ? $"{q.Capacity} bytes" : $"{q.Capacity} messages");
        Line(o, "max message size", $"{q.MaxMessageSize} bytes");
        Line(o, "depth", q.QueueType == nameof(BroadcastQueue) ? $"{q.Depth} messages in the ring (each subscriber reads from its own position)" : $"{q.Depth} messages");
        Line(o, "producer position", q.ProducerPosition.ToString(CultureInfo.InvariantCulture));
        if (q.QueueType != nameof(BroadcastQueue))
        {
            Line(o, "consumer position", q.ConsumerPosition.ToString(CultureInfo.InvariantCulture));
        }

        Line(o, "blocked receivers", q.ConsumersMaySleep ? "yes (a consumer is asleep or about to sleep)" : "none");
        Line(o, "blocked senders", q.ProducersMaySleep ? "yes (a producer is asleep or about to sleep)" : "none");
        if (q.QueueType == nameof(MpmcQueue))
        {
            Line(o, "claimed slots", q.ClaimingProcessIds.Count == 0
                ? "none"
                : string.Join(", ", q.ClaimingProcessIds.Select(pid => $"pid {pid} ({(Describe.ProcessAlive(pid) ? "alive" : "dead")})")));
        }

        if (q.QueueType == nameof(BroadcastQueue))
        {
            Line(o, "producer lock", LockText(q.ProducerLockOwnerThreadId, q.ProducerLockAbandoned));
        }

        return ExitCodes.Success;
    }

    private static int Semaphore(ShmEntry e, TextWriter o)
    {
        // glibc's x86-64 sem_t: uint64 data = value (low 32 bits) | waiters (high 32 bits). Read, never mapped.
        var bytes = new byte[8];
        using (var handle = File.OpenHandle(e.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        {
            if (RandomAccess.Read(handle, bytes, 0) != bytes.Length)
            {
                Line(o, "error", "the semaphore file is truncated");
                return ExitCodes.Failed;
            }
        }

        ulong data = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Line(o, "count", (data & 0xFFFFFFFF).ToString(CultureInfo.InvariantCulture));
        Line(o, "waiters", (data >> 32).ToString(CultureInfo.InvariantCulture));
        Line(o, "owner process", "none (a semaphore is a count; it has no owner)");
        return ExitCodes.Success;
    }

    private static int Sync(ShmEntry e, TextWriter o)
    {
        using var shm = SharedMemoryObject.OpenExisting(e.FileName, AccessMode.ReadOnly);
        using var region = new MappedRegion(shm, AccessMode.ReadOnly);
        int payload = region.Read<int>(12);
        if (payload <= 0 || SyncHeaderSize + (long)payload > region.Size)
        {
            Line(o, "error", "the object changed while it was read (payload size)");
            return ExitCodes.Failed;
        }

        Line(o, "creator pid", $"{region.Read<int>(20)} ({(Describe.ProcessAlive(region.Read<int>(20)) ? "alive" : "gone")})");
        switch (e.Type)
        {
            case "NamedMutex" when payload >= InterprocessMutex.Size:
            {
                ref readonly var m = ref region.GetReadOnlyRef<InterprocessMutex>(SyncHeaderSize);
                ExclusiveLock(o, m.OwnerThreadId, m.IsAbandoned);
                break;
            }

            case "NamedRecursiveMutex" when payload >= InterprocessRecursiveMutex.Size:
            {
                ref readonly var m = ref region.GetReadOnlyRef<InterprocessRecursiveMutex>(SyncHeaderSize);
                ExclusiveLock(o, m.OwnerThreadId, m.IsAbandoned);
                break;
            }

            case "NamedSharableMutex" when payload >= InterprocessSharableMutex.Size:
            {
                var m = region.Read<InterprocessSharableMutex>(SyncHeaderSize);
                Line(o, "state", m.IsLocked ? "held exclusively" : m.SharableCount > 0 ? "shared" : "free");
                Line(o, "shared holders", m.SharableCount.ToString(CultureInfo.InvariantCulture));
                break;
            }

            case "NamedUpgradableMutex" when payload >= InterprocessUpgradableMutex.Size:
            {
                var m = region.Read<InterprocessUpgradableMutex>(SyncHeaderSize);
                Line(o, "state", m.IsLocked ? "held exclusively" : m.SharableCount > 0 ? "shared or upgradable" : "free");
                Line(o, "shared holders", m.SharableCount.ToString(CultureInfo.InvariantCulture) + " (the upgradable owner included)");
                break;
            }

            case "NamedCondition" or "NamedConditionAny":
                Line(o, "state", "a condition variable (no owner; waiters are not recorded by name)");
                break;
            default:
                Line(o, "error", $"a {e.Type} of {payload} bytes is smaller than the primitive");
                return ExitCodes.Failed;
        }

        return ExitCodes.Success;
    }

    private static void ExclusiveLock(TextWriter o, int ownerTid, bool abandoned)
    {
        if (ownerTid != 0)
        {
            int pid = Describe.ProcessOfThread(ownerTid);
            Line(o, "state", "held");
            Line(o, "holder", Describe.Thread(ownerTid));
            if (pid == 0)
            {
                Line(o, "note", "the owner is dead: the next locker takes the lock over and is told (AcquiredAbandoned)");
            }
        }
        else if (abandoned)
        {
            Line(o, "state", "abandoned");
            Line(o, "holder", "dead (the holder died holding the lock; the next locker takes it over and is told)");
        }
        else
        {
            Line(o, "state", "free");
        }
    }

    /// <summary>One line for a lock word: free / held by whom / abandoned.</summary>
    private static string LockText(int ownerTid, bool ownerDied) =>
        ownerTid != 0 ? "held by " + Describe.Thread(ownerTid)
        : ownerDied ? "abandoned: its owner died holding it (dead); the next locker recovers it"
        : "free";

    private static void Line(TextWriter o, string key, string value) => o.WriteLine($"{key + ":",-19}{value}");
}
