using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Pruning.Structured.Rules;

/// <summary>The optional 1-D bias of a Conv or ConvTranspose, which shrinks with the output channels.</summary>
internal static class BiasSlice
{
    public static void Add(ChannelGraph graph, NodeProto node, int index, ChannelSpace output)
    {
        if (node.Input.Count > index && node.Input[index].Length > 0)
        {
            if (graph.TryConstant(node, index, out var bias) && bias.Dims.Count == 1 && bias.Dims[0] == output.Count)
            {
                graph.Slices.Add(new TensorSlice(node, index, 0, output.Ids(), SliceRole.Other));
            }
            else
            {
                graph.Protect(output.Ids(), $"{node.OpType} '{ChannelGraph.NodeName(node)}' has a bias that is not a constant of {output.Count} values");
            }
        }
    }
}
