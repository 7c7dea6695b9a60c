using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Onnx;

/// <summary>
/// The graphs of a model that hold nodes: the main graph, then every If/Loop/Scan body inside it, depth first.
/// Exported streaming models (Silero VAD) keep their Conv and LSTM layers in If branches, with the weights in
/// Constant nodes of the branch; those are promoted to the branch's own initializers so passes see them.
/// </summary>
internal static class Subgraphs
{
    public static IEnumerable<GraphProto> All(GraphProto main)
    {
        yield return main;
        foreach (var nested in Nested(main))
        {
            ConstantPromotion.Promote(nested);
            yield return nested;
        }
    }

    /// <summary>The graph and every body inside it, depth first, as they are (nothing is promoted).</summary>
    public static IEnumerable<GraphProto> Graphs(GraphProto main) => Nested(main).Prepend(main);

    /// <summary>Every node of the graph and of the bodies inside it (nothing is promoted).</summary>
    public static IEnumerable<NodeProto> AllNodes(GraphProto graph) => GraphNodes.All(graph);

    private static IEnumerable<GraphProto> Nested(GraphProto graph)
    {
        foreach (var node in graph.Node.ToList())
        {
            foreach (var attribute in node.Attribute)
            {
                foreach (var body in attribute.G is { } g ? [g] : attribute.Graphs.ToArray())
                {
                    yield return body;
                    foreach (var deeper in Nested(body))
                    {
                        yield return deeper;
                    }
                }
            }
        }
    }
}
