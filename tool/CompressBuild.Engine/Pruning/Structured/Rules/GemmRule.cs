using CompressBuild.Engine.Onnx;
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
        if (!graph.TryConstant(node, 1, out var b) || GemmForm.Of(node, b.Dims) is not { TransA: false } form)
        {
            return false;
        }

        var n = (int)form.N;
        if (input is not null)
        {
            if (input.Axis != 1 || input.Count != form.K)
            {
                return false;
            }

            graph.Slices.Add(new TensorSlice(node, 1, form.ReductionAxis, input.Ids(), SliceRole.Consumer));
        }

        var output = graph.NewSpace(node.Output[0], 1, n, producer: true);
        graph.Slices.Add(new TensorSlice(node, 1, form.OutputAxis, output.Ids(), SliceRole.Producer));
        if (form.C is not null)
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
