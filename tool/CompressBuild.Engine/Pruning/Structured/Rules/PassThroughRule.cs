using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Pruning.Structured.Rules;

/// <summary>
/// Ops of one tensor input that keep its channels where they are: activations, unary math, Cast, pooling, and
/// Resize / Upsample that keep the channel count (checked on the probed output shape).
/// </summary>
internal sealed class PassThroughRule : IChannelRule
{
    public IReadOnlyCollection<string> OpTypes { get; } =
    [
        "Relu", "LeakyRelu", "Sigmoid", "HardSigmoid", "HardSwish", "Tanh", "Clip", "Elu", "Selu", "Celu", "Gelu", "Softplus", "Softsign",
        "Identity", "Dropout", "Abs", "Neg", "Sqrt", "Exp", "Log", "Erf", "Mish", "ThresholdedRelu", "Floor", "Ceil", "Round", "Reciprocal", "Cast",
        "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "LpPool", "GlobalLpPool", "Resize", "Upsample",
    ];

    public bool Apply(ChannelGraph graph, NodeProto node, IReadOnlyList<ChannelSpace?> inputs)
    {
        var input = inputs[0];
        if (input is null)
        {
            return true;
        }

        // Dropout's mask and any second output would need following too; Resize must keep the channel count.
        if (node.Output.Skip(1).Any(o => o.Length > 0) || !graph.TryShape(node.Output[0], out var shape)
            || shape.Length != graph.Rank(node.Input[0]) || shape[input.Axis] != input.Count)
        {
            return false;
        }

        graph.Join(graph.NewSpace(node.Output[0], input.Axis, input.Count, producer: false), input);
        return true;
    }
}
