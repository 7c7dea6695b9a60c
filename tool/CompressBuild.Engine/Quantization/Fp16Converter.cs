using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Quantization;

/// <summary>
/// fp16: float32 weights become float16 and every op outside the block list computes in float16. Values
/// crossing between float16 and float32 ops get one Cast each. By default the model's inputs and outputs keep
/// float32 (a Cast after each input and before each output), so callers do not change.
/// </summary>
internal static class Fp16Converter
{
    private const int Float = (int)TensorProto.Types.DataType.Float;
    private const int Half = (int)TensorProto.Types.DataType.Float16;

    public static void Apply(QuantizationWork work, QuantizationOptions options)
    {
        var graph = work.Graph;
        var types = ValueTypes.Infer(graph);
        var order = GraphIndex.Build(graph).TopologicalOrder();
        var selection = new NodeSelection(options, graph, order.Where(n => n.OpType is "Conv" or "Gemm" or "MatMul").ToList(), work.Model.DisplayName);
        var blockList = options.Fp16BlockList.ToHashSet(StringComparer.Ordinal);
        var editor = new GraphEditor(graph);
        var blocked = new HashSet<NodeProto>(ReferenceEqualityComparer.Instance);
        foreach (var node in order)
        {
            var touchesFloat = node.Input.Concat(node.Output).Any(v => types.GetValueOrDefault(v) == Float);
            var reason = selection.ExcludedBecause(node)
                ?? (blockList.Contains(node.OpType) ? "on the fp16 block list (numerically fragile)" : null)
                ?? (node.Domain is not ("" or "ai.onnx") ? "not a standard-domain op" : null)
                ?? (node.Attribute.Any(a => a.G is not null || a.Graphs.Count > 0) ? "has subgraphs" : null);
            if (reason is not null)
            {
                blocked.Add(node);
                if (touchesFloat)
                {
                    work.LeftFloat(node, reason);
                }
            }
            else if (touchesFloat)
            {
                work.Quantized(node, "float16");
            }
        }

        if (!work.Decisions.Any(d => d.Quantized))
        {
            return;
        }

        var half = new HashSet<string>(StringComparer.Ordinal);
        var consumers = GraphIndex.Build(graph);
        foreach (var initializer in graph.Initializer.Where(i => i.DataType == Float).ToList())
        {
            if (consumers.Consumers(initializer.Name).Any(c => !blocked.Contains(c)))
            {
                var values = TensorData.ToSingles(initializer, work.Model);
                var converted = TensorData.FromArray<Half>(initializer.Name, initializer.Dims.ToArray(), values.Select(v => (Half)v).ToArray());
                graph.Initializer[graph.Initializer.IndexOf(initializer)] = converted;
                half.Add(initializer.Name);
            }
        }

        if (!options.KeepIoTypes)
        {
            foreach (var input in graph.Input.Where(i => i.Type?.TensorType?.ElemType == Float && !half.Contains(i.Name)))
            {
                input.Type.TensorType.ElemType = Half;
                half.Add(input.Name);
            }
        }

        foreach (var node in order.Where(n => !blocked.Contains(n)))
        {
            foreach (var output in node.Output.Where(o => types.GetValueOrDefault(o) == Float))
            {
                half.Add(output);
            }

            if (node.OpType == "Cast" && GraphEditor.GetInt(node, "to", 0) == Float)
            {
                node.Attribute.Single(a => a.Name == "to").I = Half;
            }

            if (node.OpType == "ConstantOfShape" && node.Attribute.FirstOrDefault(a => a.Name == "value") is { T.DataType: Float } value)
            {
                var v = TensorData.ToSingles(value.T, work.Model);
                value.T = TensorData.FromArray<Half>(value.T.Name, value.T.Dims.ToArray(), v.Select(x => (Half)x).ToArray());
            }
        }

        // Graph outputs computed in float16: the producer writes <name>_fp16 and a Cast restores float32 under the original name.
        var exempt = new HashSet<NodeProto>(ReferenceEqualityComparer.Instance);
        foreach (var output in graph.Output.Where(o => half.Contains(o.Name)))
        {
            if (!options.KeepIoTypes)
            {
                output.Type.TensorType.ElemType = Half;
                continue;
            }

            var renamed = editor.UniqueName(output.Name + "_fp16");
            foreach (var node in graph.Node)
            {
                Rename(node.Input, output.Name, renamed);
                Rename(node.Output, output.Name, renamed);
            }

            half.Remove(output.Name);
            half.Add(renamed);
            var cast = editor.AddNode("Cast", [renamed], [output.Name], output.Name + "_Cast_to_float");
            GraphEditor.SetInt(cast, "to", Float);
            exempt.Add(cast);
        }

        var casts = new Dictionary<(string, int), string>();
        foreach (var node in graph.Node.ToList())
        {
            if (exempt.Contains(node))
            {
                continue;
            }

            var wantsHalf = !blocked.Contains(node);
            for (var i = 0; i < node.Input.Count; i++)
            {
                var value = node.Input[i];
                var isFloat = types.GetValueOrDefault(value) == Float || half.Contains(value);
                if (value.Length == 0 || !isFloat || half.Contains(value) == wantsHalf)
                {
                    continue;
                }

                var to = wantsHalf ? Half : Float;
                if (!casts.TryGetValue((value, to), out var cast))
                {
                    cast = editor.UniqueName(value + (wantsHalf ? "_fp16" : "_fp32"));
                    var castNode = editor.AddNode("Cast", [value], [cast], cast + "_Cast");
                    GraphEditor.SetInt(castNode, "to", to);
                    casts[(value, to)] = cast;
                }

                node.Input[i] = cast;
            }
        }

        foreach (var info in graph.ValueInfo.Where(v => half.Contains(v.Name) && v.Type?.TensorType is not null))
        {
            info.Type.TensorType.ElemType = Half;
        }

        editor.Finish();
        work.Advise(Diagnostics.DiagnosticCodes.SpeedupUnlikely, "fp16 halves the weights, but ONNX Runtime's CPU provider has few float16 kernels and inserts conversions, so expect no speedup on CPU (fp16 pays off on GPUs and NPUs).");
    }

    private static void Rename(Google.Protobuf.Collections.RepeatedField<string> names, string from, string to)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (names[i] == from)
            {
                names[i] = to;
            }
        }
    }
}
