using CompressBuild.Engine.Choices;
using CompressBuild.Engine.Pipeline.Cache;
using CompressBuild.Engine.Pruning;

namespace CompressBuild.Engine.Pipeline.Passes;

/// <summary>A <c>prune</c> pass's settings (from compress.yaml or the CLI's options, by schema key) to <see cref="PruneSettings"/>.</summary>
public static class PruneBinding
{
    /// <summary>The word <c>round_to</c> takes in place of a number, and the channel method's default.</summary>
    public const string AutoRoundTo = "auto";

    public static PruneSettings Bind(PassPlan pass)
    {
        var defaults = new PruneSettings();
        var method = PruneMethods.All.Find(pass.Text("method"))?.Method ?? defaults.Method;
        var allocation = PruneMethods.Allocations.Find(pass.Text("allocation"))?.Value ?? defaults.Allocation;
        var settings = new PruneSettings
        {
            Method = method,
            Sparsity = pass.Number("sparsity"),
            Scope = PruneMethods.Scopes.ValueOf(pass.Text("scope"), defaults.Scope),
            Allocation = allocation,
            LatencyTable = pass.Text("latency_table"),
            TargetSpeedup = pass.Number("target_speedup"),
            // The table is cached by content key, so repeat builds on one machine class spend the same numbers and write the same bytes.
            LatencyCache = allocation == SparsityAllocation.Latency ? Path.Combine(ContentCache.Open().Root, "latency-tables") : null,
            Pattern = pass.Text("pattern") is { } pattern ? NmPattern.Parse(pattern) : null,
            Block = pass.Text("block") is { } block ? BlockShape.Parse(block) : null,
            Importance = PruneMethods.Importances.ValueOf(pass.Text("importance"), defaults.Importance),
            RoundTo = pass.WholeNumber("round_to") ?? defaults.RoundTo,
            // auto is the channel method's default (round_to applies to no other): deterministic per CPU class, see RoundToChoice.Rule.
            RoundToAuto = pass.Text("round_to") == AutoRoundTo || (method == PruneMethod.Channel && pass.Get("round_to") is null),
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
