namespace Interprocess.Containers;

/// <summary>The mapped type of the set containers' nodes: nothing (one byte the runtime insists on).</summary>
internal struct NoValue
{
}
