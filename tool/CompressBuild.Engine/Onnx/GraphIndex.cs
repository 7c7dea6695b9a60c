using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Onnx.Proto;
using Google.Protobuf;

namespace CompressBuild.Engine.Onnx;

/// <summary>
/// Who produces and who consumes each value of a graph, a topological order of its nodes, and constant lookup
/// that sees weights wherever exporters put them: initializers or <c>Constant</c> nodes. Nodes that own
/// subgraphs (If, Loop, Scan) count as consumers of every outer value their bodies read.
/// </summary>
public sealed class GraphIndex
{
    private readonly Dictionary<string, NodeProto> producers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<NodeProto>> consumers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TensorProto> initializers = new(StringComparer.Ordinal);
    private readonly Dictionary<NodeProto, IReadOnlyList<string>> inputsOf = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<string> graphInputs;
    private readonly HashSet<string> graphOutputs;

    private GraphIndex(GraphProto graph)
    {
        Graph = graph;
        graphInputs = graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        graphOutputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var initializer in graph.Initializer)
        {
            initializers.TryAdd(initializer.Name, initializer);
        }

        foreach (var node in graph.Node)
        {
            foreach (var output in node.Output)
            {
                if (output.Length > 0)
                {
                    producers.TryAdd(output, node);
                }
            }

            var inputs = node.Input.Where(i => i.Length > 0).Concat(OuterReferences(node)).Distinct(StringComparer.Ordinal).ToList();
            inputsOf[node] = inputs;
            foreach (var input in inputs)
            {
                if (!consumers.TryGetValue(input, out var list))
                {
                    consumers[input] = list = [];
                }

                list.Add(node);
            }
        }
    }

    public GraphProto Graph { get; }

    public static GraphIndex Build(GraphProto graph) => new(graph);

    public NodeProto? Producer(string value) => producers.GetValueOrDefault(value);

    public IReadOnlyList<NodeProto> Consumers(string value) => consumers.TryGetValue(value, out var list) ? list : [];

    public bool IsGraphInput(string value) => graphInputs.Contains(value);

    public bool IsGraphOutput(string value) => graphOutputs.Contains(value);

    /// <summary>
    /// The nodes so that every node comes after the producers of its inputs; among ready nodes the original
    /// order is kept, so an already sorted graph comes back unchanged. A cycle is an invalid model (CB2002).
    /// </summary>
    public IReadOnlyList<NodeProto> TopologicalOrder()
    {
        var nodes = Graph.Node;
        var position = new Dictionary<NodeProto, int>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < nodes.Count; i++)
        {
            position[nodes[i]] = i;
        }

        var pending = new int[nodes.Count];
        var dependents = new List<int>[nodes.Count];
        for (var i = 0; i < nodes.Count; i++)
        {
            dependents[i] = [];
        }

        for (var i = 0; i < nodes.Count; i++)
        {
            foreach (var input in inputsOf[nodes[i]])
            {
                if (producers.TryGetValue(input, out var producer) && !ReferenceEquals(producer, nodes[i]))
                {
                    pending[i]++;
                    dependents[position[producer]].Add(i);
                }
            }
        }

        var ready = new PriorityQueue<int, int>();
        for (var i = 0; i < nodes.Count; i++)
        {
            if (pending[i] == 0)
            {
                ready.Enqueue(i, i);
            }
        }

        var order = new List<NodeProto>(nodes.Count);
        while (ready.TryDequeue(out var next, out _))
        {
            order.Add(nodes[next]);
            foreach (var dependent in dependents[next])
            {
                if (--pending[dependent] == 0)
                {
                    ready.Enqueue(dependent, dependent);
                }
            }
        }

        if (order.Count != nodes.Count)
        {
            var stuck = nodes.First(n => !order.Contains(n));
            throw new CompressBuildException(DiagnosticCodes.ModelCorrupt, $"the graph has a cycle through node '{stuck.Name}' ({stuck.OpType}).");
        }

        return order;
    }

    /// <summary>
    /// The constant tensor behind a value: an initializer (unless a graph input of the same name lets callers
    /// override it) or the output of a <c>Constant</c> node, whose scalar and list forms become tensors too.
    /// </summary>
    public bool TryGetConstant(string value, out TensorProto tensor)
    {
        if (initializers.TryGetValue(value, out tensor!) && !graphInputs.Contains(value))
        {
            return true;
        }

        if (producers.TryGetValue(value, out var node) && node.OpType == "Constant" && node.Domain is "" or "ai.onnx")
        {
            var constant = ConstantNodeValue(node);
            if (constant is not null)
            {
                tensor = constant;
                return true;
            }
        }

        tensor = null!;
        return false;
    }

    /// <summary>The tensor a <c>Constant</c> node produces; null for a sparse constant.</summary>
    public static TensorProto? ConstantNodeValue(NodeProto node)
    {
        foreach (var attribute in node.Attribute)
        {
            switch (attribute.Name)
            {
                case "value" when attribute.T is not null:
                    return attribute.T;
                case "value_float":
                    return Scalar(node, TensorProto.Types.DataType.Float, t => t.FloatData.Add(attribute.F));
                case "value_int":
                    return Scalar(node, TensorProto.Types.DataType.Int64, t => t.Int64Data.Add(attribute.I));
                case "value_floats":
                    return Vector(node, TensorProto.Types.DataType.Float, attribute.Floats.Count, t => t.FloatData.Add(attribute.Floats));
                case "value_ints":
                    return Vector(node, TensorProto.Types.DataType.Int64, attribute.Ints.Count, t => t.Int64Data.Add(attribute.Ints));
                case "value_string":
                    return Scalar(node, TensorProto.Types.DataType.String, t => t.StringData.Add(attribute.S));
                case "value_strings":
                    return Vector(node, TensorProto.Types.DataType.String, attribute.Strings.Count, t => t.StringData.Add(attribute.Strings));
            }
        }

        return null;
    }

    private static TensorProto Scalar(NodeProto node, TensorProto.Types.DataType type, Action<TensorProto> fill)
    {
        var tensor = new TensorProto { Name = node.Output[0], DataType = (int)type };
        fill(tensor);
        return tensor;
    }

    private static TensorProto Vector(NodeProto node, TensorProto.Types.DataType type, int count, Action<TensorProto> fill)
    {
        var tensor = Scalar(node, type, fill);
        tensor.Dims.Add(count);
        return tensor;
    }

    /// <summary>Names a node's subgraphs read from enclosing scopes (not defined inside the subgraph itself).</summary>
    private static IEnumerable<string> OuterReferences(NodeProto node)
    {
        foreach (var attribute in node.Attribute)
        {
            foreach (var graph in attribute.G is null ? attribute.Graphs : attribute.Graphs.Append(attribute.G))
            {
                foreach (var name in OuterReferences(graph))
                {
                    yield return name;
                }
            }
        }
    }

    private static IEnumerable<string> OuterReferences(GraphProto graph)
    {
        var defined = new HashSet<string>(StringComparer.Ordinal);
        defined.UnionWith(graph.Input.Select(i => i.Name));
        defined.UnionWith(graph.Initializer.Select(i => i.Name));
        defined.UnionWith(graph.SparseInitializer.Select(s => s.Values?.Name ?? ""));
        foreach (var node in graph.Node)
        {
            defined.UnionWith(node.Output);
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            foreach (var input in node.Input.Concat(OuterReferences(node)))
            {
                if (input.Length > 0 && !defined.Contains(input) && seen.Add(input))
                {
                    yield return input;
                }
            }
        }

        foreach (var output in graph.Output)
        {
            if (!defined.Contains(output.Name) && seen.Add(output.Name))
            {
                yield return output.Name;
            }
        }
    }
}
