using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Pruning.Structured;

/// <summary>
/// How channels flow through one family of ops (Torch-Pruning's per-op dependency rules): which of the node's
/// constants shrink with which channels, and which channel spaces it joins or creates. Rules are registered in
/// <see cref="Rules.ChannelRules"/>; an op no rule handles blocks the channels it touches.
/// </summary>
internal interface IChannelRule
{
    /// <summary>The default-domain op types this rule handles.</summary>
    IReadOnlyCollection<string> OpTypes { get; }

    /// <summary>
    /// Records the node's slices and channel spaces in <paramref name="graph"/>. <paramref name="inputs"/> holds, per
    /// input, the channel space that value carries (null when no pruned layer produces its channels).
    /// </summary>
    /// <returns>False when the node is not in a form the rule follows; the graph then protects its input channels.</returns>
    bool Apply(ChannelGraph graph, NodeProto node, IReadOnlyList<ChannelSpace?> inputs);
}
