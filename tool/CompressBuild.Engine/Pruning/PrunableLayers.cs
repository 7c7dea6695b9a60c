using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Pruning;

/// <summary>Finds the weights unstructured methods prune, honouring --exclude-nodes and --exclude-op-types.</summary>
public static class PrunableLayers
{
    public static readonly IReadOnlySet<string> OpTypes = new HashSet<string>(StringComparer.Ordinal) { "Conv", "ConvTranspose", "Gemm", "MatMul" };

    /// <summary>Layers in graph order. A weight shared by several nodes is pruned once, for its first user.</summary>
    public static IReadOnlyList<PrunableLayer> Find(GraphProto graph, PruneSettings settings, string file)
    {
        var excluded = Exclusions(graph, settings, file);
        var initializers = graph.Initializer.GroupBy(t => t.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var inputs = graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var layers = new List<PrunableLayer>();
        foreach (var node in graph.Node)
        {
            if (!OpTypes.Contains(node.OpType) || node.Domain is not ("" or "ai.onnx") || node.Input.Count < 2 || excluded.Contains(node))
            {
                continue;
            }

            if (!initializers.TryGetValue(node.Input[1], out var weight) || inputs.Contains(weight.Name)
                || weight.DataType != (int)TensorProto.Types.DataType.Float || !seen.Add(weight.Name))
            {
                continue;
            }

            if (Layout(node, weight) is { } layout)
            {
                layers.Add(new PrunableLayer(node, weight, layout));
            }
        }

        return layers;
    }

    public static HashSet<NodeProto> Exclusions(GraphProto graph, PruneSettings settings, string file)
    {
        var excluded = new HashSet<NodeProto>(ReferenceEqualityComparer.Instance);
        foreach (var name in settings.ExcludeNodes)
        {
            var matches = graph.Node.Where(n => n.Name == name || (n.Output.Count > 0 && n.Output[0] == name)).ToList();
            if (matches.Count == 0)
            {
                throw new CompressBuildException(DiagnosticCodes.PruneExclusionUnknown,
                    $"--exclude-nodes names '{name}', but no node of the model has that name or output; names look like '{graph.Node.FirstOrDefault(n => OpTypes.Contains(n.OpType))?.Name}'.", file);
            }

            excluded.UnionWith(matches);
        }

        foreach (var opType in settings.ExcludeOpTypes)
        {
            if (!OpTypes.Contains(opType) && graph.Node.All(n => n.OpType != opType))
            {
                throw new CompressBuildException(DiagnosticCodes.PruneExclusionUnknown,
                    $"--exclude-op-types names '{opType}', which neither occurs in the model nor is prunable ({string.Join(", ", OpTypes.Order(StringComparer.Ordinal))}).", file);
            }

            excluded.UnionWith(graph.Node.Where(n => n.OpType == opType));
        }

        return excluded;
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
