using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Pruning.Structured;

/// <summary>
/// <c>round_to: auto</c>: the model is pruned twice, with round_to 1 and with this CPU's NCHWc block
/// (<see cref="RoundToChoice.Block"/>), both spending the same multiply-add budget; the two whole models (structure only,
/// before reconstruction: kernels do not depend on weight values) are timed against each other in ONNX Runtime on 1
/// thread (<see cref="ChannelCountLatency"/>) and <see cref="RoundToChoice.Choose"/> keeps the block unless round_to 1 ran
/// faster. Timing each group alone missed what the whole model gains when every count of a chain fits the block.
/// </summary>
internal static class AutoRounding
{
    /// <param name="removed">Per candidate (round_to 1, then <paramref name="block"/>), the channel roots it removes.</param>
    /// <returns>The round_to to prune with: 1 or <paramref name="block"/>.</returns>
    public static int Choose(OnnxModel model, PruneSettings settings, IReadOnlyDictionary<string, long[]> shapes, NodeExclusions excluded,
        IReadOnlyList<HashSet<int>> removed, int block)
    {
        if (removed[0].SetEquals(removed[1]))
        {
            return block;
        }

        var inputs = Inputs(model, settings);
        var models = removed.Select(r =>
        {
            var copy = new OnnxModel(model.Proto.Clone(), model.BaseDirectory, model.SourcePath);
            ChannelPruner.Apply(copy, ChannelGraph.Build(copy, shapes, excluded), r);
            return copy;
        }).ToList();
        var times = ChannelCountLatency.Measure(models, inputs);
        return RoundToChoice.Choose(new RoundToCandidate(1, times[0]), new RoundToCandidate(block, times[1])).Multiple;
    }

    /// <summary>
    /// What the models are timed on: the first calibration sample when there is one (the size the model will run at), else
    /// null (random values at the declared input shapes), which must then be fixed past the batch axis (CB2052).
    /// </summary>
    private static IReadOnlyList<HostTensor>? Inputs(OnnxModel model, PruneSettings settings)
    {
        if (settings.CalibrationData is not null)
        {
            return CalibrationSet.Open(model, settings).Sample(0);
        }

        using var session = ModelSessions.Open(model, SessionSettings.Default with { OptimizationLevel = GraphOptimizationLevel.None });
        var symbolic = session.Inputs.Where(i => i.IsTensor && i.Shape.Skip(1).Any(d => d < 0)).Select(i => i.Name).ToList();
        return symbolic.Count == 0 ? null : throw new CompressBuildException(DiagnosticCodes.RoundToAutoNeedsShapes,
            $"round_to auto times the pruned model, but input(s) {string.Join(", ", symbolic)} of {model.DisplayName} have symbolic sizes past the batch axis: " +
                "give calibration.data (its first sample sets the sizes), or a number for round_to.");
    }
}
