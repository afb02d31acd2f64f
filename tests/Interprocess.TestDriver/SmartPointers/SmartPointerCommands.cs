using System.Globalization;
using Interprocess.Managed;
using Interprocess.SmartPointers;

namespace Interprocess.TestDriver.SmartPointers;

/// <summary>Driver commands for the smart pointer tests: each finds a <c>SharedPtr&lt;long&gt;</c> stored as a named object.</summary>
internal static class SmartPointerCommands
{
    /// <summary>sp-clone SEG NAME NEWNAME: stores a new owner of NAME's value under NEWNAME, adds 1 to the value, prints USE n.</summary>
    [DriverCommand("sp-clone")]
    public static int Clone(string[] args)
    {
        using var seg = ManagedSharedMemory.OpenExisting(args[0]);
        var owner = seg.Manager.Find<SharedPtr<long>>(args[1]).Value.Clone();
        seg.Manager.Construct(args[2], owner);
        Interlocked.Increment(ref owner.Value);
        Console.WriteLine("USE " + owner.UseCount.ToString(CultureInfo.InvariantCulture));
        return 0;
    }

    /// <summary>sp-release SEG NAME: releases the owner stored under NAME and removes the name, prints RELEASED.</summary>
    [DriverCommand("sp-release")]
    public static int Release(string[] args)
    {
        using var seg = ManagedSharedMemory.OpenExisting(args[0]);
        var owner = seg.Manager.Find<SharedPtr<long>>(args[1]).Value;
        owner.Dispose();
        seg.Manager.Destroy<SharedPtr<long>>(args[1]);
        Console.WriteLine("RELEASED");
        return 0;
    }

    /// <summary>sp-churn SEG NAME N: N times, takes a new owner of NAME's value and releases it; prints DONE.</summary>
    [DriverCommand("sp-churn")]
    public static int Churn(string[] args)
    {
        using var seg = ManagedSharedMemory.OpenExisting(args[0]);
        var shared = seg.Manager.Find<SharedPtr<long>>(args[1]).Value;
        int n = int.Parse(args[2], CultureInfo.InvariantCulture);
        for (int i = 0; i < n; i++)
        {
            var mine = shared.Clone();
            mine.Dispose();
        }

        Console.WriteLine("DONE");
        return 0;
    }

    /// <summary>sp-hold SEG NAME: takes a new owner of NAME's value, stored nowhere, prints USE n, then waits on stdin (the test kills it there).</summary>
    [DriverCommand("sp-hold")]
    public static int Hold(string[] args)
    {
        using var seg = ManagedSharedMemory.OpenExisting(args[0]);
        var owner = seg.Manager.Find<SharedPtr<long>>(args[1]).Value.Clone();
        Console.WriteLine("USE " + owner.UseCount.ToString(CultureInfo.InvariantCulture));
        Console.ReadLine();
        owner.Dispose();
        return 0;
    }

    /// <summary>sp-churn-forever SEG NAME: prints STARTED, then takes a new owner of NAME's value and releases it, until killed.</summary>
    [DriverCommand("sp-churn-forever")]
    public static int ChurnForever(string[] args)
    {
        using var seg = ManagedSharedMemory.OpenExisting(args[0]);
        var shared = seg.Manager.Find<SharedPtr<long>>(args[1]).Value;
        Console.WriteLine("STARTED");
        while (true)
        {
            var mine = shared.Clone();
            mine.Dispose();
        }
    }

    /// <summary>sp-readonly SEG NAME: opens read-only, prints VALUE v, then REFUSED if taking an owner is refused.</summary>
    [DriverCommand("sp-readonly")]
    public static int ReadOnly(string[] args)
    {
        using var seg = ManagedSharedMemory.OpenReadOnly(args[0]);
        var shared = seg.Manager.Find<SharedPtr<long>>(args[1]).Value;
        Console.WriteLine("VALUE " + shared.Value.ToString(CultureInfo.InvariantCulture));
        try
        {
            shared.Clone();
            Console.WriteLine("CLONED");
        }
        catch (NotSupportedException)
        {
            Console.WriteLine("REFUSED");
        }

        return 0;
    }
}
