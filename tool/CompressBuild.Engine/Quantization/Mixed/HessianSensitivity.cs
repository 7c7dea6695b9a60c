using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Reconstruction;

namespace CompressBuild.Engine.Quantization.Mixed;

/// <summary>
/// HAWQ-V3's layer sensitivity without trial models: Omega = trace(H) x ||W - Q(W)||^2 / n. For a linear layer with a
/// squared output loss every output row's Hessian is 2 X^T X / N, so trace(H) is the row count times twice the trace of
/// the layer's input Gram matrix, which <see cref="LayerwiseReconstruction"/> streams in one pass over the calibration
/// data (the only model runs). Q is the mode's own weight grid (<see cref="WeightGrid"/>), n the weight count. With
/// <see cref="SensitivityMethod.HessianNoise"/> the same capture gives <see cref="HessianNoise"/>'s relative output noise instead.
/// </summary>
public static class HessianSensitivity
{
    /// <param name="model">The float model as the quantizer prepared it (pre-processed), so its weights are the ones quantized.</param>
    /// <param name="layers">Candidate layer names (node name, or first output for unnamed nodes).</param>
    /// <returns>Each scored layer's sensitivity (higher = more sensitive) and what the capture cost; layers without a
    /// float weight initializer or a linear geometry (Gather tables, shared weights) are absent.</returns>
    public static (IReadOnlyDictionary<string, double> Scores, ReconstructionTiming Capture) Score(OnnxModel model, IReadOnlyList<string> layers, Dataset calibration,
        QuantizationOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        var wanted = layers.ToHashSet(StringComparer.Ordinal);
        var initializers = model.Graph.Initializer.GroupBy(t => t.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var targets = new List<ReconstructionTarget>();
        var names = new Dictionary<NodeProto, string>();
        for (var i = 0; i < model.Graph.Node.Count; i++)
        {
            var node = model.Graph.Node[i];
            var name = NameOf(node, i);
            if (!wanted.Contains(name) || node.Input.Count < 2 || !initializers.TryGetValue(node.Input[1], out var weight)
                || weight.DataType != (int)TensorProto.Types.DataType.Float || LayerGeometry.Of(node, weight) is not { } geometry)
            {
                continue;
            }

            targets.Add(new ReconstructionTarget(node, weight, geometry, false));
            names[node] = name;
        }

        var scores = new Dictionary<string, double>(StringComparer.Ordinal);
        // One stage holds every layer (passes: 1) unless their Gram matrices outgrow the memory budget; nothing is solved,
        // so the model is never changed between stages. The trace score reads only the diagonals, so only they are summed.
        var capture = LayerwiseReconstruction.Run(model, targets, calibration, (target, statistics) =>
        {
            var values = TensorData.ToSingles(target.Weight, model);
            scores[names[target.Node]] = options.Sensitivity == SensitivityMethod.HessianNoise
                ? HessianNoise.Score(target.Geometry, statistics, values, options)
                : TraceScore(target.Geometry, statistics, values, options);
        }, teacher: null, passes: 1, diagonalOnly: options.Sensitivity != SensitivityMethod.HessianNoise);
        return (scores, capture);
    }

    /// <summary>trace(H) x ||W - Q(W)||^2 / n, with trace(H) = 2 x trace(G) x outputs per group.</summary>
    private static double TraceScore(LayerGeometry geometry, LayerStatistics statistics, float[] values, QuantizationOptions options)
    {
        double trace = 0, error = 0;
        for (var g = 0; g < geometry.Groups; g++)
        {
            var gram = statistics.Gram[g];
            var rows = WeightRows.Read(geometry, values, g);
            trace += 2 * gram.MeanDiagonal() * gram.Size * geometry.OutputsPerGroup;
            error += WeightGrid.SquaredError(rows, geometry.OutputsPerGroup, geometry.Columns, geometry.Kind, options);
        }

        return trace * error / values.Length;
    }

    /// <summary>The name the quantizer reports a node by: its own, else op type and position (ModelQuantizer names unnamed nodes so).</summary>
    private static string NameOf(NodeProto node, int index) => node.Name.Length > 0 ? node.Name : $"{node.OpType}_{index}";
}
