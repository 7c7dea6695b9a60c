using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization.Operators;
using CompressBuild.Engine.Quantization.Selection;

namespace CompressBuild.Engine.Quantization.Dynamic;

/// <summary>
/// The int8-dynamic driver: every op whose class in <see cref="OperatorQuantizers"/> has a dynamic form (MatMul and
/// Gemm as DynamicQuantizeMatMul, Conv as ConvInteger, LSTM as DynamicQuantizeLSTM, Gather over an int8 table) is
/// rewritten by that class, in the main graph and inside If/Loop/Scan bodies; then the constant chains and outer
/// weights that only fed the rewritten nodes are dropped (<see cref="Subgraphs.RemoveUnread"/>). ConvInteger is smaller but usually slower than float Conv on
/// CPU, which CB4013 says, so int8-static is the mode for fast CNNs.
/// </summary>
internal static class DynamicQuantizer
{
    public static void Apply(QuantizationWork work, QuantizationOptions options)
    {
        var convs = 0;
        var graphs = Subgraphs.All(work.Graph).ToList();
        var readBefore = Subgraphs.ReadNames(work.Graph);
        foreach (var graph in graphs)
        {
            convs += ApplyTo(work, graph, options);
        }

        Subgraphs.RemoveUnread(graphs, readBefore);

        if (convs > 0)
        {
            work.Advise(DiagnosticCodes.SpeedupUnlikely, $"{convs} Conv node(s) became ConvInteger: 4x smaller weights, but ONNX Runtime's CPU " +
                $"ConvInteger is usually slower than its float Conv; for speed use mode int8-static with calibration data.");
        }

        if (work.Decisions.Any(d => d.Quantized))
        {
            GraphEditor.EnsureOpset(work.Proto, GraphEditor.MicrosoftDomain, 1);
        }
    }

    /// <summary>Quantizes one graph (the main graph or an If/Loop/Scan body); returns how many nodes took a form slower than float (Conv as ConvInteger).</summary>
    private static int ApplyTo(QuantizationWork work, GraphProto graph, QuantizationOptions options)
    {
        var index = GraphIndex.Build(graph);
        var context = new QuantizationContext(work.Model, index, options, perChannelAllowed: true);
        var order = index.TopologicalOrder();
        var weighted = order.Where(n => OperatorQuantizers.For(n.OpType, OpMode.Dynamic) is not null).ToList();
        var selection = new NodeSelection(work.Exclusions, options, weighted);
        var editor = new GraphEditor(graph);
        var convs = 0;
        var quantized = false;
        foreach (var node in weighted)
        {
            if (selection.ExcludedBecause(node) is { } excluded)
            {
                work.LeftFloat(node, excluded);
                continue;
            }

            var opType = node.OpType;
            var op = OperatorQuantizers.For(opType, OpMode.Dynamic)!;
            var (reason, detail) = op.QuantizeDynamic(editor, context, node);
            if (reason is null)
            {
                work.Quantized(node, detail!, opType);
                convs += op.SlowerWhenQuantized(OpMode.Dynamic) ? 1 : 0;
                quantized = true;
                continue;
            }

            work.LeftFloat(node, reason);
            if (op.AdvisesLeftFloat(OpMode.Dynamic) && reason != OpRewrite.ActivationProduct)
            {
                work.Advise(DiagnosticCodes.OperatorLeftFloat, $"{node.OpType} '{node.Name}' stays float: {reason}.");
            }
        }

        if (quantized)
        {
            editor.Finish();
        }

        return convs;
    }
}
