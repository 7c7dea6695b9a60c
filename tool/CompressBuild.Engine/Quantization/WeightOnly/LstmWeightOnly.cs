using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization.Operators;
using CompressBuild.Engine.Quantization.Weights;

namespace CompressBuild.Engine.Quantization.WeightOnly;

/// <summary>
/// Weight-only LSTM: W and R stored int8, symmetric, one scale per gate row (axis 1 of [directions, 4 x hidden,
/// size], shared by the directions) behind a DequantizeLinear; the LSTM itself stays float. int8 for int4-weight
/// too: a gate row's 128 weights on 15 levels would move the recurrent state too far, and LSTMs are small beside
/// the layers int4 is for. Weights computed from constants in a subgraph are folded, and one copy serves every branch.
/// </summary>
internal static class LstmWeightOnly
{
    public static OpRewrite Rewrite(GraphEditor editor, QuantizationContext context, NodeProto node, WeightOnlySettings settings)
    {
        if (node.Input.Count < 3)
        {
            return new("it has no R input", null);
        }

        if (settings.ConvOpset < 10)
        {
            return new($"opset {settings.ConvOpset} has no DequantizeLinear", null);
        }

        var axis = settings.ConvOpset >= ModelQuantizer.QdqOpset ? 1 : -1;
        var weights = new (TensorProto Tensor, string Source)[2];
        for (var i = 0; i < 2; i++)
        {
            var tensor = ConstantChain.Fold(context, node.Input[i + 1], out var source, out var reason);
            if (tensor is null || tensor.Dims.Count != 3)
            {
                return new((i == 0 ? "W " : "R ") + (reason ?? "is not [directions, 4 x hidden, size]"), null);
            }

            weights[i] = (tensor, source);
        }

        for (var i = 0; i < 2; i++)
        {
            var (tensor, source) = weights[i];
            var shared = SharedWeight.For(editor, context, tensor, source, axis >= 0 ? "s8_gates" : "s8", "_quantized");
            if (!shared.Exists)
            {
                var quantized = WeightQuantization.Quantize(TensorData.ToSingles(tensor, context.Model), tensor.Dims, axis, QuantType.S8, symmetric: true);
                shared.Editor.AddQuantizedInitializer(shared.Name + "_quantized", tensor.Dims, quantized.Data, QuantType.S8);
                shared.Editor.AddScales(shared.Name + "_scale", quantized.Channels, axis >= 0);
            }

            var output = editor.UniqueName(node.Input[i + 1] + "_dequantized");
            var dq = editor.AddNode("DequantizeLinear", [shared.Name + "_quantized", shared.Name + "_scale"], [output], node.Name + (i == 0 ? "_W" : "_R") + "_DequantizeLinear");
            if (axis >= 0)
            {
                NodeAttributes.SetInt(dq, "axis", axis);
            }

            node.Input[i + 1] = output;
        }

        return OpRewrite.Done($"int8 W and R {(axis >= 0 ? "per gate row" : "per tensor")} behind DequantizeLinear" + (settings.Bits == 4 ? " (int8 for LSTM in int4-weight)" : ""));
    }
}
