using System.Globalization;
using System.Runtime.InteropServices;
using Interprocess.Interop;

namespace Interprocess.Memory;

/// <summary>
/// The key of a System V (XSI) IPC object (<c>key_t</c>, Boost's <c>xsi_key</c>): processes that agree on a key
/// find the same <see cref="XsiSharedMemory"/> segment.
/// </summary>
/// <remarks>
/// <para>A key made from a path (<c>ftok</c>) combines the low 8 bits of <c>id</c> with the file's device and
/// inode numbers, truncated: two different files can give the same key, and a file deleted and created again
/// usually gives a different one. Use a path every cooperating process knows and that outlives them.</para>
/// <para><see cref="Private"/> (<c>IPC_PRIVATE</c>, also the <see langword="default"/> value) always creates a
/// new segment, reachable by its id only.</para>
/// </remarks>
public readonly struct XsiKey : IEquatable<XsiKey>
{
    /// <summary>Makes the key of an existing file and a project id (<c>ftok</c>).</summary>
    /// <param name="path">An existing file or directory that every process using the key can reach.</param>
    /// <param name="id">A project id from 1 to 255 (ftok uses its low 8 bits, and 0 is not allowed).</param>
    /// <exception cref="ArgumentException">The path is empty or contains a NUL.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The id is 0.</exception>
    /// <exception cref="InterprocessException">The path does not exist (<see cref="InterprocessErrorCode.NotFound"/>) or cannot be examined.</exception>
    public XsiKey(string path, byte id)
    {
        FileDescriptorInfo.ValidatePath(path, nameof(path));
        ArgumentOutOfRangeException.ThrowIfZero(id);

        int key = Libc.FTok(path, id);

        // -1 is also a possible key (id 0xFF, device and inode bits all ones); the marshaller clears errno
        // before the call, so only a -1 with errno set is a failure.
        if (key == -1 && Marshal.GetLastPInvokeError() != 0)
        {
            throw InterprocessException.FromLastError("ftok", path);
        }

        Value = key;
    }

    private XsiKey(int value) => Value = value;

    /// <summary><c>IPC_PRIVATE</c>: every segment created with it is new and can be found only by its id.</summary>
    public static XsiKey Private => default;

    /// <summary>The numeric key (<c>key_t</c>), as <c>ipcs</c> shows it.</summary>
    public int Value { get; }

    /// <summary>True for <see cref="Private"/>.</summary>
    public bool IsPrivate => Value == Ipc.IPC_PRIVATE;

    /// <summary>A key from its numeric value (one agreed on by the processes, or read from <c>ipcs</c>).</summary>
    /// <param name="value">The key; 0 is <see cref="Private"/>.</param>
    /// <returns>The key.</returns>
    public static XsiKey FromValue(int value) => new(value);

    /// <summary>Whether two keys are the same.</summary>
    /// <param name="left">A key.</param>
    /// <param name="right">Another key.</param>
    /// <returns>True when their values are equal.</returns>
    public static bool operator ==(XsiKey left, XsiKey right) => left.Equals(right);

    /// <summary>Whether two keys differ.</summary>
    /// <param name="left">A key.</param>
    /// <param name="right">Another key.</param>
    /// <returns>True when their values differ.</returns>
    public static bool operator !=(XsiKey left, XsiKey right) => !left.Equals(right);

    /// <inheritdoc />
    public bool Equals(XsiKey other) => Value == other.Value;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is XsiKey other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => Value;

    /// <summary>The key in hexadecimal as <c>ipcs</c> prints it (<c>0x5a0b1c2d</c>), or <c>IPC_PRIVATE</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => IsPrivate ? "IPC_PRIVATE" : "0x" + Value.ToString("x8", CultureInfo.InvariantCulture);
}
