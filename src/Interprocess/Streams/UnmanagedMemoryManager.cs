using System.Buffers;

namespace Interprocess.Streams;

/// <summary>
/// A <see cref="MemoryManager{T}"/> over memory that the garbage collector does not move (a mapping, a segment
/// block), so that a <see cref="Memory{T}"/> can stand for it. Pinning is a no-op; disposing releases nothing:
/// the owner of the memory (the region or segment) decides how long it lives.
/// </summary>
internal sealed unsafe class UnmanagedMemoryManager : MemoryManager<byte>
{
    /// <summary>The first byte.</summary>
    private readonly byte* _pointer;
    /// <summary>The number of bytes.</summary>
    private readonly int _length;

    internal UnmanagedMemoryManager(byte* pointer, int length)
    {
        _pointer = pointer;
        _length = length;
    }

    public override Span<byte> GetSpan() => new(_pointer, _length);

    public override MemoryHandle Pin(int elementIndex = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(elementIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(elementIndex, _length);
        return new MemoryHandle(_pointer + elementIndex);
    }

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
    }
}
