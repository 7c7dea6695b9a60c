using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Quantization.Weights;

/// <summary>
/// What every quantization mode adds to a graph through a <see cref="GraphEditor"/>: u8/s8 tensors, scales and zero
/// points of <see cref="QuantParams"/>, and Q/DQ pairs. Kept here so that the graph editor in Onnx/ knows nothing
/// of quantization.
/// </summary>
internal static class QuantizedInitializers
{
    public static TensorProto.Types.DataType ElementTypeOf(QuantType type) =>
        type == QuantType.U8 ? TensorProto.Types.DataType.Uint8 : TensorProto.Types.DataType.Int8;

    /// <summary>A tensor of one byte per element typed as <paramref name="type"/> (u8 or s8).</summary>
    public static string AddQuantizedInitializer(this GraphEditor editor, string wantedName, IEnumerable<long> dims, byte[] data, QuantType type) =>
        editor.AddByteInitializer(wantedName, dims, data, ElementTypeOf(type));

    /// <summary>Zero point(s) as an initializer of the quantized type: a scalar, or a vector for per-channel.</summary>
    public static string AddZeroPoints(this GraphEditor editor, string wantedName, IReadOnlyList<QuantParams> parameters, bool vector)
    {
        var bytes = parameters.Select(p => unchecked((byte)p.ZeroPoint)).ToArray();
        return editor.AddQuantizedInitializer(wantedName, vector ? [bytes.Length] : [], bytes, parameters[0].Type);
    }

    public static string AddScales(this GraphEditor editor, string wantedName, IReadOnlyList<QuantParams> parameters, bool vector)
    {
        var scales = parameters.Select(p => p.Scale).ToArray();
        return editor.AddInitializer<float>(wantedName, vector ? [scales.Length] : [], scales);
    }

    /// <summary>QuantizeLinear -> DequantizeLinear on <paramref name="value"/>; returns the dequantized value's name and the scale's.</summary>
    public static (string Dequantized, string Scale) AddQdq(this GraphEditor editor, string value, QuantParams parameters)
    {
        var scale = editor.AddScales(value + "_scale", [parameters], vector: false);
        var zero = editor.AddZeroPoints(value + "_zero_point", [parameters], vector: false);
        var quantized = editor.UniqueName(value + "_quantized");
        var dequantized = editor.UniqueName(value + "_dequantized");
        editor.AddNode("QuantizeLinear", [value, scale, zero], [quantized], value + "_QuantizeLinear");
        editor.AddNode("DequantizeLinear", [quantized, scale, zero], [dequantized], value + "_DequantizeLinear");
        return (dequantized, scale);
    }
}
