using System.Runtime.InteropServices;
using Interprocess.Synchronization;

namespace Interprocess.Managed;

/// <summary>
/// The header at offset 0 of every managed segment: the descriptor of the segment's file format (see
/// docs/managed-segments.md). Everything after it is addressed by offsets from the segment base.
/// </summary>
/// <remarks>
/// <code>
///   0 ulong Magic            "IPMSEG01" (written with the other fields during initialization)
///   8 int   State            0 = untouched, <see cref="StateInitializing"/>, <see cref="StateReady"/>, <see cref="StateResizing"/>
///  12 int   CreatorPid       the process that initializes the segment (read while State is Initializing)
///  16 int   LayoutVersion    <see cref="CurrentLayoutVersion"/>
///  20 int   HeaderSize       <see cref="Size"/>
///  24 long  SegmentSize      the size the segment was created with
///  32 int   Algorithm        <see cref="AllocationAlgorithm"/>
///  36 int   IndexKind        <see cref="NameIndexKind"/>
///  40 long  HeapOffset       where the allocator's heap starts (<see cref="HeapStart"/>)
///  48 long  HeapEnd          where it ends (≤ SegmentSize)
///  56 int   OpInProgress     the mutating operation under way (a journal word, written under the lock)
///  60 int   Recoveries       how many times a dead lock owner's segment was checked and repaired
///  64 InterprocessRecursiveMutex SegmentLock (40 bytes)
/// 104 int   Version          a sequence lock over the heap and the index: odd while a change is under way
/// 108 int   WriterDepth      nesting of changes by the lock holder (AtomicFunc around Construct ...)
/// 128 index state            64 bytes, owned by the name index (<see cref="IndexStateOffset"/>)
/// 192 allocator state        up to <see cref="AllocatorStateSize"/> bytes, owned by the algorithm
/// 10176 resize journal       64 bytes (<see cref="ResizeJournal"/>), read only while State is Resizing
/// 10240 heap
/// </code>
/// </remarks>
[StructLayout(LayoutKind.Explicit, Size = 128)]
internal struct SegmentHeader
{
    /// <summary>"IPMSEG01" as a little-endian 64-bit value.</summary>
    internal const ulong MagicValue = 0x3130_4745_534D_5049; // 'I','P','M','S','E','G','0','1'

    /// <summary>The layout this code reads and writes.</summary>
    internal const int CurrentLayoutVersion = 1;

    /// <summary>State word: the creator has started (and may have died); CreatorPid is valid.</summary>
    internal const int StateInitializing = 0x54494E49; // "INIT"

    /// <summary>State word: every field is written; published by a release store.</summary>
    internal const int StateReady = 0x59444552; // "REDY"

    /// <summary>
    /// State word: an offline Grow or ShrinkToFit is under way, or was interrupted; the
    /// <see cref="ResizeJournal"/> says what it does. Set by a release store after the journal is written.
    /// (Versions of this library from before the journal refuse such a segment as foreign, which is safe.)
    /// </summary>
    internal const int StateResizing = 0x5A495352; // "RSIZ"

    /// <summary>The size of the whole header area, i.e. the first heap offset.</summary>
    internal const int Size = 10240;

    /// <summary>Where the name index keeps its state.</summary>
    internal const int IndexStateOffset = 128;

    /// <summary>The bytes reserved for the name index's state.</summary>
    internal const int IndexStateSize = 64;

    /// <summary>Where the allocation algorithm keeps its state.</summary>
    internal const int AllocatorStateOffset = 192;

    /// <summary>Where the resize journal lives: the header's last 64 bytes (zero in segments made before it existed: no algorithm used them).</summary>
    internal const int ResizeJournalOffset = Size - ResizeJournal.Size;

    /// <summary>The bytes reserved for the allocation algorithm's state.</summary>
    internal const int AllocatorStateSize = ResizeJournalOffset - AllocatorStateOffset;

    /// <summary>The first byte of the heap.</summary>
    internal const long HeapStart = Size;

    /// <summary>The smallest segment accepted: the header plus a few KiB of heap.</summary>
    internal const long MinimumSegmentSize = Size + 4096;

    /// <summary>The largest segment accepted (16 TiB, within the allocator's size classes).</summary>
    internal const long MaximumSegmentSize = 1L << 44;

    [FieldOffset(0)] internal ulong Magic;
    [FieldOffset(8)] internal int State;
    [FieldOffset(12)] internal int CreatorPid;
    [FieldOffset(16)] internal int LayoutVersion;
    [FieldOffset(20)] internal int HeaderSize;
    [FieldOffset(24)] internal long SegmentSize;
    [FieldOffset(32)] internal int Algorithm;
    [FieldOffset(36)] internal int IndexKind;
    [FieldOffset(40)] internal long HeapOffset;
    [FieldOffset(48)] internal long HeapEnd;
    [FieldOffset(56)] internal int OpInProgress;
    [FieldOffset(60)] internal int Recoveries;
    [FieldOffset(64)] internal InterprocessRecursiveMutex SegmentLock;
    [FieldOffset(104)] internal int Version;
    [FieldOffset(108)] internal int WriterDepth;

    /// <summary>
    /// A random, non-zero identity chosen at creation; containers name their segment by it, so that a container
    /// handle resolves to the segment's mapping in whichever process holds it.
    /// </summary>
    [FieldOffset(112)] internal ulong SegmentId;
}
