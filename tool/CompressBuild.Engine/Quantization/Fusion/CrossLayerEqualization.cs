using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Quantization.Fusion;

/// <summary>
/// Cross-layer equalization driven by activation ranges (Nagel et al. 2019, "Data-Free Quantization", with the
/// activation-to-weight migration of SmoothQuant, Xiao et al. 2023): where a Conv feeds another Conv (any group count, depthwise included) directly
/// or through Relu (both positive-homogeneous: f(x / s) = f(x) / s for s &gt; 0), output channel i of the first
/// (weights and bias) is divided by s_i and input channel i of the second multiplied by s_i, with
/// s_i = sqrt(a_i / r2_i), a_i the largest |activation| of channel i over the calibration data and r2_i the
/// largest |weight| reading it. Both then span sqrt(a_i r2_i). The function is unchanged in float; what changes
/// is that a few outlier channels (PP-OCRv4's stride-2 depthwise Conv, which has no activation, reaches +-200 on
/// a few channels going into its pointwise Conv) no longer set the per-tensor activation scale for all the
/// others. Equalizing from weight ranges alone (the data-free variant) was measured too and did not help there.
/// </summary>
internal static class CrossLayerEqualization
{
    /// <summary>Rewrites the graph in place; returns the number of Conv pairs equalized.</summary>
    public static int Apply(OnnxModel model, Dataset calibration, SessionSettings settings)
    {
        var graph = model.Graph;
        var index = GraphIndex.Build(graph);
        var pairs = graph.Node.Where(n => n.OpType == "Conv" && n.Domain is "" or "ai.onnx" && Pair(model, index, n) is not null).ToList();
        if (pairs.Count == 0)
        {
            return 0;
        }

        // The activations between the Convs of every pair, measured once on the original model: each rewrite keeps
        // every value of the graph but the one between its own pair, so a chain Conv -> Conv -> Conv stays consistent.
        var names = pairs.Select(p => p.Output[0]).ToList();
        var maxima = new float[]?[names.Count];
        ActivationCapture.Run(model, names, calibration, (_, tensors) =>
        {
            for (var k = 0; k < tensors.Count; k++)
            {
                ChannelMaxima(tensors[k], ref maxima[k]);
            }
        }, settings);

        var equalized = 0;
        for (var k = 0; k < pairs.Count; k++)
        {
            if (maxima[k] is { } a && Equalize(model, GraphIndex.Build(graph), pairs[k], a))
            {
                equalized++;
            }
        }

        return equalized;
    }

    private static void ChannelMaxima(HostTensor tensor, ref float[]? maxima)
    {
        if (tensor.ElementType != (int)TensorProto.Types.DataType.Float || tensor.Shape.Length < 2)
        {
            return;
        }

        var channels = (int)tensor.Shape[1];
        var inner = (int)(tensor.ElementCount / Math.Max(1, tensor.Shape[0] * channels));
        maxima ??= new float[channels];
        var values = tensor.AsSpan<float>();
        for (var start = 0; start + inner <= values.Length; start += inner)
        {
            var c = start / inner % channels;
            maxima[c] = Math.Max(maxima[c], Math.Abs(System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(values.Slice(start, inner))));
        }
    }

    /// <summary>The Conv that <paramref name="first"/> alone feeds, directly or through Relu; null when there is none.</summary>
    private static NodeProto? Pair(OnnxModel model, GraphIndex index, NodeProto first) =>
        ConvWeights.TryRead(model, index, first, out var w1) && Next(index, first) is { } next && ConvWeights.TryRead(model, index, next, out var w2) && Reads(next, w2, w1.OutputChannels)
            ? next
            : null;

    private static NodeProto? Next(GraphIndex index, NodeProto first)
    {
        if (!SoleConsumer(index, first.Output[0], out var next) || next.OpType == "Relu" && !SoleConsumer(index, next.Output[0], out next))
        {
            return null;
        }

        return next.OpType == "Conv" && next.Input.Count >= 2 && next.Input[0] is var x && (x == first.Output[0] || index.Producer(x)?.OpType == "Relu") ? next : null;
    }

    /// <summary>Whether a Conv with these weights reads <paramref name="channels"/> input channels (any group count, depthwise included).</summary>
    private static bool Reads(NodeProto conv, ConvWeights w, int channels)
    {
        var group = Group(conv);
        return group > 0 && w.Dims[1] * group == channels && w.OutputChannels % group == 0;
    }

    private static bool Equalize(OnnxModel model, GraphIndex index, NodeProto first, float[] a)
    {
        if (!ConvWeights.TryRead(model, index, first, out var w1) || Next(index, first) is not { } next || !ConvWeights.TryRead(model, index, next, out var w2))
        {
            return false;
        }

        var channels = w1.OutputChannels;
        if (!Reads(next, w2, channels) || a.Length != channels)
        {
            return false;
        }

        var r2 = new float[channels];
        ForEachInputSlice(next, w2, channels, (i, span) => r2[i] = Math.Max(r2[i], Math.Abs(System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(span))));
        var scales = new float[channels];
        var changed = false;
        for (var i = 0; i < channels; i++)
        {
            var s = a[i] > 0 && r2[i] > 0 ? MathF.Sqrt(a[i] / r2[i]) : 1f;
            scales[i] = float.IsFinite(s) && s > 0 ? s : 1f;
            changed |= Math.Abs(scales[i] - 1f) > 1e-3f;
        }

        if (!changed)
        {
            return false;
        }

        for (var i = 0; i < channels; i++)
        {
            w1.ScaleOutputChannel(i, 1f / scales[i]);
            w1.Bias[i] /= scales[i];
        }

        ForEachInputSlice(next, w2, channels, (i, span) => System.Numerics.Tensors.TensorPrimitives.Multiply(span, scales[i], span));
        w1.WriteTo(model.Graph, first);
        w2.WriteTo(model.Graph, next);
        return true;
    }

    /// <summary>Hands over each kernel slice W[m, j, ...] with the input channel it reads: (m's group) * C/group + j.</summary>
    private static void ForEachInputSlice(NodeProto conv, ConvWeights w, int channels, SliceAction action)
    {
        var group = (int)Group(conv);
        var perGroupIn = channels / group;
        var perGroupOut = w.OutputChannels / group;
        var kernel = w.Weight.Length / (w.OutputChannels * perGroupIn);
        for (var m = 0; m < w.OutputChannels; m++)
        {
            for (var j = 0; j < perGroupIn; j++)
            {
                action(m / perGroupOut * perGroupIn + j, w.Weight.AsSpan((m * perGroupIn + j) * kernel, kernel));
            }
        }
    }

    private delegate void SliceAction(int channel, Span<float> slice);

    private static long Group(NodeProto conv) => conv.Attribute.FirstOrDefault(a => a.Name == "group")?.I ?? 1;

    private static bool SoleConsumer(GraphIndex index, string value, out NodeProto consumer)
    {
        var consumers = index.Consumers(value);
        consumer = consumers.Count == 1 ? consumers[0] : null!;
        return consumers.Count == 1 && !index.IsGraphOutput(value) && consumer.Domain is "" or "ai.onnx";
    }
}
