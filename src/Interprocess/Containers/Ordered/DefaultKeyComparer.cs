using System.Runtime.CompilerServices;

namespace Interprocess.Containers;

/// <summary>
/// <see cref="Comparer{T}.Default"/> as a struct, so that code generic over the comparer type is specialized for
/// it and the JIT devirtualizes (and for primitive keys inlines) every comparison.
/// </summary>
/// <typeparam name="T">The key type.</typeparam>
internal readonly struct DefaultKeyComparer<T> : IComparer<T>
{
    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Compare(T? x, T? y) => Comparer<T>.Default.Compare(x!, y!);
}
