using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Quantization.Selection;

/// <summary>Applies the exclusions (<see cref="NodeExclusions"/>, checked once per model) and --keep-float first|last to the candidate nodes of a pass.</summary>
internal sealed class NodeSelection
{
    private readonly NodeExclusions exclusions;
    private readonly HashSet<NodeProto> keptFloat = new(ReferenceEqualityComparer.Instance);

    /// <param name="weighted">The pass's weighted nodes in topological order: the first and last of them are what --keep-float names.</param>
    public NodeSelection(NodeExclusions exclusions, QuantizationOptions options, IReadOnlyList<NodeProto> weighted)
    {
        this.exclusions = exclusions;
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
        exclusions.Because(node) ?? (keptFloat.Contains(node) ? "kept float by keep_float" : null);
}
