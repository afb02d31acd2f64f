namespace Interprocess.SmartPointers;

/// <summary>
/// A type that keeps its own reference count, for <see cref="IntrusivePtr{T}"/> (Boost's
/// <c>intrusive_ptr_add_ref</c> / <c>intrusive_ptr_release</c> pair, as one accessor).
/// </summary>
/// <typeparam name="TSelf">The implementing struct.</typeparam>
/// <example>
/// <code>
/// struct Session : IIntrusiveCounted&lt;Session&gt;
/// {
///     public int Refs;
///     public long Id;
///     public static ref int ReferenceCount(ref Session s) =&gt; ref s.Refs;
/// }
/// </code>
/// </example>
public interface IIntrusiveCounted<TSelf>
    where TSelf : unmanaged, IIntrusiveCounted<TSelf>
{
    /// <summary>The count field inside <paramref name="value"/> (changed with atomic instructions by the pointer).</summary>
    /// <param name="value">The object, in place.</param>
    /// <returns>A reference to its count.</returns>
    static abstract ref int ReferenceCount(ref TSelf value);
}
