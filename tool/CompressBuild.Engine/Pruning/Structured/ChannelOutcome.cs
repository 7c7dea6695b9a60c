namespace CompressBuild.Engine.Pruning.Structured;

internal sealed record ChannelOutcome(IReadOnlyList<LayerSparsity> Layers, IReadOnlyList<ChannelGroupReport> Groups,
    IReadOnlyList<PruneAdvisory> Advisories, Reconstruction.ReconstructionTiming Timing);
