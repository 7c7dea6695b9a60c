using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization.Operators;
using CompressBuild.Engine.Quantization.Selection;
using CompressBuild.Engine.Quantization.Weights;

namespace CompressBuild.Engine.Quantization.Qdq;

/// <summary>
/// int8-static's form for a weighted node that keeps float compute (an LSTM, which has no QDQ kernel; a layer in a body
/// calibration cannot observe; a Conv latency placement keeps float): its weights are stored as int8 per channel, so the
/// file shrinks while the node still computes in float. A Conv kept float by latency placement gets its weight through
/// Cast and Mul by its per-channel scales rather than DequantizeLinear: ONNX Runtime's constant folding leaves every
/// DequantizeLinear in place for its QDQ fusions, so a DequantizeLinear weight is dequantized again on every run (on
/// Silero VAD's STFT Conv, 66k weights, ~9 us of a ~90 us frame), whereas Cast and Mul of initializers fold at load. An LSTM reads
/// its W and R the same way (per gate row).
/// </summary>
internal static class FloatComputeWeights
{
    /// <summary>Weights per output channel below which a Conv kept float by placement keeps float32 weights too.</summary>
    private const long MinFanIn = 64;

    /// <summary>Stores the weights of the chosen nodes as int8 (per channel) behind DequantizeLinear; returns the op types stored so.</summary>
    /// <param name="placed">Nodes latency placement kept float: a Conv among them gets the form ONNX Runtime folds at load.</param>
    public static List<string> Store(QuantizationWork work, GraphProto body, QuantizationOptions options, Func<NodeProto, bool> chosen,
        IReadOnlySet<NodeProto>? placed = null)
    {
        var index = GraphIndex.Build(body);
        var context = new QuantizationContext(work.Model, index, options, work.PerChannelAllowed);
        var nodes = index.TopologicalOrder().Where(n => chosen(n) && OperatorQuantizers.For(n.OpType, OpMode.WeightOnly) is not null).ToList();
        var selection = new NodeSelection(work.Exclusions, options, nodes);
        var editor = new GraphEditor(body);
        var settings = new WeightOnlySettings(8, work.Model.OpsetVersion(""), null);
        var stored = new List<string>();
        foreach (var node in nodes.Where(n => selection.ExcludedBecause(n) is null))
        {
            var opType = node.OpType;
            var (reason, detail) = opType == "Conv" && placed?.Contains(node) == true
                ? FoldedConvWeight(editor, context, node)
                : OperatorQuantizers.For(opType, OpMode.WeightOnly)!.QuantizeWeightOnly(editor, context, node, settings);
            if (reason is null && opType == "LSTM" && FoldLstmWeights(editor, node))
            {
                detail = "int8 W and R per gate row through Cast and Mul, which ONNX Runtime folds at load";
            }

            if (reason is null && placed?.Contains(node) == true && work.Decisions.FindIndex(d => d.Node == node.Name) is var at and >= 0)
            {
                // The node computes in float as placement decided: its decision stays "kept float" and says how its weights are stored.
                work.Decisions[at] = work.Decisions[at] with { Detail = $"{work.Decisions[at].Detail}; {detail}" };
                stored.Add(opType);
            }
            else if (reason is null)
            {
                // The QDQ walk recorded "no int8 QDQ form" for an LSTM: this decision replaces it.
                work.Decisions.RemoveAll(d => d.Node == node.Name && !d.Quantized);
                work.Quantized(node, $"weights only (float compute): {detail}", opType);
                stored.Add(opType);
            }
            else if (!work.Decisions.Any(d => d.Node == node.Name))
            {
                work.LeftFloat(node, reason);
            }
        }

        if (stored.Count > 0)
        {
            editor.Finish();
        }

        return stored;
    }

    /// <summary>
    /// An LSTM computing in float reads its int8 W and R through Cast and Mul by the gate-row scales instead of the weight-only form's
    /// DequantizeLinear, which ONNX Runtime would run again on every call (inside a Loop body, on every iteration): Silero VAD's two LSTM
    /// weights hold 131k values per chunk. False when the weights are per tensor (no gate-row axis), which keeps the DequantizeLinear.
    /// </summary>
    private static bool FoldLstmWeights(GraphEditor editor, NodeProto node)
    {
        var folded = false;
        for (var i = 1; i <= 2 && i < node.Input.Count; i++)
        {
            var dq = editor.Graph.Node.FirstOrDefault(n => n.OpType == "DequantizeLinear" && n.Output.Count == 1 && n.Output[0] == node.Input[i]);
            if (dq is null || dq.Input.Count < 2 || NodeAttributes.Int(dq, "axis", -1) != 1)
            {
                continue;
            }

            var cast = editor.UniqueName(dq.Input[0] + "_float");
            NodeAttributes.SetInt(editor.AddNode("Cast", [dq.Input[0]], [cast], dq.Name + "_Cast"), "to", (long)TensorProto.Types.DataType.Float);
            var axes = editor.AddInitializer<long>(dq.Name + "_row_axis", [1], [1]);
            var rows = editor.UniqueName(dq.Input[1] + "_rows");
            editor.AddNode("Unsqueeze", [dq.Input[1], axes], [rows], dq.Name + "_Rows");
            editor.AddNode("Mul", [cast, rows], [dq.Output[0]], dq.Name + "_Scale");
            editor.Graph.Node.Remove(dq);
            folded = true;
        }

        return folded;
    }

    /// <summary>The Conv's weight as int8 per output channel, read through Cast and Mul by the channel scales (folded by ONNX Runtime at load).</summary>
    private static OpRewrite FoldedConvWeight(GraphEditor editor, QuantizationContext context, NodeProto node)
    {
        if (node.Input.Count < 2 || context.FloatConstant(node.Input[1]) is not { Dims.Count: >= 3 } w)
        {
            return new OpRewrite("weight is not a float32 constant", null);
        }

        // A depthwise or few-channel Conv sums only a handful of products per output, so its weight rounding does not
        // average out, and its weight is small anyway: on PP-OCRv4's recognizer, storing those as int8 cost 0.0046 output cosine
        // for no visible size gain. Silero VAD's STFT Conv (fan-in 256, half the file) is what this form is for.
        if (w.Dims.Skip(1).Aggregate(1L, (a, b) => a * b) < MinFanIn)
        {
            return new OpRewrite($"fan-in below {MinFanIn}: few products per output, so int8 weights would cost fidelity for few bytes", null);
        }

        var quantized = WeightQuantization.Quantize(TensorData.ToSingles(w, context.Model), w.Dims, 0, QuantType.S8, symmetric: true);
        var data = editor.AddQuantizedInitializer(w.Name + "_quantized", w.Dims, quantized.Data, QuantType.S8);
        long[] scaleDims = [w.Dims[0], .. Enumerable.Repeat(1L, w.Dims.Count - 1)];
        var scale = editor.AddInitializer<float>(w.Name + "_scale", scaleDims, quantized.Scales);
        var cast = editor.UniqueName(w.Name + "_float");
        NodeAttributes.SetInt(editor.AddNode("Cast", [data], [cast], w.Name + "_Cast"), "to", (long)TensorProto.Types.DataType.Float);
        var output = editor.UniqueName(w.Name + "_dequantized");
        editor.AddNode("Mul", [cast, scale], [output], w.Name + "_Scale");
        node.Input[1] = output;
        return new OpRewrite(null, "int8 weights per output channel through Cast and Mul, which ONNX Runtime folds at load");
    }
}
