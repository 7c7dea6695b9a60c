using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Onnx;

/// <summary>Every node of a graph and of the If/Loop/Scan bodies inside it, depth first (the graph is not changed).</summary>
public static class GraphNodes
{
    public static IEnumerable<NodeProto> All(GraphProto graph)
    {
        foreach (var node in graph.Node)
        {
            yield return node;
        }

        foreach (var body in graph.Node.SelectMany(NodeAttributes.Subgraphs))
        {
            foreach (var inner in All(body))
            {
                yield return inner;
            }
        }
    }
}
