using System.Reflection;
using System.Runtime.CompilerServices;

namespace Interprocess.Containers;

/// <summary>
/// Calls <see cref="ISegmentOwned.Destroy"/> on elements of type <typeparamref name="T"/> when <typeparamref name="T"/>
/// implements it, without boxing; for every other type it does nothing and costs nothing.
/// </summary>
/// <typeparam name="T">An element type.</typeparam>
internal static class SegmentOwned<T>
    where T : unmanaged
{
    /// <summary>Whether <typeparamref name="T"/> owns segment memory (constant once the class is initialized).</summary>
    internal static readonly bool IsOwned = typeof(ISegmentOwned).IsAssignableFrom(typeof(T));

    private delegate void DestroyFn(ref T value);

    private static readonly DestroyFn? s_destroy = IsOwned
        ? typeof(SegmentOwned<T>).GetMethod(nameof(DestroyOwned), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(typeof(T)).CreateDelegate<DestroyFn>()
        : null;

    /// <summary>Destroys one element if its type owns segment memory.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Destroy(ref T value)
    {
        if (IsOwned)
        {
            s_destroy!(ref value);
        }
    }

    /// <summary>Destroys every element of a span if the type owns segment memory.</summary>
    internal static void DestroyAll(Span<T> values)
    {
        if (IsOwned)
        {
            foreach (ref var v in values)
            {
                s_destroy!(ref v);
            }
        }
    }

    private static void DestroyOwned<TOwned>(ref TOwned value)
        where TOwned : struct, ISegmentOwned => value.Destroy();
}
