using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization.Selection;
using CompressBuild.Engine.Reconstruction;

namespace CompressBuild.Engine.Quantization.WeightOnly;

/// <summary>
/// Runs <see cref="Gptq"/> over every MatMul / Gemm the weight-only pass will rewrite, in graph order on the model
/// as quantized so far, and leaves the GPTQ-dequantized weights in the float graph; the rewrite then packs them
/// with the grid of the original weights (returned here per weight name: [N, K] for MatMulNBits, the stored layout
/// for a Conv), so they land on their codes exactly. Conv layers (im2col view, grouped and depthwise included) are
/// solved too when they get int4 per output channel (opset 21): on the PP-OCRv4 recognizer those coarse grids, not
/// the MatMul blocks, are what round-to-nearest loses most on.
/// </summary>
internal static class GptqWeights
{
    public static Dictionary<string, float[]> Apply(QuantizationWork work, QuantizationOptions options, int bits, long convOpset, Dataset calibration)
    {
        var graph = work.Graph;
        // int8 Conv weights (per channel, 255 levels) lose little; int4 ones only exist from opset 21.
        var convs = bits == 4 && convOpset >= ConvWeightOnly.Int4Opset;
        bool Solved(NodeProto n) => n.Domain is "" or "ai.onnx" && n.Input.Count > 1 && (n.OpType is "MatMul" or "Gemm" || (convs && n.OpType == "Conv"));
        var selection = new NodeSelection(work.Exclusions, options, graph.Node.Where(Solved).ToList());
        var initializers = graph.Initializer.GroupBy(t => t.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var uses = graph.Node.SelectMany(n => n.Input).GroupBy(i => i, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var targets = new List<ReconstructionTarget>();
        foreach (var node in graph.Node.Where(Solved))
        {
            if (selection.ExcludedBecause(node) is not null || !initializers.TryGetValue(node.Input[1], out var weight) || uses[weight.Name] != 1
                || weight.DataType != (int)TensorProto.Types.DataType.Float || LayerGeometry.Of(node, weight) is not { } geometry
                || (geometry.Kind == LayerKind.Dense && geometry.Columns < options.BlockSize / 2))
            {
                continue;
            }

            targets.Add(new ReconstructionTarget(node, weight, geometry, false));
        }

        var ranges = new Dictionary<string, float[]>(StringComparer.Ordinal);
        var maxCode = (1 << bits) - 1;
        LayerwiseReconstruction.Run(work.Model, targets, calibration, (target, statistics) =>
        {
            var geometry = target.Geometry;
            var current = graph.Initializer.First(t => t.Name == target.Weight.Name);
            var values = TensorData.ToSingles(current, work.Model);
            if (geometry.Kind == LayerKind.Conv)
            {
                ranges[current.Name] = SolveConv(geometry, statistics, values);
                WeightStoreReplace(graph, current, values);
                return;
            }

            var rows = WeightRows.Read(geometry, values, 0);
            int n = geometry.OutputsPerGroup, k = geometry.Columns, blockSize = options.BlockSize;
            var blocks = (k + blockSize - 1) / blockSize;
            var original = rows.Select(v => (float)v).ToArray();
            var scales = new float[n * blocks];
            var zeros = new int[n * blocks];
            for (var o = 0; o < n; o++)
            {
                for (var b = 0; b < blocks; b++)
                {
                    var start = b * blockSize;
                    (scales[(o * blocks) + b], zeros[(o * blocks) + b]) = BlockQuantization.Grid(original.AsSpan((o * k) + start, Math.Min(blockSize, k - start)), bits, options.BlockSymmetric);
                }
            }

            Gptq.Quantize(statistics.Gram[0], rows, n, blockSize, scales, zeros, maxCode);
            WeightRows.Write(geometry, rows, values, 0);
            WeightStoreReplace(graph, current, values);
            ranges[current.Name] = original;
        });
        return ranges;
    }

    /// <summary>Each group's rows against its own Gram matrix, one symmetric int4 grid per output channel (codes 8 +- 7); returns the original values.</summary>
    private static float[] SolveConv(LayerGeometry geometry, LayerStatistics statistics, float[] values)
    {
        var original = (float[])values.Clone();
        int outputs = geometry.OutputsPerGroup, columns = geometry.Columns;
        var zeros = new int[outputs];
        Array.Fill(zeros, 8);
        for (var g = 0; g < geometry.Groups; g++)
        {
            var scales = new float[outputs];
            for (var o = 0; o < outputs; o++)
            {
                scales[o] = ConvWeightOnly.Int4Scale(original.AsSpan(((g * outputs) + o) * columns, columns));
            }

            var rows = WeightRows.Read(geometry, values, g);
            Gptq.Quantize(statistics.Gram[g], rows, outputs, columns, scales, zeros, maxCode: 15, minCode: 1);
            WeightRows.Write(geometry, rows, values, g);
        }

        return original;
    }

    private static void WeightStoreReplace(GraphProto graph, TensorProto old, float[] values)
    {
        var replacement = TensorData.FromArray(old.Name, old.Dims.ToArray(), values.AsSpan());
        replacement.DocString = old.DocString;
        graph.Initializer[graph.Initializer.IndexOf(old)] = replacement;
    }
}
