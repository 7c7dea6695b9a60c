using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Pruning.Structured.Rules;

/// <summary>
/// Gemm with a constant 2-D B (transA 0): reads channels along K and produces N new ones, on B's axes as transB
/// says; a constant C whose last axis is N shrinks with them, a computed C protects them.
/// </summary>
internal sealed class GemmRule : IChannelRule
{
    public IReadOnlyCollection<string> OpTypes { get; } = ["Gemm"];

    public bool Apply(ChannelGraph graph, NodeProto node, IReadOnlyList<ChannelSpace?> inputs)
    {
        var input = inputs[0];
        if (!graph.TryConstant(node, 1, out var b) || b.Dims.Count != 2 || ChannelGraph.Attribute(node, "transA", 0) != 0)
        {
            return false;
        }

        var transB = ChannelGraph.Attribute(node, "transB", 0) != 0;
        var k = b.Dims[transB ? 1 : 0];
        var n = (int)b.Dims[transB ? 0 : 1];
        if (input is not null)
        {
            if (input.Axis != 1 || input.Count != k)
            {
                return false;
            }

            graph.Slices.Add(new TensorSlice(node, 1, transB ? 1 : 0, input.Ids(), SliceRole.Consumer));
        }

        var output = graph.NewSpace(node.Output[0], 1, n, producer: true);
        graph.Slices.Add(new TensorSlice(node, 1, transB ? 0 : 1, output.Ids(), SliceRole.Producer));
        if (node.Input.Count > 2 && node.Input[2].Length > 0)
        {
            if (!graph.TryConstant(node, 2, out var c))
            {
                graph.Protect(output.Ids(), $"Gemm '{ChannelGraph.NodeName(node)}' adds a bias that is not a constant");
            }
            else if (c.Dims.Count > 0 && c.Dims[^1] == n)
            {
                graph.Slices.Add(new TensorSlice(node, 2, c.Dims.Count - 1, output.Ids(), SliceRole.Other));
            }
        }

        return true;
    }
}
