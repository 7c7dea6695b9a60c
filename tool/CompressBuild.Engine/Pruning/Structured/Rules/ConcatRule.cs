using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Pruning.Structured.Rules;

/// <summary>
/// Concat along the channel axis: each input's channels map to their offset in the output; channels from an input
/// no pruned layer produces are protected. Concat along another axis keeps every input's channels, as an
/// element-wise op does, so all inputs must carry the same channels.
/// </summary>
internal sealed class ConcatRule : IChannelRule
{
    public IReadOnlyCollection<string> OpTypes { get; } = ["Concat"];

    public bool Apply(ChannelGraph graph, NodeProto node, IReadOnlyList<ChannelSpace?> inputs)
    {
        var spaced = inputs.Where(s => s is not null).ToList();
        if (spaced.Count == 0)
        {
            return true;
        }

        if (!graph.TryShape(node.Output[0], out var outShape))
        {
            return false;
        }

        var axis = (int)NodeAttributes.Int(node, "axis", 0);
        axis = axis < 0 ? axis + outShape.Length : axis;
        if (spaced.Any(s => s!.Axis != axis))
        {
            // Joined along another axis: every input keeps its channels, as in an element-wise op.
            return spaced.All(s => s!.Axis == spaced[0]!.Axis && s.Count == spaced[0]!.Count) && Across(graph, node, inputs, spaced[0]!);
        }

        var output = graph.NewSpace(node.Output[0], axis, (int)outShape[axis], producer: false);
        var offset = 0;
        for (var i = 0; i < node.Input.Count; i++)
        {
            var length = inputs[i]?.Count ?? (graph.TryShape(node.Input[i], out var s) ? (int)s[axis] : -1);
            if (length < 0)
            {
                return false;
            }

            for (var c = 0; c < length; c++)
            {
                if (inputs[i] is { } space)
                {
                    graph.Channels.Union(output.Id(offset + c), space.Id(c));
                }
                else
                {
                    graph.Protect([output.Id(offset + c)], $"Concat '{ChannelGraph.NodeName(node)}' joins it with '{node.Input[i]}', whose channels no pruned layer produces");
                }
            }

            offset += length;
        }

        return offset == output.Count;
    }

    private static bool Across(ChannelGraph graph, NodeProto node, IReadOnlyList<ChannelSpace?> inputs, ChannelSpace first)
    {
        if (inputs.Any(s => s is null))
        {
            return false;
        }

        var output = graph.NewSpace(node.Output[0], first.Axis, first.Count, producer: false);
        foreach (var space in inputs)
        {
            graph.Join(output, space!);
        }

        return true;
    }
}
