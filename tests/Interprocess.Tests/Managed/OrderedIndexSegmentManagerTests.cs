using System.Globalization;
using Interprocess.Managed;

namespace Interprocess.Tests.Managed;

/// <summary>The segment manager tests over the ordered name index, plus what only an ordered index does.</summary>
public sealed class OrderedIndexSegmentManagerTests : SegmentManagerTests
{
    public OrderedIndexSegmentManagerTests()
        : base(AllocationAlgorithm.Tlsf, NameIndexKind.Ordered)
    {
    }

    [Fact]
    public void NamedObjects_AreEnumeratedInNameOrder_ThroughManyChunkSplitsAndMerges()
    {
        var rng = new Random(11);
        var names = Enumerable.Range(0, 3000).Select(i => "n" + rng.Next(1_000_000).ToString("D7", CultureInfo.InvariantCulture) + "-" + i.ToString(CultureInfo.InvariantCulture)).ToList();
        foreach (string n in names)
        {
            M.Construct(n, n.Length);
        }

        var sorted = names.Order(StringComparer.Ordinal).ToList();
        Assert.Equal(sorted, M.GetNamedObjects().Select(o => o.Name));
        foreach (string n in names.Where((_, i) => i % 3 != 0))
        {
            Assert.True(M.Destroy<int>(n));
        }

        Assert.Equal(sorted.Where(n => names.IndexOf(n) % 3 == 0), M.GetNamedObjects().Select(o => o.Name));
        Assert.True(M.CheckSanity(out var problems), string.Join("; ", problems));
        foreach (string n in names)
        {
            Assert.Equal(names.IndexOf(n) % 3 == 0, !M.Find<int>(n).IsNull);
        }
    }
}
