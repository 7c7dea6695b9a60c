using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization.Operators;
using CompressBuild.Engine.Quantization.Selection;

namespace CompressBuild.Engine.Quantization.WeightOnly;

/// <summary>
/// int4-weight / int8-weight: MatMul with a constant [K, N] weight, and Gemm with a constant B (alpha folded
/// into the scales, beta x C added after), become com.microsoft MatMulNBits with block-wise weights; the
/// activations stay float. Conv weights are stored quantized behind a DequantizeLinear (int8 per output channel;
/// int4 per output channel at opset 21, raised to when no op changed meaning), Gather tables as int8: smaller,
/// not faster.
/// </summary>
internal static class WeightOnlyQuantizer
{
    public static void Apply(QuantizationWork work, QuantizationOptions options, int bits, Evaluation.Dataset? calibration = null)
    {
        if (options.Gptq == true && calibration is null)
        {
            throw new CompressBuildException(DiagnosticCodes.ReconstructionNeedsCalibration,
                "gptq solves each layer on calibration data: give calibration.data (a file or folder of a few hundred representative inputs), or " +
                    "set gptq to false for round-to-nearest.", work.Model.DisplayName);
        }

        if (options.Split)
        {
            // Before GPTQ, so each part is solved (and its grid fixed) on its own.
            Split.LayerSplitter.Apply(work, options);
        }

        // The model arrives at opset 21 when it holds Conv and conversion could get it there (ModelQuantizer.Prepare).
        var convOpset = work.Model.OpsetVersion("");
        var gptqRanges = calibration is not null && (options.Gptq ?? true) ? GptqWeights.Apply(work, options, bits, convOpset, calibration) : null;
        var convs = false;
        var graphs = Subgraphs.All(work.Graph).ToList();
        var readBefore = Subgraphs.ReadNames(work.Graph);
        foreach (var graph in graphs)
        {
            // GPTQ solves the main graph's layers, whose inputs calibration reaches; subgraph weights get round-to-nearest.
            var main = ReferenceEquals(graph, work.Graph);
            convs |= ApplyTo(work, graph, options, bits, convOpset, main ? gptqRanges : null);
        }

        Subgraphs.RemoveUnread(graphs, readBefore);

        if (convs)
        {
            work.Advise(DiagnosticCodes.SpeedupUnlikely, "Conv weights are stored quantized behind DequantizeLinear, which ONNX Runtime runs on " +
                "every inference: the model is smaller but slower (measured 0.65-0.7x on a MobileNet-style detector); use int8-static for speed.");
        }

        if (work.Decisions.Any(d => d.Quantized))
        {
            GraphEditor.EnsureOpset(work.Proto, GraphEditor.MicrosoftDomain, 1);
        }
    }

    /// <summary>One graph (the main graph or an If/Loop/Scan body); returns whether a node took a form slower than float (a Conv behind DequantizeLinear).</summary>
    private static bool ApplyTo(QuantizationWork work, GraphProto graph, QuantizationOptions options, int bits, long convOpset, Dictionary<string, float[]>? gptqRanges)
    {
        var index = GraphIndex.Build(graph);
        var context = new QuantizationContext(work.Model, index, options, perChannelAllowed: true);
        var order = index.TopologicalOrder();
        var weighted = order.Where(n => OperatorQuantizers.For(n.OpType, OpMode.WeightOnly) is not null).ToList();
        var selection = new NodeSelection(work.Exclusions, options, weighted);
        var editor = new GraphEditor(graph);
        var settings = new WeightOnlySettings(bits, convOpset, gptqRanges);
        var quantized = false;
        var convs = false;
        foreach (var node in weighted)
        {
            if (selection.ExcludedBecause(node) is { } excluded)
            {
                work.LeftFloat(node, excluded);
                continue;
            }

            var opType = node.OpType;
            var op = OperatorQuantizers.For(opType, OpMode.WeightOnly)!;
            var (reason, detail) = op.QuantizeWeightOnly(editor, context, node, settings);
            if (reason is null)
            {
                work.Quantized(node, detail!, opType);
                quantized = true;
                convs |= op.SlowerWhenQuantized(OpMode.WeightOnly);
            }
            else
            {
                work.LeftFloat(node, reason);
                if (op.AdvisesLeftFloat(OpMode.WeightOnly) && reason != OpRewrite.ActivationProduct)
                {
                    work.Advise(DiagnosticCodes.OperatorLeftFloat, $"{opType} '{node.Name}' stays float: {reason}.");
                }
            }
        }

        if (quantized)
        {
            editor.Finish();
        }

        return convs;
    }
}
