using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Pruning.Structured.Rules;

/// <summary>
/// The one registry of channel rules, by op type: a new op family is one <see cref="IChannelRule"/> file and one
/// line here. Only default-domain ops are followed; anything else has no rule and blocks its channels.
/// </summary>
internal static class ChannelRules
{
    private static readonly IChannelRule[] All =
    [
        new ConvRule(),
        new ConvTransposeRule(),
        new GemmRule(),
        new MatMulRule(),
        new NormalizationRule(),
        new ConcatRule(),
        new FlattenRule(),
        new ReshapeRule(),
        new ElementwiseRule(),
        new PassThroughRule(),
    ];

    private static readonly Dictionary<string, IChannelRule> ByOpType = All
        .SelectMany(rule => rule.OpTypes.Select(op => (Op: op, Rule: rule)))
        .ToDictionary(x => x.Op, x => x.Rule, StringComparer.Ordinal);

    /// <summary>The rule for <paramref name="node"/>, or null when channel pruning does not follow it.</summary>
    public static IChannelRule? For(NodeProto node) =>
        node.Domain is "" or "ai.onnx" ? ByOpType.GetValueOrDefault(node.OpType) : null;
}
