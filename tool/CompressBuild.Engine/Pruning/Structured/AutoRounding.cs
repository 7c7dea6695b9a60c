using System.Globalization;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Pruning.Structured;

/// <summary>
/// <c>round_to: auto</c>, the default: the model is planned twice, with round_to 1 and with this CPU's NCHWc block
/// (<see cref="RoundToChoice.Block"/>), both spending the same multiply-add budget, and <see cref="RoundToChoice.Rule"/> picks
/// one from the multiply-adds each plan removes, so the bytes follow from the model, the config and the CPU class alone. The two
/// whole pruned models (structure only, before reconstruction: kernels do not depend on weight values) are then timed against
/// each other in ONNX Runtime on 1 thread (<see cref="ChannelCountLatency"/>) to confirm it: the times are reported, and
/// CB4072 warns when they contradict the rule beyond the noise, without changing the choice.
/// </summary>
internal static class AutoRounding
{
    /// <param name="removed">Per candidate (round_to 1, then <paramref name="block"/>), the channel roots it removes.</param>
    /// <param name="graph">The model's channel graph, for the multiply-adds each channel costs.</param>
    public static RoundToDecision Choose(OnnxModel model, PruneSettings settings, IReadOnlyDictionary<string, long[]> shapes, NodeExclusions excluded,
        ChannelGraph graph, IReadOnlyList<HashSet<int>> removed, int block, List<PruneAdvisory> advisories)
    {
        var cost = DistortionAllocation.ChannelCosts(graph, shapes);
        var removedAtOne = removed[0].Sum(r => cost.GetValueOrDefault(r));
        var removedAtBlock = removed[1].Sum(r => cost.GetValueOrDefault(r));
        var same = removed[0].SetEquals(removed[1]);
        (double One, double Block)? distortion = same || block <= 1 || settings.CalibrationData is null ? null : Distortions(graph, model, settings, removed);
        var (chosen, reason) = same && block > 1
            ? (block, $"round_to 1 and {block} (this CPU's NCHWc block) remove the same channels")
            : RoundToChoice.Rule(removedAtOne, removedAtBlock, block, distortion);
        var decision = new RoundToDecision(chosen, block, removedAtOne, removedAtBlock, reason)
        {
            DistortionAtOne = distortion?.One,
            DistortionAtBlock = distortion?.Block,
        };
        if (same || block <= 1)
        {
            return decision;
        }

        var inputs = Inputs(model, settings, out var symbolic);
        if (symbolic.Count > 0)
        {
            advisories.Add(new PruneAdvisory(DiagnosticCodes.RoundToNotTimed.Id,
                $"round_to auto chose {chosen} by its rule but could not time the pruned models to confirm it: input(s) {string.Join(", ", symbolic)} have symbolic " +
                    "sizes past the batch axis; give calibration.data (its first sample sets the sizes) to have the choice timed."));
            return decision;
        }

        var models = removed.Select(r =>
        {
            var copy = new OnnxModel(model.Proto.Clone(), model.BaseDirectory, model.SourcePath);
            ChannelPruner.Apply(copy, ChannelGraph.Build(copy, shapes, excluded), r);
            return copy;
        }).ToList();
        var times = ChannelCountLatency.Measure(models, inputs);
        var one = new RoundToCandidate(1, times[0]);
        var atBlock = new RoundToCandidate(block, times[1]);
        var ratios = RoundToChoice.Ratios(one, atBlock);
        decision = decision with
        {
            MeasuredOneMs = Median(times[0]),
            MeasuredBlockMs = Median(times[1]),
            MeasuredRatio = ratios.Length > 0 ? LatencyStatistics.Percentile(ratios, 0.5) : null,
            MeasuredRounds = ratios.Length,
        };
        // Timing cannot overrule a choice of 1 made for accuracy (the block's plan distorted the output too much more).
        var forAccuracy = chosen == 1 && distortion is var (atOne, atBlockDistortion) && atBlockDistortion > RoundToChoice.MaxDistortionRatio * atOne;
        if (!forAccuracy && RoundToChoice.Contradicts(chosen, ratios))
        {
            var other = chosen == 1 ? block : 1;
            advisories.Add(new PruneAdvisory(DiagnosticCodes.RoundToTimingContradicts.Id, string.Create(CultureInfo.InvariantCulture,
                $"round_to auto chose {chosen} ({reason}), but on this machine the model pruned at round_to {other} ran faster in at least 3 of 4 timed rounds " +
                    $"(block / 1 time ratio {LatencyStatistics.Percentile(ratios, 0.25):0.000}-{LatencyStatistics.Percentile(ratios, 0.75):0.000}, median " +
                    $"{decision.MeasuredRatio:0.000}, {ratios.Length} rounds); the choice stands so the output does not depend on timing: set round_to: {other} to take it.")));
        }

        return decision;
    }

    /// <summary>
    /// Each whole plan's output distortion on 4 calibration samples, its channels removed together (emulated as the
    /// distortion allocation does, before reconstruction): the allocation adds up groups measured one at a time, which
    /// missed the classifier's loss at 16 (predicted 0.085 against 0.087 at round_to 1; cosine after pruning 0.957 against 0.983).
    /// </summary>
    private static (double One, double Block) Distortions(ChannelGraph graph, OnnxModel model, PruneSettings settings, IReadOnlyList<HashSet<int>> removed)
    {
        using var trial = new DistortionTrial(graph, model, settings, sampleCount: 4);
        return (trial.Distortion([.. removed[0]]), trial.Distortion([.. removed[1]]));
    }

    private static double Median(IReadOnlyList<double> times) => times.Count == 0 ? 0 : LatencyStatistics.Percentile([.. times.Order()], 0.5);

    /// <summary>
    /// What the models are timed on: the first calibration sample when there is one (the size the model will run at), else
    /// null (random values at the declared input shapes), which must then be fixed past the batch axis (<paramref name="symbolic"/> lists those that are not).
    /// </summary>
    private static IReadOnlyList<HostTensor>? Inputs(OnnxModel model, PruneSettings settings, out List<string> symbolic)
    {
        symbolic = [];
        if (settings.CalibrationData is not null)
        {
            return CalibrationSet.Open(model, settings).Sample(0);
        }

        using var session = ModelSessions.Open(model, SessionSettings.Default with { OptimizationLevel = GraphOptimizationLevel.None });
        symbolic = session.Inputs.Where(i => i.IsTensor && i.Shape.Skip(1).Any(d => d < 0)).Select(i => i.Name).ToList();
        return null;
    }
}
