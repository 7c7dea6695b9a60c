using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Pruning.Structured;

/// <summary>
/// <c>round_to: auto</c>: for every group the allocation prunes, its kept count rounded up to 1, 4, 8, 16 and 32
/// (<see cref="RoundToChoice.Counts"/>), each timed in ONNX Runtime on this machine (<see cref="ChannelCountProbe"/>,
/// <see cref="ChannelCountLatency"/>), and the allocation's count kept unless a larger one is clearly faster
/// (<see cref="RoundToChoice.Choose"/>). Timings differ between runs and machines, so the bytes may too, as with
/// quantize's latency_aware; the tolerance makes a flip need a 10% difference in the median of per-round ratios.
/// </summary>
internal static class AutoRounding
{
    /// <param name="roots">Per group, all its channel roots (protected ones included).</param>
    /// <param name="removable">Per group, how many of its channels may be removed at most.</param>
    /// <param name="counts">Per group, how many channels the allocation removes; rounded in place.</param>
    /// <returns>Per group, the multiple its kept count was rounded to.</returns>
    public static int[] Apply(ChannelGraph graph, IReadOnlyDictionary<string, long[]> shapes, IReadOnlyList<IReadOnlyList<int>> roots, IReadOnlyList<int> removable, int[] counts)
    {
        var multiples = Enumerable.Repeat(1, counts.Length).ToArray();
        for (var g = 0; g < counts.Length; g++)
        {
            var size = roots[g].Count;
            if (counts[g] <= 0)
            {
                continue;
            }

            var candidates = RoundToChoice.Counts(size - counts[g], size).Where(c => size - c.Count <= removable[g]).ToList();
            var members = roots[g].ToHashSet();
            var probes = candidates.Select(c => ChannelCountProbe.Build(graph, shapes, members, size, c.Count)).ToList();
            RoundToCandidate chosen;
            if (candidates.Count == 1 || probes.Any(p => p is null))
            {
                chosen = new RoundToCandidate(candidates[0].Count, candidates[0].Multiple, []);
            }
            else
            {
                var times = ChannelCountLatency.Measure(probes!);
                chosen = RoundToChoice.Choose(candidates.Select((c, i) => new RoundToCandidate(c.Count, c.Multiple, times[i])).ToList());
            }

            counts[g] = size - chosen.Count;
            multiples[g] = chosen.Multiple;
        }

        return multiples;
    }

    /// <summary>
    /// Every value's shape at the size the model will run at: from the first calibration sample when there is one,
    /// else from the model's declared input shapes, which must then be fixed past the batch axis (CB2052).
    /// </summary>
    public static IReadOnlyDictionary<string, long[]> Shapes(OnnxModel model, PruneSettings settings, IReadOnlyDictionary<string, long[]> probed)
    {
        if (settings.CalibrationData is not null)
        {
            var data = CalibrationSet.Open(model, settings);
            return ShapeProbe.Run(model, data.Sample(0));
        }

        using var session = ModelSessions.Open(model, SessionSettings.Default with { OptimizationLevel = GraphOptimizationLevel.None });
        var symbolic = session.Inputs.Where(i => i.IsTensor && i.Shape.Skip(1).Any(d => d < 0)).Select(i => i.Name).ToList();
        return symbolic.Count == 0 ? probed : throw new CompressBuildException(DiagnosticCodes.RoundToAutoNeedsShapes,
            $"round_to auto times each layer at its input shape, but input(s) {string.Join(", ", symbolic)} of {model.DisplayName} have symbolic sizes past the batch axis: " +
                "give calibration.data (its first sample sets the sizes), or a number for round_to.");
    }
}
