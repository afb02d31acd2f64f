namespace Interprocess.Managed;

/// <summary>What a managed segment records about one object (Boost's instance information, plus the type).</summary>
/// <param name="Name">The name (for a unique object, its type's name; empty for an anonymous one).</param>
/// <param name="Kind">Named, unique or anonymous.</param>
/// <param name="TypeName">The stable name of the element type it was constructed with.</param>
/// <param name="ElementSize">The size of one element in bytes.</param>
/// <param name="Count">The number of elements (Boost's <c>get_instance_length</c>).</param>
/// <param name="Handle">The handle of its data.</param>
public readonly record struct SegmentObjectInfo(string Name, ObjectKind Kind, string TypeName, int ElementSize, long Count, long Handle);
