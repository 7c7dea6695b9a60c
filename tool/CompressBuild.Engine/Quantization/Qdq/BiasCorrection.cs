using CompressBuild.Engine.Evaluation;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Runtime;
using Google.Protobuf;
using System.Runtime.InteropServices;

namespace CompressBuild.Engine.Quantization.Qdq;

/// <summary>
/// Bias correction for int8-static: quantized weights shift each output channel's mean a little; measured on
/// the calibration data, that shift is added back into the int32 bias, layer after layer in graph order (so
/// each layer is corrected with the layers before it already corrected). No op is added.
/// </summary>
internal static class BiasCorrection
{
    /// <param name="FloatOutput">The layer's output in the float model (before any Relu was folded).</param>
    /// <param name="QuantizedOutput">The same value in the quantized model, before its output QuantizeLinear.</param>
    /// <param name="Bias">The int32 bias initializer.</param>
    /// <param name="Scales">The bias scale of each channel (input scale x weight scale).</param>
    internal sealed record Layer(string Node, string FloatOutput, string QuantizedOutput, string Bias, float[] Scales);

    /// <returns>The names of the layers whose bias was corrected.</returns>
    public static List<string> Apply(QuantizationWork work, OnnxModel floatModel, IReadOnlyList<Layer> layers, Dataset calibration, SessionSettings settings)
    {
        var corrected = new List<string>();
        foreach (var layer in layers)
        {
            var reference = ChannelMeans(floatModel, layer.FloatOutput, layer.Scales.Length, calibration, settings);
            var current = ChannelMeans(work.Model, layer.QuantizedOutput, layer.Scales.Length, calibration, settings);
            if (reference is null || current is null)
            {
                continue;
            }

            var bias = work.Graph.Initializer.Single(i => i.Name == layer.Bias);
            var values = MemoryMarshal.Cast<byte, int>(bias.RawData.Span).ToArray();
            for (var c = 0; c < values.Length; c++)
            {
                var steps = Math.Round((reference[c] - current[c]) / layer.Scales[c], MidpointRounding.ToEven);
                values[c] = (int)Math.Clamp(values[c] + steps, int.MinValue, int.MaxValue);
            }

            bias.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()));
            corrected.Add(layer.Node);
        }

        return corrected;
    }

    /// <summary>Mean of each channel (axis 1) of <paramref name="value"/> over the data, streamed sample by sample; null if the shape does not fit.</summary>
    private static double[]? ChannelMeans(OnnxModel model, string value, int channels, Dataset data, SessionSettings settings)
    {
        var sums = new double[channels];
        long perChannel = 0;
        var fits = true;
        ActivationCapture.Run(model, [value], data, (_, tensors) =>
        {
            var tensor = tensors[0];
            if (tensor.Shape.Length < 2 || tensor.Shape[1] != channels)
            {
                fits = false;
                return;
            }

            var inner = tensor.Shape.Skip(2).Aggregate(1L, (a, d) => a * d);
            var span = tensor.AsSpan<float>();
            for (long i = 0; i < span.Length; i++)
            {
                sums[(int)(i / inner % channels)] += span[(int)i];
            }

            perChannel += span.Length / channels;
        }, settings);
        return fits && perChannel > 0 ? sums.Select(s => s / perChannel).ToArray() : null;
    }
}
