using System.Runtime.CompilerServices;
using Interprocess.Managed;
using Interprocess.SmartPointers;
using Interprocess.Tests.Infrastructure;

namespace Interprocess.Tests.SmartPointers;

/// <summary>UniquePtr, ScopedPtr, SharedPtr, WeakPtr and IntrusivePtr in a managed segment, across processes.</summary>
public sealed class SmartPointerTests : IDisposable
{
    private const long SegmentSize = 1 << 20;

    private readonly string _name = UniqueName.New("smartptr");
    private readonly ManagedSharedMemory _segment;

    public SmartPointerTests()
    {
        _segment = ManagedSharedMemory.CreateNew(_name, SegmentSize);
    }

    private SegmentManager M => _segment.Manager;

    public void Dispose()
    {
        _segment.Dispose();
        ManagedSharedMemory.Remove(_name);
    }

    private struct Counted : IIntrusiveCounted<Counted>
    {
        public int Refs;
        public long Payload;

        public static ref int ReferenceCount(ref Counted value) => ref value.Refs;
    }

    [Fact]
    public void UniquePtr_OwnsItsValue_DestroyGivesTheMemoryBack_AndAliasesBecomeStale()
    {
        long free = M.GetFreeMemory();
        var p = UniquePtr<long>.Create(M, 41);
        var alias = p;
        p.Value++;
        Assert.Equal(42, alias.Value);
        Assert.Equal(42, M.GetRef<long>(p.Handle));
        Assert.True(M.GetFreeMemory() < free);

        p.Destroy();
        Assert.True(p.IsNull);
        Assert.Equal(free, M.GetFreeMemory());
        Assert.Throws<InvalidOperationException>(() => alias.Value);
        Assert.Throws<InvalidOperationException>(() => alias.Destroy());
        p.Destroy(); // an empty pointer: nothing to do
    }

    [Fact]
    public void UniquePtr_MoveTo_TransfersOwnership_AndRefusesAnOccupiedDestination()
    {
        var source = UniquePtr<int>.Create(M, 7);
        UniquePtr<int> destination = default;
        source.MoveTo(ref destination);
        Assert.True(source.IsNull);
        Assert.Equal(7, destination.Value);

        var other = UniquePtr<int>.Create(M, 8);
        Assert.Throws<InvalidOperationException>(() => other.MoveTo(ref destination));
        other.Destroy();
        destination.Destroy();
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void ScopedPtr_DestroysWhenTheScopeThrows_AndKeepsWhatWasReleased()
    {
        long free = M.GetFreeMemory();
        Assert.Throws<FormatException>(FailHalfway);
        Assert.Equal(free, M.GetFreeMemory());

        UniquePtr<long> kept;
        using (var scoped = new ScopedPtr<long>(UniquePtr<long>.Create(M, 5)))
        {
            kept = scoped.Release();
            Assert.True(scoped.IsNull);
        }

        Assert.Equal(5, kept.Value);
        kept.Destroy();
        Assert.Equal(free, M.GetFreeMemory());

        void FailHalfway()
        {
            using var scoped = new ScopedPtr<long>(UniquePtr<long>.Create(M, 1));
            scoped.Value = 2;
            throw new FormatException("a step in the middle failed");
        }
    }

    [Fact]
    public void SharedPtr_CountsOwners_TheLastReleaseFreesTheBlock_AndADoubleReleaseThrows()
    {
        long free = M.GetFreeMemory();
        var first = SharedPtr<long>.Create(M, 10);
        var second = first.Clone();
        var third = second.Clone();
        Assert.Equal(3, first.UseCount);
        Assert.True(first == third);

        var alias = second; // a copy is an alias, not an owner
        second.Dispose();
        Assert.True(second.IsNull);
        Assert.Equal(2, first.UseCount);
        third.Dispose();
        Assert.Equal(1, alias.UseCount);
        alias.Dispose(); // releases the last real owner: `first` is now stale
        Assert.Equal(free, M.GetFreeMemory());
        Assert.Throws<InvalidOperationException>(() => first.Value);
        Assert.Throws<InvalidOperationException>(() => first.Clone());
        Assert.Throws<InvalidOperationException>(() => first.Dispose());
    }

    [Fact]
    public void WeakPtr_LocksWhileAnOwnerRemains_ExpiresAfter_AndTheLastWeakReleaseFreesTheBlock()
    {
        long free = M.GetFreeMemory();
        var owner = SharedPtr<long>.Create(M, 3);
        var weak = WeakPtr<long>.From(owner);
        Assert.False(weak.Expired);
        var locked = weak.Lock();
        Assert.Equal(2, locked.UseCount);
        Assert.Equal(3, locked.Value);
        locked.Dispose();

        owner.Dispose();
        Assert.True(weak.Expired);
        Assert.Equal(0, weak.UseCount);
        Assert.True(weak.Lock().IsNull);
        Assert.True(M.GetFreeMemory() < free); // the control block waits for the weak reference

        var weak2 = weak.Clone();
        weak.Dispose();
        Assert.True(M.GetFreeMemory() < free);
        weak2.Dispose();
        Assert.Equal(free, M.GetFreeMemory());
    }

    [Fact]
    public void IntrusivePtr_KeepsTheCountInTheValue()
    {
        long free = M.GetFreeMemory();
        var p = IntrusivePtr<Counted>.Create(M, new Counted { Refs = 99, Payload = 5 });
        Assert.Equal(1, p.UseCount);
        var q = p.Clone();
        Assert.Equal(2, q.Value.Refs);
        Assert.Equal(5, q.Value.Payload);
        p.Dispose();
        Assert.Equal(1, q.UseCount);
        q.Dispose();
        Assert.Equal(free, M.GetFreeMemory());
    }

    [Fact]
    public void Nested_TheLastOwnerDestroysWhatTheValueOwns()
    {
        long free = M.GetFreeMemory();
        var inner = UniquePtr<long>.Create(M, 1);
        var outer = SharedPtr<UniquePtr<long>>.Create(M, inner);
        var again = outer.Clone();
        outer.Dispose();
        Assert.Equal(1, again.Value.Value);
        again.Dispose();
        Assert.Equal(free, M.GetFreeMemory());
        Assert.Throws<InvalidOperationException>(() => inner.Value);
    }

    [Fact]
    public void DefaultPointers_AreEmpty_AndTheirValueThrows()
    {
        Assert.Throws<InvalidOperationException>(() => default(SharedPtr<int>).Value);
        Assert.Throws<InvalidOperationException>(() => default(UniquePtr<int>).Value);
        Assert.Throws<InvalidOperationException>(() => WeakPtr<int>.From(default));
        Assert.True(default(WeakPtr<int>).Expired);
        Assert.True(default(WeakPtr<int>).Lock().IsNull);
        default(SharedPtr<int>).Dispose();
    }

    [Fact]
    public void APointerReadAsAnotherType_IsRefused()
    {
        var p = SharedPtr<long>.Create(M, 1);
        var wrong = Unsafe.As<SharedPtr<long>, SharedPtr<int>>(ref p);
        var e = Assert.Throws<InvalidOperationException>(() => wrong.Value);
        Assert.Contains("another type", e.Message, StringComparison.Ordinal);

        M.Construct("p", p);
        Assert.Throws<InvalidCastException>(() => M.Find<SharedPtr<int>>("p"));
        p.Dispose();
    }

    [Fact]
    public void ThreadsCloningAndReleasingAtOnce_LeaveTheCountExact()
    {
        var p = SharedPtr<long>.Create(M, 0);
        var threads = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
        {
            for (int i = 0; i < 20_000; i++)
            {
                var mine = p.Clone();
                Interlocked.Increment(ref mine.Value);
                mine.Dispose();
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => Assert.True(t.Join(TimeSpan.FromSeconds(60))));
        Assert.Equal(1, p.UseCount);
        Assert.Equal(80_000, p.Value);
        p.Dispose();
        Assert.True(M.AllMemoryDeallocated());
    }

    [Fact]
    public void OwnersInOtherProcesses_AreCounted_AndReleasedThere()
    {
        var p = SharedPtr<long>.Create(M, 100);
        M.Construct("sp", p);

        var (code, lines) = Driver.Run("sp-clone", _name, "sp", "sp-child");
        Assert.Equal(0, code);
        Assert.Equal("USE 2", lines.Single());
        Assert.Equal(2, p.UseCount);
        Assert.Equal(101, p.Value);

        (code, lines) = Driver.Run("sp-readonly", _name, "sp");
        Assert.Equal(0, code);
        Assert.Equal(["VALUE 101", "REFUSED"], lines);

        using (var a = Driver.Start("sp-churn", _name, "sp", "20000"))
        using (var b = Driver.Start("sp-churn", _name, "sp", "20000"))
        {
            a.Expect("DONE", TimeSpan.FromSeconds(120));
            b.Expect("DONE", TimeSpan.FromSeconds(120));
            Assert.Equal(0, a.WaitForExit());
            Assert.Equal(0, b.WaitForExit());
        }

        Assert.Equal(2, p.UseCount);
        (code, lines) = Driver.Run("sp-release", _name, "sp-child");
        Assert.Equal(0, code);
        Assert.Equal("RELEASED", lines.Single());
        Assert.Equal(1, p.UseCount);

        M.Destroy<SharedPtr<long>>("sp");
        p.Dispose();
        Assert.True(M.AllMemoryDeallocated(), "the last owner freed the block");
    }

    [Fact]
    public void OwnersKilledInOtherProcesses_LeaveTheirReferenceCounted_NeverATornCount_AndASurvivorReleasesForThem()
    {
        var p = SharedPtr<long>.Create(M, 5);
        M.Construct("sp", p);

        // Killed holding an owner it never released: the reference stays counted and the value stays alive.
        using (var holder = Driver.Start("sp-hold", _name, "sp"))
        {
            Assert.Equal("USE 2", holder.ReadLine());
            holder.Kill();
        }

        Assert.Equal(2, p.UseCount);
        Assert.Equal(5, p.Value);
        var orphan = p; // an alias: releasing it gives up the dead process's reference
        orphan.Dispose();
        Assert.Equal(1, p.UseCount);

        // Killed at random moments while taking and releasing owners: the count is one atomic word, so what is
        // left is the count before the kill plus at most the one owner the process held when it died.
        var rng = new Random(7);
        for (int kill = 0; kill < 8; kill++)
        {
            using (var churn = Driver.Start("sp-churn-forever", _name, "sp"))
            {
                churn.Expect("STARTED");
                Thread.Sleep(rng.Next(1, 40));
                churn.Kill();
            }

            int use = p.UseCount;
            Assert.InRange(use, 1, 2);
            if (use == 2)
            {
                var leftover = p;
                leftover.Dispose();
            }

            Assert.Equal(1, p.UseCount);
        }

        Assert.Equal(5, p.Value);
        M.Destroy<SharedPtr<long>>("sp");
        p.Dispose();
        Assert.True(M.AllMemoryDeallocated(), "the last owner freed the block");
    }

    [Fact]
    public void APointerWhoseSegmentIsNotOpen_SaysSo()
    {
        var p = SharedPtr<long>.Create(M, 1);
        string other = UniqueName.New("smartptr-other");
        try
        {
            using (var seg2 = ManagedSharedMemory.CreateNew(other, SegmentSize))
            {
                var q = SharedPtr<long>.Create(seg2.Manager, 2);
                seg2.Dispose();
                var e = Assert.Throws<InvalidOperationException>(() => q.Value);
                Assert.Contains("not open in this process", e.Message, StringComparison.Ordinal);
            }
        }
        finally
        {
            ManagedSharedMemory.Remove(other);
        }

        Assert.Equal(1, p.Value);
        p.Dispose();
    }
}
