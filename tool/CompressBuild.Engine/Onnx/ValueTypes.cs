using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Onnx;

/// <summary>
/// The element type of every value in a graph, from its declared inputs, initializers and value_info, then
/// propagated through the nodes with the few rules that cover the ops quantization meets (most ops output
/// the type of their first typed input). Unknown values map to 0.
/// </summary>
internal static class ValueTypes
{
    private const int Float = (int)TensorProto.Types.DataType.Float;
    private const int Int64 = (int)TensorProto.Types.DataType.Int64;
    private const int Bool = (int)TensorProto.Types.DataType.Bool;

    private static readonly HashSet<string> Int64Outputs = new(StringComparer.Ordinal) { "Shape", "Size", "NonZero", "ArgMax", "ArgMin" };

    private static readonly HashSet<string> BoolOutputs = new(StringComparer.Ordinal)
    {
        "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "Not", "And", "Or", "Xor", "IsNaN", "IsInf",
    };

    /// <param name="outer">Types of the enclosing scopes' values, for a subgraph that reads them.</param>
    public static Dictionary<string, int> Infer(GraphProto graph, IReadOnlyDictionary<string, int>? outer = null)
    {
        var types = outer is null ? new Dictionary<string, int>(StringComparer.Ordinal) : new Dictionary<string, int>(outer, StringComparer.Ordinal);
        foreach (var value in graph.Input.Concat(graph.ValueInfo).Concat(graph.Output))
        {
            if (value.Type?.TensorType is { ElemType: > 0 } tensor)
            {
                types[value.Name] = tensor.ElemType;
            }
        }

        foreach (var initializer in graph.Initializer)
        {
            types[initializer.Name] = initializer.DataType;
        }

        foreach (var node in GraphIndex.Build(graph).TopologicalOrder())
        {
            var first = node.Input.Where(i => i.Length > 0).Select(i => types.GetValueOrDefault(i)).FirstOrDefault(t => t != 0);
            for (var k = 0; k < node.Output.Count; k++)
            {
                if (node.Output[k].Length > 0 && !types.ContainsKey(node.Output[k]))
                {
                    types[node.Output[k]] = OutputType(node, k, first, types);
                }
            }
        }

        return types;
    }

    public static bool IsFloat(IReadOnlyDictionary<string, int> types, string value) => types.GetValueOrDefault(value) == Float;

    /// <summary>
    /// A control-flow node's output has the type its body declares for it (Loop's body outputs its condition first),
    /// or, when the exporter left the body's outputs untyped (Silero VAD's opset-15 export), the type inferred inside it.
    /// </summary>
    private static int BodyOutputType(NodeProto node, string attribute, int bodyOutput, Dictionary<string, int> types)
    {
        if (NodeAttributes.Graph(node, attribute) is not { } body || bodyOutput >= body.Output.Count)
        {
            return 0;
        }

        var declared = body.Output[bodyOutput].Type?.TensorType?.ElemType ?? 0;
        return declared != 0 ? declared : Infer(body, types).GetValueOrDefault(body.Output[bodyOutput].Name);
    }

    private static int OutputType(NodeProto node, int output, int first, Dictionary<string, int> types)
    {
        if (node.Domain is not ("" or "ai.onnx"))
        {
            return node.OpType == "DynamicQuantizeMatMul" || node.OpType == "MatMulNBits" ? Float : first;
        }

        return node.OpType switch
        {
            "Constant" => GraphIndex.ConstantNodeValue(node)?.DataType ?? 0,
            "Cast" => (int)NodeAttributes.Int(node, "to", 0),
            "ConstantOfShape" => NodeAttributes.Tensor(node, "value")?.DataType ?? Float,
            "QuantizeLinear" => node.Input.Count > 2 ? types.GetValueOrDefault(node.Input[2]) : (int)TensorProto.Types.DataType.Uint8,
            "DequantizeLinear" => Float,
            "MatMulInteger" or "ConvInteger" => (int)TensorProto.Types.DataType.Int32,
            "TopK" or "MaxPool" when output == 1 => Int64,
            "Dropout" when output == 1 => Bool,
            "Gather" or "GatherElements" or "GatherND" => node.Input.Count > 0 ? types.GetValueOrDefault(node.Input[0]) : 0,
            "Where" => node.Input.Count > 1 ? types.GetValueOrDefault(node.Input[1]) : 0,
            "If" => BodyOutputType(node, "then_branch", output, types),
            "Loop" => BodyOutputType(node, "body", output + 1, types),
            "Scan" => BodyOutputType(node, "body", output, types),
            var op when Int64Outputs.Contains(op) => Int64,
            var op when BoolOutputs.Contains(op) => Bool,
            _ => first,
        };
    }
}
