using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Pruning;

/// <summary>
/// Older exporters (and opset-11 models) hold weights in <c>Constant</c> nodes. Pruning edits weights in one
/// place, so those become initializers of the same name: the graph computes the same values, and every IR
/// version from 4 on allows initializers that are not graph inputs.
/// </summary>
public static class ConstantPromotion
{
    /// <summary>Moves every tensor-valued Constant node of the main graph to an initializer; returns how many.</summary>
    public static int Promote(GraphProto graph)
    {
        var outputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var promoted = 0;
        for (var i = graph.Node.Count - 1; i >= 0; i--)
        {
            var node = graph.Node[i];
            if (node.OpType != "Constant" || node.Domain is not ("" or "ai.onnx") || node.Output.Count != 1 || outputs.Contains(node.Output[0]))
            {
                continue;
            }

            var value = node.Attribute.FirstOrDefault(a => a.Name == "value" && a.T is not null)?.T;
            if (value is null)
            {
                continue;
            }

            var tensor = value.Clone();
            tensor.Name = node.Output[0];
            graph.Node.RemoveAt(i);
            graph.Initializer.Insert(0, tensor);
            promoted++;
        }

        // Inserted in reverse, so this restores the Constant nodes' order.
        return promoted;
    }
}
