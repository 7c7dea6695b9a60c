using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization.Operators;
using CompressBuild.Engine.Quantization.Weights;
using Google.Protobuf;

namespace CompressBuild.Engine.Quantization.WeightOnly;

/// <summary>
/// Weight-only Conv: the weight stored as int8 (or int4 at opset 21) per output channel behind a DequantizeLinear;
/// activations and compute stay float. ONNX Runtime's constant folding leaves DequantizeLinear alone (so its QDQ
/// selectors can see it), which makes it dequantize the weight on every run: smaller, slower (CB4013).
/// </summary>
internal static class ConvWeightOnly
{
    public const long Int4Opset = 21;

    /// <returns>Why the node stays float (null when rewritten) and the decision's detail.</returns>
    /// <param name="gptqRanges">The original weights when GPTQ moved these onto the int4 grid: the scales come from them, so the solved weights land on their codes.</param>
    public static (string? Reason, string? Detail) Rewrite(GraphEditor editor, QuantizationContext context, NodeProto node, int bits, long opset, float[]? gptqRanges = null)
    {
        if (node.Input.Count < 2 || context.FloatConstant(node.Input[1]) is not { Dims.Count: >= 3 } w)
        {
            return ("weight is not a float32 constant", null);
        }

        if (opset < 10)
        {
            return ($"opset {opset} has no DequantizeLinear", null);
        }

        var int4 = bits == 4 && opset >= Int4Opset;
        var axis = opset >= ModelQuantizer.QdqOpset ? 0 : -1;
        var values = TensorData.ToSingles(w, context.Model);
        string data, scale;
        if (int4)
        {
            var (q4, scales) = Int4PerChannel(values, (int)w.Dims[0], gptqRanges);
            data = editor.UniqueName(w.Name + "_q4");
            var tensor = new TensorProto { Name = data, DataType = (int)TensorProto.Types.DataType.Int4, RawData = ByteString.CopyFrom(Pack4(q4)) };
            tensor.Dims.Add(w.Dims);
            editor.Graph.Initializer.Add(tensor);
            scale = editor.AddInitializer<float>(w.Name + "_scale", [scales.Length], scales);
        }
        else
        {
            var quantized = WeightQuantization.Quantize(values, w.Dims, axis, QuantType.S8, symmetric: true);
            data = editor.AddQuantizedInitializer(w.Name + "_quantized", w.Dims, quantized.Data, QuantType.S8);
            scale = editor.AddScales(w.Name + "_scale", quantized.Channels, axis >= 0);
        }

        var output = editor.UniqueName(w.Name + "_dequantized");
        var dq = editor.AddNode("DequantizeLinear", [data, scale], [output], w.Name + "_DequantizeLinear");
        if (axis >= 0)
        {
            NodeAttributes.SetInt(dq, "axis", axis);
        }

        node.Input[1] = output;
        return (null, int4
            ? $"int4 weights per output channel behind DequantizeLinear (opset 21){(gptqRanges is null ? "" : ", GPTQ")}"
            : $"int8 weights {(axis >= 0 ? "per output channel" : "per tensor")} behind DequantizeLinear"
            + (bits == 4 && !int4 ? $" (int4 needs opset 21; this model stays at {opset})" : ""));
    }

    /// <summary>The symmetric int4 scale of one output channel: max |w| / 7 (1 for an all-zero or subnormal channel, whose codes are then all 0).</summary>
    public static float Int4Scale(ReadOnlySpan<float> channel)
    {
        // MaxMagnitude keeps the sign of the value it picks.
        var reach = channel.IsEmpty ? 0 : Math.Abs(System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(channel));
        // A channel of subnormal weights (PP-OCRv4's recognizer has one, max |w| ~ 3e-39) would get a subnormal scale whose reciprocal is infinite.
        var scale = reach / 7f;
        return float.IsNormal(scale) ? scale : 1f;
    }

    /// <summary>Symmetric int4 per output channel: scale = max |w| / 7 (of <paramref name="ranges"/> when given), values rounded into [-7, 7].</summary>
    private static (byte[] Values, float[] Scales) Int4PerChannel(float[] values, int channels, float[]? ranges)
    {
        var per = values.Length / channels;
        var q = new byte[values.Length];
        var scales = new float[channels];
        for (var m = 0; m < channels; m++)
        {
            var run = values.AsSpan(m * per, per);
            scales[m] = Int4Scale((ranges ?? values).AsSpan(m * per, per));
            for (var i = 0; i < per; i++)
            {
                q[(m * per) + i] = unchecked((byte)(sbyte)Math.Clamp((int)MathF.Round(run[i] / scales[m], MidpointRounding.ToEven), -7, 7));
            }
        }

        return (q, scales);
    }

    /// <summary>Two int4 values per byte, the first in the low nibble (ONNX's packing).</summary>
    private static byte[] Pack4(byte[] s8)
    {
        var packed = new byte[(s8.Length + 1) / 2];
        for (var i = 0; i < s8.Length; i++)
        {
            var nibble = (byte)(s8[i] & 0x0F);
            packed[i / 2] |= (byte)(i % 2 == 0 ? nibble : nibble << 4);
        }

        return packed;
    }
}
