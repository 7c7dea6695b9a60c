using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Pruning.Structured;
using CompressBuild.Engine.Reconstruction;

namespace CompressBuild.Engine.Pruning.Unstructured;

/// <summary>
/// --reconstruct for magnitude and N:M: each MatMul / Gemm / Conv layer is re-pruned with <see cref="SparseGpt"/>
/// at the sparsity the magnitude ranking gave it (so global, LAMP and per-layer allocations keep their shape) or to
/// the N:M pattern, in graph order on the model as pruned so far. Layers SparseGPT cannot view (ConvTranspose, 3-D
/// MatMul weights) keep their magnitude masks.
/// </summary>
internal static class SparseGptPruner
{
    public static ReconstructionTiming Apply(OnnxModel model, IReadOnlyList<PrunableLayer> layers, IList<float[]> weights, PruneSettings settings)
    {
        var jobs = new Dictionary<Onnx.Proto.NodeProto, int>(ReferenceEqualityComparer.Instance);
        var targets = new List<ReconstructionTarget>();
        for (var l = 0; l < layers.Count; l++)
        {
            if (LayerGeometry.Of(layers[l].Node, layers[l].Weight) is { } geometry)
            {
                jobs[layers[l].Node] = l;
                targets.Add(new ReconstructionTarget(layers[l].Node, layers[l].Weight, geometry, false));
            }
        }

        NmPattern? pattern = settings.Method == PruneMethod.NM ? settings.Pattern ?? NmPattern.TwoFour : null;
        var data = CalibrationSet.Open(model, settings);
        return LayerwiseReconstruction.Run(model, targets, data, (target, statistics) =>
        {
            var l = jobs[target.Node];
            var geometry = target.Geometry;
            var sparsity = (double)WeightStore.CountZeros(weights[l]) / weights[l].Length;
            var current = model.Graph.Initializer.First(t => t.Name == target.Weight.Name);
            var values = TensorData.ToSingles(current, model);
            for (var g = 0; g < geometry.Groups; g++)
            {
                var rows = WeightRows.Read(geometry, values, g);
                SparseGpt.Prune(statistics.Gram[g], rows, geometry.OutputsPerGroup, sparsity, pattern?.N ?? 0, pattern?.M ?? 0);
                WeightRows.Write(geometry, rows, values, g);
            }

            weights[l] = values;
            WeightStore.Replace(model.Graph, current, current.Dims.ToArray(), values);
        });
    }
}
