using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Pruning.Structured.Rules;

/// <summary>
/// BatchNormalization and InstanceNormalization in inference form: channels pass through (axis 1), and every
/// per-channel constant (scale, bias, and BatchNormalization's mean and variance) shrinks with them.
/// </summary>
internal sealed class NormalizationRule : IChannelRule
{
    public IReadOnlyCollection<string> OpTypes { get; } = ["BatchNormalization", "InstanceNormalization"];

    public bool Apply(ChannelGraph graph, NodeProto node, IReadOnlyList<ChannelSpace?> inputs)
    {
        var input = inputs[0];
        if (input is null)
        {
            return true;
        }

        var parameters = node.OpType == "BatchNormalization" ? 5 : 3;
        if (input.Axis != 1 || node.Input.Count < parameters || node.Output.Skip(1).Any(o => o.Length > 0))
        {
            return false;
        }

        for (var i = 1; i < parameters; i++)
        {
            if (!graph.TryConstant(node, i, out var p) || p.Dims.Count != 1 || p.Dims[0] != input.Count)
            {
                return false;
            }
        }

        var output = graph.NewSpace(node.Output[0], 1, input.Count, producer: false);
        graph.Join(output, input);
        for (var i = 1; i < parameters; i++)
        {
            graph.Slices.Add(new TensorSlice(node, i, 0, output.Ids(), i == 1 ? SliceRole.BnScale : SliceRole.Other));
        }

        return true;
    }
}
