using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization.Selection;

namespace CompressBuild.Engine.Quantization.Split;

/// <summary>
/// SplitQuant (Song et al. 2024, "SplitQuant: Layer Splitting for Low-Bit Neural Network Quantization"): every MatMul
/// and Gemm (2-D constant weight) and Conv of the main graph becomes three layers of the same shape whose weights hold only one
/// k-means cluster each (lower outliers, middle, upper outliers; zeros elsewhere), with their outputs added. The sum is
/// the original layer exactly; quantized, each part gets its own, narrower range, so the middle weights are no longer
/// rounded on a grid stretched by the outliers. The cost: three times the weight elements before quantization.
/// </summary>
internal static class LayerSplitter
{
    private static readonly string[] Parts = ["lower", "middle", "upper"];

    /// <returns>How many layers were split, and their weight elements before the split (3x that after).</returns>
    public static (int Layers, long Elements) Apply(QuantizationWork work, QuantizationOptions options)
    {
        var graph = work.Graph;
        var candidates = graph.Node.Where(n => n.OpType is "MatMul" or "Gemm" or "Conv" && n.Domain is "" or "ai.onnx" && n.Input.Count > 1).ToList();
        var selection = new NodeSelection(work.Exclusions, options, candidates);
        var initializers = graph.Initializer.GroupBy(t => t.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var uses = graph.Node.SelectMany(n => n.Input).GroupBy(i => i, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        // A Gemm copy without C needs opset 11 (C was required before).
        var gemmCopies = work.Model.OpsetVersion("") >= 11;
        var editor = new GraphEditor(graph);
        var layers = 0;
        long elements = 0;
        foreach (var node in candidates)
        {
            if (selection.ExcludedBecause(node) is not null || (node.OpType == "Gemm" && !gemmCopies) || !initializers.TryGetValue(node.Input[1], out var weight) || uses[weight.Name] != 1
                || weight.DataType != (int)TensorProto.Types.DataType.Float || (node.OpType == "Conv" ? weight.Dims.Count < 3 : weight.Dims.Count != 2))
            {
                continue;
            }

            var values = TensorData.ToSingles(weight, work.Model);
            if (WeightClusters.Thresholds(values) is not { } thresholds)
            {
                continue;
            }

            Split(editor, node, weight, values, thresholds);
            layers++;
            elements += values.Length;
        }

        if (layers > 0)
        {
            editor.Finish();
            work.Advise(DiagnosticCodes.SplitQuantSize, $"SplitQuant split {layers} layer(s) into 3 each: {elements:N0} weight elements became {3 * elements:N0} " +
                "before quantization, so those layers' weights take 3x the bytes (the size line shows the whole model's ratio).");
        }

        return (layers, elements);
    }

    /// <summary>The node keeps the middle cluster (and the bias: a Conv's B, a Gemm's C); two copies take the outliers; two Adds sum the three outputs into the original output name.</summary>
    private static void Split(GraphEditor editor, NodeProto node, TensorProto weight, float[] values, (float Low, float High) thresholds)
    {
        var output = node.Output[0];
        var sums = new string[3];
        for (var part = 0; part < 3; part++)
        {
            var kept = new float[values.Length];
            for (var i = 0; i < values.Length; i++)
            {
                kept[i] = WeightClusters.Of(values[i], thresholds) == part ? values[i] : 0f;
            }

            var name = editor.AddInitializer<float>($"{weight.Name}_split_{Parts[part]}", weight.Dims.ToArray(), kept);
            NodeProto layer;
            if (part == 1)
            {
                layer = node;
            }
            else
            {
                layer = node.Clone();
                layer.Name = editor.UniqueName($"{node.Name}_split_{Parts[part]}");
                if (layer.Input.Count > 2)
                {
                    layer.Input.RemoveAt(2);
                }

                editor.Graph.Node.Add(layer);
            }

            layer.Input[1] = name;
            layer.Output[0] = editor.UniqueName($"{output}_split_{Parts[part]}");
            sums[part] = layer.Output[0];
        }

        var partial = editor.UniqueName($"{output}_split_sum");
        editor.AddNode("Add", [sums[0], sums[1]], [partial], $"{node.Name}_split_add");
        editor.AddNode("Add", [partial, sums[2]], [output], $"{node.Name}_split_add");
    }
}
