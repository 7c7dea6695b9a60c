using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Quantization.Operators;
using CompressBuild.Engine.Quantization.Selection;
using CompressBuild.Engine.Quantization.Weights;

namespace CompressBuild.Engine.Quantization.Dynamic;

/// <summary>
/// MatMul and Gemm with a constant B as com.microsoft DynamicQuantizeMatMul: weights int8 per output column, the
/// activation quantized to u8 per call inside the kernel (the form ONNX Runtime runs fastest on CPU); Gemm's alpha
/// folds into the weight scales and beta x C into the bias, or C is added after when it is computed at run time.
/// </summary>
internal static class DynamicMatMul
{
    /// <summary>The decision's detail for a MatMul or Gemm this form took.</summary>
    public static string Detail(QuantizationOptions options) =>
        "DynamicQuantizeMatMul, int8 weights " + (options.PerChannel ? "per output column" : "per tensor");

    public static string? MatMul(GraphEditor editor, QuantizationContext context, NodeProto node)
    {
        if (ConstantProduct.Read(context, node, "DynamicQuantizeMatMul", out var b, out _) is { } refusal)
        {
            return refusal;
        }

        var values = TensorData.ToSingles(b, context.Model);
        Replace(editor, context, node, node.Input[0], values, b.Dims[0], b.Dims[1], b.Name, 1f, null);
        return null;
    }

    public static string? Gemm(GraphEditor editor, QuantizationContext context, NodeProto node)
    {
        if (ConstantProduct.Read(context, node, "DynamicQuantizeMatMul", out var b, out var gemm) is { } refusal)
        {
            return refusal;
        }

        var (k, n, alpha, beta) = (gemm.K, gemm.N, gemm.Alpha, gemm.Beta);
        var values = TensorData.ToSingles(b, context.Model);
        if (gemm.TransB)
        {
            values = MatrixTranspose.Of(values, (int)n, (int)k);
        }

        float[]? bias = null;
        string? addAfter = null;
        if (gemm.C is not null)
        {
            if (context.FloatConstant(gemm.C) is { Dims.Count: 1 } c && c.Dims[0] == n)
            {
                bias = TensorData.ToSingles(c, context.Model).Select(v => v * beta).ToArray();
            }
            else if (beta == 1f)
            {
                addAfter = gemm.C;
            }
            else
            {
                return "C is not a constant vector of N and beta is not 1";
            }
        }

        Replace(editor, context, node, node.Input[0], values, k, n, b.Name, alpha, bias, addAfter);
        return null;
    }

    /// <summary>Rewrites <paramref name="node"/> in place as DynamicQuantizeMatMul over the [K, N] weights.</summary>
    private static void Replace(GraphEditor editor, QuantizationContext context, NodeProto node, string input, float[] weightsKn, long k, long n,
        string name, float alpha, float[]? bias, string? addAfter = null)
    {
        var options = context.Options;
        var quantized = WeightQuantization.Quantize(weightsKn, [k, n], options.PerChannel ? 1 : -1, options.WeightType, options.WeightSymmetric);
        var channels = alpha == 1f ? quantized.Channels : quantized.Channels.Select(c => c with { Scale = c.Scale * alpha }).ToArray();
        var data = editor.AddQuantizedInitializer(name + "_quantized", [k, n], quantized.Data, options.WeightType);
        var scale = editor.AddScales(name + "_scale", channels, options.PerChannel);
        var zero = editor.AddZeroPoints(name + "_zero_point", channels, options.PerChannel);
        var inputs = new List<string> { input, data, scale, zero };
        if (bias is not null)
        {
            inputs.Add(editor.AddInitializer<float>(name + "_bias", [n], bias));
        }

        var output = node.Output[0];
        node.Input.Clear();
        node.Input.Add(inputs);
        node.Attribute.Clear();
        node.OpType = "DynamicQuantizeMatMul";
        node.Domain = GraphEditor.MicrosoftDomain;
        if (addAfter is not null)
        {
            var product = editor.UniqueName(output + "_matmul");
            node.Output[0] = product;
            editor.AddNode("Add", [product, addAfter], [output], node.Name + "_bias_Add");
        }
    }
}
