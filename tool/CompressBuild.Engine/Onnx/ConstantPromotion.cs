using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Onnx;

/// <summary>
/// Exporters often keep weights in <c>Constant</c> nodes; quantization and pruning work on initializers, so every
/// Constant node holding a dense tensor becomes an initializer of the same name (unless the value is a graph
/// output, which an initializer cannot be on its own).
/// </summary>
public static class ConstantPromotion
{
    public static int Promote(GraphProto graph)
    {
        var outputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var promoted = 0;
        foreach (var node in graph.Node.ToList())
        {
            if (node.OpType != "Constant" || node.Domain is not ("" or "ai.onnx") || node.Output.Count != 1 || outputs.Contains(node.Output[0]))
            {
                continue;
            }

            var value = GraphIndex.ConstantNodeValue(node);
            if (value is null)
            {
                continue;
            }

            var tensor = value.Clone();
            tensor.Name = node.Output[0];
            graph.Initializer.Add(tensor);
            graph.Node.Remove(node);
            promoted++;
        }

        return promoted;
    }
}
