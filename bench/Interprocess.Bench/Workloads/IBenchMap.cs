using Interprocess.Containers;
using Interprocess.Managed;

namespace Interprocess.Bench.Workloads;

/// <summary>
/// The calls <see cref="MapWorkload{TMap, TOps}"/> makes on a map of <see langword="long"/> to <see langword="long"/>:
/// static members of a struct, so the workload is specialized per map and the calls are direct.
/// </summary>
/// <typeparam name="TMap">The map's handle type.</typeparam>
internal interface IBenchMap<TMap>
{
    static abstract TMap Create(SegmentManager manager);

    static abstract bool TryAdd(TMap map, long key, long value);

    static abstract bool TryGetValue(TMap map, long key, out long value);

    static abstract long Count(TMap map);

    static abstract void Destroy(TMap map);
}

/// <summary><see cref="SharedMap{TKey, TValue}"/> (the red-black tree; Boost's <c>map</c> in the anchor).</summary>
internal readonly struct OrderedBenchMap : IBenchMap<SharedMap<long, long>>
{
    public static SharedMap<long, long> Create(SegmentManager manager) => SharedMap<long, long>.Create(manager);

    public static bool TryAdd(SharedMap<long, long> map, long key, long value) => map.TryAdd(key, value);

    public static bool TryGetValue(SharedMap<long, long> map, long key, out long value) => map.TryGetValue(key, out value);

    public static long Count(SharedMap<long, long> map) => map.Count;

    public static void Destroy(SharedMap<long, long> map) => map.Destroy();
}

/// <summary><see cref="SharedHashMap{TKey, TValue}"/> (Boost's <c>unordered_map</c> with the interprocess allocator in the anchor).</summary>
internal readonly struct HashBenchMap : IBenchMap<SharedHashMap<long, long>>
{
    public static SharedHashMap<long, long> Create(SegmentManager manager) => SharedHashMap<long, long>.Create(manager);

    public static bool TryAdd(SharedHashMap<long, long> map, long key, long value) => map.TryAdd(key, value);

    public static bool TryGetValue(SharedHashMap<long, long> map, long key, out long value) => map.TryGetValue(key, out value);

    public static long Count(SharedHashMap<long, long> map) => map.Count;

    public static void Destroy(SharedHashMap<long, long> map) => map.Destroy();
}
