using System.Globalization;
using System.Text.Json;

namespace Interprocess.Tool;

/// <summary><c>interprocess list</c>: every object in /dev/shm, classified.</summary>
internal static class ListCommand
{
    public static int Run(KindFilter filter, bool json, TextWriter output)
    {
        var entries = ShmDirectory.Scan().Where(e => filter.Matches(e.Kind)).ToList();
        if (json)
        {
            WriteJson(entries, output);
            return ExitCodes.Success;
        }

        if (entries.Count == 0)
        {
            output.WriteLine($"No {filter.Describe()} objects in {ShmDirectory.Root}.");
            return ExitCodes.Success;
        }

        var table = new TextTable("KIND", "TYPE", "NAME", "SIZE", "PERMISSIONS", "OWNER", "MODIFIED", "STATUS").AlignRight(3);
        foreach (var e in entries)
        {
            table.Add(
                KindFilter.Name(e.Kind),
                e.Type,
                e.Name,
                e.Size.ToString(CultureInfo.InvariantCulture),
                $"{Describe.ModeString(e.Mode)} {Describe.ModeOctal(e.Mode)}",
                Describe.User(e.OwnerUid),
                Describe.Time(e.Modified),
                StatusText(e));
        }

        table.Write(output);
        return ExitCodes.Success;
    }

    /// <summary>"ok: TLSF, hash index" / "corrupt: ...".</summary>
    public static string StatusText(ShmEntry e) => $"{e.Status.ToString().ToLowerInvariant()}: {e.Detail}";

    private static void WriteJson(List<ShmEntry> entries, TextWriter output)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartArray();
            foreach (var e in entries)
            {
                w.WriteStartObject();
                w.WriteString("name", e.Name);
                w.WriteString("file", e.FileName);
                w.WriteString("path", e.Path);
                w.WriteString("kind", KindFilter.Name(e.Kind));
                w.WriteString("type", e.Type);
                w.WriteString("status", e.Status.ToString().ToLowerInvariant());
                w.WriteString("detail", e.Detail);
                w.WriteNumber("size", e.Size);
                w.WriteString("permissions", Describe.ModeString(e.Mode));
                w.WriteString("mode", Describe.ModeOctal(e.Mode));
                w.WriteString("owner", Describe.User(e.OwnerUid));
                w.WriteNumber("uid", e.OwnerUid);
                w.WriteString("modified", e.Modified.ToString("o", CultureInfo.InvariantCulture));
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }
}
