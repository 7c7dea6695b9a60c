using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization.Operators;
using CompressBuild.Engine.Reconstruction;

namespace CompressBuild.Engine.Quantization.Weights;

/// <summary>
/// Runs <see cref="Gptq"/> over the Conv / MatMul / Gemm weights int8-static quantizes, on the per-channel grid
/// <see cref="WeightQuantization"/> derives from the original values (so the result codes exactly onto that grid). Each
/// layer's Gram matrix is captured from the model as it will run: every activation the quantizer will Q/DQ is
/// fake-quantized with its calibrated parameters, and every weight starts rounded to nearest, then is replaced by its
/// GPTQ values as the layers are solved in graph order. A layer thus compensates, column by column, both its own rounding
/// error and the error the quantized layers in front of it hand it.
/// Grouped (depthwise) Convs keep round-to-nearest: with 9 columns per group there is little to compensate, and on the
/// PP-OCRv4 recognizer (16 rendered calibration inputs, 8 held-out) GPTQ on them alone lowered the output cosine from
/// 0.9768 to 0.9631 (0.9688 with the per-group check below), while on the detector they made no difference (0.9882 both ways).
/// </summary>
internal static class GptqWeights
{
    /// <summary>Capture passes over the calibration data; each later pass sees the GPTQ weights of the layers solved before it.</summary>
    public const int DefaultPasses = 8;

    /// <param name="floatModel">The float model (the quantizer's graph before any Q/DQ), not modified.</param>
    /// <param name="activations">The quantized activations and their parameters, as the quantizer will write them.</param>
    /// <returns>By weight name, the weight's values (original layout) already on its grid.</returns>
    public static Dictionary<string, float[]> Apply(OnnxModel floatModel, IReadOnlyList<WeightInput> weights, IReadOnlyDictionary<string, QuantParams> activations,
        Dataset calibration, QuantizationOptions options, int passes = DefaultPasses)
    {
        var working = new OnnxModel(floatModel.Proto.Clone(), floatModel.BaseDirectory, floatModel.SourcePath);
        var graph = working.Graph;
        FakeQuantize(graph, activations);
        var initializers = graph.Initializer.GroupBy(t => t.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var uses = graph.Node.SelectMany(n => n.Input).GroupBy(i => i, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var axes = weights.GroupBy(w => w.Tensor.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Axis, StringComparer.Ordinal);
        var targets = new List<ReconstructionTarget>();
        var grids = new Dictionary<string, QuantParams[]>(StringComparer.Ordinal);
        foreach (var node in GraphIndex.Build(graph).TopologicalOrder().Where(n => n.OpType is "Conv" or "MatMul" or "Gemm" && n.Domain is "" or "ai.onnx" && n.Input.Count > 1))
        {
            if (!axes.TryGetValue(node.Input[1], out var axis) || !initializers.TryGetValue(node.Input[1], out var weight) || uses[weight.Name] != 1
                || weight.DataType != (int)TensorProto.Types.DataType.Float || LayerGeometry.Of(node, weight) is not { } geometry
                || (axis >= 0 && axis != (geometry.StoredKByN ? 1 : 0))
                || geometry.Groups > 1)
            {
                continue;
            }

            var reduce = Latency.WeightRange.Reduced(options, graph, weight);
            // Start every layer at round-to-nearest: the layers solved in the same pass then see quantized weights in front of them.
            var values = TensorData.ToSingles(weight, working);
            var quantization = WeightQuantization.Quantize(values, weight.Dims, axis, options.WeightType, options.WeightSymmetric, reduce, options.ScaleConstraint,
                pairedInputs: Latency.WeightRange.PairedInputs(options, graph, weight));
            grids[weight.Name] = quantization.Channels;
            var inner = InnerSize(weight.Dims, axis);
            var nearest = new float[values.Length];
            for (var i = 0; i < nearest.Length; i++)
            {
                nearest[i] = quantization.Dequantized(i, inner);
            }

            var replacement = TensorData.FromArray(weight.Name, weight.Dims.ToArray(), nearest.AsSpan());
            graph.Initializer[graph.Initializer.IndexOf(weight)] = replacement;
            targets.Add(new ReconstructionTarget(node, weight, geometry, false));
        }

        var rounded = new Dictionary<string, float[]>(StringComparer.Ordinal);
        LayerwiseReconstruction.Run(working, targets, calibration, (target, statistics) =>
        {
            var geometry = target.Geometry;
            var values = TensorData.ToSingles(target.Weight, floatModel);
            var current = graph.Initializer.First(t => t.Name == target.Weight.Name);
            var nearestValues = TensorData.ToSingles(current, working);
            var axis = axes[target.Weight.Name];
            var grid = grids[target.Weight.Name];
            // The 7-bit grid clamps at its ends; a pair-safe grid (WeightRange.PairedInputs) keeps the s8 ends and GPTQ keeps each pair within
            // the limit as it codes the pair's second column, so the clamp's error is compensated like a rounding error (clamping afterwards
            // left the detector at 0.9896 on seed 11's pages, 0.9901 this way).
            var limited = Latency.WeightRange.Reduced(options, graph, target.Weight) && Latency.WeightRange.PairedInputs(options, graph, target.Weight) == 0;
            var paired = Latency.WeightRange.PairedInputs(options, graph, target.Weight);
            var pairs = paired > 0 ? (Latency.WeightRange.Partners(paired, geometry.Columns), Latency.WeightRange.PairLimit) : ((int[], int)?)null;
            var perGroup = geometry.OutputsPerGroup;
            for (var g = 0; g < geometry.Groups; g++)
            {
                var original = WeightRows.Read(geometry, values, g);
                var rows = (double[])original.Clone();
                var channels = Enumerable.Range(0, perGroup).Select(o => grid[axis < 0 ? 0 : (g * perGroup) + o]).ToArray();
                Gptq.Quantize(statistics.Gram[g], rows, perGroup, geometry.Columns, [.. channels.Select(c => c.Scale)], [.. channels.Select(c => c.ZeroPoint)],
                    limited ? Latency.WeightRange.ReducedLimit : grid[0].QMax, minCode: limited ? -Latency.WeightRange.ReducedLimit : grid[0].QMin, pairs: pairs);
                var nearest = WeightRows.Read(geometry, nearestValues, g);
                // Clamping at the grid's ends can leave GPTQ worse than nearest even on the calibration inputs: keep the better one.
                var kept = OutputError(statistics.Gram[g], original, rows, perGroup) < OutputError(statistics.Gram[g], original, nearest, perGroup) ? rows : nearest;
                WeightRows.Write(geometry, kept, values, g);
            }

            graph.Initializer[graph.Initializer.IndexOf(current)] = TensorData.FromArray(current.Name, current.Dims.ToArray(), values.AsSpan());
            rounded[current.Name] = values;
        }, passes: passes, rowsPerColumn: 0);

        return rounded;
    }

    /// <summary>The layer's squared output error on the calibration inputs, summed over outputs: tr((W' - W) H (W' - W)^T).</summary>
    private static double OutputError(GramMatrix gram, double[] original, double[] rows, int outputs)
    {
        var n = gram.Size;
        var delta = new double[n];
        double total = 0;
        for (var o = 0; o < outputs; o++)
        {
            for (var j = 0; j < n; j++)
            {
                delta[j] = rows[(o * n) + j] - original[(o * n) + j];
            }

            total += gram.Quadratic(delta);
        }

        return total;
    }

    private static long InnerSize(Google.Protobuf.Collections.RepeatedField<long> dims, int axis)
    {
        long inner = 1;
        for (var d = axis + 1; axis >= 0 && d < dims.Count; d++)
        {
            inner *= dims[d];
        }

        return inner;
    }

    /// <summary>A QuantizeLinear -> DequantizeLinear pair on each activation, read by every node (graph outputs keep the raw value), as the quantizer wires it.</summary>
    private static void FakeQuantize(GraphProto graph, IReadOnlyDictionary<string, QuantParams> activations)
    {
        var editor = new GraphEditor(graph);
        var dequantized = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (tensor, parameters) in activations.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            dequantized[tensor] = editor.AddQdq(tensor, parameters).Dequantized;
        }

        foreach (var node in graph.Node.Where(n => n.OpType != "QuantizeLinear"))
        {
            for (var i = 0; i < node.Input.Count; i++)
            {
                if (dequantized.TryGetValue(node.Input[i], out var dq))
                {
                    node.Input[i] = dq;
                }
            }
        }

        editor.Finish();
    }
}
