using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Onnx;

/// <summary>
/// The value and node names a model had before a pass rewrote it (every graph, bodies included): the names
/// <see cref="GeneratedNames"/> leaves alone, since users, reports and exclusions refer to them.
/// </summary>
internal sealed class KeptNames
{
    private KeptNames(HashSet<string> values, HashSet<string> nodes)
    {
        Values = values;
        Nodes = nodes;
    }

    public HashSet<string> Values { get; }

    public HashSet<string> Nodes { get; }

    public static KeptNames Of(GraphProto main)
    {
        var values = new HashSet<string>(StringComparer.Ordinal);
        var nodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var graph in Subgraphs.Graphs(main))
        {
            values.UnionWith(graph.Input.Select(v => v.Name));
            values.UnionWith(graph.Output.Select(v => v.Name));
            values.UnionWith(graph.ValueInfo.Select(v => v.Name));
            values.UnionWith(graph.Initializer.Select(t => t.Name));
            values.UnionWith(graph.SparseInitializer.SelectMany(s => new[] { s.Values?.Name ?? "", s.Indices?.Name ?? "" }));
            foreach (var node in graph.Node)
            {
                values.UnionWith(node.Input);
                values.UnionWith(node.Output);
                nodes.Add(node.Name);
            }
        }

        values.Remove("");
        nodes.Remove("");
        return new KeptNames(values, nodes);
    }
}
