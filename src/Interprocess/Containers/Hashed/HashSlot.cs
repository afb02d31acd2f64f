namespace Interprocess.Containers;

/// <summary>
/// One slot of a hash table: <see cref="Meta"/> is 0 when the slot is empty; otherwise it is the key's hash
/// (its low 31 bits) with bit 31 set. The low bits of <see cref="Meta"/> give the slot the key wants to be in
/// (its home), so growing never rehashes a key, and a probe compares 31 bits of hash before it compares keys.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
internal struct HashSlot<TKey, TValue>
    where TKey : unmanaged
    where TValue : unmanaged
{
    /// <summary>0 = empty; otherwise hash | 0x8000_0000.</summary>
    internal uint Meta;

    /// <summary>The key.</summary>
    internal TKey Key;

    /// <summary>The value.</summary>
    internal TValue Value;
}
