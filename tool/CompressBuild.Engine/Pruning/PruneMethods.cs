using CompressBuild.Engine.Choices;

namespace CompressBuild.Engine.Pruning;

/// <summary>
/// The registry of pruning methods, channel importances, scopes and allocations: the only place their names are
/// spelled. The CLI, the config schema (and so the JSON Schema and MSBuild metadata), the binding and messages read it.
/// </summary>
public static class PruneMethods
{
    public static PruneMethodInfo Magnitude { get; } = new(PruneMethod.Magnitude, "magnitude", "unstructured: the smallest weights become zero")
    { Options = ["scope", "allocation"], ReadsCalibration = true };

    public static PruneMethodInfo NM { get; } = new(PruneMethod.NM, "nm", "semi-structured N:M: N of every M weights along the reduction axis survive")
    { Options = ["pattern"], ReadsCalibration = true, TakesSparsity = false };

    public static PruneMethodInfo Block { get; } = new(PruneMethod.Block, "block", "whole RxC blocks of the weight matrix, the weakest by L2 norm, become zero")
    { Options = ["block"] };

    public static PruneMethodInfo Channel { get; } = new(PruneMethod.Channel, "channel", "structured: whole channels are removed, so the model gets smaller and faster")
    { Options = ["importance", "round_to", "allocation"], ReadsCalibration = true, SharesCalibration = true, Shrinks = true };

    public static ChoiceSet<PruneMethodInfo> All { get; } = new(Magnitude, NM, Block, Channel);

    public static ChoiceSet<Choice<ChannelImportance>> Importances { get; } = new(
        new(ChannelImportance.L1, "l1", "L1 norm of the channel's weights"),
        new(ChannelImportance.L2, "l2", "L2 norm of the channel's weights (default)"),
        new(ChannelImportance.BnScale, "bn-scale", "|gamma| of the group's BatchNormalization"),
        new(ChannelImportance.Activation, "activation", "mean |activation| on calibration data times the weight norm"));

    public static ChoiceSet<Choice<SparsityScope>> Scopes { get; } = new(
        new(SparsityScope.Global, "global", "one ranking across every layer"),
        new(SparsityScope.Layer, "layer", "the same sparsity in each layer"));

    public static ChoiceSet<Choice<SparsityAllocation>> Allocations { get; } = new(
        new(SparsityAllocation.Uniform, "uniform", "plain global ranking"),
        new(SparsityAllocation.Lamp, "lamp", "layer-adaptive scores that never empty a layer"),
        new(SparsityAllocation.Distortion, "distortion",
            "channel: each group's ratio from its measured output distortion (the default with calibration data); magnitude per layer: each layer's from its weights' OBS distortion"),
        new(SparsityAllocation.Owl, "owl", "magnitude per layer with calibration data: layers with more activation outliers pruned less (OWL)"),
        new(SparsityAllocation.Latency, "latency",
            "channel with calibration data: as distortion, but spending the latency the uniform ratio saves, by a per-group latency table measured on this machine (ALCS)"));

    public static PruneMethodInfo Of(PruneMethod method) => All.First(m => m.Method == method);
}
