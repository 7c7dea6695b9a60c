using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Pruning;

/// <summary>Finds the weights unstructured methods prune, leaving out the excluded nodes (<see cref="PruneSettings.Exclusions"/>).</summary>
public static class PrunableLayers
{
    public static readonly IReadOnlySet<string> OpTypes = new HashSet<string>(StringComparer.Ordinal) { "Conv", "ConvTranspose", "Gemm", "MatMul" };

    /// <summary>
    /// Layers in graph order, the main graph's first, then those inside If/Loop/Scan bodies (depth first; their Constant
    /// weights promoted to the body's initializers). A body node may read a weight an enclosing graph stores: that
    /// tensor is the layer's weight, in its owner graph. A weight shared by several nodes (or bodies) is pruned once, for its first user.
    /// </summary>
    public static IReadOnlyList<PrunableLayer> Find(GraphProto graph, PruneSettings settings, string file)
    {
        var excluded = settings.Exclusions(graph, file);
        var seen = new HashSet<TensorProto>(ReferenceEqualityComparer.Instance);
        var layers = new List<PrunableLayer>();
        Collect(graph, graph, new Dictionary<string, (TensorProto, GraphProto)>(StringComparer.Ordinal), excluded, seen, layers);
        return layers;
    }

    /// <summary>The number of Conv/ConvTranspose/Gemm/MatMul nodes inside If/Loop/Scan bodies (nothing is promoted).</summary>
    public static int InSubgraphs(GraphProto graph) =>
        Subgraphs.Graphs(graph).Skip(1).Sum(body => body.Node.Count(n => OpTypes.Contains(n.OpType) && n.Domain is "" or "ai.onnx"));

    /// <param name="outer">The weights of the enclosing graphs by name, with the graph holding each (ONNX forbids a body to shadow them).</param>
    private static void Collect(GraphProto main, GraphProto graph, Dictionary<string, (TensorProto Tensor, GraphProto Owner)> outer, NodeExclusions excluded,
        HashSet<TensorProto> seen, List<PrunableLayer> layers)
    {
        var scope = new Dictionary<string, (TensorProto Tensor, GraphProto Owner)>(outer, StringComparer.Ordinal);
        foreach (var input in graph.Input)
        {
            scope.Remove(input.Name);
        }

        var inputs = graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var initializer in graph.Initializer.Where(i => !inputs.Contains(i.Name)))
        {
            scope.TryAdd(initializer.Name, (initializer, graph));
        }

        foreach (var node in graph.Node)
        {
            if (!OpTypes.Contains(node.OpType) || node.Domain is not ("" or "ai.onnx") || node.Input.Count < 2 || excluded.Contains(node))
            {
                continue;
            }

            if (!scope.TryGetValue(node.Input[1], out var weight) || weight.Tensor.DataType != (int)TensorProto.Types.DataType.Float || !seen.Add(weight.Tensor))
            {
                continue;
            }

            if (Layout(node, weight.Tensor) is { } layout)
            {
                layers.Add(new PrunableLayer(node, weight.Tensor, layout) { Owner = weight.Owner, InSubgraph = !ReferenceEquals(graph, main) });
            }
        }

        foreach (var node in graph.Node.ToList())
        {
            foreach (var body in NodeAttributes.Subgraphs(node))
            {
                ConstantPromotion.Promote(body);
                Collect(main, body, scope, excluded, seen, layers);
            }
        }
    }

    private static ReductionLayout? Layout(NodeProto node, TensorProto weight)
    {
        var dims = weight.Dims;
        if (dims.Any(d => d <= 0) || TensorShape.ElementCount(weight) > int.MaxValue)
        {
            return null;
        }

        switch (node.OpType)
        {
            case "Conv" when dims.Count >= 3:
                return ReductionLayout.RowMajor((int)dims[0], (int)(TensorShape.ElementCount(weight) / dims[0]));
            case "ConvTranspose" when dims.Count >= 3:
                {
                    // [I, O/g, k...]: each (o, k...) position reduces over I.
                    var perInput = (int)(TensorShape.ElementCount(weight) / dims[0]);
                    return new ReductionLayout(perInput, (int)dims[0], perInput, 0, 1, perInput);
                }

            case "Gemm" when GemmForm.Of(node, dims) is { } gemm:
                return ReductionLayout.Dense(gemm);
            case "MatMul" when dims.Count >= 2:
                {
                    var k = (int)dims[^2];
                    var n = (int)dims[^1];
                    return ReductionLayout.ColumnMajor((int)(TensorShape.ElementCount(weight) / ((long)k * n)), k, n);
                }

            default:
                return null;
        }
    }
}
