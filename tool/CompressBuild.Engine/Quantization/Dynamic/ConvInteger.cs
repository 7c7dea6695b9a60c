using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization.Operators;
using CompressBuild.Engine.Quantization.Weights;

namespace CompressBuild.Engine.Quantization.Dynamic;

/// <summary>
/// int8-dynamic Conv as ORT's quantize_dynamic writes it, for size: usually slower than float Conv on CPU (CB4013),
/// so int8-static is the mode for fast CNNs. ONNX Runtime's ConvInteger takes u8 weights with one zero point only,
/// so per-channel weights are symmetric int8 stored as u8 around a shared zero point of 128, each output channel
/// with its own scale in the float rescale after the kernel. One scale for a whole layer cost Silero VAD a tenth of
/// its speech decisions (89.6% agreement, 99.9% with LSTM alone quantized): its last encoder Conv has channels whose
/// weights differ in range by far more than 256 steps can cover.
/// </summary>
internal static class ConvInteger
{
    /// <summary>The zero point of symmetric int8 weights stored as u8 (-127..127 becomes 1..255).</summary>
    private const int SymmetricZeroPoint = 128;

    public static string Detail(QuantizationOptions options) => "ConvInteger, u8 weights " +
        (options.PerChannel ? "per output channel (symmetric around 128)" : "per tensor") + ", activation quantized per call (DynamicQuantizeLinear)";

    /// <summary>
    /// Conv as DynamicQuantizeLinear -> ConvInteger (u8 x u8, per-tensor zero points) -> Cast -> Mul by
    /// x scale x w scale -> Add bias [1, M, 1...]: the form ONNX Runtime's quantize_dynamic writes and its CPU runs.
    /// </summary>
    public static string? Rewrite(GraphEditor editor, QuantizationContext context, NodeProto node)
    {
        if (node.Input.Count < 2 || context.FloatConstant(node.Input[1]) is not { Dims.Count: >= 3 } w)
        {
            return "weight is not a float32 constant";
        }

        if (context.Model.OpsetVersion("") < 11)
        {
            return $"DynamicQuantizeLinear needs opset 11 and the model uses {context.Model.OpsetVersion("")}";
        }

        float[]? bias = null;
        if (node.Input.Count > 2 && node.Input[2].Length > 0)
        {
            if (context.FloatConstant(node.Input[2]) is not { } b)
            {
                return "bias is not a float32 constant";
            }

            bias = TensorData.ToSingles(b, context.Model);
        }

        var name = w.Name;
        var perChannel = context.Options.PerChannel && w.Dims[0] > 1;
        var values = TensorData.ToSingles(w, context.Model);
        string data, wScale, wZero;
        if (perChannel)
        {
            var quantized = WeightQuantization.Quantize(values, w.Dims, 0, QuantType.S8, symmetric: true);
            var shifted = quantized.Data.Select(b => (byte)((sbyte)b + SymmetricZeroPoint)).ToArray();
            data = editor.AddQuantizedInitializer(name + "_quantized", w.Dims, shifted, QuantType.U8);
            var shape = new long[w.Dims.Count];
            Array.Fill(shape, 1L);
            shape[1] = w.Dims[0];
            wScale = editor.AddInitializer<float>(name + "_scale", shape, quantized.Scales);
            wZero = editor.AddQuantizedInitializer(name + "_zero_point", [], [SymmetricZeroPoint], QuantType.U8);
        }
        else
        {
            var quantized = WeightQuantization.Quantize(values, w.Dims, -1, QuantType.U8, symmetric: false);
            data = editor.AddQuantizedInitializer(name + "_quantized", w.Dims, quantized.Data, QuantType.U8);
            wScale = editor.AddScales(name + "_scale", quantized.Channels, vector: false);
            wZero = editor.AddZeroPoints(name + "_zero_point", quantized.Channels, vector: false);
        }

        var input = node.Input[0];
        string xq = editor.UniqueName(input + "_quantized"), xScale = editor.UniqueName(input + "_scale"), xZero = editor.UniqueName(input + "_zero_point");
        editor.AddNode("DynamicQuantizeLinear", [input], [xq, xScale, xZero], node.Name + "_DynamicQuantizeLinear");
        var output = node.Output[0];
        var integer = editor.UniqueName(output + "_int32");
        var conv = editor.AddNode("ConvInteger", [xq, data, xZero, wZero], [integer], node.Name + "_ConvInteger");
        conv.Attribute.Add(node.Attribute.Where(a => a.Name is "auto_pad" or "dilations" or "group" or "kernel_shape" or "pads" or "strides"));
        var asFloat = editor.UniqueName(output + "_float");
        NodeAttributes.SetInt(editor.AddNode("Cast", [integer], [asFloat], node.Name + "_Cast"), "to", (int)TensorProto.Types.DataType.Float);
        var scale = editor.UniqueName(output + "_scale");
        editor.AddNode("Mul", [xScale, wScale], [scale], node.Name + "_scale_Mul");
        var scaled = bias is null ? output : editor.UniqueName(output + "_scaled");
        editor.AddNode("Mul", [asFloat, scale], [scaled], node.Name + "_Mul");
        if (bias is not null)
        {
            var shape = new long[w.Dims.Count];
            Array.Fill(shape, 1L);
            shape[1] = bias.Length;
            editor.AddNode("Add", [scaled, editor.AddInitializer<float>(name + "_bias", shape, bias)], [output], node.Name + "_bias_Add");
        }

        editor.Graph.Node.Remove(node);
        return null;
    }
}
