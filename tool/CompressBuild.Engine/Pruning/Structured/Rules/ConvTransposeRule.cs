using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Pruning.Structured.Rules;

/// <summary>ConvTranspose (group 1) with a constant weight [I, O, k...]: reads channels through axis 0, produces them along axis 1.</summary>
internal sealed class ConvTransposeRule : IChannelRule
{
    public IReadOnlyCollection<string> OpTypes { get; } = ["ConvTranspose"];

    public bool Apply(ChannelGraph graph, NodeProto node, IReadOnlyList<ChannelSpace?> inputs)
    {
        var input = inputs[0];
        if (!graph.TryConstant(node, 1, out var w) || ConvForm.Of(node, w.Dims) is not { Group: 1 } form)
        {
            return false;
        }

        if (input is not null)
        {
            if (input.Axis != 1 || input.Count != form.InputChannels)
            {
                return false;
            }

            graph.Slices.Add(new TensorSlice(node, 1, 0, input.Ids(), SliceRole.Consumer));
        }

        var output = graph.NewSpace(node.Output[0], 1, (int)form.OutputChannels, producer: true);
        graph.Slices.Add(new TensorSlice(node, 1, 1, output.Ids(), SliceRole.Producer));
        BiasSlice.Add(graph, node, 2, output);
        return true;
    }
}
