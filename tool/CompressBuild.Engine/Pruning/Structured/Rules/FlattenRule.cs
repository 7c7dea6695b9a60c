using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Pruning.Structured.Rules;

/// <summary>Flatten at axis 1 of a value whose channels are on axis 1: channel c becomes a run of H*W features.</summary>
internal sealed class FlattenRule : IChannelRule
{
    public IReadOnlyCollection<string> OpTypes { get; } = ["Flatten"];

    public bool Apply(ChannelGraph graph, NodeProto node, IReadOnlyList<ChannelSpace?> inputs) =>
        Map(graph, node, inputs[0], NodeAttributes.Int(node, "axis", 1));

    /// <summary>Maps the channels of [N, C, H, W] to the features of its [N, C*H*W] output (shared with <see cref="ReshapeRule"/>).</summary>
    internal static bool Map(ChannelGraph graph, NodeProto node, ChannelSpace? input, long axis)
    {
        if (input is null)
        {
            return true;
        }

        if (axis != 1 || input.Axis != 1 || !graph.TryShape(node.Input[0], out var shape))
        {
            return false;
        }

        // [N, C, H, W] -> [N, C*H*W]: channel c becomes features c*H*W .. c*H*W + H*W - 1.
        var run = (int)shape.Skip(2).Aggregate(1L, (a, d) => a * d);
        var output = graph.NewSpace(node.Output[0], 1, input.Count * run, producer: false);
        for (var c = 0; c < input.Count; c++)
        {
            for (var j = 0; j < run; j++)
            {
                graph.Channels.Union(output.Id((c * run) + j), input.Id(c));
            }
        }

        return true;
    }
}
