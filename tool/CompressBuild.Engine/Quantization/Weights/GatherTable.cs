using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization.Operators;

namespace CompressBuild.Engine.Quantization.Weights;

/// <summary>
/// Gather over a constant 2-D table (an embedding) reads an int8 table and dequantizes only the rows it picked:
/// the same rewrite in int8-dynamic and the weight-only modes.
/// </summary>
internal static class GatherTable
{
    public const string Detail = "int8 table, rows dequantized after Gather";

    public static string? Rewrite(GraphEditor editor, QuantizationContext context, NodeProto node)
    {
        if (context.FloatConstant(node.Input[0]) is not { Dims.Count: 2 } table || NodeAttributes.Int(node, "axis", 0) != 0)
        {
            return "not an embedding lookup (a constant 2-D float32 table gathered on axis 0)";
        }

        var weights = WeightQuantization.Quantize(TensorData.ToSingles(table, context.Model), table.Dims, -1, QuantType.S8, symmetric: true);
        var data = editor.AddQuantizedInitializer(table.Name + "_quantized", table.Dims, weights.Data, QuantType.S8);
        var scale = editor.AddScales(table.Name + "_scale", weights.Channels, vector: false);
        var zero = editor.AddZeroPoints(table.Name + "_zero_point", weights.Channels, vector: false);
        var gathered = editor.UniqueName(node.Output[0] + "_quantized");
        var output = node.Output[0];
        node.Input[0] = data;
        node.Output[0] = gathered;
        editor.AddNode("DequantizeLinear", [gathered, scale, zero], [output], node.Name + "_DequantizeLinear");
        return null;
    }
}
