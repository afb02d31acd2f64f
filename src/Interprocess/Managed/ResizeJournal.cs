using System.Runtime.InteropServices;

namespace Interprocess.Managed;

/// <summary>
/// The journal of an offline resize (<c>Grow</c> / <c>ShrinkToFit</c>), in the last 64 bytes of the segment
/// header (<see cref="SegmentHeader.ResizeJournalOffset"/>). It is meaningful only while the header's state word
/// says <see cref="SegmentHeader.StateResizing"/>; segments written before it existed have zeros here.
/// </summary>
/// <remarks>
/// <code>
///  0 int  Operation       0 none, <see cref="Grow"/>, <see cref="Shrink"/>
///  4 int  ResizerPid      the claim: the process resizing (or completing an interrupted resize); 0 = free
///  8 long OldSize         the header's SegmentSize before
/// 16 long NewSize         and after
/// 24 long OldHeapEnd      the header's HeapEnd before
/// 32 long NewHeapEnd      and after
/// 40 long Block           shrink: the free block at the end of the heap that is cut (0 for grow)
/// 48 long SavedPrevSize   grow: the old end sentinel's PrevSize (0 for shrink)
/// 56 long SavedSizeFlags  grow: the old end sentinel's SizeFlags; shrink: Block's SizeFlags
/// </code>
/// Every field but ResizerPid is written before the state word says "resizing" (a release store), and not
/// changed until the resize is complete, so a process that finds the state "resizing" can redo (roll forward) or
/// undo (roll back) every step: see docs/managed-segments.md, "When a process crashes".
/// </remarks>
[StructLayout(LayoutKind.Explicit, Size = Size)]
internal struct ResizeJournal
{
    /// <summary>The journal's size in bytes.</summary>
    internal const int Size = 64;

    /// <summary>Operation: an offline grow.</summary>
    internal const int Grow = 1;

    /// <summary>Operation: an offline shrink to fit.</summary>
    internal const int Shrink = 2;

    [FieldOffset(0)] internal int Operation;
    [FieldOffset(4)] internal int ResizerPid;
    [FieldOffset(8)] internal long OldSize;
    [FieldOffset(16)] internal long NewSize;
    [FieldOffset(24)] internal long OldHeapEnd;
    [FieldOffset(32)] internal long NewHeapEnd;
    [FieldOffset(40)] internal long Block;
    [FieldOffset(48)] internal long SavedPrevSize;
    [FieldOffset(56)] internal long SavedSizeFlags;

    /// <summary>"Grow" / "ShrinkToFit" for messages.</summary>
    internal readonly string OperationName => Operation switch
    {
        Grow => "Grow",
        Shrink => "ShrinkToFit",
        _ => $"resize operation {Operation}",
    };
}
