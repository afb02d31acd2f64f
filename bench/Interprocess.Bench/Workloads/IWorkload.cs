namespace Interprocess.Bench.Workloads;

/// <summary>
/// One system measured on one anchor workload (W1..W7). To add one: write a class implementing this interface
/// in this folder and add an instance to <see cref="WorkloadRegistry.All"/>.
/// </summary>
internal interface IWorkload
{
    /// <summary>The anchor workload it belongs to, as <c>run.sh</c> names it: <c>"W3"</c>.</summary>
    string Workload { get; }

    /// <summary>The system column of its lines, unique within its workload: <c>"interprocess_mutex"</c> (W1 and W2 share it, as the anchors do).</summary>
    string System { get; }

    /// <summary>
    /// True when the two processes spin on each other and so need two CPUs: such a workload is skipped when this
    /// process may run on one CPU only (run-all.sh's same-core variant), as the anchors never run spinning
    /// workloads that way.
    /// </summary>
    bool NeedsTwoCpus { get; }

    /// <summary>
    /// Runs the workload in the parent: sets up, starts the child (if any) with <see cref="Infrastructure.ChildProcess"/>,
    /// warms up, times the repetitions and emits the result lines.
    /// </summary>
    /// <returns>The exit code: 0 when everything ran (a failed correctness check is reported in a line, not here).</returns>
    int Run();

    /// <summary>Runs the child's side, started as <c>--child &lt;Workload&gt; &lt;System&gt; args...</c>.</summary>
    /// <param name="args">The arguments after the system name.</param>
    /// <returns>The child's exit code.</returns>
    int RunChild(IReadOnlyList<string> args);
}
