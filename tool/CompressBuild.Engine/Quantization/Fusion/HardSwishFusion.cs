using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Quantization.Fusion;

/// <summary>
/// Replaces the hard-swish that exporters spell out before opset 14, x * Clip(x + 3, 0, 6) / 6 (or
/// x * HardSigmoid(x) with alpha 1/6, beta 0.5), by one HardSwish node (opset 14). ONNX Runtime has no int8
/// kernel for either form, so the activation runs in float between DequantizeLinear and QuantizeLinear; one
/// node makes that one pass over the tensor instead of four.
/// </summary>
internal static class HardSwishFusion
{
    public const long Opset = 14;

    /// <summary>Rewrites the graph in place; returns the number of HardSwish nodes made.</summary>
    public static int Apply(OnnxModel model)
    {
        var graph = model.Graph;
        var index = GraphIndex.Build(graph);
        var made = 0;
        foreach (var mul in graph.Node.Where(n => n.OpType == "Mul" && n.Domain is "" or "ai.onnx" && n.Input.Count == 2).ToList())
        {
            if (Match(model, index, mul) is not { } match)
            {
                continue;
            }

            var node = new NodeProto { OpType = "HardSwish", Name = match.Output.Name + "_HardSwish", Domain = "" };
            node.Input.Add(match.X);
            node.Output.Add(match.Output.Output[0]);
            graph.Node.Insert(graph.Node.IndexOf(match.Output), node);
            foreach (var dead in match.Removed)
            {
                graph.Node.Remove(dead);
            }

            made++;
            index = GraphIndex.Build(graph);
        }

        return made;
    }

    private static (string X, NodeProto Output, NodeProto[] Removed)? Match(OnnxModel model, GraphIndex index, NodeProto mul)
    {
        for (var side = 0; side < 2; side++)
        {
            var x = mul.Input[side];
            var gate = index.Producer(mul.Input[1 - side]);
            if (gate is null || index.Consumers(gate.Output[0]).Count != 1 || index.IsGraphOutput(gate.Output[0]))
            {
                continue;
            }

            if (gate.OpType == "HardSigmoid" && gate.Input[0] == x
                && Near(NodeAttributes.Float(gate, "alpha", 0.2f), 1 / 6f) && Near(NodeAttributes.Float(gate, "beta", 0.5f), 0.5f))
            {
                return (x, mul, [gate, mul]);
            }

            if (gate.OpType != "Clip" || gate.Input.Count < 3 || !Scalar(model, index, gate.Input[1], out var low) || !Scalar(model, index, gate.Input[2], out var high)
                || low != 0 || high != 6 || index.Producer(gate.Input[0]) is not { OpType: "Add" } add || index.Consumers(add.Output[0]).Count != 1
                || !Operand(model, index, add, x, out var three) || three != 3)
            {
                continue;
            }

            // The division by 6 after the product.
            if (index.Consumers(mul.Output[0]) is not [var div] || index.IsGraphOutput(mul.Output[0]))
            {
                continue;
            }

            var sixth = div.OpType == "Div" && div.Input[0] == mul.Output[0] && Scalar(model, index, div.Input[1], out var six) && six == 6
                || div.OpType == "Mul" && Operand(model, index, div, mul.Output[0], out var f) && Near(f, 1 / 6f);
            if (sixth)
            {
                return (x, div, [add, gate, mul, div]);
            }
        }

        return null;
    }

    private static bool Near(float a, float b) => Math.Abs(a - b) < 1e-6f;

    private static bool Operand(OnnxModel model, GraphIndex index, NodeProto node, string value, out float scalar)
    {
        scalar = float.NaN;
        return node.Input.Count == 2 && node.Input.Contains(value) && Scalar(model, index, node.Input[0] == value ? node.Input[1] : node.Input[0], out scalar);
    }

    private static bool Scalar(OnnxModel model, GraphIndex index, string value, out float scalar)
    {
        scalar = float.NaN;
        if (!index.TryGetConstant(value, out var tensor) || tensor.DataType != (int)TensorProto.Types.DataType.Float || TensorShape.ElementCount(tensor) != 1)
        {
            return false;
        }

        scalar = TensorData.ToSingles(tensor, model)[0];
        return true;
    }
}
