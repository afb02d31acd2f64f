namespace Interprocess.Managed;

/// <summary>How an object in a managed segment is identified (Boost's named, unique and anonymous instances).</summary>
public enum ObjectKind
{
    /// <summary>Found by a name the creator chose.</summary>
    Named = 1,
    /// <summary>One per type, found by the type (its full name is the key).</summary>
    Unique = 2,
    /// <summary>No name; found only through its handle.</summary>
    Anonymous = 3,
}
