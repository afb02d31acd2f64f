namespace Interprocess.Synchronization;

/// <summary>How a named object is reached: Boost's create_only, open_only and open_or_create.</summary>
internal enum NamedOpenMode
{
    /// <summary>Create it; fail if it exists.</summary>
    CreateNew,
    /// <summary>Open it; fail if it does not exist.</summary>
    OpenExisting,
    /// <summary>Open it if it exists, else create it (exactly one of several racing callers creates).</summary>
    OpenOrCreate,
}
