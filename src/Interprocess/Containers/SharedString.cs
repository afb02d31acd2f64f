using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Interprocess.Managed;

namespace Interprocess.Containers;

/// <summary>
/// A string of text stored in a managed segment as UTF-8 and usable from every process that maps it (Boost's
/// <c>boost::interprocess::basic_string</c>); it converts to and from <see cref="string"/> and spans.
/// </summary>
/// <remarks>
/// <para><b>Encoding: UTF-8.</b> It is compact for the mostly-ASCII text that names and keys usually are (half the
/// bytes of UTF-16), it is byte for byte what a C++ <c>std::string</c> or <c>boost::interprocess::string</c> holding
/// UTF-8 contains (so a C++ process can read it), and ordinal comparison of UTF-8 bytes is the same order as Unicode
/// code points (UTF-16 code-unit order is not, for characters above U+FFFF), which makes ordered maps of strings
/// well-defined across languages. <see cref="ByteCount"/> is the length in bytes; <see cref="GetCharCount"/> counts
/// UTF-16 chars. Text given as <see cref="ReadOnlySpan{T}"/> of chars is encoded with <see cref="Encoding.UTF8"/>
/// (a lone surrogate becomes U+FFFD); bytes given with the <c>Utf8</c> methods are stored as they are, like a
/// <c>std::string</c>, and invalid sequences read back as U+FFFD.</para>
/// <para><b>Equality, order and hash are by content</b> (ordinal UTF-8 bytes), so a SharedString works as a key of
/// the ordered and hash containers. The hash is a fixed function of the bytes (not the per-process randomized
/// <see cref="string.GetHashCode()"/>), the same in every process; <see cref="HashOf(ReadOnlySpan{char})"/> gives it
/// for a <see cref="string"/> without creating a SharedString. Whether two handles are the same string:
/// <see cref="IsSameInstance"/>.</para>
/// <para>Texts of up to 32 bytes are kept inside the header (one segment block); longer ones in a buffer that grows
/// by doubling. A handle is a reference (see <see cref="SharedVector{T}"/>); the string is not synchronized.</para>
/// </remarks>
/// <example>
/// <code>
/// // process A
/// using var shm = ManagedSharedMemory.CreateNew("names", 1 &lt;&lt; 20);
/// var s = SharedString.Create(shm.Manager, "greeting", "héllo");
///
/// // process B
/// using var shm = ManagedSharedMemory.OpenExisting("names");
/// var s = SharedString.Find(shm.Manager, "greeting");
/// s.Append(", world");                 // guarded by a mutex when others use it too
/// Console.WriteLine(s);                // héllo, world
/// </code>
/// </example>
[StructLayout(LayoutKind.Sequential)]
public readonly unsafe struct SharedString : ISegmentOwned, IEquatable<SharedString>, IComparable<SharedString>, IStableHash<SharedString>
{
    private const int StackEncodeLimit = 256;

    private readonly ContainerHandle _h;

    internal SharedString(ContainerHandle h) => _h = h;

    /// <summary>Whether this is a default handle (no string).</summary>
    public bool IsDefault => _h.IsDefault;

    /// <summary>The handle's fields (the lookups by text tell their probe keys apart by them).</summary>
    internal ContainerHandle Handle => _h;

    /// <summary>The manager of the string's segment in this process.</summary>
    /// <exception cref="InvalidOperationException">A default handle, or the segment is not open in this process.</exception>
    public SegmentManager Manager => SegmentRegistry.Resolve(_h.SegmentId);

    /// <summary>The length of the text in UTF-8 bytes.</summary>
    /// <exception cref="InvalidOperationException">A default or stale handle.</exception>
    public int ByteCount => Read(out _)->Length;

    /// <summary>Whether the text is empty.</summary>
    /// <exception cref="InvalidOperationException">A default or stale handle.</exception>
    public bool IsEmpty => ByteCount == 0;

    /// <summary>Bytes the string holds before it must grow.</summary>
    /// <exception cref="InvalidOperationException">A default or stale handle.</exception>
    public int Capacity
    {
        get
        {
            var h = Read(out _);
            return h->Data == 0 ? StringHeader.InlineCapacity : h->Capacity;
        }
    }

    /// <summary>Creates an empty string.</summary>
    /// <param name="manager">The segment's manager.</param>
    /// <param name="allocator">The allocator kind (a string's buffer always takes the general path).</param>
    /// <returns>The handle.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="manager"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An unknown allocator kind.</exception>
    /// <exception cref="InterprocessException">The segment is full.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public static SharedString Create(SegmentManager manager, AllocatorKind allocator = AllocatorKind.General)
    {
        ArgumentNullException.ThrowIfNull(manager);
        if ((uint)allocator > (uint)AllocatorKind.CachedAdaptivePool)
        {
            throw new ArgumentOutOfRangeException(nameof(allocator), allocator, "Unknown allocator kind.");
        }

        var h = ContainerHandle.Create<StringHeader>(manager, StringHeader.MagicValue, ContainerTypeCheck<SharedString>.Value, out var header);
        header->Alloc.Initialize(allocator, 0);
        return new SharedString(h);
    }

    /// <summary>Creates a string holding <paramref name="value"/> (encoded as UTF-8).</summary>
    /// <param name="manager">The segment's manager.</param>
    /// <param name="value">The text.</param>
    /// <param name="allocator">The allocator kind.</param>
    /// <returns>The handle.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="manager"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An unknown allocator kind.</exception>
    /// <exception cref="InterprocessException">The segment is full.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public static SharedString From(SegmentManager manager, ReadOnlySpan<char> value, AllocatorKind allocator = AllocatorKind.General)
    {
        var s = Create(manager, allocator);
        try
        {
            s.Append(value);
        }
        catch
        {
            s.Destroy();
            throw;
        }

        return s;
    }

    /// <summary>Creates a string holding the bytes <paramref name="utf8"/> as they are.</summary>
    /// <param name="manager">The segment's manager.</param>
    /// <param name="utf8">The text's bytes (UTF-8 expected, not checked).</param>
    /// <param name="allocator">The allocator kind.</param>
    /// <returns>The handle.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="manager"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An unknown allocator kind.</exception>
    /// <exception cref="InterprocessException">The segment is full.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public static SharedString FromUtf8(SegmentManager manager, ReadOnlySpan<byte> utf8, AllocatorKind allocator = AllocatorKind.General)
    {
        var s = Create(manager, allocator);
        try
        {
            s.AppendUtf8(utf8);
        }
        catch
        {
            s.Destroy();
            throw;
        }

        return s;
    }

    /// <summary>Creates a string holding <paramref name="value"/>, stored under <paramref name="name"/>.</summary>
    /// <param name="manager">The segment's manager.</param>
    /// <param name="name">The name.</param>
    /// <param name="value">The text.</param>
    /// <param name="allocator">The allocator kind.</param>
    /// <returns>The handle.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="manager"/> or <paramref name="name"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An unknown allocator kind.</exception>
    /// <exception cref="InterprocessException">The name is taken, or the segment is full.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only or has no name index.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public static SharedString Create(SegmentManager manager, string name, string value = "", AllocatorKind allocator = AllocatorKind.General)
    {
        ArgumentNullException.ThrowIfNull(value);
        return NamedContainers.Create(manager, name, m => From(m, value, allocator), s => s.Destroy());
    }

    /// <summary>The string stored under <paramref name="name"/>, or a new one holding <paramref name="value"/> stored under it (atomically).</summary>
    /// <param name="manager">The segment's manager.</param>
    /// <param name="name">The name.</param>
    /// <param name="value">The text of a new string.</param>
    /// <param name="allocator">The allocator kind of a new string.</param>
    /// <returns>The handle.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="manager"/> or <paramref name="name"/> is null.</exception>
    /// <exception cref="InvalidCastException">The name holds an object of another type.</exception>
    /// <exception cref="InterprocessException">The segment is full.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only or has no name index.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public static SharedString FindOrCreate(SegmentManager manager, string name, string value = "", AllocatorKind allocator = AllocatorKind.General)
    {
        ArgumentNullException.ThrowIfNull(value);
        return NamedContainers.FindOrCreate(manager, name, m => From(m, value, allocator));
    }

    /// <summary>The string stored under <paramref name="name"/>.</summary>
    /// <param name="manager">The segment's manager.</param>
    /// <param name="name">The name.</param>
    /// <returns>The handle.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="manager"/> or <paramref name="name"/> is null.</exception>
    /// <exception cref="InterprocessException">No object has that name.</exception>
    /// <exception cref="InvalidCastException">The name holds an object of another type.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public static SharedString Find(SegmentManager manager, string name) => NamedContainers.Find<SharedString>(manager, name);

    /// <summary>Destroys the string stored under <paramref name="name"/> and removes the name.</summary>
    /// <param name="manager">The segment's manager.</param>
    /// <param name="name">The name.</param>
    /// <returns>False when no object has that name.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="manager"/> or <paramref name="name"/> is null.</exception>
    /// <exception cref="InvalidCastException">The name holds an object of another type.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public static bool Destroy(SegmentManager manager, string name)
    {
        ArgumentNullException.ThrowIfNull(manager);
        if (!manager.TryFind<SharedString>(name, out var found))
        {
            return false;
        }

        var s = found.Value;
        if (!s.IsDefault)
        {
            s.Destroy();
        }

        return manager.Destroy<SharedString>(name);
    }

    /// <summary>Frees the string; every handle to it becomes stale.</summary>
    /// <exception cref="InvalidOperationException">A default or stale handle.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The string is corrupted.</exception>
    public void Destroy()
    {
        var h = Write(out var m);
        _ = Bytes(h, m);
        if (h->Data != 0)
        {
            h->Alloc.Deallocate(m, h->Data, h->Capacity);
            h->Data = 0;
        }

        h->Length = 0;
        h->Capacity = 0;
        h->Alloc.Release(m);
        _h.FreeHeader(&h->Prefix, m);
    }

    /// <summary>The number of UTF-16 chars the text decodes to (O(n)).</summary>
    /// <returns>The count.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle.</exception>
    /// <exception cref="InterprocessException">The string is corrupted.</exception>
    public int GetCharCount() => Encoding.UTF8.GetCharCount(AsUtf8Span());

    /// <summary>The text's UTF-8 bytes, valid until the string changes.</summary>
    /// <returns>The bytes.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle.</exception>
    /// <exception cref="InterprocessException">The string is corrupted.</exception>
    public ReadOnlySpan<byte> AsUtf8Span()
    {
        var h = Read(out var m);
        return new ReadOnlySpan<byte>(Bytes(h, m), h->Length);
    }

    /// <summary>The text as a <see cref="string"/>.</summary>
    /// <returns>The text (invalid UTF-8 sequences become U+FFFD); the handle's description for a default handle.</returns>
    /// <exception cref="InvalidOperationException">A stale handle.</exception>
    /// <exception cref="InterprocessException">The string is corrupted.</exception>
    public override string ToString() => IsDefault ? string.Empty : Encoding.UTF8.GetString(AsUtf8Span());

    /// <summary>Replaces the text with <paramref name="value"/>.</summary>
    /// <param name="value">The new text.</param>
    /// <exception cref="InvalidOperationException">A default or stale handle.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The segment is full, or the string is corrupted.</exception>
    public void Assign(ReadOnlySpan<char> value)
    {
        Clear();
        Append(value);
    }

    /// <summary>Replaces the text with the bytes <paramref name="utf8"/>.</summary>
    /// <param name="utf8">The new text's bytes.</param>
    /// <exception cref="InvalidOperationException">A default or stale handle.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The segment is full, or the string is corrupted.</exception>
    public void AssignUtf8(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            Clear();
            return;
        }

        byte[] copy = utf8.ToArray(); // utf8 may be this string's own bytes
        Clear();
        AppendUtf8(copy);
    }

    /// <summary>Appends <paramref name="value"/> (encoded as UTF-8).</summary>
    /// <param name="value">The text to append.</param>
    /// <exception cref="InvalidOperationException">A default or stale handle.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The segment is full, or the string is corrupted.</exception>
    public void Append(ReadOnlySpan<char> value)
    {
        var h = Write(out var m);
        _ = Bytes(h, m);
        int n = Encoding.UTF8.GetByteCount(value);
        int length = h->Length;
        byte* p = EnsureCapacity(h, m, (long)length + n);
        Encoding.UTF8.GetBytes(value, new Span<byte>(p + length, n));
        h->Length = length + n;
    }

    /// <summary>Appends the bytes <paramref name="utf8"/> as they are.</summary>
    /// <param name="utf8">The bytes (may be this string's own).</param>
    /// <exception cref="InvalidOperationException">A default or stale handle.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The segment is full, or the string is corrupted.</exception>
    public void AppendUtf8(ReadOnlySpan<byte> utf8) => InsertUtf8(ByteCount, utf8);

    /// <summary>Appends the text of <paramref name="other"/> (which may be this string).</summary>
    /// <param name="other">Another string, in any open segment.</param>
    /// <exception cref="InvalidOperationException">A default or stale handle.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The segment is full, or a string is corrupted.</exception>
    public void Append(SharedString other) => AppendUtf8(other.AsUtf8Span());

    /// <summary>Inserts <paramref name="value"/> at byte position <paramref name="byteIndex"/>.</summary>
    /// <param name="byteIndex">0 to <see cref="ByteCount"/> (a position between UTF-8 sequences, not checked).</param>
    /// <param name="value">The text.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="byteIndex"/> is out of range.</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The segment is full, or the string is corrupted.</exception>
    public void Insert(int byteIndex, ReadOnlySpan<char> value)
    {
        int n = Encoding.UTF8.GetByteCount(value);
        byte[]? rented = n > StackEncodeLimit ? ArrayPool<byte>.Shared.Rent(n) : null;
        Span<byte> bytes = rented ?? stackalloc byte[StackEncodeLimit];
        try
        {
            Encoding.UTF8.GetBytes(value, bytes);
            InsertUtf8(byteIndex, bytes[..n]);
        }
        finally
        {
            if (rented != null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Inserts the bytes <paramref name="utf8"/> at byte position <paramref name="byteIndex"/>.</summary>
    /// <param name="byteIndex">0 to <see cref="ByteCount"/>.</param>
    /// <param name="utf8">The bytes (may be this string's own).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="byteIndex"/> is out of range.</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The segment is full, or the string is corrupted.</exception>
    public void InsertUtf8(int byteIndex, ReadOnlySpan<byte> utf8)
    {
        var h = Write(out var m);
        byte* p = Bytes(h, m);
        int length = h->Length;
        if ((uint)byteIndex > (uint)length)
        {
            throw new ArgumentOutOfRangeException(nameof(byteIndex), byteIndex, $"The position must be between 0 and the length ({length} bytes).");
        }

        if (utf8.IsEmpty)
        {
            return;
        }

        int cap = h->Data == 0 ? StringHeader.InlineCapacity : h->Capacity;
        nuint src = (nuint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(utf8));
        if (src < (nuint)(p + cap) && src + (nuint)utf8.Length > (nuint)p)
        {
            byte[] copy = utf8.ToArray();
            InsertUtf8(byteIndex, copy);
            return;
        }

        p = EnsureCapacity(h, m, (long)length + utf8.Length);
        new Span<byte>(p + byteIndex, length - byteIndex).CopyTo(new Span<byte>(p + byteIndex + utf8.Length, length - byteIndex));
        utf8.CopyTo(new Span<byte>(p + byteIndex, utf8.Length));
        h->Length = length + utf8.Length;
    }

    /// <summary>Removes <paramref name="byteCount"/> bytes from <paramref name="byteIndex"/> (Boost's <c>erase</c>).</summary>
    /// <param name="byteIndex">The first byte to remove.</param>
    /// <param name="byteCount">How many bytes.</param>
    /// <exception cref="ArgumentOutOfRangeException">The range is not inside the text.</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The string is corrupted.</exception>
    public void Remove(int byteIndex, int byteCount)
    {
        var h = Write(out var m);
        byte* p = Bytes(h, m);
        int length = h->Length;
        if (byteIndex < 0 || byteCount < 0 || byteIndex > length - byteCount)
        {
            throw new ArgumentOutOfRangeException(nameof(byteIndex), $"The range [{byteIndex}, +{byteCount}) is not inside the text of {length} bytes.");
        }

        new Span<byte>(p + byteIndex + byteCount, length - byteIndex - byteCount).CopyTo(new Span<byte>(p + byteIndex, length - byteIndex - byteCount));
        h->Length = length - byteCount;
    }

    /// <summary>Empties the text (the capacity stays).</summary>
    /// <exception cref="InvalidOperationException">A default or stale handle.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The string is corrupted.</exception>
    public void Clear()
    {
        var h = Write(out var m);
        _ = Bytes(h, m);
        h->Length = 0;
    }

    /// <summary>Makes the capacity at least <paramref name="bytes"/>.</summary>
    /// <param name="bytes">The least capacity in bytes.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bytes"/> is negative.</exception>
    /// <exception cref="InvalidOperationException">A default or stale handle.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="InterprocessException">The segment is full, or the string is corrupted.</exception>
    public void Reserve(int bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        var h = Write(out var m);
        _ = Bytes(h, m);
        EnsureCapacity(h, m, bytes);
    }

    /// <summary>The byte position of the first occurrence of <paramref name="value"/>, or -1.</summary>
    /// <param name="value">The text to look for.</param>
    /// <returns>A byte index, or -1.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle.</exception>
    /// <exception cref="InterprocessException">The string is corrupted.</exception>
    public int IndexOf(ReadOnlySpan<char> value) => WithUtf8(value, this, static (bytes, self) => self.AsUtf8Span().IndexOf(bytes));

    /// <summary>Whether the text contains <paramref name="value"/>.</summary>
    /// <param name="value">The text to look for.</param>
    /// <returns>True when found.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle.</exception>
    /// <exception cref="InterprocessException">The string is corrupted.</exception>
    public bool Contains(ReadOnlySpan<char> value) => IndexOf(value) >= 0;

    /// <summary>Whether the text starts with <paramref name="value"/>.</summary>
    /// <param name="value">The prefix.</param>
    /// <returns>True when it does.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle.</exception>
    /// <exception cref="InterprocessException">The string is corrupted.</exception>
    public bool StartsWith(ReadOnlySpan<char> value) => WithUtf8(value, this, static (bytes, self) => self.AsUtf8Span().StartsWith(bytes) ? 1 : 0) == 1;

    /// <summary>Whether the text ends with <paramref name="value"/>.</summary>
    /// <param name="value">The suffix.</param>
    /// <returns>True when it does.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle.</exception>
    /// <exception cref="InterprocessException">The string is corrupted.</exception>
    public bool EndsWith(ReadOnlySpan<char> value) => WithUtf8(value, this, static (bytes, self) => self.AsUtf8Span().EndsWith(bytes) ? 1 : 0) == 1;

    /// <summary>Whether both strings hold the same text (ordinal). Two default handles are equal; a default handle equals no string.</summary>
    /// <param name="other">Another string.</param>
    /// <returns>True for the same bytes.</returns>
    /// <exception cref="InvalidOperationException">A stale handle.</exception>
    /// <exception cref="InterprocessException">A string is corrupted.</exception>
    public bool Equals(SharedString other)
    {
        if (IsDefault || other.IsDefault)
        {
            return IsDefault && other.IsDefault;
        }

        return IsSameInstance(other) || AsUtf8Span().SequenceEqual(other.AsUtf8Span());
    }

    /// <summary>Whether the text equals <paramref name="value"/> (ordinal, after encoding it as UTF-8), without allocating.</summary>
    /// <param name="value">The text to compare with.</param>
    /// <returns>True when equal.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle.</exception>
    /// <exception cref="InterprocessException">The string is corrupted.</exception>
    public bool Equals(ReadOnlySpan<char> value)
    {
        var mine = AsUtf8Span();
        if (Encoding.UTF8.GetByteCount(value) != mine.Length)
        {
            return false;
        }

        return WithUtf8(value, this, static (bytes, self) => self.AsUtf8Span().SequenceEqual(bytes) ? 1 : 0) == 1;
    }

    /// <summary>Whether the text equals <paramref name="value"/> (ordinal).</summary>
    /// <param name="value">The text to compare with (null equals nothing).</param>
    /// <returns>True when equal.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle.</exception>
    /// <exception cref="InterprocessException">The string is corrupted.</exception>
    public bool Equals(string? value) => value is not null && Equals(value.AsSpan());

    /// <summary>Whether the text's bytes equal <paramref name="utf8"/>.</summary>
    /// <param name="utf8">The bytes to compare with.</param>
    /// <returns>True when equal.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle.</exception>
    /// <exception cref="InterprocessException">The string is corrupted.</exception>
    public bool EqualsUtf8(ReadOnlySpan<byte> utf8) => AsUtf8Span().SequenceEqual(utf8);

    /// <inheritdoc />
    public override bool Equals([NotNullWhen(true)] object? obj) => obj switch
    {
        SharedString s => Equals(s),
        string s => Equals(s),
        _ => false,
    };

    /// <summary>The hash of the text: a fixed function of its UTF-8 bytes, the same in every process and run (0 for a default handle).</summary>
    /// <returns>The hash.</returns>
    /// <exception cref="InvalidOperationException">A stale handle.</exception>
    /// <exception cref="InterprocessException">The string is corrupted.</exception>
    public override int GetHashCode() => IsDefault ? 0 : HashOfUtf8(AsUtf8Span());

    /// <summary>
    /// The 64-bit hash of the text, a fixed function of its UTF-8 bytes (what <see cref="SharedHashMap{TKey,TValue}"/>
    /// and <see cref="SharedHashSet{T}"/> use, so SharedString keys are found by content in every process).
    /// </summary>
    /// <returns>The hash (0 for a default handle).</returns>
    /// <exception cref="InvalidOperationException">A stale handle.</exception>
    /// <exception cref="InterprocessException">The string is corrupted.</exception>
    public ulong GetStableHashCode() => IsDefault ? 0 : StableHashOfUtf8(AsUtf8Span());

    /// <summary>The <see cref="GetStableHashCode"/> of a string holding <paramref name="utf8"/> (the lookups by text hash with it).</summary>
    internal static ulong StableHashOfUtf8(ReadOnlySpan<byte> utf8) => NameHash.Compute(utf8, 0x53);

    /// <summary>The hash a SharedString holding <paramref name="text"/> has (for lookups by <see cref="string"/>).</summary>
    /// <param name="text">The text.</param>
    /// <returns>The hash.</returns>
    public static int HashOf(ReadOnlySpan<char> text) => WithUtf8(text, 0, static (bytes, _) => HashOfUtf8(bytes));

    /// <summary>The hash a SharedString holding the bytes <paramref name="utf8"/> has.</summary>
    /// <param name="utf8">The bytes.</param>
    /// <returns>The hash.</returns>
    public static int HashOfUtf8(ReadOnlySpan<byte> utf8)
    {
        ulong h = NameHash.Compute(utf8, 0x53);
        return (int)(h ^ (h >> 32));
    }

    /// <summary>Orders by text: ordinal comparison of the UTF-8 bytes (= Unicode code point order). A default handle sorts first.</summary>
    /// <param name="other">Another string.</param>
    /// <returns>Negative, zero or positive.</returns>
    /// <exception cref="InvalidOperationException">A stale handle.</exception>
    /// <exception cref="InterprocessException">A string is corrupted.</exception>
    public int CompareTo(SharedString other)
    {
        if (IsDefault)
        {
            return other.IsDefault ? 0 : -1;
        }

        if (other.IsDefault)
        {
            return 1;
        }

        return AsUtf8Span().SequenceCompareTo(other.AsUtf8Span());
    }

    /// <summary>Orders this text against <paramref name="value"/> in the same order as <see cref="CompareTo(SharedString)"/> (code point order).</summary>
    /// <param name="value">The text to compare with.</param>
    /// <returns>Negative, zero or positive.</returns>
    /// <exception cref="InvalidOperationException">A default or stale handle.</exception>
    /// <exception cref="InterprocessException">The string is corrupted.</exception>
    public int CompareTo(ReadOnlySpan<char> value) => WithUtf8(value, this, static (bytes, self) => Math.Sign(self.AsUtf8Span().SequenceCompareTo(bytes)));

    /// <summary>Whether both handles refer to the same string (not merely equal text).</summary>
    /// <param name="other">Another handle.</param>
    /// <returns>True for the same string.</returns>
    public bool IsSameInstance(SharedString other) =>
        _h.SegmentId == other._h.SegmentId && _h.Header == other._h.Header && _h.Stamp == other._h.Stamp;

    /// <summary>Gives the string's memory back (ISegmentOwned); the same as <see cref="Destroy()"/>.</summary>
    void ISegmentOwned.Destroy() => Destroy();

    /// <summary>Whether both hold the same text.</summary>
    /// <param name="left">A string.</param>
    /// <param name="right">A string.</param>
    /// <returns>True when equal.</returns>
    public static bool operator ==(SharedString left, SharedString right) => left.Equals(right);

    /// <summary>Whether the texts differ.</summary>
    /// <param name="left">A string.</param>
    /// <param name="right">A string.</param>
    /// <returns>True when different.</returns>
    public static bool operator !=(SharedString left, SharedString right) => !left.Equals(right);

    /// <summary>Whether <paramref name="left"/> sorts before <paramref name="right"/>.</summary>
    /// <param name="left">A string.</param>
    /// <param name="right">A string.</param>
    /// <returns>The comparison.</returns>
    public static bool operator <(SharedString left, SharedString right) => left.CompareTo(right) < 0;

    /// <summary>Whether <paramref name="left"/> sorts after <paramref name="right"/>.</summary>
    /// <param name="left">A string.</param>
    /// <param name="right">A string.</param>
    /// <returns>The comparison.</returns>
    public static bool operator >(SharedString left, SharedString right) => left.CompareTo(right) > 0;

    /// <summary>Whether <paramref name="left"/> sorts before or with <paramref name="right"/>.</summary>
    /// <param name="left">A string.</param>
    /// <param name="right">A string.</param>
    /// <returns>The comparison.</returns>
    public static bool operator <=(SharedString left, SharedString right) => left.CompareTo(right) <= 0;

    /// <summary>Whether <paramref name="left"/> sorts after or with <paramref name="right"/>.</summary>
    /// <param name="left">A string.</param>
    /// <param name="right">A string.</param>
    /// <returns>The comparison.</returns>
    public static bool operator >=(SharedString left, SharedString right) => left.CompareTo(right) >= 0;

    // ---------------------------------------------------------------- internals

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private StringHeader* Read(out SegmentManager m) =>
        _h.Resolve<StringHeader>(StringHeader.MagicValue, ContainerTypeCheck<SharedString>.Value, out m);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private StringHeader* Write(out SegmentManager m) =>
        _h.ResolveForWrite<StringHeader>(StringHeader.MagicValue, ContainerTypeCheck<SharedString>.Value, out m);

    /// <summary>The text's address after checking the header's fields.</summary>
    private static byte* Bytes(StringHeader* h, SegmentManager m)
    {
        long data = h->Data;
        if (data == 0)
        {
            if ((uint)h->Length > StringHeader.InlineCapacity)
            {
                ThrowCorrupted(m, h);
            }

            return (byte*)h + StringHeader.InlineOffset;
        }

        if ((uint)h->Length > (uint)h->Capacity
            || (ulong)(data - SegmentHeader.HeapStart) > (ulong)(m.MappedSize - SegmentHeader.HeapStart - (uint)h->Capacity))
        {
            ThrowCorrupted(m, h);
        }

        return m.BasePointer + data;
    }

    /// <summary>The text's address with room for <paramref name="needed"/> bytes (the buffer grows by doubling, in place when it can).</summary>
    private static byte* EnsureCapacity(StringHeader* h, SegmentManager m, long needed)
    {
        if (needed > Array.MaxLength)
        {
            throw new InterprocessException(InterprocessErrorCode.OutOfMemory, $"A string cannot hold more than {Array.MaxLength} bytes.");
        }

        long data = h->Data;
        int cap = data == 0 ? StringHeader.InlineCapacity : h->Capacity;
        if (needed <= cap)
        {
            return Bytes(h, m);
        }

        long preferred = Math.Min(Math.Max(needed, 2L * cap), Array.MaxLength);
        if (data != 0 && m.TryExpandInPlace(data, needed, preferred, out long received))
        {
            h->Capacity = (int)Math.Min(received, Array.MaxLength);
            return m.BasePointer + data;
        }

        long fresh = h->Alloc.Allocate(m, preferred);
        byte* old = Bytes(h, m);
        Buffer.MemoryCopy(old, m.BasePointer + fresh, preferred, h->Length);
        int oldCap = h->Capacity;
        // The header switches to the new buffer before the old one is freed: a crash in between leaks, never dangles.
        h->Data = fresh;
        h->Capacity = (int)preferred;
        if (data != 0)
        {
            h->Alloc.Deallocate(m, data, oldCap);
        }

        return m.BasePointer + fresh;
    }

    private static TResult WithUtf8<TState, TResult>(ReadOnlySpan<char> text, TState state, Utf8Func<TState, TResult> f)
    {
        int n = Encoding.UTF8.GetByteCount(text);
        byte[]? rented = n > StackEncodeLimit ? ArrayPool<byte>.Shared.Rent(n) : null;
        Span<byte> bytes = rented ?? stackalloc byte[StackEncodeLimit];
        try
        {
            Encoding.UTF8.GetBytes(text, bytes);
            return f(bytes[..n], state);
        }
        finally
        {
            if (rented != null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private delegate TResult Utf8Func<in TState, out TResult>(ReadOnlySpan<byte> bytes, TState state);

    [DoesNotReturn]
    private static void ThrowCorrupted(SegmentManager m, StringHeader* h) =>
        throw InterprocessException.Corrupted(m.Name, $"a string's header is damaged (buffer {h->Data}, length {h->Length}, capacity {h->Capacity}).");
}
