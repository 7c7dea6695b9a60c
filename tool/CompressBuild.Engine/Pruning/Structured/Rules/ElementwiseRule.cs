using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Pruning.Structured.Rules;

/// <summary>
/// Broadcasting ops of several inputs (residual Add / Sub / Mul / Div, Max, Min, Sum, Mean, PRelu, Pow): every
/// input carrying channels joins the output's channel at the same index; a float constant that varies along the
/// channel axis shrinks with them; a computed input that varies along it protects them.
/// </summary>
internal sealed class ElementwiseRule : IChannelRule
{
    public IReadOnlyCollection<string> OpTypes { get; } = ["Add", "Sub", "Mul", "Div", "Max", "Min", "Sum", "Mean", "PRelu", "Pow"];

    public bool Apply(ChannelGraph graph, NodeProto node, IReadOnlyList<ChannelSpace?> inputs)
    {
        var first = inputs.FirstOrDefault(s => s is not null);
        if (first is null)
        {
            return true;
        }

        if (!graph.TryShape(node.Output[0], out var outShape))
        {
            return false;
        }

        var axis = first.Axis + (outShape.Length - graph.Rank(first.Value));
        var output = graph.NewSpace(node.Output[0], axis, (int)outShape[axis], producer: false);
        for (var i = 0; i < node.Input.Count; i++)
        {
            var name = node.Input[i];
            if (inputs[i] is { } space)
            {
                if (space.Count != output.Count || space.Axis + (outShape.Length - graph.Rank(space.Value)) != axis)
                {
                    return false;
                }

                graph.Join(output, space);
                continue;
            }

            var rank = graph.Rank(name);
            var dim = axis - (outShape.Length - rank);
            if (graph.Constants.TryGetValue(name, out var constant))
            {
                dim = axis - (outShape.Length - constant.Dims.Count);
                if (dim >= 0 && constant.Dims[dim] != 1)
                {
                    if (constant.DataType != (int)TensorProto.Types.DataType.Float)
                    {
                        return false;
                    }

                    graph.Slices.Add(new TensorSlice(node, i, dim, output.Ids(), SliceRole.Other));
                }
            }
            else if (dim >= 0 && graph.TryShape(name, out var shape) && shape[dim] != 1)
            {
                graph.Protect(output.Ids(), $"{node.OpType} '{ChannelGraph.NodeName(node)}' combines it with '{name}', whose channels no pruned layer produces");
            }
        }

        return true;
    }
}
