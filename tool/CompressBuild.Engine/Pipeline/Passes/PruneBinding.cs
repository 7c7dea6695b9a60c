using CompressBuild.Engine.Pipeline.Search;
using CompressBuild.Engine.Pruning;

namespace CompressBuild.Engine.Pipeline.Passes;

/// <summary>compress.yaml's <c>prune</c> settings (the CLI's options in snake_case) to <see cref="PruneSettings"/>.</summary>
public static class PruneBinding
{
    public static PruneSettings Bind(PassPlan pass)
    {
        var defaults = new PruneSettings();
        var settings = new PruneSettings
        {
            Method = pass.Text("method") switch
            {
                "nm" => PruneMethod.NM,
                "block" => PruneMethod.Block,
                "channel" => PruneMethod.Channel,
                _ => PruneMethod.Magnitude,
            },
            Sparsity = pass.Number("sparsity"),
            Scope = pass.Text("scope") == "layer" ? SparsityScope.Layer : SparsityScope.Global,
            Allocation = pass.Text("allocation") switch
            {
                "lamp" => SparsityAllocation.Lamp,
                "distortion" => SparsityAllocation.Distortion,
                "uniform" => SparsityAllocation.Uniform,
                _ => null,
            },
            Pattern = pass.Text("pattern") is { } pattern ? NmPattern.Parse(pattern) : null,
            Block = pass.Text("block") is { } block ? BlockShape.Parse(block) : null,
            Importance = pass.Text("importance") switch
            {
                "l1" => ChannelImportance.L1,
                "bn-scale" => ChannelImportance.BnScale,
                "activation" => ChannelImportance.Activation,
                _ => ChannelImportance.L2,
            },
            RoundTo = pass.WholeNumber("round_to") ?? defaults.RoundTo,
            CalibrationData = pass.Text("calibration.data"),
            CalibrationSamples = pass.WholeNumber("calibration.samples") ?? defaults.CalibrationSamples,
            Reconstruct = pass.Flag("reconstruct"),
            ExcludeNodes = pass.List("exclude_nodes"),
            ExcludeOpTypes = pass.List("exclude_op_types"),
        };
        settings.Validate();
        return settings;
    }
}
