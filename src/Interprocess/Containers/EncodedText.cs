using System.Runtime.InteropServices;

namespace Interprocess.Containers;

/// <summary>
/// A text key encoded as <see cref="SharedString"/> stores it (<see cref="Utf8Probe.Encode"/>), in the caller's stack
/// buffer when it fits, else in a rented array that <see cref="Dispose"/> gives back: <c>using var utf8 = new
/// EncodedText(key, stackalloc byte[Utf8Probe.StackBytes]);</c> replaces an encode, a <c>try</c> and a
/// <c>finally</c>. It converts to <see cref="ReadOnlySpan{T}"/> and can be pinned with <c>fixed</c>.
/// </summary>
internal readonly ref struct EncodedText
{
    private readonly ReadOnlySpan<byte> _bytes;
    private readonly byte[]? _rented;

    public EncodedText(ReadOnlySpan<char> text, Span<byte> stack) => _bytes = Utf8Probe.Encode(text, stack, out _rented);

    public int Length => _bytes.Length;

    public static implicit operator ReadOnlySpan<byte>(EncodedText text) => text._bytes;

    public ref readonly byte GetPinnableReference() => ref MemoryMarshal.GetReference(_bytes);

    public void Dispose() => Utf8Probe.Return(_rented);
}
