using Interprocess.Containers;
using Interprocess.Managed;
using Interprocess.Synchronization;
using Interprocess.Tests.Infrastructure;

namespace Interprocess.Tests.Containers;

/// <summary>
/// Hash containers, lists and deques across processes: this process builds them, a child process finds them
/// by name, reads them and changes them under an InterprocessMutex, and this process sees the changes.
/// </summary>
public sealed class CrossProcessContainerTests : IDisposable
{
    private readonly string _name = UniqueName.New("containers");

    public void Dispose() => ManagedSharedMemory.Remove(_name);

    [Fact]
    public void HashMapAndSet_BuiltHere_AreReadAndChangedByAChild()
    {
        using var shm = ManagedSharedMemory.CreateNew(_name, 8L << 20);
        var m = shm.Manager;
        ref var mutex = ref m.Construct("lock", default(InterprocessMutex));
        var map = SharedHashMap<long, long>.Create(m, "map");
        var set = SharedHashSet<long>.Create(m, "set");
        long sum = 0;
        for (long k = 0; k < 500; k++)
        {
            map[k] = k * 3;
            sum += k * 3;
            set.Add(k % 10);
        }

        using (var child = Driver.Start("hash-child", _name))
        {
            child.Expect($"MAP 500 {sum}");
            child.Expect("SET 10 True");
            child.Expect("DONE");
            Assert.Equal(0, child.WaitForExit());
        }

        mutex.Lock();
        try
        {
            Assert.Equal(599, map.Count);
            Assert.False(map.ContainsKey(0));
            Assert.Equal(-1, map[1]);
            Assert.Equal(2198, map[1099]);
            Assert.Equal(11, set.Count);
            Assert.True(set.Contains(1000));
        }
        finally
        {
            mutex.Unlock();
        }

        using (var reader = Driver.Start("hash-readonly", _name))
        {
            reader.Expect("READ 599 -1");
            reader.Expect("REFUSED");
            Assert.Equal(0, reader.WaitForExit());
        }

        Assert.Equal(599, map.Count);
        map.Destroy();
        set.Destroy();
        m.Destroy<SharedHashMap<long, long>>("map");
        m.Destroy<SharedHashSet<long>>("set");
        m.Destroy<InterprocessMutex>("lock");
        Assert.True(m.AllMemoryDeallocated());
    }

    [Fact]
    public void ListsAndDeques_BuiltHere_AreReadAndChangedByAChild()
    {
        using var shm = ManagedSharedMemory.CreateNew(_name, 8L << 20);
        var m = shm.Manager;
        ref var mutex = ref m.Construct("lock", default(InterprocessMutex));
        var list = SharedList<long>.Create(m, "list");
        var slist = SharedSList<long>.Create(m, "slist");
        var deque = SharedDeque<long>.Create(m, "deque");
        var nested = SharedDeque<SharedList<long>>.Create(m, "nested");
        foreach (long v in new long[] { 3, 1, 2 })
        {
            list.AddLast(v);
            slist.AddLast(v);
            deque.AddLast(v);
        }

        var inner = SharedList<long>.Create(m);
        inner.AddLast(5);
        nested.AddLast(inner);

        using (var child = Driver.Start("seq-child", _name))
        {
            child.Expect("list 3,1,2");
            child.Expect("slist 3,1,2");
            child.Expect("deque 3,1,2");
            child.Expect("nested0 5");
            child.Expect("DONE");
            Assert.Equal(0, child.WaitForExit());
        }

        mutex.Lock();
        try
        {
            Assert.Equal([-1L, 1, 2, 3], list.ToList());
            Assert.Equal([2L, 1, 3], slist.ToList());
            Assert.Equal([100L, 3, 1], deque.ToList());
            Assert.Equal([5L, 42], inner.ToList());
            Assert.Equal(2, nested.Count);
            Assert.Equal([7L], nested[1].ToList());
        }
        finally
        {
            mutex.Unlock();
        }

        nested.Destroy();
        Assert.Throws<InvalidOperationException>(() => inner.Count);
        list.Destroy();
        slist.Destroy();
        deque.Destroy();
        m.Destroy<SharedList<long>>("list");
        m.Destroy<SharedSList<long>>("slist");
        m.Destroy<SharedDeque<long>>("deque");
        m.Destroy<SharedDeque<SharedList<long>>>("nested");
        m.Destroy<InterprocessMutex>("lock");
        Assert.True(m.AllMemoryDeallocated());
    }
}
