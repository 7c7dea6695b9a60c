using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Quantization.Mixed;

/// <summary>
/// An int8-static model in which every activation Q/DQ pair of the main graph can be switched off at run time: one bool
/// input holds a switch per pair, and each DequantizeLinear output is replaced for its readers by
/// <c>Where(switch, float value, dequantized value)</c>. One session then measures any set of float activations without
/// building a model per set (ONNX Runtime no longer fuses the QDQ nodes here, so its numbers are those of the
/// unfused DQ -> op -> Q arithmetic, which the fused kernels reproduce up to accumulation order). Built from a model
/// quantized without graph compaction, so the pairs' input names are the pre-processed model's tensor names.
/// </summary>
internal sealed class ActivationSwitches
{
    public const string MaskInput = "float_activation_switches";

    private ActivationSwitches(OnnxModel model, IReadOnlyList<string> tensors, IReadOnlyList<string> producers, IReadOnlyList<string> readers)
    {
        Model = model;
        Tensors = tensors;
        Producers = producers;
        Readers = readers;
    }

    public OnnxModel Model { get; }

    /// <summary>The activation each switch bypasses, in graph order.</summary>
    public IReadOnlyList<string> Tensors { get; }

    public IReadOnlyList<string> Producers { get; }

    public IReadOnlyList<string> Readers { get; }

    public static ActivationSwitches Build(OnnxModel quantized)
    {
        var proto = quantized.Proto.Clone();
        var graph = proto.Graph;
        var copy = new OnnxModel(proto, quantized.BaseDirectory, quantized.SourcePath);
        var index = GraphIndex.Build(graph);
        var initializers = graph.Initializer.ToDictionary(i => i.Name, StringComparer.Ordinal);
        var outputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var editor = new GraphEditor(graph);
        var tensors = new List<string>();
        var producers = new List<string>();
        var readers = new List<string>();
        foreach (var quantize in graph.Node.Where(n => n.OpType == "QuantizeLinear" && n.Domain is "" or "ai.onnx" && !initializers.ContainsKey(n.Input[0])).ToList())
        {
            var dequantizers = index.Consumers(quantize.Output[0]).Where(d => d.OpType == "DequantizeLinear").ToList();
            if (dequantizers.Count == 0)
            {
                continue;
            }

            var switchIndex = tensors.Count;
            var source = quantize.Input[0];
            tensors.Add(source);
            producers.Add(index.Producer(source)?.OpType ?? "input");
            readers.Add(string.Join(",", dequantizers.SelectMany(d => index.Consumers(d.Output[0])).Select(c => c.OpType).Distinct(StringComparer.Ordinal)));

            // A range starting at the zero point's lowest code may stand for a Relu folded into the quantization: the
            // float value then passes a Relu, as the quantizer keeps that Relu when the activation is left float.
            var bypass = source;
            if (quantize.Input.Count > 2 && initializers.TryGetValue(quantize.Input[2], out var zeroPoint) && IsLowestCode(zeroPoint, copy))
            {
                bypass = editor.UniqueName(source + "_switch_relu");
                editor.AddNode("Relu", [source], [bypass], bypass);
            }

            var flag = RunTimeSwitches.Flag(editor, MaskInput, source, switchIndex);
            foreach (var dequantize in dequantizers)
            {
                var dequantized = dequantize.Output[0];
                RunTimeSwitches.Redirect(editor, index, flag, bypass, dequantized);
                if (outputs.Contains(dequantized))
                {
                    throw new InvalidOperationException($"a DequantizeLinear writes the model output '{dequantized}'.");
                }
            }
        }

        RunTimeSwitches.DeclareMask(graph, MaskInput, tensors.Count);
        editor.Finish();
        return new ActivationSwitches(copy, tensors, producers, readers);
    }

    /// <summary>The mask input with the given switches on (those activations float).</summary>
    public Runtime.HostTensor Mask(IEnumerable<int> floatSwitches) => RunTimeSwitches.Mask(MaskInput, Tensors.Count, floatSwitches);

    private static bool IsLowestCode(TensorProto zeroPoint, OnnxModel model) => zeroPoint.DataType switch
    {
        (int)TensorProto.Types.DataType.Uint8 => TensorData.ToArray<byte>(zeroPoint, model).All(z => z == byte.MinValue),
        (int)TensorProto.Types.DataType.Int8 => TensorData.ToArray<sbyte>(zeroPoint, model).All(z => z == sbyte.MinValue),
        _ => false,
    };
}
