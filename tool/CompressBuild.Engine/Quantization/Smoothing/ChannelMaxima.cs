using System.Numerics.Tensors;
using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Quantization.Smoothing;

/// <summary>
/// max |x_j| per channel j of the tensors to smooth, over the calibration data, in one float pass with those tensors
/// exposed (the per-tensor histograms of calibration do not keep channels apart). Memory is one float per channel.
/// </summary>
internal static class ChannelMaxima
{
    public static float[]?[] Measure(OnnxModel model, IReadOnlyList<SmoothingSite> sites, Dataset data, SessionSettings settings)
    {
        var maxima = new float[]?[sites.Count];
        ActivationCapture.Run(model, [.. sites.Select(s => s.Tensor)], data, (_, tensors) =>
        {
            for (var k = 0; k < tensors.Count; k++)
            {
                Fold(tensors[k], sites[k], ref maxima[k]);
            }
        }, settings);
        return maxima;
    }

    private static void Fold(HostTensor tensor, SmoothingSite site, ref float[]? maxima)
    {
        var shape = tensor.Shape;
        var axis = site.Axis == ChannelAxis.Second ? 1 : shape.Length - 1;
        if (tensor.ElementType != (int)TensorProto.Types.DataType.Float || axis < 0 || axis >= shape.Length || shape[axis] != site.Channels)
        {
            return;
        }

        var channels = site.Channels;
        maxima ??= new float[channels];
        var values = tensor.AsSpan<float>();
        if (site.Axis == ChannelAxis.Last)
        {
            // Rows of C: the elementwise larger magnitude keeps the running maximum per channel.
            for (var start = 0; start + channels <= values.Length; start += channels)
            {
                TensorPrimitives.MaxMagnitude(values.Slice(start, channels), maxima, maxima);
            }

            TensorPrimitives.Abs(maxima, maxima);
            return;
        }

        var inner = (int)(tensor.ElementCount / Math.Max(1, shape[0] * channels));
        for (var start = 0; inner > 0 && start + inner <= values.Length; start += inner)
        {
            var c = start / inner % channels;
            maxima[c] = Math.Max(maxima[c], Math.Abs(TensorPrimitives.MaxMagnitude(values.Slice(start, inner))));
        }
    }
}
