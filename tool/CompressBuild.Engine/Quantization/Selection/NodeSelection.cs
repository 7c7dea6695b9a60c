using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Onnx;

namespace CompressBuild.Engine.Quantization.Selection;

/// <summary>Applies --exclude-nodes, --exclude-op-types and --keep-float first|last to the candidate nodes of a pass.</summary>
internal sealed class NodeSelection
{
    private readonly HashSet<string> nodes;
    private readonly HashSet<string> opTypes;
    private readonly HashSet<NodeProto> keptFloat = new(ReferenceEqualityComparer.Instance);

    /// <param name="weighted">The pass's weighted nodes in topological order: the first and last of them are what --keep-float names.</param>
    /// <param name="validate">False for a subgraph: --exclude-nodes is checked once, against the main graph and its subgraphs.</param>
    public NodeSelection(QuantizationOptions options, GraphProto graph, IReadOnlyList<NodeProto> weighted, string file, bool validate = true)
    {
        nodes = options.ExcludeNodes.ToHashSet(StringComparer.Ordinal);
        opTypes = options.ExcludeOpTypes.ToHashSet(StringComparer.Ordinal);
        var known = validate ? Subgraphs.AllNodes(graph).Select(n => n.Name).ToHashSet(StringComparer.Ordinal) : nodes;
        var missing = options.ExcludeNodes.Where(n => !known.Contains(n)).ToList();
        if (missing.Count > 0)
        {
            throw new CompressBuildException(DiagnosticCodes.QuantizationNodeNotFound,
                $"exclude_nodes names {string.Join(", ", missing.Select(m => $"'{m}'"))}, which the model does not have; node names are shown by 'dotnet compress quantize --json' and 'inspect'.", file);
        }

        if (weighted.Count > 0 && options.KeepFloat.HasFlag(KeepFloat.First))
        {
            keptFloat.Add(weighted[0]);
        }

        if (weighted.Count > 0 && options.KeepFloat.HasFlag(KeepFloat.Last))
        {
            keptFloat.Add(weighted[^1]);
        }
    }

    /// <summary>Why the user's options keep <paramref name="node"/> float, or null.</summary>
    public string? ExcludedBecause(NodeProto node) =>
        nodes.Contains(node.Name) ? "excluded by exclude_nodes"
        : opTypes.Contains(node.OpType) ? "excluded by exclude_op_types"
        : keptFloat.Contains(node) ? "kept float by keep_float"
        : null;
}
