namespace CompressBuild.Engine.Pruning.Structured;

internal sealed record ChannelOutcome(IReadOnlyList<LayerSparsity> Layers, IReadOnlyList<ChannelGroupReport> Groups,
    IReadOnlyList<PruneAdvisory> Advisories, Reconstruction.ReconstructionTiming Timing)
{
    /// <summary>What round_to auto chose and why; null with a fixed round_to or when nothing was pruned.</summary>
    public RoundToDecision? RoundTo { get; init; }

    /// <summary>Allocation latency: the table it spent and what the plan saves by it; null otherwise.</summary>
    public LatencyAllocationReport? Latency { get; init; }
}
