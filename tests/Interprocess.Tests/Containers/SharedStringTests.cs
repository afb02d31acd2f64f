using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using CsCheck;
using Interprocess.Containers;
using Interprocess.Managed;
using Interprocess.Tests.Infrastructure;

namespace Interprocess.Tests.Containers;

/// <summary>
/// SharedString: Boost's string_test scenarios checked against System.String / StringBuilder, the UTF-8 encoding,
/// ordering and stable hashing, random operation sequences (CsCheck), the copy rule, bad inputs, two processes.
/// </summary>
public sealed class SharedStringTests : IDisposable
{
    private readonly ManagedHeapMemory _heap = new(16L << 20);

    private SegmentManager M => _heap.Manager;

    public void Dispose() => _heap.Dispose();

    [Theory]
    [InlineData("")]
    [InlineData("short")]
    [InlineData("exactly thirty-two bytes long!!!")]
    [InlineData("a text longer than the thirty-two bytes kept inline in the header")]
    public void BoostStringTestScenarios_MatchSystemString(string initial)
    {
        var s = SharedString.From(M, initial);
        var expected = new StringBuilder(initial);
        Assert.Equal(initial, s.ToString());
        Assert.Equal(initial.Length, s.ByteCount);
        Assert.Equal(initial.Length == 0, s.IsEmpty);

        // append (text, bytes, another shared string, itself)
        s.Append(" and more");
        expected.Append(" and more");
        s.AppendUtf8("!"u8);
        expected.Append('!');
        var other = SharedString.From(M, "<other>");
        s.Append(other);
        expected.Append("<other>");
        Assert.Equal(expected.ToString(), s.ToString());
        s.Append(s);
        expected.Append(expected.ToString());
        Assert.Equal(expected.ToString(), s.ToString());

        // insert at the front, the middle, the end
        s.Insert(0, "[");
        expected.Insert(0, "[");
        s.Insert(s.ByteCount / 2, "middle");
        expected.Insert(expected.Length / 2, "middle");
        s.Insert(s.ByteCount, "]");
        expected.Append(']');
        Assert.Equal(expected.ToString(), s.ToString());

        // erase
        s.Remove(1, 3);
        expected.Remove(1, 3);
        s.Remove(s.ByteCount - 2, 2);
        expected.Remove(expected.Length - 2, 2);
        Assert.Equal(expected.ToString(), s.ToString());

        // find, starts/ends with, compare
        string e = expected.ToString();
        Assert.Equal(e.IndexOf("middle", StringComparison.Ordinal), s.IndexOf("middle"));
        Assert.Equal(-1, s.IndexOf("absent"));
        Assert.Equal(e.Contains("<other>", StringComparison.Ordinal), s.Contains("<other>"));
        Assert.True(s.Contains("more!"));
        Assert.True(s.StartsWith(e.AsSpan(0, 3)));
        Assert.True(s.EndsWith(e.AsSpan()[^2..]));
        Assert.False(s.StartsWith("zzz"));
        Assert.True(s.Equals(e));
        Assert.True(s.Equals(e.AsSpan()));
        Assert.False(s.Equals(e + "x"));
        Assert.Equal(0, s.CompareTo(e));

        // assign, reserve, clear
        s.Assign("assigned");
        Assert.Equal("assigned", s.ToString());
        s.AssignUtf8(s.AsUtf8Span()[2..]);
        Assert.Equal("signed", s.ToString());
        s.Reserve(500);
        Assert.True(s.Capacity >= 500);
        Assert.Equal("signed", s.ToString());
        s.Clear();
        Assert.True(s.IsEmpty);
        Assert.Equal(string.Empty, s.ToString());

        s.Destroy();
        other.Destroy();
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void Text_IsStoredAsUtf8()
    {
        const string Text = "héllo, wörld — 😀";
        var s = SharedString.From(M, Text);
        Assert.Equal(Encoding.UTF8.GetBytes(Text), s.AsUtf8Span().ToArray());
        Assert.Equal(Encoding.UTF8.GetByteCount(Text), s.ByteCount);
        Assert.Equal(Text.Length, s.GetCharCount());
        Assert.Equal(Text, s.ToString());
        Assert.True(s.EqualsUtf8(Encoding.UTF8.GetBytes(Text)));

        var bytes = SharedString.FromUtf8(M, "caf\u00e9"u8);
        Assert.Equal("café", bytes.ToString());

        // Bytes are stored as given (like std::string); invalid sequences read back as U+FFFD.
        var invalid = SharedString.FromUtf8(M, [0x61, 0xFF, 0x62]);
        Assert.Equal(3, invalid.ByteCount);
        Assert.Equal("a\uFFFDb", invalid.ToString());

        // A lone surrogate is encoded as U+FFFD, and Equals encodes the same way.
        var lone = SharedString.From(M, "x\uD800y");
        Assert.Equal("x\uFFFDy", lone.ToString());
        Assert.True(lone.Equals("x\uD800y"));
        s.Destroy();
        bytes.Destroy();
        invalid.Destroy();
        lone.Destroy();
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void Order_IsCodePointOrder_NotUtf16Order()
    {
        // U+FFFD sorts before U+1F600 by code point (and by UTF-8 bytes); UTF-16 ordinal order says the opposite.
        var a = SharedString.From(M, "\uFFFD");
        var b = SharedString.From(M, "😀");
        Assert.True(string.CompareOrdinal("\uFFFD", "😀") > 0);
        Assert.True(a < b);
        Assert.True(a.CompareTo(b) < 0);
        Assert.True(b.CompareTo("\uFFFD") > 0);
        Assert.True(a.CompareTo("😀") < 0);

        var words = new[] { "pear", "apple", "", "apples", "Zebra", "äpfel", "app" };
        var shared = words.Select(w => SharedString.From(M, w)).ToList();
        var sorted = shared.Order().Select(x => x.ToString()).ToArray();
        var expected = words.OrderBy(w => Encoding.UTF8.GetBytes(w), Comparer<byte[]>.Create((x, y) => x.AsSpan().SequenceCompareTo(y))).ToArray();
        Assert.Equal(expected, sorted);
        foreach (var x in shared)
        {
            x.Destroy();
        }

        a.Destroy();
        b.Destroy();
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void EqualityAndHash_AreByContent_SoItWorksAsAKey()
    {
        var a = SharedString.From(M, "key");
        var b = SharedString.From(M, "key");
        var c = SharedString.From(M, "other key that is rather long, beyond the inline part");
        Assert.True(a == b);
        Assert.False(a.IsSameInstance(b));
        Assert.True(a.IsSameInstance(a));
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.Equal(SharedString.HashOf("key"), a.GetHashCode());
        Assert.Equal(SharedString.HashOfUtf8("key"u8), a.GetHashCode());
        Assert.True(a != c);
        Assert.True(a.Equals((object)"key"));
        Assert.False(a.Equals((object)42));

        var dict = new Dictionary<SharedString, int> { [a] = 1, [c] = 2 };
        Assert.Equal(1, dict[b]);
        var set = new SortedSet<SharedString> { a, b, c };
        Assert.Equal(2, set.Count);

        SharedString none = default;
        Assert.True(none.Equals(default(SharedString)));
        Assert.False(none.Equals(a));
        Assert.True(none.CompareTo(a) < 0);
        Assert.Equal(0, none.GetHashCode());
        a.Destroy();
        b.Destroy();
        c.Destroy();
    }

    [Fact]
    public void Hash_IsTheSameInAnotherProcess()
    {
        // string.GetHashCode is randomized per process; this hash must not be.
        const string Text = "the same in every process";
        var (code, lines) = Driver.Run("string-hash", Text);
        Assert.Equal(0, code);
        Assert.Equal("HASH " + SharedString.HashOf(Text).ToString(CultureInfo.InvariantCulture), Assert.Single(lines));
    }

    [Fact]
    public void RandomOperationSequences_MatchStringBuilder() =>
        Gen.Select(Gen.Int[0, 5], Gen.Char["abcdé😀xyz"].Array[0, 40].Select(a => new string(a)), Gen.Int[0, 1000]).Array[0, 60].Sample(ops =>
        {
            var s = SharedString.Create(M);
            var sb = new List<byte>();
            try
            {
                foreach (var (op, text, k) in ops)
                {
                    byte[] bytes = Encoding.UTF8.GetBytes(text);
                    switch (op)
                    {
                        case 0:
                        case 1:
                            s.Append(text);
                            sb.AddRange(bytes);
                            break;
                        case 2:
                            int at = k % (sb.Count + 1);
                            s.InsertUtf8(at, bytes);
                            sb.InsertRange(at, bytes);
                            break;
                        case 3 when sb.Count > 0:
                            int from = k % sb.Count;
                            int n = Math.Min(k % 7, sb.Count - from);
                            s.Remove(from, n);
                            sb.RemoveRange(from, n);
                            break;
                        case 4:
                            s.Assign(text);
                            sb.Clear();
                            sb.AddRange(bytes);
                            break;
                        case 5 when k % 10 == 0:
                            s.Clear();
                            sb.Clear();
                            break;
                    }

                    Assert.Equal(sb.Count, s.ByteCount);
                }

                Assert.Equal(sb.ToArray(), s.AsUtf8Span().ToArray());
                Assert.Equal(SharedString.HashOfUtf8(sb.ToArray()), s.GetHashCode());
            }
            finally
            {
                s.Destroy();
            }

            Assert.True(M.AllMemoryDeallocated());
        }, iter: 200, threads: 1); // one thread: the model check includes AllMemoryDeallocated of the shared segment

    [Fact]
    public void CopiesAlias_StaleAndDefaultHandlesThrow_BadInputsAreRefused()
    {
        var s = SharedString.From(M, "abc");
        var copy = s;
        copy.Append("def");
        Assert.Equal("abcdef", s.ToString());
        Assert.Throws<ArgumentOutOfRangeException>(() => s.Insert(7, "x"));
        Assert.Throws<ArgumentOutOfRangeException>(() => s.Remove(4, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => s.Remove(-1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => s.Reserve(-1));
        Assert.Throws<ArgumentNullException>(() => SharedString.Create(M, "n", null!));
        Assert.Equal("abcdef", s.ToString());
        s.Destroy();
        Assert.Throws<InvalidOperationException>(() => copy.ToString());
        Assert.Throws<InvalidOperationException>(() => copy.Append("x"));
        SharedString none = default;
        Assert.Equal(string.Empty, none.ToString());
        Assert.Throws<InvalidOperationException>(() => none.ByteCount);
        Assert.Throws<InvalidOperationException>(() => none.Append("x"));
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public unsafe void DamagedHeader_GivesCorrupted()
    {
        var s = SharedString.From(M, "a text longer than the thirty-two inline bytes ...");
        long header = Unsafe.As<SharedString, ContainerHandle>(ref s).Header;
        var h = (StringHeader*)(M.BasePointer + header);
        h->Length = h->Capacity + 1;
        Assert.Equal(InterprocessErrorCode.Corrupted, Assert.Throws<InterprocessException>(() => s.ToString()).ErrorCode);
        h->Length = 4;
        Assert.Equal("a te", s.ToString());
        s.Destroy();
    }

    [Fact]
    public void Named_CreateFindOrCreate_AndAnotherProcessAppends()
    {
        string name = UniqueName.New("str");
        using var shm = ManagedSharedMemory.CreateNew(name, 1L << 20);
        try
        {
            var m = shm.Manager;
            var s = SharedString.Create(m, "greeting", "héllo");
            Assert.Equal(s, SharedString.FindOrCreate(m, "greeting", "ignored"));
            Assert.True(SharedString.Find(m, "greeting").IsSameInstance(s));
            var (code, lines) = Driver.Run("string-append", name, "greeting", ", wörld and a tail past the inline capacity");
            Assert.Equal(0, code);
            const string Expected = "héllo, wörld and a tail past the inline capacity";
            Assert.Equal(new[] { "TEXT " + Expected, "HASH " + SharedString.HashOf(Expected).ToString(CultureInfo.InvariantCulture) }, lines);
            Assert.Equal(Expected, s.ToString());
            Assert.Equal(SharedString.HashOf(Expected), s.GetHashCode());
            Assert.True(SharedString.Destroy(m, "greeting"));
            Assert.True(m.AllMemoryDeallocated());
        }
        finally
        {
            ManagedSharedMemory.Remove(name);
        }
    }
}
