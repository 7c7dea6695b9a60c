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

    /// <summary>Every value the graph or a body inside it reads, and the graph's outputs.</summary>
    public static HashSet<string> ReadNames(GraphProto graph)
    {
        var read = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var node in GraphNodes.All(graph))
        {
            read.UnionWith(node.Input.Where(i => i.Length > 0));
        }

        foreach (var body in Nested(graph))
        {
            read.UnionWith(body.Output.Select(o => o.Name));
        }

        return read;
    }

    /// <summary>
    /// After a pass rewrote nodes in several bodies: drops the nodes and initializers that were read before
    /// (<paramref name="readBefore"/>, from <see cref="ReadNames"/>) and no longer are, in whichever graph holds them.
    /// That is how the Slice/Concat chains that computed an LSTM's weights leave once the LSTM reads a quantized copy,
    /// and with them the float weights an enclosing graph held for them (each graph's own editor sees only its reads).
    /// </summary>
    public static void RemoveUnread(IReadOnlyList<GraphProto> graphs, HashSet<string> readBefore)
    {
        for (var removed = true; removed;)
        {
            removed = false;
            foreach (var graph in graphs)
            {
                var read = ReadNames(graph);
                foreach (var node in graph.Node.Where(n => n.Output.Any(readBefore.Contains) && !n.Output.Any(read.Contains)).ToList())
                {
                    graph.Node.Remove(node);
                    removed = true;
                }
            }
        }

        foreach (var graph in graphs)
        {
            var read = ReadNames(graph);
            var inputs = graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var orphan in graph.Initializer.Where(i => readBefore.Contains(i.Name) && !read.Contains(i.Name) && !inputs.Contains(i.Name)).ToList())
            {
                graph.Initializer.Remove(orphan);
            }
        }
    }

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
