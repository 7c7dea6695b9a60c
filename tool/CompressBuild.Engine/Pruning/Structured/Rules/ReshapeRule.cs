using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Pruning.Structured.Rules;

/// <summary>Reshape to the flattening form [batch or 0, -1], which maps channels as Flatten does and stays valid once they shrink.</summary>
internal sealed class ReshapeRule : IChannelRule
{
    public IReadOnlyCollection<string> OpTypes { get; } = ["Reshape"];

    public bool Apply(ChannelGraph graph, NodeProto node, IReadOnlyList<ChannelSpace?> inputs)
    {
        var input = inputs[0];
        if (input is null)
        {
            return true;
        }

        // Only the flattening form [batch or 0, -1] maps channels knowably.
        if (!graph.TryConstant(node, 1, out var target) || target.Dims.Count != 1 || target.Dims[0] != 2
            || !graph.TryShape(node.Input[0], out var shape) || shape.Length < 2)
        {
            return false;
        }

        var values = TensorData.ToArray<long>(target, graph.Model);
        return values[1] == -1 && (values[0] == 0 || values[0] == shape[0]) && FlattenRule.Map(graph, node, input, 1);
    }
}
