using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Onnx;

/// <summary>
/// The nodes a pass must leave alone (<c>exclude_nodes</c> + <c>exclude_op_types</c>), with one behaviour for
/// every pass (pruning of every method, quantization in every mode): a node is excluded when its name or its first
/// output is listed (exporters leave many nodes unnamed; the output name is what tools show), or its op type is.
/// Names and op types are checked once, against every node of the model including If/Loop/Scan bodies: one that
/// matches nothing is CB2044 with the closest spelling, whichever pass reads it.
/// </summary>
public sealed class NodeExclusions
{
    /// <summary>The weighted op types the passes act on: excluding one the model lacks is harmless, not a typo.</summary>
    private static readonly string[] WeightedOpTypes = ["Conv", "ConvTranspose", "Gemm", "MatMul"];

    private readonly HashSet<string> names;
    private readonly HashSet<string> opTypes;

    private NodeExclusions(IEnumerable<string> names, IEnumerable<string> opTypes)
    {
        this.names = names.ToHashSet(StringComparer.Ordinal);
        this.opTypes = opTypes.ToHashSet(StringComparer.Ordinal);
    }

    public static NodeExclusions None { get; } = new([], []);

    /// <summary>Checks <paramref name="nodes"/> and <paramref name="opTypes"/> against <paramref name="modelNodes"/> (every node a name may refer to).</summary>
    /// <exception cref="CompressBuildException">CB2044 for a name or op type that matches nothing, naming <paramref name="file"/>.</exception>
    public static NodeExclusions Create(IReadOnlyList<string> nodes, IReadOnlyList<string> opTypes, IEnumerable<NodeProto> modelNodes, string file)
    {
        if (nodes.Count == 0 && opTypes.Count == 0)
        {
            return None;
        }

        var all = modelNodes.ToList();
        var known = all.Where(n => n.Name.Length > 0).Select(n => n.Name)
            .Concat(all.Where(n => n.Output.Count > 0 && n.Output[0].Length > 0).Select(n => n.Output[0]))
            .ToHashSet(StringComparer.Ordinal);
        foreach (var name in nodes.Where(n => !known.Contains(n)))
        {
            throw new CompressBuildException(DiagnosticCodes.ExclusionUnknown,
                $"exclude_nodes names '{name}', which is neither the name nor the first output of a node of the model{Suggestions.DidYouMean(name, known.Order(StringComparer.Ordinal))}; "
                + "'dotnet compress inspect' lists the nodes.", file);
        }

        var knownOps = all.Select(n => n.OpType).Concat(WeightedOpTypes).ToHashSet(StringComparer.Ordinal);
        foreach (var opType in opTypes.Where(o => !knownOps.Contains(o)))
        {
            throw new CompressBuildException(DiagnosticCodes.ExclusionUnknown,
                $"exclude_op_types names '{opType}', which no node of the model has{Suggestions.DidYouMean(opType, knownOps.Order(StringComparer.Ordinal))}; "
                + $"the model's op types are {string.Join(", ", all.Select(n => n.OpType).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))}.", file);
        }

        return new NodeExclusions(nodes, opTypes);
    }

    public bool Contains(NodeProto node) => Because(node) is not null;

    /// <summary>Why <paramref name="node"/> is excluded ("excluded by exclude_nodes" / "excluded by exclude_op_types"), or null.</summary>
    public string? Because(NodeProto node) =>
        (node.Name.Length > 0 && names.Contains(node.Name)) || (node.Output.Count > 0 && node.Output[0].Length > 0 && names.Contains(node.Output[0])) ? "excluded by exclude_nodes"
        : opTypes.Contains(node.OpType) ? "excluded by exclude_op_types"
        : null;
}
