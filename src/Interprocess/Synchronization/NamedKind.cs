using System.Buffers.Binary;
using System.Text;

namespace Interprocess.Synchronization;

/// <summary>
/// One kind of shared-memory-backed named synchronization object: the magic stored in its header, the public
/// type's name (for messages) and its layout version. Every kind the library knows is listed in
/// <see cref="All"/>, so that opening one kind where another lives says what was found.
/// </summary>
internal sealed class NamedKind
{
    /// <summary><see cref="NamedMutex"/>: an <see cref="InterprocessMutex"/>.</summary>
    internal static readonly NamedKind Mutex = new("IPNMUTEX", nameof(NamedMutex), version: 1);

    /// <summary><see cref="NamedRecursiveMutex"/>: an <see cref="InterprocessRecursiveMutex"/>.</summary>
    internal static readonly NamedKind RecursiveMutex = new("IPNRMUTX", nameof(NamedRecursiveMutex), version: 1);

    /// <summary><see cref="NamedSharableMutex"/>: an <see cref="InterprocessSharableMutex"/>.</summary>
    internal static readonly NamedKind SharableMutex = new("IPNSHMTX", nameof(NamedSharableMutex), version: 1);

    /// <summary><see cref="NamedUpgradableMutex"/>: an <see cref="InterprocessUpgradableMutex"/>.</summary>
    internal static readonly NamedKind UpgradableMutex = new("IPNUPMTX", nameof(NamedUpgradableMutex), version: 1);

    /// <summary><see cref="NamedCondition"/>: an <see cref="InterprocessCondition"/>.</summary>
    internal static readonly NamedKind Condition = new("IPNCONDV", nameof(NamedCondition), version: 1);

    /// <summary><see cref="NamedConditionAny"/>: an <see cref="InterprocessConditionAny"/>.</summary>
    internal static readonly NamedKind ConditionAny = new("IPNCONDA", nameof(NamedConditionAny), version: 1);

    // A new named kind adds one line here (and its wrapper class) and its entry in All.

    /// <summary>Every kind, for recognizing what an object holds.</summary>
    internal static readonly NamedKind[] All = [Mutex, RecursiveMutex, SharableMutex, UpgradableMutex, Condition, ConditionAny];

    private NamedKind(string tag, string typeName, int version)
    {
        if (tag.Length != 8 || !Ascii.IsValid(tag))
        {
            throw new ArgumentException("A kind tag is 8 ASCII characters.", nameof(tag));
        }

        Tag = tag;
        TypeName = typeName;
        Version = version;
        Magic = BinaryPrimitives.ReadUInt64LittleEndian(Encoding.ASCII.GetBytes(tag));
    }

    /// <summary>The 8 ASCII characters at the start of the object ("IPNMUTEX").</summary>
    internal string Tag { get; }

    /// <summary>The public type's name ("NamedMutex").</summary>
    internal string TypeName { get; }

    /// <summary>The layout version of this kind.</summary>
    internal int Version { get; }

    /// <summary><see cref="Tag"/> as the header stores it (little-endian).</summary>
    internal ulong Magic { get; }

    /// <summary>The kind whose magic this is, or null.</summary>
    internal static NamedKind? FromMagic(ulong magic) => Array.Find(All, k => k.Magic == magic);

    /// <summary>How a magic that belongs to no kind looks in a message: its text if printable, else hex.</summary>
    internal static string Describe(ulong magic)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, magic);
        foreach (byte b in bytes)
        {
            if (b is < 0x20 or > 0x7E)
            {
                return "bytes " + Convert.ToHexString(bytes);
            }
        }

        return "\"" + Encoding.ASCII.GetString(bytes) + "\"";
    }
}
