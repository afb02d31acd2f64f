namespace Interprocess.Tool;

/// <summary>The value of <c>--kind</c>: segment, queue, sync, shm or all.</summary>
internal sealed class KindFilter
{
    /// <summary>The accepted values, for the option's completions and messages.</summary>
    public static readonly string[] Values = ["segment", "queue", "sync", "shm", "all"];

    private readonly ObjectKind? _kind;

    private KindFilter(ObjectKind? kind) => _kind = kind;

    public static KindFilter All { get; } = new(null);

    public static KindFilter Parse(string? value) => value switch
    {
        null or "all" => All,
        "segment" => new(ObjectKind.Segment),
        "queue" => new(ObjectKind.Queue),
        "sync" => new(ObjectKind.Sync),
        "shm" => new(ObjectKind.Shm),
        _ => throw new ArgumentException($"--kind must be one of {string.Join(", ", Values)}, not '{value}'."),
    };

    public static string Name(ObjectKind kind) => kind.ToString().ToLowerInvariant();

    public bool Matches(ObjectKind kind) => _kind is null || _kind == kind;

    public string Describe() => _kind is null ? "shared memory" : Name(_kind.Value);
}
