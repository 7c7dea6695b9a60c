using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Pruning.Structured;
using CompressBuild.Engine.Pruning.Unstructured;

namespace CompressBuild.Engine.Pruning;

/// <summary>Post-training pruning of an ONNX model, no retraining: the entry point for every method.</summary>
public static class ModelPruner
{
    public static PruneResult Run(OnnxModel model, PruneSettings settings)
    {
        settings.Validate();
        var pruned = new OnnxModel(model.Proto.Clone(), model.BaseDirectory, model.SourcePath);
        ConstantPromotion.Promote(pruned.Graph);
        var (parametersBefore, nonZeroBefore) = WeightStore.Totals(pruned);
        var zipBefore = CompressedSize.Of(pruned);

        var advisories = new List<PruneAdvisory>();
        IReadOnlyList<LayerSparsity> layers;
        IReadOnlyList<ChannelGroupReport> groups = [];
        var timing = Reconstruction.ReconstructionTiming.None;
        RoundToDecision? roundTo = null;
        LatencyAllocationReport? latency = null;
        if (settings.Method == PruneMethod.Channel)
        {
            var inBodies = PrunableLayers.InSubgraphs(pruned.Graph);
            if (inBodies > 0 && !pruned.Graph.Node.Any(n => PrunableLayers.OpTypes.Contains(n.OpType)))
            {
                // Nothing in the main graph: the channel pruner would only probe shapes (with inputs that may take another branch) to find nothing.
                layers = [];
            }
            else
            {
                var outcome = ChannelPruner.Run(pruned, settings);
                layers = outcome.Layers;
                groups = outcome.Groups;
                timing = outcome.Timing;
                roundTo = outcome.RoundTo;
                latency = outcome.Latency;
                advisories.AddRange(outcome.Advisories);
            }

            if (inBodies > 0)
            {
                advisories.Add(new PruneAdvisory(DiagnosticCodes.PruneSubgraphLayers.Id,
                    $"{inBodies} Conv/Gemm/MatMul layer(s) inside If/Loop/Scan bodies keep all their channels: removing a channel there would change the " +
                        $"body's output shape, which the enclosing graph and every other branch must agree on; use method magnitude or nm to prune them."));
            }
        }
        else
        {
            (layers, timing) = PruneUnstructured(pruned, settings, advisories);
        }

        var (parametersAfter, nonZeroAfter) = WeightStore.Totals(pruned);
        return new PruneResult(pruned, settings.Method, settings.EffectiveSparsity, layers, parametersBefore, parametersAfter, nonZeroBefore, nonZeroAfter,
            zipBefore, CompressedSize.Of(pruned), groups, advisories) { Reconstruction = timing, RoundTo = roundTo, Latency = latency };
    }

    private static (List<LayerSparsity> Layers, Reconstruction.ReconstructionTiming Timing) PruneUnstructured(OnnxModel model, PruneSettings settings, List<PruneAdvisory> advisories)
    {
        var layers = PrunableLayers.Find(model.Graph, settings, model.DisplayName);
        if (layers.Count == 0)
        {
            advisories.Add(new PruneAdvisory(DiagnosticCodes.PruneNothingPrunable.Id,
                "nothing to prune: no Conv, ConvTranspose, Gemm or MatMul with a float32 constant weight is left after exclusions; the model is written unchanged."));
            return ([], Reconstruction.ReconstructionTiming.None);
        }

        var weights = layers.Select(l => TensorData.ToSingles(l.Weight, model)).ToList();
        var zerosBefore = weights.Select(w => WeightStore.CountZeros(w)).ToList();
        switch (settings.Method)
        {
            case PruneMethod.Magnitude:
                advisories.AddRange(MagnitudePruner.Apply(layers, weights, settings));
                break;
            case PruneMethod.NM:
                NmPruner.Apply(layers, weights, settings.Pattern ?? NmPattern.TwoFour);
                if (NmLayers.Advisory(layers, settings.Pattern ?? NmPattern.TwoFour) is { } dense)
                {
                    advisories.Add(dense);
                }

                break;
            case PruneMethod.Block:
                BlockPruner.Apply(layers, weights, settings.Block ?? new BlockShape(4, 4), settings.EffectiveSparsity);
                break;
        }

        var timing = Reconstruction.ReconstructionTiming.None;
        if (settings.ReconstructEffective && settings.Method is PruneMethod.Magnitude or PruneMethod.NM)
        {
            timing = SparseGptPruner.Apply(model, layers, weights, settings);
            if (advisories.RemoveAll(a => a.Code == DiagnosticCodes.PruneLayerEmptied.Id) > 0)
            {
                // The global ranking emptied them; SparseGPT chose each layer's count anew.
                advisories.AddRange(MagnitudePruner.Emptied(layers, weights));
            }

            if (layers.Count(l => l.InSubgraph) is > 0 and var inBodies)
            {
                advisories.Add(new PruneAdvisory(DiagnosticCodes.PruneSubgraphLayers.Id,
                    $"{inBodies} layer(s) inside If/Loop/Scan bodies keep their plain magnitude masks: calibration cannot capture the inputs of a " +
                        $"layer in a body (ONNX Runtime exposes only the main graph's values), so they are not reconstructed."));
            }
        }

        var reports = new List<LayerSparsity>();
        for (var l = 0; l < layers.Count; l++)
        {
            var dims = layers[l].Weight.Dims.ToArray();
            var owner = layers[l].Owner ?? model.Graph;
            WeightStore.Replace(owner, owner.Initializer.First(t => t.Name == layers[l].Weight.Name), dims, weights[l]);
            reports.Add(new LayerSparsity(layers[l].Name, layers[l].Node.OpType, layers[l].Weight.Name, dims, dims, weights[l].Length, weights[l].Length,
                zerosBefore[l], WeightStore.CountZeros(weights[l])));
        }

        advisories.Add(new PruneAdvisory(DiagnosticCodes.PruneNoRuntimeSpeedup.Id,
            $"{PruneMethods.Of(settings.Method).Name} sparsity keeps every tensor's shape, so ONNX Runtime runs the model no faster; it buys a " +
                $"smaller compressed (zip/NuGet) size. Use method {PruneMethods.All.First(m => m.Shrinks).Name} for speed."));
        return (reports, timing);
    }
}
