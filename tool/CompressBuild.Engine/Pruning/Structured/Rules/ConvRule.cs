using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Pruning.Structured.Rules;

/// <summary>
/// Conv with a constant weight [O, I/g, k...]: an ordinary Conv (group 1) reads its input channels through weight
/// axis 1 and produces new channels along axis 0; a depthwise Conv (one filter per channel) passes its input
/// channels through, so its filters and <c>group</c> follow them. Other grouped Convs are not followed.
/// </summary>
internal sealed class ConvRule : IChannelRule
{
    public IReadOnlyCollection<string> OpTypes { get; } = ["Conv"];

    public bool Apply(ChannelGraph graph, NodeProto node, IReadOnlyList<ChannelSpace?> inputs)
    {
        var input = inputs[0];
        if (!graph.TryConstant(node, 1, out var w) || ConvForm.Of(node, w.Dims) is not { } form)
        {
            return false;
        }

        var outChannels = (int)form.OutputChannels;
        if (form.Group == 1)
        {
            if (input is not null)
            {
                if (input.Axis != 1 || input.Count != form.InputChannels)
                {
                    return false;
                }

                graph.Slices.Add(new TensorSlice(node, 1, 1, input.Ids(), SliceRole.Consumer));
            }

            var output = graph.NewSpace(node.Output[0], 1, outChannels, producer: true);
            graph.Slices.Add(new TensorSlice(node, 1, 0, output.Ids(), SliceRole.Producer));
            BiasSlice.Add(graph, node, 2, output);
            return true;
        }

        // Depthwise with one filter per channel: output channel c is input channel c filtered.
        if (input is not null && input.Axis == 1 && form.Depthwise && form.Group == input.Count && outChannels == form.Group)
        {
            var output = graph.NewSpace(node.Output[0], 1, outChannels, producer: false);
            graph.Join(output, input);
            graph.Slices.Add(new TensorSlice(node, 1, 0, output.Ids(), SliceRole.Depthwise));
            BiasSlice.Add(graph, node, 2, output);
            graph.DepthwiseNodes.Add(node);
            return true;
        }

        return false;
    }
}
