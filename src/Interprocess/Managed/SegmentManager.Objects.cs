using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;

namespace Interprocess.Managed;

/// <summary>Named, unique and anonymous objects.</summary>
public sealed unsafe partial class SegmentManager
{
    private const int StackNameBytes = 256;

    /// <summary>What a construct call does when the object exists.</summary>
    private enum ConstructMode
    {
        /// <summary>Throw AlreadyExists; throw OutOfMemory.</summary>
        CreateNew,
        /// <summary>Return null for both.</summary>
        TryCreate,
        /// <summary>Return the existing object; throw OutOfMemory.</summary>
        FindOrCreate,
        /// <summary>Return the existing object; return null when there is no room.</summary>
        TryFindOrCreate,
    }

    /// <summary>Creates a named object holding <paramref name="value"/> (Boost's <c>construct&lt;T&gt;(name)(value)</c>).</summary>
    /// <typeparam name="T">An unmanaged type; its size, alignment and stable name are stored with the object.</typeparam>
    /// <param name="name">The name (non-empty, at most 4096 UTF-8 bytes).</param>
    /// <param name="value">The initial value.</param>
    /// <returns>A reference to the new object in the segment.</returns>
    /// <exception cref="ArgumentException">The name is null, empty or too long.</exception>
    /// <exception cref="InterprocessException">An object with that name exists (<see cref="InterprocessErrorCode.AlreadyExists"/>), the segment is full (<see cref="InterprocessErrorCode.OutOfMemory"/>) or corrupted (<see cref="InterprocessErrorCode.Corrupted"/>).</exception>
    /// <exception cref="NotSupportedException">The segment is read-only, or has no name index (for named and unique objects).</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    /// <example>
    /// <code>
    /// // process A
    /// using var a = ManagedSharedMemory.CreateNew("app", 1 &lt;&lt; 20);
    /// a.Manager.Construct&lt;long&gt;("counter", 0);
    /// // process B
    /// using var b = ManagedSharedMemory.OpenExisting("app");
    /// ref long counter = ref b.Manager.Find&lt;long&gt;("counter").Value;
    /// </code>
    /// </example>
    public ref T Construct<T>(string name, T value)
        where T : unmanaged =>
        ref ConstructCore(ObjectKind.Named, name, 1, value, default, ConstructMode.CreateNew).Value;

    /// <summary>Creates a named array of <paramref name="count"/> copies of <paramref name="value"/>.</summary>
    /// <typeparam name="T">An unmanaged type.</typeparam>
    /// <param name="name">The name.</param>
    /// <param name="count">The number of elements (0 or more).</param>
    /// <param name="value">The value of every element.</param>
    /// <returns>The elements.</returns>
    /// <exception cref="ArgumentException">The name is null, empty or too long.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    /// <exception cref="InterprocessException">The name exists, the segment is full or corrupted.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only, or has no name index (for named and unique objects).</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public Span<T> ConstructArray<T>(string name, int count, T value)
        where T : unmanaged =>
        ConstructCore(ObjectKind.Named, name, count, value, default, ConstructMode.CreateNew).AsSpan();

    /// <summary>Creates a named array holding a copy of <paramref name="values"/> (a value per element).</summary>
    /// <typeparam name="T">An unmanaged type.</typeparam>
    /// <param name="name">The name.</param>
    /// <param name="values">The elements' values.</param>
    /// <returns>The elements.</returns>
    /// <exception cref="ArgumentException">The name is null, empty or too long.</exception>
    /// <exception cref="InterprocessException">The name exists, the segment is full or corrupted.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only, or has no name index (for named and unique objects).</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public Span<T> ConstructArray<T>(string name, ReadOnlySpan<T> values)
        where T : unmanaged =>
        ConstructCore(ObjectKind.Named, name, values.Length, default, values, ConstructMode.CreateNew).AsSpan();

    /// <summary>Creates a named object unless the name exists or the segment is full (Boost's nothrow construct).</summary>
    /// <typeparam name="T">An unmanaged type.</typeparam>
    /// <param name="name">The name.</param>
    /// <param name="value">The initial value.</param>
    /// <param name="result">The new object, or null.</param>
    /// <returns>False when the name exists or there is no room.</returns>
    /// <exception cref="ArgumentException">The name is null, empty or too long.</exception>
    /// <exception cref="InterprocessException">The segment is corrupted.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only, or has no name index (for named and unique objects).</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public bool TryConstruct<T>(string name, T value, out SegmentObject<T> result)
        where T : unmanaged
    {
        result = ConstructCore(ObjectKind.Named, name, 1, value, default, ConstructMode.TryCreate);
        return !result.IsNull;
    }

    /// <summary>Creates a named array unless the name exists or the segment is full.</summary>
    /// <typeparam name="T">An unmanaged type.</typeparam>
    /// <param name="name">The name.</param>
    /// <param name="count">The number of elements.</param>
    /// <param name="value">The value of every element.</param>
    /// <param name="result">The new array, or null.</param>
    /// <returns>False when the name exists or there is no room.</returns>
    /// <exception cref="ArgumentException">The name is null, empty or too long.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    /// <exception cref="InterprocessException">The segment is corrupted.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only, or has no name index (for named and unique objects).</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public bool TryConstructArray<T>(string name, int count, T value, out SegmentObject<T> result)
        where T : unmanaged
    {
        result = ConstructCore(ObjectKind.Named, name, count, value, default, ConstructMode.TryCreate);
        return !result.IsNull;
    }

    /// <summary>Finds the named object, or creates it holding <paramref name="value"/> (Boost's <c>find_or_construct</c>); atomic across processes.</summary>
    /// <typeparam name="T">An unmanaged type.</typeparam>
    /// <param name="name">The name.</param>
    /// <param name="value">The initial value if this call creates it.</param>
    /// <returns>The object (found or new).</returns>
    /// <exception cref="ArgumentException">The name is null, empty or too long.</exception>
    /// <exception cref="InvalidCastException">The object exists with another type.</exception>
    /// <exception cref="InterprocessException">The segment is full or corrupted.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only, or has no name index (for named and unique objects).</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public SegmentObject<T> FindOrConstruct<T>(string name, T value)
        where T : unmanaged =>
        ConstructCore(ObjectKind.Named, name, 1, value, default, ConstructMode.FindOrCreate);

    /// <summary>Finds the named object, or creates it holding <paramref name="value"/> unless the segment is full (Boost's nothrow <c>find_or_construct</c>).</summary>
    /// <typeparam name="T">An unmanaged type.</typeparam>
    /// <param name="name">The name.</param>
    /// <param name="value">The initial value if this call creates it.</param>
    /// <param name="result">The object (found or new), or null.</param>
    /// <returns>False when it did not exist and there was no room for it.</returns>
    /// <exception cref="ArgumentException">The name is null, empty or too long.</exception>
    /// <exception cref="InvalidCastException">The object exists with another type.</exception>
    /// <exception cref="InterprocessException">The segment is corrupted.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only, or has no name index.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public bool TryFindOrConstruct<T>(string name, T value, out SegmentObject<T> result)
        where T : unmanaged
    {
        result = ConstructCore(ObjectKind.Named, name, 1, value, default, ConstructMode.TryFindOrCreate);
        return !result.IsNull;
    }

    /// <summary>Finds the named array, or creates it from <paramref name="values"/> (Boost's <c>find_or_construct_it</c>).</summary>
    /// <typeparam name="T">An unmanaged type.</typeparam>
    /// <param name="name">The name.</param>
    /// <param name="values">The elements' values if this call creates it.</param>
    /// <returns>The array (found or new; a found one keeps its own count).</returns>
    /// <exception cref="ArgumentException">The name is null, empty or too long.</exception>
    /// <exception cref="InvalidCastException">The object exists with another type.</exception>
    /// <exception cref="InterprocessException">The segment is full or corrupted.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only, or has no name index.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public SegmentObject<T> FindOrConstructArray<T>(string name, ReadOnlySpan<T> values)
        where T : unmanaged =>
        ConstructCore(ObjectKind.Named, name, values.Length, default, values, ConstructMode.FindOrCreate);

    /// <summary>Creates a named array from <paramref name="values"/> unless the name exists or the segment is full (Boost's nothrow <c>construct_it</c>).</summary>
    /// <typeparam name="T">An unmanaged type.</typeparam>
    /// <param name="name">The name.</param>
    /// <param name="values">The elements' values.</param>
    /// <param name="result">The new array, or null.</param>
    /// <returns>False when the name exists or there is no room.</returns>
    /// <exception cref="ArgumentException">The name is null, empty or too long.</exception>
    /// <exception cref="InterprocessException">The segment is corrupted.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only, or has no name index.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public bool TryConstructArray<T>(string name, ReadOnlySpan<T> values, out SegmentObject<T> result)
        where T : unmanaged
    {
        result = ConstructCore(ObjectKind.Named, name, values.Length, default, values, ConstructMode.TryCreate);
        return !result.IsNull;
    }

    /// <summary>Creates an anonymous array from <paramref name="values"/> (Boost's <c>construct_it&lt;T&gt;(anonymous_instance)</c>).</summary>
    /// <typeparam name="T">An unmanaged type.</typeparam>
    /// <param name="values">The elements' values.</param>
    /// <returns>The array; keep its handle.</returns>
    /// <exception cref="InterprocessException">The segment is full or corrupted.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public SegmentObject<T> ConstructAnonymousArray<T>(ReadOnlySpan<T> values)
        where T : unmanaged =>
        ConstructCore(ObjectKind.Anonymous, null, values.Length, default, values, ConstructMode.CreateNew);

    /// <summary>Creates an anonymous array of <paramref name="count"/> copies of <paramref name="value"/> unless the segment is full.</summary>
    /// <typeparam name="T">An unmanaged type.</typeparam>
    /// <param name="count">The number of elements.</param>
    /// <param name="value">The value of every element.</param>
    /// <param name="result">The array, or null.</param>
    /// <returns>False when there is no room.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    /// <exception cref="InterprocessException">The segment is corrupted.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public bool TryConstructAnonymousArray<T>(int count, T value, out SegmentObject<T> result)
        where T : unmanaged
    {
        result = ConstructCore(ObjectKind.Anonymous, null, count, value, default, ConstructMode.TryCreate);
        return !result.IsNull;
    }

    /// <summary>Finds the named array, or creates it with <paramref name="count"/> copies of <paramref name="value"/>.</summary>
    /// <typeparam name="T">An unmanaged type.</typeparam>
    /// <param name="name">The name.</param>
    /// <param name="count">The number of elements if this call creates it.</param>
    /// <param name="value">The value of every element if this call creates it.</param>
    /// <returns>The array (found or new; a found one keeps its own count).</returns>
    /// <exception cref="ArgumentException">The name is null, empty or too long.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    /// <exception cref="InvalidCastException">The object exists with another type.</exception>
    /// <exception cref="InterprocessException">The segment is full or corrupted.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only, or has no name index (for named and unique objects).</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public SegmentObject<T> FindOrConstructArray<T>(string name, int count, T value)
        where T : unmanaged =>
        ConstructCore(ObjectKind.Named, name, count, value, default, ConstructMode.FindOrCreate);

    /// <summary>Finds a named object (Boost's <c>find</c>): a reference, a span and the count, or null.</summary>
    /// <typeparam name="T">The type it was constructed with.</typeparam>
    /// <param name="name">The name.</param>
    /// <returns>The object, or a null <see cref="SegmentObject{T}"/> when there is none.</returns>
    /// <exception cref="ArgumentException">The name is null, empty or too long.</exception>
    /// <exception cref="InvalidCastException">The object was constructed with another type; the message names both.</exception>
    /// <exception cref="InterprocessException">The segment is corrupted.</exception>
    /// <exception cref="NotSupportedException">The segment has no name index.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public SegmentObject<T> Find<T>(string name)
        where T : unmanaged => FindCore<T>(ObjectKind.Named, name);

    /// <summary>Finds a named object.</summary>
    /// <typeparam name="T">The type it was constructed with.</typeparam>
    /// <param name="name">The name.</param>
    /// <param name="result">The object, or null.</param>
    /// <returns>True when found.</returns>
    /// <exception cref="ArgumentException">The name is null, empty or too long.</exception>
    /// <exception cref="InvalidCastException">The object was constructed with another type.</exception>
    /// <exception cref="InterprocessException">The segment is corrupted.</exception>
    /// <exception cref="NotSupportedException">The segment has no name index.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public bool TryFind<T>(string name, out SegmentObject<T> result)
        where T : unmanaged
    {
        result = FindCore<T>(ObjectKind.Named, name);
        return !result.IsNull;
    }

    /// <summary>Destroys a named object and frees its memory (Boost's <c>destroy</c>).</summary>
    /// <typeparam name="T">The type it was constructed with.</typeparam>
    /// <param name="name">The name.</param>
    /// <returns>False when there was no such object.</returns>
    /// <exception cref="ArgumentException">The name is null, empty or too long.</exception>
    /// <exception cref="InvalidCastException">The object was constructed with another type.</exception>
    /// <exception cref="InterprocessException">The segment is corrupted.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only, or has no name index (for named and unique objects).</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public bool Destroy<T>(string name)
        where T : unmanaged => DestroyCore<T>(ObjectKind.Named, name);

    /// <summary>Creates the unique instance of <typeparamref name="T"/> (Boost's <c>construct&lt;T&gt;(unique_instance)</c>).</summary>
    /// <typeparam name="T">An unmanaged type; its stable full name is the key.</typeparam>
    /// <param name="value">The initial value.</param>
    /// <returns>A reference to it.</returns>
    /// <exception cref="InterprocessException">It exists already, the segment is full or corrupted.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only, or has no name index (for named and unique objects).</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public ref T ConstructUnique<T>(T value)
        where T : unmanaged =>
        ref ConstructCore(ObjectKind.Unique, null, 1, value, default, ConstructMode.CreateNew).Value;

    /// <summary>Creates the unique instance of <typeparamref name="T"/> unless it exists or the segment is full.</summary>
    /// <typeparam name="T">An unmanaged type.</typeparam>
    /// <param name="value">The initial value.</param>
    /// <param name="result">The new object, or null.</param>
    /// <returns>False when it exists or there is no room.</returns>
    /// <exception cref="InterprocessException">The segment is corrupted.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only, or has no name index (for named and unique objects).</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public bool TryConstructUnique<T>(T value, out SegmentObject<T> result)
        where T : unmanaged
    {
        result = ConstructCore(ObjectKind.Unique, null, 1, value, default, ConstructMode.TryCreate);
        return !result.IsNull;
    }

    /// <summary>Finds the unique instance of <typeparamref name="T"/>, or creates it.</summary>
    /// <typeparam name="T">An unmanaged type.</typeparam>
    /// <param name="value">The initial value if this call creates it.</param>
    /// <returns>The object.</returns>
    /// <exception cref="InterprocessException">The segment is full or corrupted.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only, or has no name index (for named and unique objects).</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public SegmentObject<T> FindOrConstructUnique<T>(T value)
        where T : unmanaged =>
        ConstructCore(ObjectKind.Unique, null, 1, value, default, ConstructMode.FindOrCreate);

    /// <summary>Finds the unique instance of <typeparamref name="T"/> (Boost's <c>find&lt;T&gt;(unique_instance)</c>).</summary>
    /// <typeparam name="T">The type.</typeparam>
    /// <returns>The object, or null.</returns>
    /// <exception cref="InterprocessException">The segment is corrupted.</exception>
    /// <exception cref="NotSupportedException">The segment has no name index.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public SegmentObject<T> FindUnique<T>()
        where T : unmanaged => FindCore<T>(ObjectKind.Unique, null);

    /// <summary>Destroys the unique instance of <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The type.</typeparam>
    /// <returns>False when there was none.</returns>
    /// <exception cref="InterprocessException">The segment is corrupted.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only, or has no name index (for named and unique objects).</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public bool DestroyUnique<T>()
        where T : unmanaged => DestroyCore<T>(ObjectKind.Unique, null);

    /// <summary>Creates an anonymous object (Boost's <c>construct&lt;T&gt;(anonymous_instance)</c>): it has no name; keep its <see cref="SegmentObject{T}.Handle"/>.</summary>
    /// <typeparam name="T">An unmanaged type.</typeparam>
    /// <param name="value">The initial value.</param>
    /// <returns>The object; pass its handle to other processes and read it there with <see cref="GetObject{T}(long)"/>.</returns>
    /// <exception cref="InterprocessException">The segment is full or corrupted.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only, or has no name index (for named and unique objects).</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public SegmentObject<T> ConstructAnonymous<T>(T value)
        where T : unmanaged =>
        ConstructCore(ObjectKind.Anonymous, null, 1, value, default, ConstructMode.CreateNew);

    /// <summary>Creates an anonymous array of <paramref name="count"/> copies of <paramref name="value"/>.</summary>
    /// <typeparam name="T">An unmanaged type.</typeparam>
    /// <param name="count">The number of elements.</param>
    /// <param name="value">The value of every element.</param>
    /// <returns>The array.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    /// <exception cref="InterprocessException">The segment is full or corrupted.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only, or has no name index (for named and unique objects).</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public SegmentObject<T> ConstructAnonymousArray<T>(int count, T value)
        where T : unmanaged =>
        ConstructCore(ObjectKind.Anonymous, null, count, value, default, ConstructMode.CreateNew);

    /// <summary>Creates an anonymous object unless the segment is full.</summary>
    /// <typeparam name="T">An unmanaged type.</typeparam>
    /// <param name="value">The initial value.</param>
    /// <param name="result">The object, or null.</param>
    /// <returns>False when there is no room.</returns>
    /// <exception cref="InterprocessException">The segment is corrupted.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only, or has no name index (for named and unique objects).</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public bool TryConstructAnonymous<T>(T value, out SegmentObject<T> result)
        where T : unmanaged
    {
        result = ConstructCore(ObjectKind.Anonymous, null, 1, value, default, ConstructMode.TryCreate);
        return !result.IsNull;
    }

    /// <summary>The object (of any kind) whose data is at <paramref name="handle"/>, type-checked.</summary>
    /// <typeparam name="T">The type it was constructed with.</typeparam>
    /// <param name="handle">A <see cref="SegmentObject{T}.Handle"/>.</param>
    /// <returns>The object.</returns>
    /// <exception cref="ArgumentException">The handle is not the data of a live object.</exception>
    /// <exception cref="InvalidCastException">The object was constructed with another type.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public SegmentObject<T> GetObject<T>(long handle)
        where T : unmanaged
    {
        bool locked = EnterRead();
        try
        {
            return Typed<T>(HeaderOfData(handle));
        }
        finally
        {
            ExitRead(locked);
        }
    }

    /// <summary>Destroys an object of any kind given what a construct or find returned (Boost's <c>destroy_ptr</c>).</summary>
    /// <typeparam name="T">The type it was constructed with.</typeparam>
    /// <param name="obj">The object.</param>
    /// <exception cref="ArgumentException">It is null or no longer a live object.</exception>
    /// <exception cref="InvalidCastException">The object was constructed with another type.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only, or has no name index (for named and unique objects).</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public void Destroy<T>(SegmentObject<T> obj)
        where T : unmanaged
    {
        if (obj.IsNull)
        {
            throw new ArgumentException("The object is null.", nameof(obj));
        }

        Enter(OpDestroy);
        try
        {
            long e = HeaderOfData(obj.Handle);
            CheckType<T>(e);
            DestroyEntry(e);
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>What the segment records about the object whose data is at <paramref name="handle"/> (name, kind, length).</summary>
    /// <param name="handle">A <see cref="SegmentObject{T}.Handle"/>.</param>
    /// <returns>The information.</returns>
    /// <exception cref="ArgumentException">The handle is not the data of a live object.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public SegmentObjectInfo GetObjectInfo(long handle)
    {
        bool locked = EnterRead();
        try
        {
            return Info(HeaderOfData(handle));
        }
        finally
        {
            ExitRead(locked);
        }
    }

    /// <summary>Every named object (a snapshot).</summary>
    /// <returns>The objects, in no particular order.</returns>
    /// <exception cref="InterprocessException">The segment is corrupted.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public IReadOnlyList<SegmentObjectInfo> GetNamedObjects() => ListObjects(ObjectKind.Named);

    /// <summary>Every unique object (a snapshot).</summary>
    /// <returns>The objects, in no particular order.</returns>
    /// <exception cref="InterprocessException">The segment is corrupted.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public IReadOnlyList<SegmentObjectInfo> GetUniqueObjects() => ListObjects(ObjectKind.Unique);

    /// <summary>How many named objects the segment holds (Boost's <c>get_num_named_objects</c>).</summary>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public long NamedObjectCount => CountObjects(ObjectKind.Named);

    /// <summary>How many unique objects the segment holds.</summary>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public long UniqueObjectCount => CountObjects(ObjectKind.Unique);

    /// <summary>Makes room in the name index for <paramref name="count"/> more named or unique objects (Boost's <c>reserve_named_objects</c>).</summary>
    /// <param name="count">How many more.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    /// <exception cref="InterprocessException">No room (<see cref="InterprocessErrorCode.OutOfMemory"/>), or the segment is corrupted.</exception>
    /// <exception cref="NotSupportedException">The segment is read-only, or has no name index (for named and unique objects).</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public void ReserveNamedObjects(long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Enter(OpReserve);
        try
        {
            if (!_index.Reserve(count))
            {
                ThrowOutOfMemory(count * 8);
            }
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>
    /// Gives back memory the name index holds beyond what its entries need (Boost's <c>shrink_to_fit_indexes</c>):
    /// an empty index frees all of it; the hash index moves to the smallest table that keeps it at most half full.
    /// </summary>
    /// <exception cref="InterprocessException">The segment is corrupted (<see cref="InterprocessErrorCode.Corrupted"/>).</exception>
    /// <exception cref="NotSupportedException">The segment is read-only.</exception>
    /// <exception cref="ObjectDisposedException">The segment was disposed.</exception>
    public void ShrinkToFitIndexes()
    {
        Enter(OpReserve);
        try
        {
            _index.ShrinkToFit();
        }
        finally
        {
            Exit();
        }
    }

    private long CountObjects(ObjectKind kind)
    {
        bool locked = EnterRead();
        try
        {
            return _index.Count(kind);
        }
        finally
        {
            ExitRead(locked);
        }
    }

    private List<SegmentObjectInfo> ListObjects(ObjectKind kind)
    {
        bool locked = EnterRead();
        try
        {
            var list = new List<SegmentObjectInfo>();
            foreach (long e in _index.Entries())
            {
                CheckEntry(e);
                if (((ObjectHeader*)(_base + e))->Kind == (byte)kind)
                {
                    list.Add(Info(e));
                }
            }

            return list;
        }
        finally
        {
            ExitRead(locked);
        }
    }

    /// <summary>The key bytes of (kind, name): UTF-8 of the name, or the type's stable name for a unique object.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ReadOnlySpan<byte> Key<T>(ObjectKind kind, string? name, Span<byte> buffer)
        where T : unmanaged
    {
        if (kind != ObjectKind.Anonymous && !_index.SupportsNames)
        {
            ThrowNoIndex();
        }

        if (kind == ObjectKind.Unique)
        {
            return TypeDescriptor<T>.NameUtf8;
        }

        if (kind == ObjectKind.Anonymous)
        {
            return default;
        }

        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Length <= buffer.Length / 3)
        {
            return buffer[..Encoding.UTF8.GetBytes(name, buffer)];
        }

        byte[] bytes = Encoding.UTF8.GetBytes(name);
        if (bytes.Length > ObjectHeader.MaxNameBytes)
        {
            throw new ArgumentException($"The name is {bytes.Length} UTF-8 bytes long; at most {ObjectHeader.MaxNameBytes} are allowed.", nameof(name));
        }

        return bytes;
    }

    [SkipLocalsInit] // the name buffer is written before it is read
    private SegmentObject<T> ConstructCore<T>(ObjectKind kind, string? name, long count, T fill, ReadOnlySpan<T> values, ConstructMode mode)
        where T : unmanaged
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Span<byte> buffer = stackalloc byte[StackNameBytes];
        ReadOnlySpan<byte> key = Key<T>(kind, name, buffer);
        ulong hash = kind == ObjectKind.Anonymous ? 0 : NameHash.Compute(key, (ulong)kind);
        Enter(OpConstruct);
        try
        {
            if (kind != ObjectKind.Anonymous)
            {
                long existing = _index.Find(kind, key, hash);
                if (existing != 0)
                {
                    return mode switch
                    {
                        ConstructMode.FindOrCreate or ConstructMode.TryFindOrCreate => Typed<T>(existing),
                        ConstructMode.TryCreate => default,
                        _ => throw new InterprocessException(InterprocessErrorCode.AlreadyExists, $"The managed segment '{Name}' already holds {Describe(kind, key)}.") { ObjectName = Name },
                    };
                }

                if (!_index.Reserve(1))
                {
                    return OutOfMemory<T>(mode, count);
                }
            }

            int size = TypeDescriptor<T>.Size;
            int align = Math.Max(8, TypeDescriptor<T>.Alignment);
            byte[] typeName = TypeDescriptor<T>.NameUtf8;
            long dataOffset = (ObjectHeader.Size + key.Length + typeName.Length + 8 + align - 1) & ~(long)(align - 1);
            long total = dataOffset + checked(count * size);
            long e = _heap.Allocate(total, objectBlock: true);
            if (e == 0)
            {
                return OutOfMemory<T>(mode, total);
            }

            var header = (ObjectHeader*)(_base + e);
            header->Magic = 0;
            header->Kind = (byte)kind;
            header->NameLength = (ushort)key.Length;
            header->NameHash = hash;
            header->TypeFingerprint = TypeDescriptor<T>.Fingerprint;
            header->ElementSize = size;
            header->ElementAlignment = TypeDescriptor<T>.Alignment;
            header->Count = count;
            header->DataOffset = (int)dataOffset;
            header->TypeNameLength = (ushort)typeName.Length;
            byte* p = (byte*)header + ObjectHeader.Size;
            key.CopyTo(new Span<byte>(p, key.Length));
            typeName.CopyTo(new Span<byte>(p + key.Length, typeName.Length));
            *(long*)((byte*)header + dataOffset - 8) = e;
            T* data = (T*)((byte*)header + dataOffset);
            if (values.Length == count && count > 0 && !values.IsEmpty)
            {
                values.CopyTo(new Span<T>(data, (int)count));
            }
            else if (count == 1)
            {
                *data = fill;
            }
            else
            {
                for (long i = 0; i < count; i++)
                {
                    data[i] = fill;
                }
            }

            // The header is complete: mark it live, then publish it in the index (the index's store is last).
            header->Magic = ObjectHeader.LiveMagic;
            if (kind != ObjectKind.Anonymous)
            {
                _index.Insert(e, kind, hash);
            }

            return new SegmentObject<T>(data, e + dataOffset, count);
        }
        finally
        {
            Exit();
        }
    }

    private SegmentObject<T> OutOfMemory<T>(ConstructMode mode, long bytes)
        where T : unmanaged
    {
        if (mode is ConstructMode.TryCreate or ConstructMode.TryFindOrCreate)
        {
            return default;
        }

        ThrowOutOfMemory(bytes);
        return default;
    }

    [SkipLocalsInit] // the name buffer is written before it is read
    private SegmentObject<T> FindCore<T>(ObjectKind kind, string? name)
        where T : unmanaged
    {
        Span<byte> buffer = stackalloc byte[StackNameBytes];
        ReadOnlySpan<byte> key = Key<T>(kind, name, buffer);
        ulong hash = NameHash.Compute(key, (ulong)kind);
        ThrowIfDetached();
        if (TryFindOptimistic(kind, key, hash, out SegmentObject<T> found))
        {
            return found;
        }

        bool locked = EnterRead();
        try
        {
            long e = _index.Find(kind, key, hash);
            return e == 0 ? default : Typed<T>(e);
        }
        finally
        {
            ExitRead(locked);
        }
    }

    /// <summary>
    /// A find without the lock, validated by the segment's sequence lock: read Version (even: no change under
    /// way), look up, and keep the result only if Version is unchanged afterwards. Every read is bounds-checked,
    /// so a lookup racing with a change reads garbage at worst, and that is thrown away. Readers write nothing
    /// to shared memory, so finds in many processes do not contend. False: a change was under way; take the lock.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryFindOptimistic<T>(ObjectKind kind, ReadOnlySpan<byte> key, ulong hash, out SegmentObject<T> result)
        where T : unmanaged
    {
        ref var h = ref Header;
        // Acquire: the lookup's loads happen after this read.
        int version = Volatile.Read(ref h.Version);
        result = default;
        if ((version & 1) != 0)
        {
            return false;
        }

        try
        {
            long e = _index.Find(kind, key, hash);
            result = e == 0 ? default : Typed<T>(e);
        }
        catch (Exception) when (Volatile.Read(ref h.Version) != version)
        {
            // A change raced with the lookup and made it read a half-done state: whatever that made the
            // lookup throw (a bounds check, a type check, an argument check on a garbage length) is thrown away.
            return false;
        }

        // Every load of the lookup completes before Version is read again.
        Interlocked.MemoryBarrier();
        return Volatile.Read(ref h.Version) == version;
    }

    [SkipLocalsInit] // the name buffer is written before it is read
    private bool DestroyCore<T>(ObjectKind kind, string? name)
        where T : unmanaged
    {
        Span<byte> buffer = stackalloc byte[StackNameBytes];
        ReadOnlySpan<byte> key = Key<T>(kind, name, buffer);
        ulong hash = NameHash.Compute(key, (ulong)kind);
        Enter(OpDestroy);
        try
        {
            long e = _index.Find(kind, key, hash);
            if (e == 0)
            {
                return false;
            }

            CheckType<T>(e);
            DestroyEntry(e);
            return true;
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Kills the header first (a rebuild drops it), then the index entry, then the memory.</summary>
    private void DestroyEntry(long e)
    {
        var header = (ObjectHeader*)(_base + e);
        var kind = (ObjectKind)header->Kind;
        ulong hash = header->NameHash;
        header->Magic = 0;
        if (kind != ObjectKind.Anonymous)
        {
            _index.Remove(e, kind, hash);
        }

        _heap.Deallocate(e);
    }

    /// <summary>Validates the object at <paramref name="e"/> against its block and <typeparamref name="T"/>, and gives its data.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private SegmentObject<T> Typed<T>(long e)
        where T : unmanaged
    {
        CheckEntry(e);
        CheckType<T>(e);
        var header = (ObjectHeader*)(_base + e);
        return new SegmentObject<T>((T*)((byte*)header + header->DataOffset), e + header->DataOffset, header->Count);
    }

    /// <summary>Checks that <paramref name="e"/> is a live object whose name, data and count lie inside its block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CheckEntry(long e)
    {
        long usable = _heap.AllocatedSize(e, out bool objectBlock);
        if (usable < 0 || !objectBlock)
        {
            ThrowBadEntry(e, "is not an allocated object block");
        }

        var header = (ObjectHeader*)(_base + e);
        long dataOffset = header->DataOffset;
        if (header->Magic != ObjectHeader.LiveMagic || header->ElementSize < 0 || header->Count < 0
            || dataOffset < ObjectHeader.Size + 8 + header->NameLength + header->TypeNameLength
            || header->Count > (usable - dataOffset) / Math.Max(1, header->ElementSize))
        {
            ThrowBadEntry(e, "has a damaged header");
        }
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowNoIndex() => throw new NotSupportedException(
        $"The managed segment '{Name}' was created without a name index (NameIndexKind.None): it holds only raw memory and anonymous objects.");

    [DoesNotReturn]
    private void ThrowBadEntry(long e, string what) =>
        throw InterprocessException.Corrupted(Name, $"the object at {e} {what}.");

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CheckType<T>(long e)
        where T : unmanaged
    {
        var header = (ObjectHeader*)(_base + e);
        if (header->TypeFingerprint != TypeDescriptor<T>.Fingerprint || header->ElementSize != TypeDescriptor<T>.Size
            || header->ElementAlignment != TypeDescriptor<T>.Alignment)
        {
            ThrowTypeMismatch<T>(e);
        }
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowTypeMismatch<T>(long e)
        where T : unmanaged
    {
        var info = Info(e);
        throw new InvalidCastException(
            $"{Describe(info.Kind, Encoding.UTF8.GetBytes(info.Name))} in the managed segment '{Name}' was constructed as {info.TypeName} " +
            $"({info.ElementSize} bytes, alignment {((ObjectHeader*)(_base + e))->ElementAlignment}), not as {TypeDescriptor<T>.Name} " +
            $"({TypeDescriptor<T>.Size} bytes, alignment {TypeDescriptor<T>.Alignment}).");
    }

    private static string Describe(ObjectKind kind, ReadOnlySpan<byte> key) => kind switch
    {
        ObjectKind.Named => $"an object named '{Encoding.UTF8.GetString(key)}'",
        ObjectKind.Unique => $"the unique instance of {Encoding.UTF8.GetString(key)}",
        _ => "the anonymous object",
    };

    /// <summary>The object header of the data at <paramref name="handle"/>, through the back link, validated.</summary>
    private long HeaderOfData(long handle)
    {
        long size = Header.SegmentSize;
        if (handle < SegmentHeader.HeapStart + 16 + ObjectHeader.Size + 8 || handle >= size || (handle & 7) != 0)
        {
            throw new ArgumentException($"The handle {handle} is not the data of an object in '{Name}'.", nameof(handle));
        }

        long e = *(long*)(_base + handle - 8);
        if (e < SegmentHeader.HeapStart || e >= handle || !_heap.IsAllocated(e, out bool objectBlock) || !objectBlock
            || ((ObjectHeader*)(_base + e))->Magic != ObjectHeader.LiveMagic || e + ((ObjectHeader*)(_base + e))->DataOffset != handle)
        {
            throw new ArgumentException($"The handle {handle} is not the data of a live object in '{Name}'.", nameof(handle));
        }

        CheckEntry(e);
        return e;
    }

    private SegmentObjectInfo Info(long e)
    {
        var header = (ObjectHeader*)(_base + e);
        byte* p = (byte*)header + ObjectHeader.Size;
        string name = Encoding.UTF8.GetString(p, header->NameLength);
        string typeName = Encoding.UTF8.GetString(p + header->NameLength, header->TypeNameLength);
        return new SegmentObjectInfo(name, (ObjectKind)header->Kind, typeName, header->ElementSize, header->Count, e + header->DataOffset);
    }
}
