using System.Globalization;

namespace Interprocess;

/// <summary>
/// The access permissions given to a shared object when it is created (the Unix mode bits).
/// </summary>
/// <remarks>
/// The default everywhere is <see cref="OwnerOnly"/> (0600). Unlike Boost, which passes the mode to
/// <c>open</c> and so lets the process umask clear bits, the library applies the mode with <c>fchmod</c>
/// right after creation, so the object gets exactly the bits asked for. Only the creator sets permissions;
/// opening an existing object never changes them.
/// </remarks>
/// <param name="Mode">The permission bits; only the read/write/execute bits for user, group and others are used.</param>
public readonly record struct Permissions(UnixFileMode Mode)
{
    private const UnixFileMode AllowedBits =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Read and write for the owner only (0600): the default.</summary>
    public static Permissions OwnerOnly { get; } = new(UnixFileMode.UserRead | UnixFileMode.UserWrite);

    /// <summary>Read and write for the owner and the owner's group (0660).</summary>
    public static Permissions OwnerAndGroup { get; } =
        new(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);

    /// <summary>Read and write for everyone (0666), what Boost calls <c>set_unrestricted</c>.</summary>
    public static Permissions Everyone { get; } =
        new(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite |
            UnixFileMode.OtherRead | UnixFileMode.OtherWrite);

    /// <summary>Permissions from an octal string such as <c>"640"</c> or <c>"0640"</c>.</summary>
    /// <param name="octal">Up to four octal digits; only the permission bits (0777) may be set.</param>
    /// <exception cref="ArgumentException">The text is not octal or sets bits other than the permission bits.</exception>
    public static Permissions FromOctal(string octal)
    {
        ArgumentException.ThrowIfNullOrEmpty(octal);
        int value = 0;
        foreach (char c in octal)
        {
            if (c is < '0' or > '7')
            {
                throw new ArgumentException($"'{octal}' is not an octal mode: '{c}' is not a digit from 0 to 7.", nameof(octal));
            }

            value = (value * 8) + (c - '0');
            if (value > 0xFFF)
            {
                throw new ArgumentException($"'{octal}' is not a mode: it has more than four octal digits.", nameof(octal));
            }
        }

        return FromBits(value);
    }

    /// <summary>Permissions from mode bits (e.g. <c>0x1A4</c> for 0644).</summary>
    /// <param name="bits">Only the permission bits (0777) may be set.</param>
    /// <exception cref="ArgumentException">Bits other than the permission bits are set.</exception>
    public static Permissions FromBits(int bits)
    {
        if ((bits & ~(int)AllowedBits) != 0)
        {
            throw new ArgumentException(
                $"Mode 0{Convert.ToString(bits, 8)} sets bits other than the permission bits 0777 (setuid, setgid and sticky are not allowed).",
                nameof(bits));
        }

        return new Permissions((UnixFileMode)bits);
    }

    /// <summary>These permissions with <paramref name="more"/> added.</summary>
    /// <param name="more">The bits to add.</param>
    public Permissions With(UnixFileMode more) => new(Mode | more);

    /// <summary>The mode bits as passed to the operating system.</summary>
    internal uint Bits
    {
        get
        {
            if ((Mode & ~AllowedBits) != 0)
            {
                throw new ArgumentException(
                    $"Permissions {this} set bits other than the permission bits 0777 (setuid, setgid and sticky are not allowed).");
            }

            return (uint)Mode;
        }
    }

    /// <summary>The mode in octal, e.g. <c>0600</c>.</summary>
    public override string ToString() => "0" + Convert.ToString((int)Mode, 8).PadLeft(3, '0');

    /// <summary>Formats the mode in octal for a given culture (octal is culture-independent).</summary>
    internal string ToString(IFormatProvider? provider) => string.Format(provider ?? CultureInfo.InvariantCulture, "{0}", ToString());
}
