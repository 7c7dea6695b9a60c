using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Pruning.Structured.Latency;
using CompressBuild.Engine.Pruning.Unstructured;

namespace CompressBuild.Engine.Pruning.Structured;

/// <summary>
/// Structured channel pruning: builds the <see cref="ChannelGraph"/>, groups removable channels by the set of
/// layers producing them (a residual pair of Convs is one group), removes the least important fraction of each
/// group (rounded so channel counts stay multiples of --round-to, or of what round_to auto measured faster for the
/// whole model, never all of it), and physically shrinks every
/// tensor and attribute that depends on them. Stale value_info shapes of the shrunk values are dropped.
/// </summary>
internal static class ChannelPruner
{
    public static ChannelOutcome Run(OnnxModel model, PruneSettings settings)
    {
        var graphProto = model.Graph;
        var excluded = settings.Exclusions(graphProto, model.DisplayName);
        if (settings.CalibrationData is not null)
        {
            MeanCompensation.AddMissingBiases(graphProto);
        }

        var shapes = ShapeProbe.Run(model);
        var graph = ChannelGraph.Build(model, shapes, excluded);
        var protectedRoots = graph.ProtectedRoots();
        var advisories = new List<PruneAdvisory>();

        // Components (removable channels) by the producer outputs that make them, in producer order.
        var groups = new List<(List<string> Members, List<int> Roots)>();
        var bySignature = new Dictionary<string, int>(StringComparer.Ordinal);
        var producersOf = new Dictionary<int, List<string>>();
        var order = new List<int>();
        foreach (var space in graph.Spaces.Where(s => s.IsProducerOutput))
        {
            for (var c = 0; c < space.Count; c++)
            {
                var root = graph.Channels.Find(space.Id(c));
                if (!producersOf.TryGetValue(root, out var list))
                {
                    producersOf[root] = list = [];
                    order.Add(root);
                }

                if (!list.Contains(space.Value, StringComparer.Ordinal))
                {
                    list.Add(space.Value);
                }
            }
        }

        foreach (var root in order)
        {
            var signature = string.Join("\n", producersOf[root]);
            if (!bySignature.TryGetValue(signature, out var index))
            {
                bySignature[signature] = index = groups.Count;
                groups.Add((producersOf[root], []));
            }

            groups[index].Roots.Add(root);
        }

        var importance = groups.Any(g => g.Roots.Any(r => !protectedRoots.ContainsKey(r)))
            ? ChannelImportanceScorer.Score(graph, model, settings, advisories)
            : [];
        // Each group's removable channels, least important first, and how many of them to remove.
        var ranked = groups.Select(g => g.Roots.Select((r, position) => (Root: r, Position: position)).Where(x => !protectedRoots.ContainsKey(x.Root))
            .OrderBy(x => importance.GetValueOrDefault(x.Root)).ThenBy(x => x.Position).ToList()).ToList();
        // The budget is the requested share of multiply-adds (or of time), unrounded: rounding it as well (a 24-channel group at 25% keeps 18,
        // rounded to 8 that is all 24) would leave round_to 8 or 16 far less pruned than asked.
        var unrounded = groups.Select((g, i) => Math.Max(0, Math.Min(g.Roots.Count - KeepAtLeast(g.Roots.Count, settings.EffectiveSparsity, 1), ranked[i].Count))).ToList();
        var rankedRoots = ranked.Select(r => (IReadOnlyList<int>)r.Select(x => x.Root).ToList()).ToList();
        LatencyCost? latency = null;
        var latencyAuto = settings.AllocationEffective == SparsityAllocation.Latency && settings.RoundToAuto;
        IReadOnlyList<int> latencyBudget = [];
        int[] Uniform(int roundTo) =>
            groups.Select((g, i) => Math.Max(0, Math.Min(g.Roots.Count - KeepAtLeast(g.Roots.Count, settings.EffectiveSparsity, roundTo), ranked[i].Count))).ToArray();
        int[] Counts(int roundTo)
        {
            var uniform = Uniform(roundTo);
            if (settings.AllocationEffective is not (SparsityAllocation.Distortion or SparsityAllocation.Latency) || uniform.All(c => c <= 0))
            {
                return uniform;
            }

            if (settings.AllocationEffective == SparsityAllocation.Latency)
            {
                latency ??= LatencyCost.Measure(graph, model, shapes, settings, groups.Select(g => g.Members).ToList(), groups.Select(g => g.Roots.Count).ToList(), rankedRoots, Uniform);
            }

            // Time, unlike multiply-adds, is saved only at widths the kernels like (a 200-channel group at 150 ran slower than at 200 on the
            // classifier, at 160 faster): the latency budget is what the uniform ratio saves at this round_to, as it would be pruned.
            // With round_to auto, the latency allocation needs no second plan: its table already shows which widths the kernels run fast, so
            // each group is tried at the candidates of round_to 1 and of the block together, against the better of the two uniform budgets.
            var alsoAt = latencyAuto ? RoundToChoice.Block : 0;
            latencyBudget = latency is null ? unrounded : alsoAt > 1 ? latency.Better(uniform, Uniform(alsoAt)) : uniform;
            var measured = DistortionAllocation.Counts(graph, model, shapes, settings, groups.Select(g => g.Roots.Count).ToList(), rankedRoots,
                latencyBudget, roundTo, latency is null ? null : latency.Saved, alsoAt, latency?.TargetMs);
            return groups.Select((g, i) =>
                    Math.Max(0, Math.Min(g.Roots.Count - Math.Min(g.Roots.Count, RoundUp(Math.Max(1, g.Roots.Count - measured[i]), roundTo)), ranked[i].Count)))
                .ToArray();
        }

        HashSet<int> Removed(int[] removing) => ranked.SelectMany((r, g) => r.Take(removing[g]).Select(x => x.Root)).ToHashSet();

        var roundTo = settings.RoundToAuto ? 1 : settings.RoundTo;
        var counts = Counts(roundTo);
        RoundToDecision? decision = null;
        if (settings.RoundToAuto && !latencyAuto && counts.Any(c => c > 0))
        {
            var atBlock = RoundToChoice.Block > 1 ? Counts(RoundToChoice.Block) : counts;
            decision = AutoRounding.Choose(model, settings, shapes, excluded, graph, [Removed(counts), Removed(atBlock)], RoundToChoice.Block, advisories);
            roundTo = decision.Chosen;
            counts = roundTo == 1 ? counts : atBlock;
        }

        var removed = new HashSet<int>();
        var reports = new List<ChannelGroupReport>();
        for (var g = 0; g < groups.Count; g++)
        {
            var (members, roots) = groups[g];
            var n = roots.Count;
            var removable = ranked[g];
            var chosen = removable.Take(counts[g]).OrderBy(x => x.Position).ToList();
            removed.UnionWith(chosen.Select(x => x.Root));
            var reasons = roots.Where(protectedRoots.ContainsKey).Select(r => protectedRoots[r]).Distinct(StringComparer.Ordinal).ToList();
            var why = reasons.Count == 0 ? null : removable.Count == 0 ? string.Join("; ", reasons) : $"{n - removable.Count} of {n} channels kept: {string.Join("; ", reasons)}";
            // Allocation latency with round_to auto tries each group at round_to 1 and the block: report the block where the kept count is a multiple of it.
            var multiple = latencyAuto && (n - chosen.Count) % RoundToChoice.Block == 0 ? RoundToChoice.Block : roundTo;
            reports.Add(new ChannelGroupReport(members, n, n - chosen.Count, why, chosen.Select(x => x.Position).ToList()) { RoundTo = multiple });
        }

        if (reports.All(r => r.Protected is not null && r.ChannelsBefore == r.ChannelsAfter))
        {
            advisories.Add(new PruneAdvisory(DiagnosticCodes.PruneNothingPrunable.Id,
                reports.Count == 0
                    ? "nothing to prune: no Conv, ConvTranspose, Gemm or MatMul with a constant weight produces channels; the model is written unchanged."
                    : "nothing to prune: every channel group is protected; the model is written unchanged."));
        }

        var whole = reports.Where(r => r.Protected is not null).ToList();
        if (whole.Count > 0)
        {
            advisories.Add(new PruneAdvisory(DiagnosticCodes.PruneChannelsProtected.Id,
                $"{whole.Count} channel group(s) kept (in part or whole): " + string.Join("; ", whole.Select(r => $"{string.Join(" + ", r.Members)}: {r.Protected}"))));
        }

        var timing = Reconstruction.ReconstructionTiming.None;
        if (settings.CalibrationData is not null && removed.Count > 0)
        {
            HashSet<NodeProto> solved = [];
            if (settings.ReconstructEffective)
            {
                (solved, timing) = ConsumerReconstruction.Apply(graph, model, settings, removed);
            }

            MeanCompensation.Apply(graph, model, settings, removed, solved);
        }

        var latencyReport = latency?.Report(latencyBudget, reports.Select(r => r.ChannelsBefore - r.ChannelsAfter).ToList(), advisories);
        var layers = Apply(model, graph, removed);
        return new ChannelOutcome(layers, reports, advisories, timing) { RoundTo = decision, Latency = latencyReport };
    }

    /// <summary>Channels a group of <paramref name="n"/> keeps under the uniform ratio: at least one, rounded up to a multiple of <paramref name="roundTo"/>.</summary>
    private static int KeepAtLeast(int n, double sparsity, int roundTo) => Math.Min(n, RoundUp(Math.Max(1, n - (int)RankKey.Target(sparsity, n)), roundTo));

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    /// <summary>Removes the channels (by root) from every tensor and attribute that depends on them, in <paramref name="model"/>.</summary>
    internal static List<LayerSparsity> Apply(OnnxModel model, ChannelGraph graph, HashSet<int> removed)
    {
        var proto = model.Graph;
        var layers = new List<LayerSparsity>();
        if (removed.Count == 0)
        {
            return layers;
        }

        var references = proto.Node.SelectMany(n => n.Input).Where(i => i.Length > 0).GroupBy(i => i, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var replaced = new HashSet<string>(StringComparer.Ordinal);
        foreach (var uses in graph.Slices.GroupBy(s => (s.Node, s.InputIndex)).ToList())
        {
            var (node, inputIndex) = uses.Key;
            var original = graph.Constants[node.Input[inputIndex]];
            var dims = original.Dims.ToArray();
            var before = dims.ToArray();
            var values = TensorData.ToSingles(original, model);
            var zerosBefore = WeightStore.CountZeros(values);
            var changed = false;
            foreach (var slice in uses)
            {
                var kept = Enumerable.Range(0, slice.Channels.Length).Where(i => !removed.Contains(graph.Channels.Find(slice.Channels[i]))).ToList();
                if (kept.Count < slice.Channels.Length)
                {
                    values = TensorSlicing.Keep(values, dims, slice.Axis, kept);
                    changed = true;
                }
            }

            if (!changed)
            {
                continue;
            }

            if (references[original.Name] == 1)
            {
                WeightStore.Replace(proto, original, dims, values);
            }
            else
            {
                // A weight shared with another node gets its own pruned copy; the original stays for the others.
                var name = $"{original.Name}_pruned_{ChannelGraph.NodeName(node)}_{inputIndex}";
                proto.Initializer.Add(TensorData.FromArray(name, dims, values.AsSpan()));
                node.Input[inputIndex] = name;
                replaced.Add(original.Name);
            }

            if (inputIndex == 1 && uses.Any(s => s.Role is SliceRole.Producer or SliceRole.Consumer or SliceRole.Depthwise))
            {
                layers.Add(new LayerSparsity(ChannelGraph.NodeName(node), node.OpType, original.Name, before, dims, before.Aggregate(1L, (a, d) => a * d), values.Length,
                    zerosBefore, WeightStore.CountZeros(values)));
            }
        }

        foreach (var node in graph.DepthwiseNodes)
        {
            var weight = proto.Initializer.First(t => t.Name == node.Input[1]);
            node.Attribute.First(a => a.Name == "group").I = weight.Dims[0];
        }

        // Initializers every user now reads a pruned copy of.
        var stillRead = proto.Node.SelectMany(n => n.Input).Concat(proto.Output.Select(o => o.Name)).ToHashSet(StringComparer.Ordinal);
        foreach (var name in replaced.Where(n => !stillRead.Contains(n)))
        {
            proto.Initializer.Remove(proto.Initializer.First(t => t.Name == name));
        }

        var shrunk = graph.Spaces.Select(s => s.Value).ToHashSet(StringComparer.Ordinal);
        for (var i = proto.ValueInfo.Count - 1; i >= 0; i--)
        {
            if (shrunk.Contains(proto.ValueInfo[i].Name))
            {
                proto.ValueInfo.RemoveAt(i);
            }
        }

        // Graph order (slices were collected in topological order); names may repeat in sloppy models, so first wins.
        var nodeOrder = proto.Node.Select((n, i) => (Key: ChannelGraph.NodeName(n) + "\n" + n.OpType, Index: i)).GroupBy(x => x.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Index, StringComparer.Ordinal);
        return layers.OrderBy(l => nodeOrder.GetValueOrDefault(l.Node + "\n" + l.OpType)).ToList();
    }
}
