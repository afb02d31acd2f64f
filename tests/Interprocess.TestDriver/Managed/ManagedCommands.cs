using System.Globalization;
using Interprocess.Managed;
using Interprocess.Synchronization;

namespace Interprocess.TestDriver.Managed;

/// <summary>Driver commands for the managed segment tests.</summary>
internal static class ManagedCommands
{
    /// <summary>managed-find SEG NAME: prints the value of the long named NAME, or MISSING.</summary>
    [DriverCommand("managed-find")]
    public static int Find(string[] args)
    {
        using var seg = ManagedSharedMemory.OpenExisting(args[0]);
        var o = seg.Manager.Find<long>(args[1]);
        Console.WriteLine(o.IsNull ? "MISSING" : "VALUE " + o.Value.ToString(CultureInfo.InvariantCulture));
        return 0;
    }

    /// <summary>managed-find-int SEG NAME: looks NAME up as an int (to show the type check across processes).</summary>
    [DriverCommand("managed-find-int")]
    public static int FindInt(string[] args)
    {
        using var seg = ManagedSharedMemory.OpenExisting(args[0]);
        var o = seg.Manager.Find<int>(args[1]);
        Console.WriteLine(o.IsNull ? "MISSING" : "VALUE " + o.Value.ToString(CultureInfo.InvariantCulture));
        return 0;
    }

    /// <summary>managed-construct SEG NAME VALUE: constructs a long, then an anonymous long VALUE+1 whose handle it prints.</summary>
    [DriverCommand("managed-construct")]
    public static int Construct(string[] args)
    {
        using var seg = ManagedSharedMemory.OpenExisting(args[0]);
        long value = long.Parse(args[2], CultureInfo.InvariantCulture);
        seg.Manager.Construct(args[1], value);
        var anon = seg.Manager.ConstructAnonymous(value + 1);
        Console.WriteLine("HANDLE " + anon.Handle.ToString(CultureInfo.InvariantCulture));
        return 0;
    }

    /// <summary>
    /// managed-expand-back SEG HANDLE MIN PREFERRED: expands the block at HANDLE backward (AllocationCommand with
    /// ExpandBackward | NoThrow), moves nothing, and prints "OUTCOME HANDLE RECEIVED".
    /// </summary>
    [DriverCommand("managed-expand-back")]
    public static int ExpandBack(string[] args)
    {
        using var seg = ManagedSharedMemory.OpenExisting(args[0]);
        long handle = long.Parse(args[1], CultureInfo.InvariantCulture);
        var r = seg.Manager.AllocationCommand(
            AllocationType.ExpandBackward | AllocationType.NoThrow,
            long.Parse(args[2], CultureInfo.InvariantCulture),
            long.Parse(args[3], CultureInfo.InvariantCulture),
            handle);
        Console.WriteLine(FormattableString.Invariant($"{r.Outcome} {r.Handle} {r.ReceivedSize}"));
        return 0;
    }

    /// <summary>managed-open SEG TIMEOUT_MS: opens the segment and prints OPENED, or the exception.</summary>
    [DriverCommand("managed-open")]
    public static int Open(string[] args)
    {
        using var seg = ManagedSharedMemory.OpenExisting(args[0], TimeSpan.FromMilliseconds(int.Parse(args[1], CultureInfo.InvariantCulture)));
        Console.WriteLine("OPENED");
        return 0;
    }

    /// <summary>
    /// managed-create-hang SEG SIZE: creates the segment but stops right after marking it "initializing"
    /// (the test hook), prints INITIALIZING and waits to be killed.
    /// </summary>
    [DriverCommand("managed-create-hang")]
    public static int CreateHang(string[] args)
    {
        SegmentManager.TestHookAfterInitializing = () =>
        {
            Console.WriteLine("INITIALIZING");
            Thread.Sleep(Timeout.Infinite);
        };
        using var seg = ManagedSharedMemory.CreateNew(args[0], long.Parse(args[1], CultureInfo.InvariantCulture));
        return 0;
    }

    /// <summary>
    /// managed-churn SEG SEED: forever, under AtomicFunc batches, allocates and frees raw blocks and
    /// constructs and destroys named objects "churn{0..63}" (so that a SIGKILL lands inside an operation with
    /// the lock held). Prints RUNNING after the first batch.
    /// </summary>
    [DriverCommand("managed-churn")]
    public static int Churn(string[] args)
    {
        using var seg = ManagedSharedMemory.OpenExisting(args[0]);
        var m = seg.Manager;
        var rng = new Random(int.Parse(args[1], CultureInfo.InvariantCulture));
        var live = new List<long>();
        bool announced = false;
        while (true)
        {
            m.AtomicFunc(() =>
            {
                for (int i = 0; i < 200; i++)
                {
                    int op = rng.Next(6);
                    string name = "churn" + rng.Next(64).ToString(CultureInfo.InvariantCulture);
                    switch (op)
                    {
                        case 0:
                            if (m.TryAllocate(rng.Next(1, 3000), out long h))
                            {
                                live.Add(h);
                            }

                            break;
                        case 1:
                            if (live.Count > 0)
                            {
                                int k = rng.Next(live.Count);
                                m.Deallocate(live[k]);
                                live[k] = live[^1];
                                live.RemoveAt(live.Count - 1);
                            }

                            break;
                        case 2:
                            m.TryConstructArray(name, rng.Next(1, 100), 7L, out _);
                            break;
                        case 4:
                        case 5:
                            // Grow a live block in place, forward and/or backward (AllocationCommand), or move it.
                            if (live.Count > 0)
                            {
                                int k = rng.Next(live.Count);
                                long size = m.GetBlockSize(live[k]);
                                var command = op == 4 ? AllocationType.ExpandBackward | AllocationType.ExpandForward : AllocationType.ExpandBackward | AllocationType.AllocateNew;
                                var r = m.AllocationCommand(command | AllocationType.NoThrow, size + 1, size + rng.Next(16, 2000), live[k]);
                                if (r.Outcome == AllocationOutcome.NewBlock)
                                {
                                    m.Deallocate(live[k]);
                                }

                                if (r.Succeeded)
                                {
                                    live[k] = r.Handle;
                                }
                            }

                            break;
                        default:
                            m.Destroy<long>(name);
                            break;
                    }
                }
            });

            if (!announced)
            {
                Console.WriteLine("RUNNING");
                announced = true;
            }
        }
    }

    /// <summary>
    /// managed-race SEG SEED N: N iterations over 8 shared names: find-or-construct an array whose elements
    /// all equal its length, verify it, sometimes destroy it; also raw allocate/free. Prints DONE or BAD.
    /// </summary>
    [DriverCommand("managed-race")]
    public static int Race(string[] args)
    {
        using var seg = ManagedSharedMemory.OpenExisting(args[0]);
        var m = seg.Manager;
        var rng = new Random(int.Parse(args[1], CultureInfo.InvariantCulture));
        int n = int.Parse(args[2], CultureInfo.InvariantCulture);
        Console.WriteLine("READY");
        Console.ReadLine();
        bool ok = true;
        for (int i = 0; i < n; i++)
        {
            string name = "race" + rng.Next(8).ToString(CultureInfo.InvariantCulture);
            int count = rng.Next(1, 50);
            switch (rng.Next(4))
            {
                case 0:
                case 1:
                {
                    // The check runs under the lock so that no other process destroys the array meanwhile.
                    m.AtomicFunc(() =>
                    {
                        var o = m.FindOrConstructArray(name, count, (long)count);
                        foreach (long v in o.AsSpan())
                        {
                            ok &= v == o.Count;
                        }
                    });
                    break;
                }

                case 2:
                    m.Destroy<long>(name);
                    break;
                default:
                {
                    long h = m.Allocate(rng.Next(1, 2000));
                    m.GetSpan(h, 8).Fill(0xAB);
                    m.Deallocate(h);
                    break;
                }
            }
        }

        Console.WriteLine(ok ? "DONE" : "BAD");
        return 0;
    }

    /// <summary>managed-lock-status SEG: runs an empty AtomicFunc and prints the lock status it reports.</summary>
    [DriverCommand("managed-lock-status")]
    public static int LockStatusCommand(string[] args)
    {
        using var seg = ManagedSharedMemory.OpenExisting(args[0]);
        LockStatus status = seg.Manager.AtomicFunc(static () => { });
        Console.WriteLine(status.ToString());
        return 0;
    }
}
