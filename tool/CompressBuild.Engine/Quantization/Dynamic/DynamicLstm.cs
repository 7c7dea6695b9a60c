using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization.Operators;
using CompressBuild.Engine.Quantization.Weights;

namespace CompressBuild.Engine.Quantization.Dynamic;

/// <summary>
/// LSTM as com.microsoft DynamicQuantizeLSTM, the form ONNX Runtime's quantize_dynamic writes: W and R int8,
/// symmetric (the kernel requires zero points of 0 for signed weights), one scale per gate row and direction
/// ([directions, 4 x hidden]) or per direction, and stored transposed to [directions, input, 4 x hidden] (the
/// kernel's GEMM B layout). X is quantized per call inside the kernel; B, the states and peepholes stay float.
/// </summary>
internal static class DynamicLstm
{
    public static string Detail(QuantizationOptions options) =>
        "DynamicQuantizeLSTM, int8 W and R " + (options.PerChannel ? "per gate row" : "per direction");

    public static string? Rewrite(GraphEditor editor, QuantizationContext context, NodeProto node)
    {
        if (NodeAttributes.Int(node, "layout", 0) != 0)
        {
            return "layout = 1 (batch first), which DynamicQuantizeLSTM does not take";
        }

        if (node.Input.Count < 3)
        {
            return "it has no R input";
        }

        var hidden = NodeAttributes.Int(node, "hidden_size", 0);
        if (Weight(context, node.Input[1], hidden, out var wSource, out var reason) is not { } w)
        {
            return "W " + reason;
        }

        if (Weight(context, node.Input[2], hidden, out var rSource, out reason) is not { } r || r.Dims[2] != hidden || r.Dims[0] != w.Dims[0])
        {
            return "R " + (reason ?? "does not have the shape [directions, 4 x hidden, hidden]");
        }

        var perRow = context.Options.PerChannel;
        var (wData, wScale, wZero) = Quantize(editor, context, w, wSource, perRow);
        var (rData, rScale, rZero) = Quantize(editor, context, r, rSource, perRow);
        var inputs = new List<string> { node.Input[0], wData, rData };
        for (var i = 3; i < 8; i++)
        {
            inputs.Add(i < node.Input.Count ? node.Input[i] : "");
        }

        inputs.AddRange([wScale, wZero, rScale, rZero]);
        var quantized = editor.AddNode("DynamicQuantizeLSTM", inputs, node.Output, node.Name + "_quant", GraphEditor.MicrosoftDomain);
        quantized.Attribute.Add(node.Attribute.Where(a => a.Name != "layout"));
        editor.Graph.Node.Remove(node);
        return null;
    }

    /// <summary>W [directions, 4 x hidden, input] or R [directions, 4 x hidden, hidden], stored or computed from constants.</summary>
    private static TensorProto? Weight(QuantizationContext context, string value, long hidden, out string source, out string? reason)
    {
        var tensor = ConstantChain.Fold(context, value, out source, out reason);
        if (tensor is not null && (tensor.Dims.Count != 3 || tensor.Dims[1] != 4 * hidden))
        {
            reason = $"has shape [{string.Join(", ", tensor.Dims)}], not [directions, 4 x {hidden}, size]";
            return null;
        }

        return tensor;
    }

    /// <summary>
    /// The kernel's layout: int8 [directions, size, 4 x hidden], scales and zero points [directions, 4 x hidden] or
    /// [directions], in the graph that stores the float weight (<see cref="SharedWeight"/>).
    /// </summary>
    private static (string Data, string Scale, string Zero) Quantize(GraphEditor editor, QuantizationContext context, TensorProto weight, string source, bool perRow)
    {
        var shared = SharedWeight.For(editor, context, weight, source, perRow ? "s8_rows" : "s8", "_quantized");
        var name = shared.Name;
        if (shared.Exists)
        {
            return (name + "_quantized", name + "_scale", name + "_zero_point");
        }

        var (directions, rows, size) = ((int)weight.Dims[0], (int)weight.Dims[1], (int)weight.Dims[2]);
        var values = TensorData.ToSingles(weight, context.Model);
        var quantized = perRow
            ? WeightQuantization.Quantize(values, [directions * rows, size], 0, QuantType.S8, symmetric: true)
            : WeightQuantization.Quantize(values, [directions, rows * size], 0, QuantType.S8, symmetric: true);
        var transposed = new byte[quantized.Data.Length];
        for (var d = 0; d < directions; d++)
        {
            var offset = d * rows * size;
            for (var row = 0; row < rows; row++)
            {
                for (var column = 0; column < size; column++)
                {
                    transposed[offset + (column * rows) + row] = quantized.Data[offset + (row * size) + column];
                }
            }
        }

        long[] paramDims = perRow ? [directions, rows] : [directions];
        var target = shared.Editor;
        return (target.AddQuantizedInitializer(name + "_quantized", [directions, size, rows], transposed, QuantType.S8),
            target.AddInitializer<float>(name + "_scale", paramDims, quantized.Scales),
            target.AddQuantizedInitializer(name + "_zero_point", paramDims, new byte[quantized.Channels.Length], QuantType.S8));
    }
}
