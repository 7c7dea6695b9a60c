using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Quantization.Calibration;

/// <summary>
/// Two int8-static quantizations of one model, differing only in their activation ranges, as one model with a run-time
/// switch per activation whose ranges differ: each such activation gets a second QuantizeLinear/DequantizeLinear pair with the
/// alternative's scale and zero point, and its readers read <c>Where(switch, alternative, start)</c>. One session then measures
/// any mix of the two range sets (the QDQ nodes unfused, as in Mixed.ActivationSwitches). Both models are quantized without
/// graph compaction from the same model and options, so their QuantizeLinear nodes read the same tensor names.
/// </summary>
internal sealed class RangeSwitches
{
    public const string MaskInput = "activation_range_switches";

    private RangeSwitches(OnnxModel model, IReadOnlyList<string> tensors)
    {
        Model = model;
        Tensors = tensors;
    }

    public OnnxModel Model { get; }

    /// <summary>The activation each switch moves to the alternative range, in graph order.</summary>
    public IReadOnlyList<string> Tensors { get; }

    public static RangeSwitches Build(OnnxModel start, OnnxModel alternative)
    {
        var proto = start.Proto.Clone();
        var graph = proto.Graph;
        var copy = new OnnxModel(proto, start.BaseDirectory, start.SourcePath);
        var index = GraphIndex.Build(graph);
        var initializers = graph.Initializer.ToDictionary(i => i.Name, StringComparer.Ordinal);
        var others = alternative.Graph.Initializer.ToDictionary(i => i.Name, StringComparer.Ordinal);
        var otherQuantizers = alternative.Graph.Node.Where(n => IsQuantize(n) && !others.ContainsKey(n.Input[0]))
            .GroupBy(n => n.Input[0], StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var editor = new GraphEditor(graph);
        var tensors = new List<string>();
        foreach (var quantize in graph.Node.Where(n => IsQuantize(n) && !initializers.ContainsKey(n.Input[0])).ToList())
        {
            var source = quantize.Input[0];
            var dequantizers = index.Consumers(quantize.Output[0]).Where(d => d.OpType == "DequantizeLinear").ToList();
            if (dequantizers.Count == 0 || quantize.Input.Count < 3 || !otherQuantizers.TryGetValue(source, out var other) || other.Input.Count < 3
                || !initializers.TryGetValue(quantize.Input[1], out var scale) || !initializers.TryGetValue(quantize.Input[2], out var zeroPoint)
                || !others.TryGetValue(other.Input[1], out var otherScale) || !others.TryGetValue(other.Input[2], out var otherZeroPoint)
                || zeroPoint.DataType != otherZeroPoint.DataType
                || (TensorData.ToSingles(scale, copy).SequenceEqual(TensorData.ToSingles(otherScale, alternative))
                    && TensorData.ReadRawBytes(zeroPoint, copy).AsSpan().SequenceEqual(TensorData.ReadRawBytes(otherZeroPoint, alternative))))
            {
                continue;
            }

            var scaleName = editor.UniqueName(source + "_alternative_scale");
            var zeroPointName = editor.UniqueName(source + "_alternative_zero_point");
            graph.Initializer.Add(Renamed(otherScale, scaleName, alternative));
            graph.Initializer.Add(Renamed(otherZeroPoint, zeroPointName, alternative));
            var quantized = editor.UniqueName(source + "_alternative_quantized");
            editor.AddNode("QuantizeLinear", [source, scaleName, zeroPointName], [quantized], quantized).Attribute.Add(other.Attribute);
            var dequantized = editor.UniqueName(source + "_alternative_dequantized");
            editor.AddNode("DequantizeLinear", [quantized, scaleName, zeroPointName], [dequantized], dequantized);

            var flag = RunTimeSwitches.Flag(editor, MaskInput, source + "_range", tensors.Count);
            tensors.Add(source);
            foreach (var dequantize in dequantizers)
            {
                RunTimeSwitches.Redirect(editor, index, flag, dequantized, dequantize.Output[0]);
            }
        }

        RunTimeSwitches.DeclareMask(graph, MaskInput, tensors.Count);
        editor.Finish();
        return new RangeSwitches(copy, tensors);
    }

    /// <summary>The mask input with the given switches on (those activations on the alternative range).</summary>
    public Runtime.HostTensor Mask(IEnumerable<int> switchedOn) => RunTimeSwitches.Mask(MaskInput, Tensors.Count, switchedOn);

    private static bool IsQuantize(NodeProto node) => node.OpType == "QuantizeLinear" && node.Domain is "" or "ai.onnx";

    private static TensorProto Renamed(TensorProto tensor, string name, OnnxModel model)
    {
        // Scales and zero points are small: stored inline whatever the alternative model kept them as.
        var inline = new TensorProto { Name = name, DataType = tensor.DataType, RawData = Google.Protobuf.ByteString.CopyFrom(TensorData.ReadRawBytes(tensor, model)) };
        inline.Dims.Add(tensor.Dims);
        return inline;
    }
}
