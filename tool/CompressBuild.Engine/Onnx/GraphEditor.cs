using CompressBuild.Engine.Onnx.Proto;
using Google.Protobuf;

namespace CompressBuild.Engine.Onnx;

/// <summary>
/// Edits one graph in place: unique names for new values, initializers and nodes, and a final clean-up that
/// drops initializers nothing reads any more and sorts the nodes topologically (new nodes are appended).
/// </summary>
internal sealed class GraphEditor
{
    public const string MicrosoftDomain = "com.microsoft";

    private readonly HashSet<string> names = new(StringComparer.Ordinal);

    public GraphEditor(GraphProto graph)
    {
        Graph = graph;
        names.UnionWith(graph.Input.Select(i => i.Name));
        names.UnionWith(graph.Output.Select(o => o.Name));
        names.UnionWith(graph.Initializer.Select(i => i.Name));
        names.UnionWith(graph.ValueInfo.Select(v => v.Name));
        foreach (var node in graph.Node)
        {
            names.UnionWith(node.Output);
            names.UnionWith(node.Input);
            if (node.Name.Length > 0)
            {
                names.Add(node.Name);
            }
        }
    }

    public GraphProto Graph { get; }

    public string UniqueName(string wanted)
    {
        var name = wanted;
        for (var i = 1; !names.Add(name); i++)
        {
            name = $"{wanted}_{i}";
        }

        return name;
    }

    public string AddInitializer<T>(string wantedName, ReadOnlySpan<long> dims, ReadOnlySpan<T> values)
        where T : unmanaged
    {
        var name = UniqueName(wantedName);
        Graph.Initializer.Add(TensorData.FromArray(name, dims, values));
        return name;
    }

    /// <summary>A tensor of one byte per element, of <paramref name="type"/> (uint8, int8, or packed int4 blobs stored as uint8).</summary>
    public string AddByteInitializer(string wantedName, IEnumerable<long> dims, byte[] data, TensorProto.Types.DataType type)
    {
        var name = UniqueName(wantedName);
        var tensor = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(data) };
        tensor.Dims.Add(dims);
        Graph.Initializer.Add(tensor);
        return name;
    }

    public NodeProto AddNode(string opType, IEnumerable<string> inputs, IEnumerable<string> outputs, string wantedName, string domain = "")
    {
        var node = new NodeProto { OpType = opType, Name = UniqueName(wantedName), Domain = domain };
        node.Input.Add(inputs);
        node.Output.Add(outputs);
        Graph.Node.Add(node);
        return node;
    }

    /// <summary>
    /// Removes initializers nothing reads, drops value_info of values that no longer exist, and puts the
    /// nodes in topological order (stable: the original order among independent nodes).
    /// </summary>
    public void Finish()
    {
        // Subgraphs (If/Loop/Scan bodies) may read this graph's initializers by name: count their reads too.
        var used = new HashSet<string>(StringComparer.Ordinal);
        CollectReads(Graph, used);
        used.UnionWith(Graph.Output.Select(o => o.Name));
        var unused = Graph.Initializer.Where(i => !used.Contains(i.Name)).ToList();
        foreach (var initializer in unused)
        {
            Graph.Initializer.Remove(initializer);
        }

        var produced = Graph.Node.SelectMany(n => n.Output).Concat(Graph.Input.Select(i => i.Name)).Concat(Graph.Initializer.Select(i => i.Name)).ToHashSet(StringComparer.Ordinal);
        var stale = Graph.ValueInfo.Where(v => !produced.Contains(v.Name)).ToList();
        foreach (var info in stale)
        {
            Graph.ValueInfo.Remove(info);
        }

        var order = GraphIndex.Build(Graph).TopologicalOrder().ToList();
        Graph.Node.Clear();
        Graph.Node.Add(order);
    }

    private static void CollectReads(GraphProto graph, HashSet<string> used)
    {
        foreach (var node in graph.Node)
        {
            used.UnionWith(node.Input);
            foreach (var attribute in node.Attribute)
            {
                if (attribute.G is { } body)
                {
                    CollectReads(body, used);
                }

                foreach (var nested in attribute.Graphs)
                {
                    CollectReads(nested, used);
                }
            }
        }
    }

    public static void EnsureOpset(ModelProto model, string domain, long version)
    {
        foreach (var opset in model.OpsetImport)
        {
            if ((opset.Domain == "ai.onnx" ? "" : opset.Domain) == domain)
            {
                opset.Version = Math.Max(opset.Version, version);
                return;
            }
        }

        model.OpsetImport.Add(new OperatorSetIdProto { Domain = domain, Version = version });
    }
}
