using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization.Calibration;
using CompressBuild.Engine.Quantization.Weights;

namespace CompressBuild.Engine.Quantization.Qdq;

/// <summary>
/// Constant operands of quantized Add/Mul as activation-typed initializers behind one DequantizeLinear each (per
/// tensor, covering the constant's own range, so a scalar is stored exactly at an end of the range).
/// </summary>
internal sealed class ConstantOperandCache(GraphEditor editor, OnnxModel model, QuantizationOptions options)
{
    private readonly Dictionary<string, string> done = new(StringComparer.Ordinal);

    public string Get(TensorProto constant)
    {
        if (done.TryGetValue(constant.Name, out var known))
        {
            return known;
        }

        var values = TensorData.ToSingles(constant, model);
        var low = values.Length == 0 ? 0 : values.Min();
        var high = values.Length == 0 ? 0 : values.Max();
        var range = new QuantRange(low, high);
        var parameters = QuantParams.FromRange(range, options.ActivationType, symmetric: false);
        if (options.ScaleConstraint == ScaleConstraint.PowerOfTwo)
        {
            parameters = PowerOfTwoScale.ForValues(parameters, range, symmetric: false, values);
        }

        var data = values.Select(v => unchecked((byte)parameters.Quantize(v))).ToArray();
        var name = constant.Name;
        var quantized = editor.AddQuantizedInitializer(name + "_quantized", constant.Dims, data, options.ActivationType);
        var scale = editor.AddScales(name + "_scale", [parameters], vector: false);
        var zero = editor.AddZeroPoints(name + "_zero_point", [parameters], vector: false);
        var output = editor.UniqueName(name + "_dequantized");
        editor.AddNode("DequantizeLinear", [quantized, scale, zero], [output], name + "_DequantizeLinear");
        done[constant.Name] = output;
        return output;
    }
}
