using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;

namespace Interprocess.Containers;

/// <summary>
/// Looking up <see cref="SharedString"/> keys by text without creating a SharedString: the text is encoded to
/// UTF-8 on the stack (or in a pooled buffer when long), and the containers' own search code runs with a
/// <see cref="Utf8Probe"/> comparer and a placeholder key that stands for that text.
/// </summary>
/// <remarks>
/// <para>The containers' searches are generic over the key and the comparer (<c>Find(in TKey key, TCmp cmp)</c>
/// calls <c>cmp.Compare(key, node.Key)</c>). Rather than writing each search again for a probe, a lookup by text
/// passes <see cref="ProbeA"/> (and <see cref="ProbeB"/> for the upper bound of a range) as the key: two handles
/// that no real string can have (segment identity 0, which is a default handle, but a header offset of 1 or 2,
/// which no default handle has), and this comparer replaces them by the probe's bytes. Every other key is
/// compared exactly as <see cref="SharedString.CompareTo(SharedString)"/> does (ordinal UTF-8 bytes, a default
/// handle first), so the order is the one the tree or array is sorted by.</para>
/// <para>The probe's bytes are pinned (a stack buffer, or a pinned pooled array) for the duration of the call.</para>
/// </remarks>
internal readonly unsafe struct Utf8Probe : IComparer<SharedString>
{
    /// <summary>Bytes encoded on the stack; a longer text takes a pooled buffer.</summary>
    internal const int StackBytes = 256;

    /// <summary>The first probe's bytes.</summary>
    private readonly byte* _a;

    /// <summary>The first probe's length.</summary>
    private readonly int _aLength;

    /// <summary>The second probe's bytes (range upper bounds).</summary>
    private readonly byte* _b;

    /// <summary>The second probe's length.</summary>
    private readonly int _bLength;

    /// <summary>A comparer for one probe (<see cref="ProbeA"/>), or two (<see cref="ProbeB"/> too).</summary>
    internal Utf8Probe(byte* a, int aLength, byte* b = null, int bLength = 0)
    {
        _a = a;
        _aLength = aLength;
        _b = b;
        _bLength = bLength;
    }

    /// <summary>The placeholder key that stands for the first probe's text.</summary>
    internal static SharedString ProbeA => new(new ContainerHandle { Header = 1 });

    /// <summary>The placeholder key that stands for the second probe's text.</summary>
    internal static SharedString ProbeB => new(new ContainerHandle { Header = 2 });

    /// <summary>Orders two keys as <see cref="SharedString.CompareTo(SharedString)"/> does, a placeholder standing for its probe's text.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Compare(SharedString x, SharedString y)
    {
        if (x.Handle.SegmentId != 0 && y.Handle.SegmentId != 0)
        {
            return x.AsUtf8Span().SequenceCompareTo(y.AsUtf8Span());
        }

        return CompareSpecial(x, y);
    }

    /// <summary>Whether <paramref name="stored"/> holds exactly <paramref name="utf8"/> (a default handle holds nothing).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool Matches(in SharedString stored, ReadOnlySpan<byte> utf8) =>
        stored.Handle.SegmentId != 0 && stored.AsUtf8Span().SequenceEqual(utf8);

    /// <summary>
    /// The UTF-8 encoding of <paramref name="text"/> as <see cref="SharedString"/> stores it (<see cref="Encoding.UTF8"/>:
    /// a lone surrogate becomes U+FFFD), in <paramref name="stack"/> when it fits, else in a rented array given back
    /// with <see cref="Return"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ReadOnlySpan<byte> Encode(ReadOnlySpan<char> text, Span<byte> stack, out byte[]? rented)
    {
        rented = null;
        if (text.Length <= stack.Length / 3)
        {
            // At most 3 bytes per UTF-16 char (a surrogate pair is 2 chars for 4 bytes): no count pass needed.
            return stack[..Encoding.UTF8.GetBytes(text, stack)];
        }

        return EncodeLong(text, stack, out rented);
    }

    /// <summary>Gives back a buffer <see cref="Encode"/> rented.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Return(byte[]? rented)
    {
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static ReadOnlySpan<byte> EncodeLong(ReadOnlySpan<char> text, Span<byte> stack, out byte[]? rented)
    {
        int n = Encoding.UTF8.GetByteCount(text);
        rented = null;
        Span<byte> into = stack;
        if (n > stack.Length)
        {
            rented = ArrayPool<byte>.Shared.Rent(n);
            into = rented;
        }

        return into[..Encoding.UTF8.GetBytes(text, into)];
    }

    private int CompareSpecial(SharedString x, SharedString y)
    {
        bool xNone = !TryBytes(x, out var xs);
        bool yNone = !TryBytes(y, out var ys);
        if (xNone || yNone)
        {
            // A default handle sorts first (as SharedString.CompareTo).
            return xNone ? (yNone ? 0 : -1) : 1;
        }

        return xs.SequenceCompareTo(ys);
    }

    /// <summary>The bytes a key stands for: its text, a probe's text, or none for a default handle.</summary>
    private bool TryBytes(SharedString s, out ReadOnlySpan<byte> bytes)
    {
        var h = s.Handle;
        if (h.SegmentId != 0)
        {
            bytes = s.AsUtf8Span();
            return true;
        }

        if (h.Header == 1 && h.Stamp == 0)
        {
            bytes = new ReadOnlySpan<byte>(_a, _aLength);
            return true;
        }

        if (h.Header == 2 && h.Stamp == 0)
        {
            bytes = new ReadOnlySpan<byte>(_b, _bLength);
            return true;
        }

        bytes = default;
        return false;
    }
}
