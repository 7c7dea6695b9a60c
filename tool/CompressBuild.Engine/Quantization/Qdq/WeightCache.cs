using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Quantization.Operators;
using CompressBuild.Engine.Quantization.Weights;

namespace CompressBuild.Engine.Quantization.Qdq;

/// <summary>
/// Quantizes each weight once (a weight shared by several nodes gets one int8 copy and one DequantizeLinear). A weight in
/// <paramref name="rounded"/> (AdaRound) is coded from those values on the grid of its original ones.
/// </summary>
internal sealed class WeightCache(GraphEditor editor, OnnxModel model, QuantizationOptions options, IReadOnlyDictionary<string, float[]>? rounded = null)
{
    private readonly Dictionary<(string, int), QuantizedWeight> done = [];

    public QuantizedWeight Get(WeightInput weight)
    {
        var key = (weight.Tensor.Name, weight.Axis);
        if (done.TryGetValue(key, out var known))
        {
            return known;
        }

        var values = TensorData.ToSingles(weight.Tensor, model);
        var learned = rounded?.GetValueOrDefault(weight.Tensor.Name);
        var reduce = Latency.WeightRange.Reduced(options, model.Graph, weight.Tensor);
        var quantized = WeightQuantization.Quantize(learned ?? values, weight.Tensor.Dims, weight.Axis, options.WeightType, options.WeightSymmetric, reduce,
            options.ScaleConstraint, learned is null ? default : values, Latency.WeightRange.PairedInputs(options, model.Graph, weight.Tensor));
        var perChannel = weight.Axis >= 0;
        var name = weight.Tensor.Name;
        var data = editor.AddQuantizedInitializer(name + "_quantized", weight.Tensor.Dims, quantized.Data, options.WeightType);
        var scale = editor.AddScales(name + "_scale", quantized.Channels, perChannel);
        var zero = editor.AddZeroPoints(name + "_zero_point", quantized.Channels, perChannel);
        var output = editor.UniqueName(name + "_dequantized");
        var dq = editor.AddNode("DequantizeLinear", [data, scale, zero], [output], name + "_DequantizeLinear");
        if (perChannel)
        {
            NodeAttributes.SetInt(dq, "axis", weight.Axis);
        }

        var result = new QuantizedWeight(output, scale, quantized);
        done[key] = result;
        return result;
    }
}
