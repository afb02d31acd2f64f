namespace Interprocess.Managed;

/// <summary>
/// An object (or array) in a managed segment as seen from this process: a reference to its first element,
/// its element count and its handle. Returned by the construct and find methods of
/// <see cref="SegmentManager"/>; <see cref="IsNull"/> when nothing was found.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
/// <remarks>Valid while the segment is open and the object is not destroyed (by any process). Pass
/// <see cref="Handle"/>, not the address, to other processes.</remarks>
public readonly unsafe struct SegmentObject<T>
    where T : unmanaged
{
    private readonly T* _pointer;

    internal SegmentObject(T* pointer, long handle, long count)
    {
        _pointer = pointer;
        Handle = handle;
        Count = count;
    }

    /// <summary>True when this refers to no object (a find that found nothing).</summary>
    public bool IsNull => _pointer == null;

    /// <summary>The handle of the object's data (an offset from the segment base, the same in every process); 0 when null.</summary>
    public long Handle { get; }

    /// <summary>The number of elements (1 for a single object, 0 when null).</summary>
    public long Count { get; }

    /// <summary>A reference to the (first) element.</summary>
    /// <exception cref="InvalidOperationException">This refers to no object.</exception>
    public ref T Value
    {
        get
        {
            if (_pointer == null)
            {
                throw new InvalidOperationException("The object was not found: this SegmentObject is null.");
            }

            return ref *_pointer;
        }
    }

    /// <summary>The elements as a span (empty when null).</summary>
    /// <returns>The span.</returns>
    /// <exception cref="OverflowException">The array has more than <see cref="int.MaxValue"/> elements.</exception>
    public Span<T> AsSpan() => _pointer == null ? default : new Span<T>(_pointer, checked((int)Count));

    /// <summary>The address of the (first) element in this process.</summary>
    public nint Address => (nint)_pointer;
}
