namespace Interprocess.Bench.Infrastructure;

/// <summary>
/// The splitmix64 generator of the anchors (W5, W6 operation streams): the same seed gives the same sequence
/// as <c>SplitMix64</c> in the anchors' Harness.cs and <c>splitmix64</c> in their common.hpp.
/// </summary>
internal struct SplitMix64
{
    /// <summary>The state, advanced by the golden-ratio increment on every draw.</summary>
    private ulong _state;

    /// <summary>A generator starting at <paramref name="seed"/>.</summary>
    public SplitMix64(ulong seed) => _state = seed;

    /// <summary>The next 64-bit value.</summary>
    public ulong Next()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
