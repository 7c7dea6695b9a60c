using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Pruning.Structured.Rules;

/// <summary>MatMul with a constant 2-D right operand [K, N]: reads channels on the input's last axis, produces N along the output's last.</summary>
internal sealed class MatMulRule : IChannelRule
{
    public IReadOnlyCollection<string> OpTypes { get; } = ["MatMul"];

    public bool Apply(ChannelGraph graph, NodeProto node, IReadOnlyList<ChannelSpace?> inputs)
    {
        var input = inputs[0];
        if (!graph.TryConstant(node, 1, out var w) || GemmForm.Of(node, w.Dims) is not { } form || !graph.TryShape(node.Output[0], out var outShape))
        {
            return false;
        }

        if (input is not null)
        {
            if (input.Axis != graph.Rank(node.Input[0]) - 1 || input.Count != form.K)
            {
                return false;
            }

            graph.Slices.Add(new TensorSlice(node, 1, 0, input.Ids(), SliceRole.Consumer));
        }

        var output = graph.NewSpace(node.Output[0], outShape.Length - 1, (int)form.N, producer: true);
        graph.Slices.Add(new TensorSlice(node, 1, 1, output.Ids(), SliceRole.Producer));
        return true;
    }
}
