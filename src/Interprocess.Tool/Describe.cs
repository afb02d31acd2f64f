using System.Globalization;

namespace Interprocess.Tool;

/// <summary>How values are shown: sizes, permissions, owners, times, threads.</summary>
internal static class Describe
{
    private static readonly Lazy<Dictionary<int, string>> s_users = new(ReadUsers);

    /// <summary>"-rw-------" for 0600.</summary>
    public static string ModeString(UnixFileMode mode)
    {
        int m = (int)mode;
        Span<char> c = stackalloc char[10];
        c[0] = '-';
        const string Letters = "rwxrwxrwx";
        for (int i = 0; i < 9; i++)
        {
            c[i + 1] = (m & (1 << (8 - i))) != 0 ? Letters[i] : '-';
        }

        return new string(c);
    }

    /// <summary>"0600".</summary>
    public static string ModeOctal(UnixFileMode mode) => "0" + Convert.ToString((int)mode & 0xFFF, 8).PadLeft(3, '0');

    /// <summary>The user name of <paramref name="uid"/> from /etc/passwd, else the number; "?" when unknown.</summary>
    public static string User(int uid) =>
        uid < 0 ? "?" : s_users.Value.TryGetValue(uid, out string? name) ? name : uid.ToString(CultureInfo.InvariantCulture);

    /// <summary>"1048576 (1.0 MiB)".</summary>
    public static string Bytes(long bytes)
    {
        if (bytes < 1024)
        {
            return bytes.ToString(CultureInfo.InvariantCulture) + " B";
        }

        string[] units = ["KiB", "MiB", "GiB", "TiB"];
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.Length - 1)
        {
            v /= 1024;
            u++;
        }

        return string.Create(CultureInfo.InvariantCulture, $"{bytes} B ({v:0.#} {units[u]})");
    }

    /// <summary>"2026-11-27 10:48:03 +00:00", in local time.</summary>
    public static string Time(DateTimeOffset time) =>
        time == default ? "?" : time.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture);

    /// <summary>"thread 123 of pid 120 (alive)" or "thread 123 (dead: no such thread)".</summary>
    public static string Thread(int tid)
    {
        int pid = ProcessOfThread(tid);
        return pid > 0
            ? string.Create(CultureInfo.InvariantCulture, $"thread {tid} of pid {pid} ({CommandOf(pid)}), alive")
            : string.Create(CultureInfo.InvariantCulture, $"thread {tid}, dead (no such thread)");
    }

    /// <summary>Whether process <paramref name="pid"/> exists (in this pid namespace).</summary>
    public static bool ProcessAlive(int pid) => pid > 0 && Directory.Exists("/proc/" + pid.ToString(CultureInfo.InvariantCulture));

    /// <summary>The process (thread group) a thread belongs to, from /proc/TID/status; 0 when the thread does not exist.</summary>
    public static int ProcessOfThread(int tid)
    {
        if (tid <= 0)
        {
            return 0;
        }

        try
        {
            foreach (string line in File.ReadLines($"/proc/{tid}/status"))
            {
                if (line.StartsWith("Tgid:", StringComparison.Ordinal)
                    && int.TryParse(line.AsSpan(5).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int pid))
                {
                    return pid;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return 0;
    }

    /// <summary>The command name of a process, "?" if unknown.</summary>
    public static string CommandOf(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "?";
        }
    }

    private static Dictionary<int, string> ReadUsers()
    {
        var users = new Dictionary<int, string>();
        try
        {
            foreach (string line in File.ReadLines("/etc/passwd"))
            {
                string[] f = line.Split(':');
                if (f.Length > 2 && int.TryParse(f[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out int uid))
                {
                    users.TryAdd(uid, f[0]);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return users;
    }
}
