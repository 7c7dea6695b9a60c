using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Pruning.Structured;

/// <summary>
/// Non-uniform channel allocation from measured output distortion (post-training distortion-aware pruning; ALCS):
/// each group is pruned alone at a few ratios on a few calibration samples, the model's output error is measured
/// (squared error over the reference output's energy), and the global budget (the multiply-adds the uniform ratio
/// would remove) is spent greedily on the steps with the least distortion per removed multiply-add. Distortions of
/// different groups are taken as additive, as those papers do. <c>allocation: latency</c> runs the same greedy with each step's
/// measured time saving in place of its multiply-adds (<see cref="Latency.LatencyCost"/>).
/// <para>
/// A removal is emulated, not performed: every weight that reads a removed channel has it zeroed and its mean folded
/// into the bias (what <see cref="MeanCompensation"/> does after real removal, so the output is the same up to
/// zero-padded borders). Those weights become overridable initializers of one session, so each trial is only model
/// runs, with no session rebuilt.
/// </para>
/// </summary>
internal static class DistortionAllocation
{
    /// <param name="ranked">Per group, its removable channel roots, least important first.</param>
    /// <param name="uniform">Per group, how many channels the uniform ratio removes, unrounded (sets the budget).</param>
    /// <param name="roundTo">Every candidate keeps a multiple of this, so the budget is spent on counts round_to allows.</param>
    /// <param name="budgetOverride">What to save instead of what <paramref name="uniform"/> saves (allocation latency's target_speedup).</param>
    /// <param name="alsoRoundTo">Above 1: each group is also tried at the candidates of this multiple (allocation latency with round_to auto).</param>
    /// <returns>Per group, how many of its ranked channels to remove.</returns>
    /// <param name="savedBy">
    /// What removing a group's first n ranked channels saves (<c>allocation: latency</c>: milliseconds from the measured latency table);
    /// null: the multiply-adds they cost.
    /// </param>
    public static int[] Counts(ChannelGraph graph, OnnxModel model, IReadOnlyDictionary<string, long[]> shapes, PruneSettings settings,
        IReadOnlyList<int> sizes, IReadOnlyList<IReadOnlyList<int>> ranked, IReadOnlyList<int> uniform, int roundTo, Func<int, int, double>? savedBy = null,
        int alsoRoundTo = 0, double? budgetOverride = null)
    {
        var macs = ChannelCosts(graph, shapes);
        double Saved(int group, int count) => savedBy?.Invoke(group, count) ?? ranked[group].Take(count).Sum(r => macs.GetValueOrDefault(r));
        var budget = 0.0;
        for (var g = 0; g < ranked.Count; g++)
        {
            budget += Saved(g, uniform[g]);
        }

        budget = budgetOverride ?? budget;
        var counts = new int[ranked.Count];
        if (budget <= 0)
        {
            return counts;
        }

        // Four samples: the distortion only has to rank the groups' steps, not be precise.
        using var trial = new DistortionTrial(graph, model, settings, sampleCount: 4);
        var sparsity = settings.EffectiveSparsity;
        var grid = new List<(int Count, double Cost, double Distortion)>[ranked.Count];
        for (var g = 0; g < ranked.Count; g++)
        {
            grid[g] = [];
            var candidates = Candidates(sizes[g], ranked[g].Count, sparsity, roundTo);
            candidates = alsoRoundTo > 1 ? candidates.Concat(Candidates(sizes[g], ranked[g].Count, sparsity, alsoRoundTo)).Distinct().Order() : candidates;
            foreach (var count in candidates)
            {
                grid[g].Add((count, Saved(g, count), trial.Distortion(ranked[g].Take(count).ToList())));
            }
        }

        // Greedy on the lower hull: at every step take the jump (any group, to any larger candidate) that costs the
        // least distortion per unit saved (multiply-add, or millisecond with allocation latency), until the budget is met.
        // A jump that saves nothing is never taken: with measured times, widths the kernels run no faster are skipped over.
        var at = Enumerable.Repeat(-1, ranked.Count).ToArray();
        var spent = 0.0;
        while (spent < budget)
        {
            (int Group, int Index, double Slope)? best = null;
            for (var g = 0; g < ranked.Count; g++)
            {
                var (fromCost, fromDistortion) = at[g] < 0 ? (0.0, 0.0) : (grid[g][at[g]].Cost, grid[g][at[g]].Distortion);
                for (var j = at[g] + 1; j < grid[g].Count; j++)
                {
                    var saved = grid[g][j].Cost - fromCost;
                    if (saved <= 0)
                    {
                        continue;
                    }

                    var slope = Math.Max(0, grid[g][j].Distortion - fromDistortion) / saved;
                    if (best is null || slope < best.Value.Slope)
                    {
                        best = (g, j, slope);
                    }
                }
            }

            if (best is not { } step)
            {
                break;
            }

            spent += grid[step.Group][step.Index].Cost - (at[step.Group] < 0 ? 0 : grid[step.Group][at[step.Group]].Cost);
            at[step.Group] = step.Index;
        }

        for (var g = 0; g < ranked.Count; g++)
        {
            counts[g] = at[g] < 0 ? 0 : grid[g][at[g]].Count;
        }

        return counts;
    }

    /// <summary>
    /// The removal counts a group of <paramref name="size"/> channels is tried at: 0.5, 1, 1.5 and 2 times the ratio (at most its
    /// <paramref name="removable"/> channels), each rounded so the group keeps a multiple of <paramref name="roundTo"/>.
    /// </summary>
    public static IEnumerable<int> Candidates(int size, int removable, double sparsity, int roundTo) =>
        new[] { 0.5, 1, 1.5, 2 }.Select(f => Math.Min(removable, (int)Math.Round(f * sparsity * size)))
            .Select(c => size - Math.Min(size, (size - c + roundTo - 1) / roundTo * roundTo)).Where(c => c > 0).Distinct().Order();

    /// <summary>
    /// Multiply-adds per sample that removing each channel saves: every weight slice producing, reading or filtering
    /// it (elements per channel) times the positions its node computes (output elements over output channels).
    /// </summary>
    internal static Dictionary<int, double> ChannelCosts(ChannelGraph graph, IReadOnlyDictionary<string, long[]> shapes)
    {
        var cost = new Dictionary<int, double>();
        foreach (var slice in graph.Slices.Where(s => s.InputIndex == 1 && s.Role is SliceRole.Producer or SliceRole.Consumer or SliceRole.Depthwise))
        {
            var weight = graph.Constants[slice.Node.Input[1]];
            if (!shapes.TryGetValue(slice.Node.Output[0], out var output) || output.Length == 0 || weight.Dims.Count == 0)
            {
                continue;
            }

            var channelAxis = slice.Node.OpType is "Conv" or "ConvTranspose" && output.Length > 1 ? 1 : output.Length - 1;
            var positions = output.Aggregate(1.0, (a, d) => a * d) / Math.Max(1, output[channelAxis]);
            var perChannel = weight.Dims.Aggregate(1.0, (a, d) => a * d) / Math.Max(1, weight.Dims[slice.Axis]);
            foreach (var id in slice.Channels)
            {
                var root = graph.Channels.Find(id);
                cost[root] = cost.GetValueOrDefault(root) + (perChannel * positions);
            }
        }

        return cost;
    }
}
